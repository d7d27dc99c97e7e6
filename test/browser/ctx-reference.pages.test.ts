/// <reference lib="dom" />
// The strategy editor's ctx reference in a browser: "Insert at cursor" puts an example into the
// editor where the cursor is (JavaScript), "Run in the dry run" shows the example's log in place.
import { describe, expect, it } from 'vitest';
import { artifact, hasChromium, useBacktestBrowser, watchProblems } from '../helpers/browser.ts';
import { ctxReference } from '../../src/strategies/ctx-reference.ts';

describe.skipIf(!hasChromium)('the ctx reference on the strategy editor', () => {
  const s = useBacktestBrowser();

  it('inserts an example at the cursor and runs one in the dry run', async () => {
    const page = await s.browser.newPage();
    const problems = watchProblems(page);
    await page.goto(`${s.base}/strategies/new`);
    const editor = page.locator('#code-editor');
    await editor.fill('// before\n// after\n');
    // Cursor at the start of the second line.
    await editor.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(10, 10));
    const sma = ctxReference[0].entries.find((e) => e.name === 'ctx.sma')!;
    const button = page.locator('button[data-insert-snippet="ref-ctx-sma-example"]');
    expect(await button.isVisible()).toBe(true);
    await button.click();
    expect(await editor.inputValue()).toBe(`// before\n${sma.example}\n// after\n`);

    // The dry run of ctx.log's example: its log line appears under it, the page stays.
    const run = page.locator('form:has(input[name="example"][value="ctx.log"]) button');
    await run.scrollIntoViewIfNeeded();
    await run.click();
    await page.waitForSelector('#ref-ctx-log-out .notice');
    // The tiny market starts on 2023-01-03 (src/strategies/dry-run.ts); the example logs on day 1.
    expect(await page.textContent('#ref-ctx-log-out')).toContain('20230103 starting on 20230103 with 1000000 CNY');
    expect(page.url()).toBe(`${s.base}/strategies/new`);
    await page.screenshot({ path: artifact('ctx-reference.png'), fullPage: false });
    expect(problems).toEqual([]);
  }, 60_000);
});

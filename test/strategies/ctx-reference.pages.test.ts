import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { Browser, makeUser } from '../helpers/accounts.ts';
import { ctxReference } from '../../src/strategies/ctx-reference.ts';

describe('the ctx reference on the strategy editor', () => {
  let t: TestApp;
  let analyst: Browser;
  let viewer: Browser;
  beforeAll(async () => {
    t = await makeTestApp();
    await makeUser(t, 'ref.analyst', 'analyst');
    await makeUser(t, 'ref.viewer', 'viewer');
    analyst = new Browser(t);
    await analyst.login('ref.analyst');
    viewer = new Browser(t);
    await viewer.login('ref.viewer');
  });
  afterAll(() => t?.close());

  it('lists every generated entry, in declaration order, with its example', async () => {
    const html = await (await analyst.request('/strategies/new')).text();
    const names = ctxReference.flatMap((s) => s.entries.map((e) => e.name));
    let at = 0;
    for (const n of names) {
      const i = html.indexOf(`id="ref-${n.replace(/[^A-Za-z0-9]+/g, '-')}"`, at);
      expect(i, `${n} on the editor page after the one before it`).toBeGreaterThan(at);
      at = i;
    }
    // ctx.date is the YYYYMMDD number the issue had to read context.ts to learn.
    expect(html).toContain('Today as YYYYMMDD.');
    expect(html).toContain('value="ctx.sma"');
  });

  it('runs an example in the dry run: a page without JavaScript, a fragment for htmx', async () => {
    const csrf = await analyst.csrfFrom('/strategies/new');
    const page = await analyst.post('/strategies/try', { _csrf: csrf, example: 'ctx.log' }, { Referer: 'http://localhost/strategies/new' });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<html');
    expect(html).toContain('Ran 60 days without an error.');
    // ctx.log's example logs on day 1: the tiny market starts on 2023-01-03 (src/strategies/dry-run.ts).
    expect(html).toContain('20230103 starting on 20230103 with 1000000 CNY');
    expect(html).toContain('href="/strategies/new#ref-ctx-log"');
    const fragment = await analyst.post('/strategies/try', { _csrf: csrf, example: 'ctx.sma' }, { 'HX-Request': 'true' });
    const part = await fragment.text();
    expect(fragment.headers.get('vary')).toContain('HX-Request');
    expect(part).not.toContain('<html');
    expect(part).toContain('Ran 60 days without an error.');
  });

  it('refuses an unknown example naming the field, and viewers', async () => {
    const csrf = await analyst.csrfFrom('/strategies/new');
    const bad = await analyst.post('/strategies/try', { _csrf: csrf, example: 'ctx.nope' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('example: no example named &quot;ctx.nope&quot;');
    const vcsrf = await viewer.csrfFrom('/account');
    expect((await viewer.post('/strategies/try', { _csrf: vcsrf, example: 'ctx.sma' })).status).toBe(403);
  });
});

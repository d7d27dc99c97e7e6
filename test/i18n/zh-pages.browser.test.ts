/// <reference lib="dom" />
import { describe, expect, it } from 'vitest';
import { tables } from '../../src/i18n/messages/index.ts';
import { artifact, hasChromium, useServerProcessAndBrowser, watchProblems } from '../helpers/browser.ts';
import { signIn } from '../helpers/browser-login.ts';

/**
 * Issue 24 in a real browser against a real `zquant serve`: a browser that asks for Chinese gets the
 * main pages in Chinese, and so does a user who chose 中文 on the account page while their browser
 * says English. No page shows a catalogue key (a message missing from the catalogue shows its key).
 */
const pages = ['/', '/backtests', '/backtests/new', '/strategies', '/market', '/scheduler', '/scheduler/new', '/runs', '/sweeps', '/sweeps/new', '/account', '/admin', '/admin/alerts'];
/** Every message key: a page showing one has a message missing from the catalogue. */
const keys = Object.keys(tables.en);

describe.skipIf(!hasChromium)('zh-CN pages in a browser', () => {
  const s = useServerProcessAndBrowser();

  async function visitAll(page: import('playwright-core').Page, name: string) {
    const base = s.server.url;
    for (const path of pages) {
      const res = await page.goto(base + path);
      expect(res?.status(), path).toBe(200);
      expect(await page.getAttribute('html', 'lang'), path).toBe('zh-CN');
      const text = await page.locator('body').innerText();
      expect(keys.filter((k) => text.includes(k)), `${path} shows catalogue keys`).toEqual([]);
      // The navigation is in Chinese on every page (src/i18n/messages/layout.ts).
      expect(await page.locator('nav[aria-label="主导航"] a').allTextContents(), path).toContain('回测');
    }
    await page.goto(base + '/');
    await page.screenshot({ path: artifact(`zh-home-${name}.png`), fullPage: true });
  }

  it('shows a zh-CN browser the main pages in Chinese', async () => {
    const context = await s.browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    const problems = watchProblems(page);
    try {
      await signIn(page, s.server.url);
      await visitAll(page, 'browser');
      await page.goto(s.server.url + '/');
      expect(await page.locator('h2').first().innerText()).toBe('运行回测');
      await page.goto(s.server.url + '/backtests/new');
      expect(await page.locator('legend').allTextContents()).toEqual(expect.arrayContaining(['股票池', '区间与资金', '交易']));
      // The last views converted: the sweep form, the task form with its policies, the alerts page.
      await page.goto(s.server.url + '/sweeps/new');
      expect(await page.locator('h1').innerText()).toBe('新建参数扫描');
      expect(await page.locator('#submit-sweep').innerText()).toBe('开始参数扫描');
      await page.goto(s.server.url + '/scheduler/new');
      expect(await page.locator('legend').allTextContents()).toEqual(expect.arrayContaining(['计划', '策略设置']));
      expect(await page.locator('.policy-help summary').innerText()).toBe('各项策略的含义');
      await page.goto(s.server.url + '/admin/alerts');
      expect(await page.locator('h1').innerText()).toBe('告警');
      expect(await page.locator('h2').allTextContents()).toEqual(['渠道', '规则', '最近投递']);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('keeps the Chinese pages within a 390 px phone screen (no sideways scrolling)', async () => {
    const context = await s.browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    try {
      await signIn(page, s.server.url);
      const wide: string[] = [];
      for (const path of pages) {
        await page.goto(s.server.url + path);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        if (width > 390) wide.push(`${path}: ${width}px`);
        await page.screenshot({ path: artifact(`zh-phone${path.replace(/\//g, '-') || '-home'}.png`), fullPage: true });
      }
      expect(wide).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('follows the language a user chose on the account page while the browser says English', async () => {
    const context = await s.browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    try {
      await signIn(page, s.server.url);
      await page.goto(s.server.url + '/account');
      expect(await page.locator('h1').innerText()).toBe('Your account');
      await page.selectOption('#locale', 'zh-CN');
      await Promise.all([page.waitForURL(s.server.url + '/account'), page.click('form[action="/account/locale"] button[type="submit"]')]);
      expect(await page.locator('h1').innerText()).toBe('我的账户');
      await visitAll(page, 'chosen');
      // And back: following the browser again gives English.
      await page.goto(s.server.url + '/account');
      await page.selectOption('#locale', '');
      await Promise.all([page.waitForURL(s.server.url + '/account'), page.click('form[action="/account/locale"] button[type="submit"]')]);
      expect(await page.locator('h1').innerText()).toBe('Your account');
    } finally {
      await context.close();
    }
  }, 120_000);
});

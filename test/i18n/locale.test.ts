import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { bearer, Browser, makeUser } from '../helpers/accounts.ts';

/**
 * Issue 24: the language of a page or an API error is the user's choice (account page), else the
 * request's Accept-Language, else DEFAULT_LOCALE (zh-CN when unset: this app is built without the
 * test helpers' English default). Error codes never change with it.
 */
let t: TestApp;
let analyst: { id: number; username: string; token: string };

beforeAll(async () => {
  t = await makeTestApp({ DEFAULT_LOCALE: 'zh-CN' });
  analyst = await makeUser(t, 'wang.fang', 'analyst');
});
afterAll(async () => {
  await t.close();
});

const missing = (headers: Record<string, string>) => t.app.request('/api/v1/backtests/999999', { headers: { ...bearer(analyst.token), ...headers } });

describe('API error messages follow the language; codes stay', () => {
  it('answers in Chinese by default and to zh-CN, in English to en, with the same code', async () => {
    const none = await missing({});
    const zh = await missing({ 'Accept-Language': 'zh-CN,zh;q=0.9,en;q=0.8' });
    const en = await missing({ 'Accept-Language': 'en-US,en;q=0.9' });
    const [bNone, bZh, bEn]: any[] = [await none.json(), await zh.json(), await en.json()];
    expect([none.status, zh.status, en.status]).toEqual([404, 404, 404]);
    expect([bNone.error.code, bZh.error.code, bEn.error.code]).toEqual(['not_found', 'not_found', 'not_found']);
    expect(bEn.error.message).toBe('backtest 999999 was not found; see /backtests');
    // The Chinese frame around the same specifics (src/i18n/messages/errors.ts).
    expect(bZh.error.message).toBe('未找到：backtest 999999 was not found; see /backtests');
    expect(bNone.error.message).toBe(bZh.error.message);
    expect(zh.headers.get('content-language')).toBe('zh-CN');
    expect(en.headers.get('content-language')).toBe('en');
  });

  it('translates an invalid request the same way, field name kept', async () => {
    const post = (lang: string) =>
      t.app.request('/api/v1/backtests', { method: 'POST', headers: { ...bearer(analyst.token), 'content-type': 'application/json', 'Accept-Language': lang }, body: JSON.stringify({ strategy: 42 }) });
    const [zh, en]: any[] = [await (await post('zh-CN')).json(), await (await post('en')).json()];
    expect(zh.error.code).toBe('invalid_request');
    expect(en.error.code).toBe('invalid_request');
    expect(zh.error.message).toBe(`请求无效：${en.error.message}`);
  });
});

describe('pages', () => {
  it('render in Chinese for a browser that says nothing or zh, in English for en', async () => {
    const b = new Browser(t, { 'Accept-Language': 'zh-CN' });
    await b.login(analyst.username);
    const zh = await (await b.request('/')).text();
    expect(zh).toContain('<html lang="zh-CN">');
    expect(zh).toContain('运行回测');
    expect(zh).toContain('退出登录');
    const en = await (await b.request('/', { headers: { 'Accept-Language': 'en' } })).text();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('Run a backtest');
  });

  it('follow the language a user chose on the account page, whatever the browser says; empty follows the browser again', async () => {
    const b = new Browser(t, { 'Accept-Language': 'en-US,en;q=0.9' });
    await b.login(analyst.username);
    const account = await (await b.request('/account')).text();
    expect(account).toContain('Same as the browser');
    const csrf = await b.csrfFrom('/account');
    const saved = await b.post('/account/locale', { _csrf: csrf, locale: 'zh-CN' });
    expect(saved.status).toBe(303);
    const after = await (await b.request('/account')).text();
    expect(after).toContain('<html lang="zh-CN">');
    expect(after).toContain('我的账户');
    expect(after).toMatch(/<option value="zh-CN" selected="" lang="zh-CN">中文<\/option>/);
    // The choice is the user's, so their API token speaks it too.
    expect(((await (await missing({ 'Accept-Language': 'en' })).json()) as any).error.message).toMatch(/^未找到/);
    const row = await t.deps.pg.db.selectFrom('users').select('locale').where('id', '=', analyst.id).executeTakeFirstOrThrow();
    expect(row.locale).toBe('zh-CN');

    await b.post('/account/locale', { _csrf: await b.csrfFrom('/account'), locale: '' });
    expect(await (await b.request('/account')).text()).toContain('Your account');
  });

  it('refuses a language that is not ours, naming the field', async () => {
    const b = new Browser(t, { 'Accept-Language': 'en' });
    await b.login(analyst.username);
    const res = await b.post('/account/locale', { _csrf: await b.csrfFrom('/account'), locale: 'fr' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('locale: use one of zh-CN, en');
  });
});

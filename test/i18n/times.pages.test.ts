// Issue 24: times in the reader's zone everywhere. The zone is the browser's (app.js keeps it in the
// `tz` cookie), else Asia/Shanghai (the exchanges' clock, and what a page without JavaScript shows).
// The backtest list and a strategy's pages showed UTC: a backtest created at 00:30 UTC now reads
// 08:30 in Shanghai (UTC+8, no daylight saving), and 00:30 for a browser that says UTC; the list's
// filter days are the reader's days too.
// Then the rest: the home page's last sync, the market coverage and sync log, the account page's
// tokens, the admin users list and audit log (whose filter days are the reader's days), a factor's
// versions and the downloadable HTML report (no cookie when opened offline: the zone of the request
// that made it, named in the text). 16:30 UTC on 2 March is 00:30 on 3 March in Shanghai.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.ts';
import { createUser, systemActor } from '../../src/auth/users.service.ts';
import { createToken } from '../../src/auth/tokens.service.ts';
import { factorTemplate } from '../../src/factors/factor.types.ts';
import { insertBacktestFixture, insertStrategyFixture } from '../helpers/backtests.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { testPassword } from '../helpers/accounts.ts';

let t: TestApp;
let me: Principal;
let admin: Principal;
let current: Principal | null = null;
let backtestId = 0;
let strategyId = 0;
let factorId = 0;
let lateOn4th = 0;
let earlyOn5th = 0;

beforeAll(async () => {
  t = await makeTestApp({}, {
    authenticate: async () => current,
    // One stock, so the home page has market data to speak of (and its last sync line).
    prepareMarket: (market) => market.write((c) => c.run(`insert into stocks (ts_code, name, list_date, board) values ('600003.SH', 'A', 20200101, 'main')`)),
  });
  const db = t.db.store.db;
  const u = await createUser(db, systemActor('test'), { username: 'tz-analyst', role: 'analyst', password: testPassword });
  me = { userId: u.id, username: 'tz-analyst', role: 'analyst', via: 'token' };
  const a = await createUser(db, systemActor('test'), { username: 'tz-admin', role: 'admin', password: testPassword });
  admin = { userId: a.id, username: 'tz-admin', role: 'admin', via: 'token' };
  await sql`update users set created_at = '2026-03-02T16:30:00Z' where id = ${u.id}`.execute(db);
  current = me;
  backtestId = await insertBacktestFixture(db, me.userId, 'succeeded');
  await sql`update backtests set created_at = '2026-03-02T00:30:00Z' where id = ${backtestId}`.execute(db);
  await sql`update runs set started_at = '2026-03-02T00:31:05Z', finished_at = '2026-03-02T00:32:10Z' where id = (select run_id from backtests where id = ${backtestId})`.execute(db);
  strategyId = await insertStrategyFixture(db, me.userId, 'zoned');
  await sql`update strategies set updated_at = '2026-03-02T23:45:00Z' where id = ${strategyId}`.execute(db);
  await sql`update strategy_versions set created_at = '2026-03-02T23:45:00Z' where strategy_id = ${strategyId}`.execute(db);

  // Two backtests either side of midnight in Shanghai (23:30 on 4 March, 00:30 on 5 March), both on
  // 4 March in UTC.
  lateOn4th = await insertBacktestFixture(db, me.userId, 'succeeded');
  earlyOn5th = await insertBacktestFixture(db, me.userId, 'succeeded');
  await sql`update backtests set created_at = '2026-03-04T15:30:00Z' where id = ${lateOn4th}`.execute(db);
  await sql`update backtests set created_at = '2026-03-04T16:30:00Z' where id = ${earlyOn5th}`.execute(db);

  await sql`insert into sync_log (source, dataset, params, result, started_at, finished_at) values ('demo', 'stocks', '{}', 'success', '2026-03-02T16:29:00Z', '2026-03-02T16:30:00Z')`.execute(db);

  const now = new Date();
  const active = await createToken(db, systemActor('test'), { userId: me.userId, name: 'zoned-active', expiresDays: 30, now });
  const revoked = await createToken(db, systemActor('test'), { userId: me.userId, name: 'zoned-revoked', expiresDays: null, now });
  await sql`update api_tokens set created_at = '2026-03-02T16:30:00Z', expires_at = '2036-03-02T16:40:00Z', last_used_at = '2026-03-02T16:50:00Z' where id = ${active.info.id}`.execute(db);
  await sql`update api_tokens set created_at = '2026-03-02T16:30:00Z', revoked_at = '2026-03-02T17:05:00Z' where id = ${revoked.info.id}`.execute(db);

  // Two audit entries either side of midnight in Shanghai, both on 2 March in UTC.
  await sql`insert into audit_log (at, username, action, outcome, details) values
    ('2026-03-02T15:30:00Z', 'tz-analyst', 'test.zone', 'success', '{"n":"late-on-the-2nd"}'),
    ('2026-03-02T16:30:00Z', 'tz-analyst', 'test.zone', 'success', '{"n":"early-on-the-3rd"}')`.execute(db);

  const created = await t.app.request('/api/v1/factors', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'zoned_factor', code: factorTemplate }) });
  expect(created.status, await created.clone().text()).toBe(201);
  // The API names a user factor u<id>.
  factorId = Number(((await created.json()) as { id: string }).id.replace(/^u/, ''));
  await sql`update factor_versions set created_at = '2026-03-02T16:30:00Z' where factor_id = ${factorId}`.execute(db);
}, 60_000);
afterAll(() => t?.close());

const page = async (path: string, tz?: string, as: Principal = me, headers: Record<string, string> = {}) => {
  current = as;
  const res = await t.app.request(path, { headers: { ...headers, ...(tz ? { cookie: `tz=${encodeURIComponent(tz)}` } : {}) } });
  expect(res.status, path).toBe(200);
  return res.text();
};

describe('times on pages', () => {
  it('are in Asia/Shanghai without a tz cookie: the backtest list', async () => {
    const html = await page('/backtests');
    expect(html).toContain('Created · done (Asia/Shanghai)');
    expect(html).toContain('2026-03-02 08:30:00');
    expect(html).toContain('done 08:32:10');
    expect(html).not.toContain('2026-03-02 00:30');
    expect(html).not.toContain('(UTC)');
  });

  it('are in the browser’s zone when it has told it', async () => {
    const html = await page('/backtests', 'UTC');
    expect(html).toContain('Created · done (UTC)');
    expect(html).toContain('2026-03-02 00:30:00');
    expect(html).toContain('done 00:32:10');
    // A zone Intl does not know falls back to Shanghai.
    expect(await page('/backtests', 'Mars/Olympus')).toContain('2026-03-02 08:30:00');
  });

  it('make the backtest list’s filter days the reader’s days, and say so; the API’s stay UTC days', async () => {
    const row = (id: number) => `href="/backtests/${id}"`;
    const all = await page('/backtests');
    expect(all).toContain('Creation days are days in Asia/Shanghai');
    expect(all).toContain('2026-03-04 23:30:00');
    expect(all).toContain('2026-03-05 00:30:00');

    // 4 March in Shanghai holds only the earlier backtest, 5 March only the later one.
    const fourth = await page('/backtests?from=2026-03-04&to=2026-03-04');
    expect(fourth).toContain(row(lateOn4th));
    expect(fourth).not.toContain(row(earlyOn5th));
    expect(fourth).not.toContain(row(backtestId));
    const fifth = await page('/backtests?from=2026-03-05&to=2026-03-05');
    expect(fifth).toContain(row(earlyOn5th));
    expect(fifth).not.toContain(row(lateOn4th));
    // The live rows fragment filters the same way.
    const rows = await page('/backtests/rows?from=2026-03-05&to=2026-03-05');
    expect(rows).toContain(row(earlyOn5th));
    expect(rows).not.toContain(row(lateOn4th));

    // For a reader in UTC both are on 4 March and none on the 5th.
    const utcFourth = await page('/backtests?from=2026-03-04&to=2026-03-04', 'UTC');
    expect(utcFourth).toContain('Creation days are days in UTC');
    expect(utcFourth).toContain('2026-03-04 16:30:00');
    expect(utcFourth).toContain(row(lateOn4th));
    expect(utcFourth).toContain(row(earlyOn5th));
    expect(utcFourth).not.toContain(row(backtestId));
    const utcFifth = await page('/backtests?from=2026-03-05', 'UTC');
    expect(utcFifth).not.toContain(row(lateOn4th));
    expect(utcFifth).not.toContain(row(earlyOn5th));

    // The API's filter days stay UTC days, whatever the cookie says.
    current = me;
    const ids = async (qs: string) => {
      const res = await t.app.request(`/api/v1/backtests?${qs}`, { headers: { cookie: 'tz=Asia/Shanghai' } });
      expect(res.status, qs).toBe(200);
      return ((await res.json()) as { backtests: { id: number | string }[] }).backtests.map((b) => Number(b.id)).sort((x, y) => x - y);
    };
    expect(await ids('from=2026-03-04&to=2026-03-04')).toEqual([lateOn4th, earlyOn5th].sort((x, y) => x - y));
    expect(await ids('from=2026-03-05')).toEqual([]);

    expect(await page('/backtests', undefined, me, { 'accept-language': 'zh-CN' })).toContain('创建日期按 Asia/Shanghai 的日历日计算');
  });

  it('are in the reader’s zone on the strategy list and a strategy’s versions (23:45 UTC is the next day in Shanghai)', async () => {
    const list = await page('/strategies');
    expect(list).toContain('Updated (Asia/Shanghai)');
    expect(list).toContain('2026-03-03 07:45');
    expect(list).not.toContain('2026-03-02 23:45');
    const one = await page(`/strategies/${strategyId}`);
    expect(one).toContain('v1 · 2026-03-03 07:45:00 (Asia/Shanghai)');
    expect(await page(`/strategies/${strategyId}`, 'Europe/London')).toContain('v1 · 2026-03-02 23:45:00 (Europe/London)');
  });

  it('are in the reader’s zone on the home page’s last sync, the coverage page and the sync log, naming it', async () => {
    const home = await page('/');
    expect(home).toContain('stocks from demo, success, 2026-03-03 00:30 (Asia/Shanghai)');
    expect(home).not.toContain('UTC');
    expect(await page('/', 'UTC')).toContain('stocks from demo, success, 2026-03-02 16:30 (UTC)');
    expect(await page('/', undefined, me, { 'accept-language': 'zh-CN' })).toContain('stocks，来源 demo，success，2026-03-03 00:30（Asia/Shanghai）');

    const coverage = await page('/market/coverage');
    expect(coverage).toContain('Last sync (Asia/Shanghai)');
    expect(coverage).toContain('2026-03-03 00:30:00');
    expect(coverage).not.toContain(' UTC');
    expect(await page('/market/coverage', 'UTC')).toContain('2026-03-02 16:30:00');
    const log = await page('/market/log');
    expect(log).toContain('Started (Asia/Shanghai)');
    expect(log).toContain('2026-03-03 00:29:00');
    expect(await page('/market/log', 'UTC')).toContain('2026-03-02 16:29:00');
  });

  it('are in the reader’s zone on the account page’s tokens: created, expires, last used, revoked', async () => {
    const html = await page('/account');
    expect(html).toContain('Times are Asia/Shanghai.');
    for (const at of ['2026-03-03 00:30', '2036-03-03 00:40', '2026-03-03 00:50', '2026-03-03 01:05']) expect(html).toContain(at);
    expect(html).not.toContain('UTC');
    const utc = await page('/account', 'UTC');
    expect(utc).toContain('Times are UTC.');
    for (const at of ['2026-03-02 16:30', '2036-03-02 16:40', '2026-03-02 16:50', '2026-03-02 17:05']) expect(utc).toContain(at);
    expect(utc).not.toContain('2026-03-03 00:30');
  });

  it('are in the reader’s zone on the admin users list (a created date)', async () => {
    const html = await page('/admin/users', undefined, admin);
    expect(html).toContain('Created (Asia/Shanghai)');
    expect(html).toMatch(/tz-analyst[\s\S]*?<td>2026-03-03<\/td>/);
    const utc = await page('/admin/users', 'UTC', admin);
    expect(utc).toContain('Created (UTC)');
    expect(utc).toMatch(/tz-analyst[\s\S]*?<td>2026-03-02<\/td>/);
  });

  it('are in the reader’s zone on the audit log, whose filter days are the reader’s days', async () => {
    const all = await page('/admin/audit?action=test.zone', undefined, admin);
    expect(all).toContain('When (Asia/Shanghai)');
    expect(all).toContain('From (Asia/Shanghai)');
    expect(all).toContain('To (Asia/Shanghai, inclusive)');
    expect(all).toContain('Filter days are days in Asia/Shanghai');
    expect(all).toContain('2026-03-02 23:30:00');
    expect(all).toContain('2026-03-03 00:30:00');
    expect(all).not.toContain('UTC');

    // 3 March in Shanghai holds only the later entry; 2 March only the earlier one.
    const third = await page('/admin/audit?action=test.zone&from=2026-03-03&to=2026-03-03', undefined, admin);
    expect(third).toContain('early-on-the-3rd');
    expect(third).not.toContain('late-on-the-2nd');
    const second = await page('/admin/audit?action=test.zone&from=2026-03-02&to=2026-03-02', undefined, admin);
    expect(second).toContain('late-on-the-2nd');
    expect(second).not.toContain('early-on-the-3rd');

    // For a reader in UTC both are on 2 March and none on the 3rd.
    const utcSecond = await page('/admin/audit?action=test.zone&from=2026-03-02&to=2026-03-02', 'UTC', admin);
    expect(utcSecond).toContain('When (UTC)');
    expect(utcSecond).toContain('2026-03-02 16:30:00');
    expect(utcSecond).toContain('late-on-the-2nd');
    expect(utcSecond).toContain('early-on-the-3rd');
    const utcThird = await page('/admin/audit?action=test.zone&from=2026-03-03', 'UTC', admin);
    expect(utcThird).not.toContain('on-the-');

    // The API's filter days stay UTC days, whatever the cookie says.
    current = admin;
    const api = await t.app.request('/api/v1/admin/audit?action=test.zone&from=2026-03-02&to=2026-03-02', { headers: { cookie: 'tz=Asia/Shanghai' } });
    expect(((await api.json()) as { total: number }).total).toBe(2);

    expect(await page('/admin/audit', undefined, admin, { 'accept-language': 'zh-CN' })).toContain('筛选日期按 Asia/Shanghai 的日历日计算');
  });

  it('are in the reader’s zone on a factor’s version line', async () => {
    const html = await page(`/factors/u${factorId}`);
    expect(html).toContain(`<a href="/factors/u${factorId}v1">v1</a> · saved Mar 3, 2026, 00:30 (Asia/Shanghai)`);
    expect(html).not.toContain('UTC');
    expect(await page(`/factors/u${factorId}`, 'UTC')).toContain('saved Mar 2, 2026, 16:30 (UTC)');
    expect(await page(`/factors/u${factorId}`, undefined, me, { 'accept-language': 'zh-CN' })).toContain('保存于 2026年3月3日 00:30（Asia/Shanghai）');
  });

  it('are in the requesting reader’s zone in the HTML report, which names it (opened offline it has no cookie)', async () => {
    const html = await page(`/backtests/${backtestId}/export/report.html`);
    expect(html).toContain('finished 2026-03-02 08:32:10 (Asia/Shanghai) · zquant report');
    expect(html).not.toContain('UTC');
    expect(await page(`/backtests/${backtestId}/export/report.html`, 'America/New_York')).toContain('finished 2026-03-01 19:32:10 (America/New_York)');
  });
});

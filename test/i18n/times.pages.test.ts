// Issue 24: times in the reader's zone everywhere. The zone is the browser's (app.js keeps it in the
// `tz` cookie), else Asia/Shanghai (the exchanges' clock, and what a page without JavaScript shows).
// The backtest list and a strategy's pages showed UTC: a backtest created at 00:30 UTC now reads
// 08:30 in Shanghai (UTC+8, no daylight saving), and 00:30 for a browser that says UTC.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.ts';
import { createUser, systemActor } from '../../src/auth/users.service.ts';
import { insertBacktestFixture, insertStrategyFixture } from '../helpers/backtests.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { testPassword } from '../helpers/accounts.ts';

let t: TestApp;
let me: Principal;
let backtestId = 0;
let strategyId = 0;

beforeAll(async () => {
  let current: Principal | null = null;
  t = await makeTestApp({}, { authenticate: async () => current });
  const db = t.db.store.db;
  const u = await createUser(db, systemActor('test'), { username: 'tz-analyst', role: 'analyst', password: testPassword });
  me = { userId: u.id, username: 'tz-analyst', role: 'analyst', via: 'token' };
  current = me;
  backtestId = await insertBacktestFixture(db, me.userId, 'succeeded');
  await sql`update backtests set created_at = '2026-03-02T00:30:00Z' where id = ${backtestId}`.execute(db);
  await sql`update runs set started_at = '2026-03-02T00:31:05Z', finished_at = '2026-03-02T00:32:10Z' where id = (select run_id from backtests where id = ${backtestId})`.execute(db);
  strategyId = await insertStrategyFixture(db, me.userId, 'zoned');
  await sql`update strategies set updated_at = '2026-03-02T23:45:00Z' where id = ${strategyId}`.execute(db);
  await sql`update strategy_versions set created_at = '2026-03-02T23:45:00Z' where strategy_id = ${strategyId}`.execute(db);
}, 60_000);
afterAll(() => t?.close());

const page = async (path: string, tz?: string) => {
  const res = await t.app.request(path, { headers: tz ? { cookie: `tz=${encodeURIComponent(tz)}` } : {} });
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

  it('are in the reader’s zone on the strategy list and a strategy’s versions (23:45 UTC is the next day in Shanghai)', async () => {
    const list = await page('/strategies');
    expect(list).toContain('Updated (Asia/Shanghai)');
    expect(list).toContain('2026-03-03 07:45');
    expect(list).not.toContain('2026-03-02 23:45');
    const one = await page(`/strategies/${strategyId}`);
    expect(one).toContain('v1 · 2026-03-03 07:45:00 (Asia/Shanghai)');
    expect(await page(`/strategies/${strategyId}`, 'Europe/London')).toContain('v1 · 2026-03-02 23:45:00 (Europe/London)');
  });
});

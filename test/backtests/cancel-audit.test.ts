// A cancel and its audit entry are one transaction (issue 17: "every request that writes more than
// one row writes them in one transaction"): when the audit insert fails, the cancel is not asked
// either, and the backtest runs on; once the audit log takes writes again, the cancel lands with
// its entry. The failure is a trigger on audit_log in this test's own database.
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { getBacktest } from '../../src/backtests/backtests.service.ts';
import { postJson, useBacktestEnv } from '../helpers/backtests.ts';

const env = useBacktestEnv();

/** Busy for the first `ms` of its first day, so the test can act on a running backtest. */
const slow = (ms: number) => `
export default defineStrategy({
  name: 'slow',
  onDay(ctx) { if (ctx.dayNumber === 1) { const until = Date.now() + ${ms}; while (Date.now() < until) {} } },
});`;

it('a cancel whose audit entry cannot be written is not made; with the audit log back it is made with its entry', async () => {
  const db = env.db.store.db;
  const saved = await postJson(env.app, '/api/v1/strategies', { name: 'slow', code: slow(4000), language: 'js' });
  expect(saved.status, await saved.clone().text()).toBe(201);
  const submitted = await postJson(env.app, '/api/v1/backtests', { strategy_id: (await saved.json()).id, universe: 'all', start_date: '2026-06-01', end_date: '2026-11-27', benchmark: null });
  expect(submitted.status, await submitted.clone().text()).toBe(202);
  const id = (await submitted.json()).id as number;
  for (let i = 0; i < 400 && (await getBacktest(db, id))?.status !== 'running'; i++) await new Promise((r) => setTimeout(r, 25));
  expect((await getBacktest(db, id))?.status).toBe('running');

  await sql`create function zq_audit_down() returns trigger language plpgsql as $$ begin raise exception 'audit log unavailable'; end $$`.execute(db);
  await sql`create trigger zq_audit_down before insert on audit_log for each row execute function zq_audit_down()`.execute(db);
  const refused = await env.app.request(`/api/v1/backtests/${id}/cancel`, { method: 'POST' });
  expect(refused.status).toBe(500);
  const untouched = await getBacktest(db, id);
  expect(untouched?.control).toBeNull(); // no cancel was asked of the running backtest
  expect(untouched?.status).toBe('running');

  await sql`drop trigger zq_audit_down on audit_log`.execute(db);
  const cancelled = await env.app.request(`/api/v1/backtests/${id}/cancel`, { method: 'POST' });
  expect(cancelled.status, await cancelled.clone().text()).toBe(202);
  const entries = await sql<{ n: number }>`select count(*)::int as n from audit_log where action = 'backtest.cancel' and object_id = ${String(id)}`.execute(db);
  expect(entries.rows[0].n).toBe(1);
  for (let i = 0; i < 400 && (await getBacktest(db, id))?.status === 'running'; i++) await new Promise((r) => setTimeout(r, 25));
  expect((await getBacktest(db, id))?.status).toBe('cancelled');
}, 120_000);

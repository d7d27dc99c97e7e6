import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { makeLogger } from '../../src/logger.ts';
import { postJson, useBacktestEnv } from '../helpers/backtests.ts';

const logLines: Record<string, unknown>[] = [];
const env = useBacktestEnv({ logger: makeLogger({ level: 'error', write: (line) => void logLines.push(JSON.parse(line)) }) });

// The last six trading days of the demo calendar: few log lines, a quick run.
const range = { universe: 'all', start_date: '2026-11-20', end_date: '2026-11-27' };

const strategyWith = (name: string, onDay: string) => `
export default defineStrategy({
  name: '${name}',
  params: z.object({}),
  onDay(ctx) {
    ${onDay}
  },
});`;

async function submitUserStrategy(name: string, onDay: string) {
  env.as(env.users.analyst);
  const created = await postJson(env.app, '/api/v1/strategies', { name, code: strategyWith(name, onDay) });
  expect(created.status).toBe(201);
  const s = await created.json();
  return (await postJson(env.app, '/api/v1/backtests?wait=60', { ...range, strategy_id: s.id })).json();
}

describe('strategy output Postgres refuses (NUL, lone surrogates)', () => {
  it('runs a strategy that logs a NUL byte and half an emoji to success; its log shows the escapes', async () => {
    const b = await submitUserStrategy('nul_logger', `console.log('a\\u0000b'); console.log('x\\ud83dy');`);
    expect(b.error).toBeNull();
    expect(b.status).toBe('succeeded');
    const logs = await (await env.app.request(`/api/v1/runs/${b.run_id}/logs?limit=1000`)).json();
    const messages: string[] = logs.lines.map((l: { message: string }) => l.message);
    // The strategy's console lines are kept with their date; NUL becomes the visible text \u0000, a lone surrogate U+FFFD.
    expect(messages).toContain('strategy: 20261127 a\\u0000b');
    expect(messages).toContain('strategy: 20261127 x\ufffdy');
  }, 90_000);

  it("keeps a strategy's own error whole (message, line, date), with its NUL escaped", async () => {
    const b = await submitUserStrategy('nul_thrower', `if (ctx.date >= 20261125) throw new Error('bad\\u0000input');`);
    expect(b.status).toBe('failed');
    expect(b.error).toMatchObject({ code: 'runtime_error', detail: { line: 6, date: '2026-11-25' } });
    expect(b.error.message).toContain('bad\\u0000input');
    expect(b.error.incident).toBeUndefined();
  }, 90_000);
});

describe('a run that fails inside the server', () => {
  it('shows a generic message and an incident id in /api/v1/runs/{id} and /api/v1/backtests/{id}; the log has the stack under it', async () => {
    // Storing the result fails the way a broken database does, with SQL and a server path in the error.
    await sql`create function refuse_results() returns trigger language plpgsql as $$
      begin raise exception 'insert into backtest_results failed at /work/main/src/backtests/backtests.repository.ts:140'; end $$`.execute(env.db.store.db);
    await sql`create trigger refuse_results before insert on backtest_results for each row execute function refuse_results()`.execute(env.db.store.db);
    try {
      env.as(env.users.analyst);
      const b = await (await postJson(env.app, '/api/v1/backtests?wait=60', { ...range, strategy: 'dual_ma' })).json();
      expect(b.status).toBe('failed');
      const run = await (await env.app.request(`/api/v1/runs/${b.run_id}`)).json();
      const shown = await (await env.app.request(`/api/v1/backtests/${b.id}`)).json();
      for (const error of [b.error, run.error, shown.error]) {
        expect(error).toEqual({ code: 'executor_error', message: expect.stringContaining(`incident ${error.incident}`), incident: expect.stringMatching(/^[0-9a-f-]{36}$/) });
        expect(JSON.stringify(error)).not.toMatch(/stack|\/work\/|\/src\/|backtest_results|\.ts:\d/);
      }
      const page = await (await env.app.request(`/backtests/${b.id}`)).text();
      expect(page).toContain(run.error.incident);
      expect(page).not.toMatch(/\/work\/|backtest_results/);
      const logged = logLines.find((l) => l.incident === run.error.incident) as { runId: number; err: { message: string; stack: string } } | undefined;
      expect(logged).toMatchObject({ msg: 'run failed inside the server', runId: b.run_id });
      expect(logged!.err.message).toContain('backtest_results');
      expect(logged!.err.stack).toBeTruthy();
    } finally {
      await sql`drop trigger refuse_results on backtest_results`.execute(env.db.store.db);
      await sql`drop function refuse_results()`.execute(env.db.store.db);
    }
  }, 90_000);

  it('shows an error stored before incident ids without its stack', async () => {
    env.as(env.users.analyst);
    const b = await (await postJson(env.app, '/api/v1/backtests?wait=60', { ...range, strategy: 'dual_ma' })).json();
    const old = { code: 'executor_error', message: 'unsupported Unicode escape sequence', detail: { name: 'PostgresError', stack: 'PostgresError: x\n    at ErrorResponse (file:///work/main/node_modules/postgres/src/connection.js:815:30)' } };
    await sql`update runs set status = 'failed', error = ${JSON.stringify(old)}::jsonb where id = ${b.run_id}`.execute(env.db.store.db);
    await sql`insert into run_events (run_id, seq, kind, data) select id, event_seq + 1, 'status', ${JSON.stringify({ status: 'failed', attempt: 1, final: true, error: old })}::jsonb from runs where id = ${b.run_id}`.execute(env.db.store.db);
    const run = await (await env.app.request(`/api/v1/runs/${b.run_id}`)).json();
    const shown = await (await env.app.request(`/api/v1/backtests/${b.id}`)).json();
    const events = await (await env.app.request(`/api/v1/runs/${b.run_id}/events`)).text();
    for (const error of [run.error, shown.error]) expect(error).toEqual({ code: 'executor_error', message: expect.stringContaining('inside the server') });
    expect(events).not.toMatch(/stack|node_modules/);
  }, 90_000);
});

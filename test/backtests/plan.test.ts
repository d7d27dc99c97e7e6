// One plan from a spec to the engine (src/backtests/plan.ts): the CLI and the API give the same
// numbers for the same spec; what the market data cannot answer is refused with 400 naming the field
// through the API, the create form, the CLI and a scheduled backtest alike; the stored period is the
// trading days simulated.
import { describe, expect, it } from 'vitest';
import type { AuditActor } from '../../src/audit/audit.service.ts';
import { runBacktestCli } from '../../src/backtests/backtest.cli.ts';
import type { BacktestSpec } from '../../src/backtests/backtest-request.ts';
import { planBacktest, warmupTradingDays } from '../../src/backtests/plan.ts';
import { createTask, triggerTask, type TasksDeps } from '../../src/scheduler/tasks.service.ts';
import { userDualMaSource } from '../engine/sandbox/user-dual-ma.ts';
import { insertBacktestFixture, useBacktestEnv, postJson } from '../helpers/backtests.ts';

const env = useBacktestEnv();

/**
 * The API's answer in the engine's terms, at every depth: snake_case keys to camelCase and
 * YYYY-MM-DD days to YYYYMMDD numbers (both no-ops on an answer that already uses them).
 */
function camelKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelKeys);
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return Number(v.replaceAll('-', ''));
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()), camelKeys(x)]));
}

/** The one place that reads the API's answer fields (the backtest, its result and its fills) for the comparison. */
const fromApi = {
  backtest: (j: unknown) => camelKeys(j) as { id: number; status: string; startDate: number; endDate: number; error: { code: string; message: string } | null },
  metrics: (j: unknown) => (camelKeys(j) as { metrics: Record<string, unknown> }).metrics,
  fills: (j: unknown) => (camelKeys(j) as { trades: Record<string, unknown>[] }).trades,
  seriesDates: (j: unknown) => (camelKeys(j) as { series: { dates: number[] } }).series.dates,
};

/** Runs `zquant backtest` in this process against the test market, as the command line does. */
async function cli(values: Record<string, unknown>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const stores = { market: async () => env.market, pg: async () => env.db.store };
  const code = await runBacktestCli(stores, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), cwd: process.cwd() }, values);
  return { code, stdout, stderr };
}

async function apiError(body: Record<string, unknown>) {
  const res = await postJson(env.app, '/api/v1/backtests', body);
  const j = (await res.json()) as { error: { code: string; message: string; details: { field: string } } };
  return { status: res.status, ...j.error };
}

const period = { start_date: '2025-06-02', end_date: '2026-11-27' };

describe('one plan', () => {
  it('gives the same metrics and fills through the CLI and the API for the same spec (costs, adjust, fill timing, benchmark)', async () => {
    env.as(env.users.analyst);
    const codes = (await env.market.query('select ts_code from stocks where list_date <= 20250101 order by ts_code limit 8')).map((r) => String(r.ts_code));
    const body = {
      strategy: 'dual_ma', params: { short_window: 3, long_window: 12 }, codes, ...period, capital: 800_000, benchmark: '000300.SH', adjust: 'qfq', fill_timing: 'next_open',
      commission_rate: 0.0002, min_commission: 1, stamp_duty: 'schedule', transfer_fee: 0, slippage_bps: 3, on_error: 'skip_day',
    };
    const res = await postJson(env.app, '/api/v1/backtests?wait=60', body);
    expect(res.status, await res.clone().text()).toBe(200);
    const b = fromApi.backtest(await res.json());
    expect(b.status).toBe('succeeded');
    const metrics = fromApi.metrics(await (await env.app.request(`/api/v1/backtests/${b.id}/result`)).json());
    const fills = fromApi.fills(await (await env.app.request(`/api/v1/backtests/${b.id}/trades?limit=5000`)).json());

    const r = await cli({
      strategy: 'dual_ma', params: '{"short_window":3,"long_window":12}', codes: codes.join(','), start: period.start_date, end: period.end_date, capital: '800000',
      benchmark: '000300.SH', adjust: 'qfq', 'fill-at': 'next_open', 'commission-rate': '0.0002', 'min-commission': '1', 'stamp-duty': 'schedule', 'transfer-fee': '0',
      'slippage-bps': '3', 'on-error': 'skip_day', json: true,
    });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { spec: BacktestSpec; metrics: Record<string, unknown>; result: { fills: Record<string, unknown>[] } };
    expect(out.result.fills.length).toBeGreaterThan(0);
    expect(fills).toEqual(out.result.fills);
    expect(metrics).toEqual(out.metrics);
    // No transfer fee was asked for, and none was charged.
    expect(fills.every((f) => f.transferFee === 0)).toBe(true);
    // The same plan: one panel key (with the one warm-up rule) and one engine config.
    const stored = (await env.db.store.db.selectFrom('backtests').select('config').where('id', '=', b.id).executeTakeFirstOrThrow()).config;
    const apiSpec = (typeof stored === 'string' ? JSON.parse(stored) : stored) as BacktestSpec;
    expect(planBacktest(out.spec)).toEqual(planBacktest(apiSpec));
    expect(planBacktest(apiSpec).panelKey.warmupDays).toBe(warmupTradingDays);
    expect(planBacktest(apiSpec).config).toMatchObject({ transferFee: 0, stampDuty: 'schedule', onError: 'skip_day', slippageBps: 3, commissionRate: 0.0002, minCommission: 1 });
  }, 120_000);

  it('gives the same numbers for a saved user strategy: --strategy-id runs the version strategy_id runs', async () => {
    env.as(env.users.analyst);
    const saved = await postJson(env.app, '/api/v1/strategies', { name: 'plan twin', code: userDualMaSource, language: 'js' });
    expect(saved.status, await saved.clone().text()).toBe(201);
    const id = (camelKeys(await saved.json()) as { id: number }).id;
    const res = await postJson(env.app, '/api/v1/backtests?wait=60', { strategy_id: id, universe: 'all', start_date: '2026-01-05', end_date: '2026-11-27' });
    const b = fromApi.backtest(await res.json());
    expect(b.status, JSON.stringify(b.error)).toBe('succeeded');
    const metrics = fromApi.metrics(await (await env.app.request(`/api/v1/backtests/${b.id}/result`)).json());
    const fills = fromApi.fills(await (await env.app.request(`/api/v1/backtests/${b.id}/trades?limit=5000`)).json());
    const r = await cli({ 'strategy-id': String(id), universe: 'all', start: '2026-01-05', end: '2026-11-27', json: true });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.spec.strategy).toMatchObject({ kind: 'user', name: 'plan twin', strategyId: id });
    expect(fills).toEqual(out.result.fills);
    expect(metrics).toEqual(out.metrics);
    const none = await cli({ 'strategy-id': '999999', universe: 'all', start: '2026-01-05', end: '2026-11-27' });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('strategy_id: you have no strategy 999999');
  }, 120_000);

  it('a built-in loads the daily-basic fields it declares; user code the whole set', () => {
    const spec = (name: string, kind: 'builtin' | 'user' = 'builtin'): BacktestSpec => ({
      strategy: { kind, name, strategyId: null, versionId: null, version: null }, params: {}, universe: { kind: 'all', boards: null, excludeSt: false },
      startDate: 20250602, endDate: 20251231, capital: 1e6, benchmark: null, adjust: 'hfq', fillTiming: 'next_open', costs: {},
    });
    expect(planBacktest(spec('pe_pb_value')).panelKey.fields).toEqual(['pb', 'pe_ttm']);
    expect(planBacktest(spec('turnover_rate')).panelKey.fields).toEqual(['turnover_rate']);
    expect(planBacktest(spec('dual_ma')).panelKey.fields).toEqual([]);
    expect(planBacktest(spec('mine', 'user'), { source: 'x', language: 'js' }).panelKey.fields).toEqual(['pe', 'pe_ttm', 'pb', 'ps', 'turnover_rate', 'total_mv', 'circ_mv']);
  });

  it('stores the period it simulated: a weekend start and end become the first and last trading days', async () => {
    env.as(env.users.analyst);
    const [{ a, b }] = await env.market.query(
      `select min(cal_date)::integer as a, max(cal_date)::integer as b from trade_calendar where exchange = 'SSE' and is_open = 1 and cal_date between 20250531 and 20261122`,
    );
    // 2025-05-31 is a Saturday, 2026-11-22 a Sunday.
    const res = await postJson(env.app, '/api/v1/backtests?wait=60', { strategy: 'dual_ma', universe: 'all', start_date: '2025-05-31', end_date: '2026-11-22', benchmark: null });
    expect(res.status, await res.clone().text()).toBe(200);
    const bt = fromApi.backtest(await res.json());
    expect([bt.startDate, bt.endDate]).toEqual([Number(a), Number(b)]);
    expect(bt.startDate).not.toBe(20250531);
    const dates = fromApi.seriesDates(await (await env.app.request(`/api/v1/backtests/${bt.id}/result`)).json());
    expect(dates).toContain(Number(a));
    expect(dates.at(-1)).toBe(Number(b));
    expect(dates.filter((d) => d >= Number(a)).length).toBeGreaterThan(300);
  }, 90_000);

  it('the create form passes a transfer fee (%, or schedule) and on_error when it has them', async () => {
    env.as(env.users.analyst);
    const form = new URLSearchParams({ strategy: 'builtin:dual_ma', universe: 'all', start_date: '2026-06-01', end_date: '2026-11-27', capital: '1000000', transfer_fee_pct: '0', on_error: 'skip_day', name: 'form options' });
    const page = await env.app.request('/backtests', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    expect(page.status, await page.clone().text()).toBe(303);
    const id = Number(page.headers.get('location')!.split('/').pop());
    const row = await env.db.store.db.selectFrom('backtests').select('config').where('id', '=', id).executeTakeFirstOrThrow();
    const spec = (typeof row.config === 'string' ? JSON.parse(row.config) : row.config) as BacktestSpec;
    expect(spec).toMatchObject({ onError: 'skip_day', costs: { transferFee: 0 } });
    // "Rerun with changes" fills them in again.
    const again = await (await env.app.request(`/backtests/new?from=${id}`)).text();
    expect(again).toMatch(/name="transfer_fee_pct" value="0"/);
    expect(again).toMatch(/<option value="skip_day" selected/);
    // A refusal the form has no box for still lands next to its field: the benchmark select here.
    const bad = new URLSearchParams({ strategy: 'builtin:dual_ma', universe: 'all', start_date: '2026-06-01', end_date: '2026-11-27', capital: '1000000', benchmark: '399006.SZ' });
    const refused = await env.app.request('/backtests', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: bad.toString() });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/Benchmark[^]*?<p class="field-error" role="alert">benchmark: no index data for 399006\.SZ/);
  });
});

describe('refusing what the data cannot answer', () => {
  // The small demo market: bars and calendar from 2024-11-27 to 2026-11-27 (smallDemo: 2 years to 20261127).
  const range = '2024-11-27 to 2026-11-27';

  it('unknown codes: 400 naming codes and listing them (API, form, CLI)', async () => {
    env.as(env.users.analyst);
    const e = await apiError({ strategy: 'dual_ma', codes: ['600000.SH', '600003.SH', '000001.SZ'], ...period });
    expect(e).toMatchObject({ status: 400, code: 'invalid_request', details: { field: 'codes' } });
    expect(e.message).toContain('000001.SZ, 600000.SH');
    expect(e.message).not.toContain('600003.SH');

    const form = new URLSearchParams({ strategy: 'builtin:dual_ma', universe: 'codes', codes: '600000.SH', ...period, capital: '1000000' });
    const page = await env.app.request('/backtests', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    expect(page.status).toBe(400);
    // Next to the codes box (the form's field error for `codes`).
    expect(await page.text()).toMatch(/<textarea id="codes-input"[^]*?<p class="field-error" role="alert">codes: unknown stock 600000\.SH/);

    const r = await cli({ strategy: 'dual_ma', codes: '600000.SH', start: period.start_date, end: period.end_date });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('codes: unknown stock 600000.SH');
    expect(r.stdout).toBe('');
  });

  it('dates outside the data: 400 naming start_date or end_date with the range there is', async () => {
    env.as(env.users.analyst);
    const before = await apiError({ strategy: 'dual_ma', universe: 'all', start_date: '2020-01-01', end_date: '2025-12-31' });
    expect(before).toMatchObject({ status: 400, code: 'invalid_request', details: { field: 'start_date' } });
    expect(before.message).toContain(`the market data covers ${range}`);
    const after = await apiError({ strategy: 'dual_ma', universe: 'all', start_date: '2025-06-02', end_date: '2030-12-29' });
    expect(after).toMatchObject({ status: 400, details: { field: 'end_date' } });
    expect(after.message).toContain('2030-12-29');
    expect(after.message).toContain(range);
    const none = await apiError({ strategy: 'dual_ma', universe: 'all', start_date: '2025-05-31', end_date: '2025-06-01' });
    expect(none).toMatchObject({ status: 400, details: { field: 'start_date' } });
    expect(none.message).toContain('no trading day');

    const r = await cli({ strategy: 'dual_ma', universe: 'all', start: '2025-06-02', end: '2030-12-29' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(after.message);
    expect(r.stderr).toContain('(end_date is --end here)');
  });

  it('an empty universe after the filters: 400 naming boards or exclude_st', async () => {
    env.as(env.users.analyst);
    const [bse] = await env.market.query(`select ts_code, list_date from stocks where board = 'bse'`);
    expect(bse, 'the demo market has one BSE stock').toBeDefined();
    const code = String(bse.ts_code);
    try {
      // Listed only from 2026: no BSE stock in 2025.
      await env.market.write((c) => c.run('update stocks set list_date = 20260105 where ts_code = $1', [code]));
      const boards = await apiError({ strategy: 'dual_ma', universe: 'all', boards: ['bse'], start_date: '2025-06-02', end_date: '2025-12-31' });
      expect(boards).toMatchObject({ status: 400, code: 'invalid_request', details: { field: 'boards' } });
      expect(boards.message).toContain('bse');
      // ST for all of 2026: left out by exclude_st.
      await env.market.write((c) => c.run('insert into st_periods values ($1, 20260101, null)', [code]));
      const st = await apiError({ strategy: 'dual_ma', universe: 'all', boards: ['bse'], exclude_st: true, start_date: '2026-02-02', end_date: '2026-11-27' });
      expect(st).toMatchObject({ status: 400, details: { field: 'exclude_st' } });
      const r = await cli({ strategy: 'dual_ma', universe: 'all', boards: 'bse', 'exclude-st': true, start: '2026-02-02', end: '2026-11-27' });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(st.message);
    } finally {
      await env.market.write((c) => c.run('update stocks set list_date = $2 where ts_code = $1', [code, bse.list_date as number]));
      await env.market.write((c) => c.run('delete from st_periods where ts_code = $1', [code]));
    }
  });

  it('a benchmark without index data: 400 naming benchmark and the indexes there are; null runs without one', async () => {
    env.as(env.users.analyst);
    const e = await apiError({ strategy: 'dual_ma', universe: 'all', ...period, benchmark: '399006.SZ' });
    expect(e).toMatchObject({ status: 400, code: 'invalid_request', details: { field: 'benchmark' } });
    expect(e.message).toContain('399006.SZ');
    expect(e.message).toContain('000300.SH (2024-11-27 to 2026-11-27)');
    expect(e.message).toContain('benchmark null');
    const r = await cli({ strategy: 'dual_ma', universe: 'all', start: period.start_date, end: period.end_date, benchmark: '399006.SZ' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(e.message);
    const ok = await cli({ strategy: 'dual_ma', universe: 'all', start: '2026-06-01', end: period.end_date, benchmark: 'none', json: true });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).result.benchmarkCode).toBeNull();
  }, 60_000);

  it('a rerun asks the market data again: a config it no longer answers is refused', async () => {
    env.as(env.users.analyst);
    // A finished backtest of stocks this market does not have (the fixture's own tiny panel).
    const id = await insertBacktestFixture(env.db.store.db, env.users.analyst.userId, 'succeeded');
    const e = await (await env.app.request(`/api/v1/backtests/${id}/rerun`, { method: 'POST' })).json();
    expect(e.error).toMatchObject({ code: 'invalid_request', details: { field: 'codes' } });
    expect(e.error.message).toContain('unknown stocks');
  });

  it('a scheduled backtest whose saved config the data cannot answer fails its run with invalid_config and the message', async () => {
    const deps: TasksDeps = { db: env.db.store.db, registry: env.registry, runs: env.rt.service };
    const admin: AuditActor = { userId: env.users.admin.userId, username: env.users.admin.username, ip: null, userAgent: null };
    const task = await createTask(deps, admin, {
      name: 'gone stock', executor: 'scheduled_backtest', schedule: { kind: 'manual', timezone: 'UTC' },
      config: { strategy: 'dual_ma', codes: ['600000.SH'], lookback_days: 200, end_date: 'latest' },
    } as never);
    const run = await triggerTask(deps, admin, task.id);
    const done = await env.rt.service.waitForRun(run.id, { timeoutMs: 60_000 });
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'invalid_config', message: expect.stringContaining('codes: unknown stock 600000.SH') });
    const made = await env.db.store.db.selectFrom('backtests').select('id').where('run_id', '=', run.id).execute();
    expect(made).toEqual([]);
  }, 90_000);
});

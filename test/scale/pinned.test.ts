// Pinned data (issue 23): a backtest records the snapshot version it ran on. New data synced (from
// the local fake Tushare server) while a worker runs a backtest pinned to the older version: that
// run finishes on the old data, a new run reads the new version, and the rerun of the first reads
// its version again, reproducing its numbers exactly; a rerun asked for "latest" reads the new one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDirVersions } from '../../src/snapshots/snapshot-source.ts';
import { FAKE_TOKEN, startFakeTushare, type FakeTushare } from '../helpers/fake-tushare.ts';
import { client, startCluster, waitFor, type Cluster } from './cluster.ts';

let fake: FakeTushare;
let cluster: Cluster;
let admin: ReturnType<typeof client>;
let analyst: ReturnType<typeof client>;
const start = 20260601;
const end = 20261127;

async function sync(params: Record<string, unknown>): Promise<void> {
  const run = await admin.post('/api/v1/runs', { executor: 'data_sync', params: { source: 'tushare', ...params } });
  await waitFor(`sync ${JSON.stringify(params)}`, async () => {
    const r = await admin.get(`/api/v1/runs/${run.id}`);
    if (r.status === 'failed') throw new Error(`sync failed: ${JSON.stringify(r.error)}`);
    return r.status === 'succeeded';
  }, 120_000, 100);
}

/** The newest snapshot once it holds what the web's store holds now (the publish after the last sync). */
async function settledVersion(): Promise<string> {
  return waitFor('the snapshot of the synced data', async () => {
    const [newest] = await listDirVersions(cluster.snapshotDir);
    if (!newest) return null;
    const coverage = (await admin.get('/api/v1/market/coverage')).items as Array<{ dataset: string; rows: number }>;
    const same = coverage.every((c) => (newest.files.find((f) => f.table === c.dataset)?.rows ?? 0) === c.rows);
    return same ? newest.version : null;
  }, 120_000, 200);
}

const backtestDone = (id: number) => waitFor(`backtest ${id}`, async () => {
  const b = await analyst.get(`/api/v1/backtests/${id}`);
  if (b.status === 'failed' || b.status === 'cancelled') throw new Error(`backtest ${id} ${b.status}: ${JSON.stringify(b.error)}`);
  return b.status === 'succeeded' ? b : null;
}, 240_000, 200);

beforeAll(async () => {
  fake = await startFakeTushare({ params: { seed: 21, stocks: 30, years: 1, end } });
  cluster = await startCluster({ TUSHARE_URL: fake.url, TUSHARE_TOKEN: FAKE_TOKEN, TUSHARE_CALLS_PER_MINUTE: '100000' }, { WORKERS: '1' });
  admin = client(cluster.web.url, (await cluster.user('sync-admin', 'admin')).token);
  analyst = client(cluster.web.url, (await cluster.user('pin-analyst', 'analyst')).token);
}, 240_000);

afterAll(async () => {
  await cluster?.close();
  await fake?.close();
});

describe('a backtest pinned to a data version', () => {
  it('finishes on the old data while new data arrives, and its rerun reproduces it', async () => {
    // Version 1: every stock and its factors, but bars of five stocks only.
    await sync({ dataset: 'stocks' });
    await sync({ dataset: 'trade_calendar', start: 20250101, end: 20261231 });
    await sync({ dataset: 'adj_factors', start, end });
    const codes = ((await admin.get('/api/v1/market/stocks?limit=5')).items as Array<{ ts_code: string }>).map((s) => s.ts_code);
    await sync({ dataset: 'daily_bars', codes, start, end });
    const v1 = await settledVersion();
    await cluster.addWorker('worker-1');

    // A moving average strategy that also spends ~60 ms a day, so its run lasts while data is synced.
    const code = `export default defineStrategy({ name: 'slow_ma', onDay(ctx) {
      const t = Date.now(); while (Date.now() - t < 60) {}
      const m = ctx.sma(10);
      for (let i = 0; i < m.length; i++) {
        if (ctx.bars.close[i] > m[i] && ctx.portfolio.sharesOf(i) === 0 && ctx.portfolio.count < 5) ctx.orderValue(i, ctx.portfolio.value * 0.18);
        else if (ctx.bars.close[i] < m[i] && ctx.portfolio.sharesOf(i) > 0) ctx.orderTarget(i, 0);
      }
    } });`;
    const strategy = await analyst.post('/api/v1/strategies', { name: 'Slow MA', code }, 201);
    const body = { name: 'pinned', strategy_id: strategy.id, universe: 'all', start_date: '2026-06-01', end_date: '2026-11-27', benchmark: null };

    const a = await analyst.post('/api/v1/backtests', body);
    const running = await waitFor('backtest A to start', async () => {
      const b = await analyst.get(`/api/v1/backtests/${a.id}`);
      return b.status === 'running' && b.data_version ? b : null;
    }, 120_000, 50);
    expect(running.data_version).toBe(v1);

    // Version 2 while A runs: bars of every stock.
    await sync({ dataset: 'daily_bars', start, end });
    const v2 = await settledVersion();
    expect(v2).not.toBe(v1);
    expect((await analyst.get(`/api/v1/backtests/${a.id}`)).status).toBe('running');

    const aDone = await backtestDone(a.id);
    expect(aDone.data_version).toBe(v1);

    // A new run reads the new data: other stocks are traded, other numbers.
    const b = await backtestDone((await analyst.post('/api/v1/backtests', body)).id);
    expect(b.data_version).toBe(v2);
    expect(b.metrics).not.toEqual(aDone.metrics);

    // The rerun of A reads v1 again: the same numbers, exactly.
    const rerun = await analyst.post(`/api/v1/backtests/${a.id}/rerun`);
    expect(rerun.data_version).toBe(v1);
    const again = await backtestDone(rerun.id);
    expect(again.data_version).toBe(v1);
    expect(again.metrics).toEqual(aDone.metrics);
    expect(aDone.metrics.final_value).toBeGreaterThan(0);

    // Asked for the latest data, the rerun reads v2: B's numbers.
    const latest = await backtestDone((await analyst.post(`/api/v1/backtests/${a.id}/rerun`, { data_version: 'latest' })).id);
    expect(latest.data_version).toBe(v2);
    expect(latest.metrics).toEqual(b.metrics);

    // A version that is not one: 400 naming the field.
    const bad = await fetch(`${cluster.web.url}/api/v1/backtests/${a.id}/rerun`, { method: 'POST', headers: { authorization: `Bearer ${(await cluster.user('pin-analyst-2', 'analyst')).token}`, 'content-type': 'application/json' }, body: JSON.stringify({ data_version: 'yesterday' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^data_version: /);
  }, 600_000);

  it('publishes computed factor values, so a worker analyses them on the version that holds them', async () => {
    const before = await settledVersion();
    // The factor executor runs on the web process (it writes the market store); its values reach the workers in a new version.
    const computed = await admin.post('/api/v1/factors/momentum_5/computations?wait=120', { start_date: '2026-07-01' }, 200);
    expect(computed.status).toBe('succeeded');
    const momentum = (await admin.get('/api/v1/factors')).builtin.find((f: { kind: string }) => f.kind === 'momentum');
    const stored = momentum.stored.find((x: { id: string }) => x.id === 'momentum_5');
    const withValues = await waitFor('a snapshot with the factor values', async () => {
      const [newest] = await listDirVersions(cluster.snapshotDir);
      const rows = newest?.files.find((f) => f.table === 'factor_values')?.rows ?? 0;
      return newest && newest.version !== before && rows > 0 ? newest : null;
    }, 120_000, 200);
    expect(withValues.files.find((f) => f.table === 'factor_values')!.rows).toBe(stored.rows);
    const queued = await analyst.post('/api/v1/factors/momentum_5/analyses', { start_date: '2026-07-01', end_date: '2026-10-30', horizons: [1, 5] }, 202);
    const analysis = await waitFor('the analysis on a worker', async () => {
      const a = await analyst.get(`/api/v1/factors/momentum_5/analyses/${queued.id}`);
      if (a.status === 'failed') throw new Error(`analysis failed: ${JSON.stringify(a.error)}`);
      return a.status === 'succeeded' ? a : null;
    }, 240_000, 200);
    expect(analysis.data_version).toBe(withValues.version);
    expect(analysis.summary.coverage.coverage).toBeGreaterThan(0.5);
  }, 600_000);
});

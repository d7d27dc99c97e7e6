import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFactor } from '../../src/factors/factors.service.ts';
import type { MarketStore } from '../../src/market/duckdb.ts';
import type { RunsRuntime } from '../../src/runs/runs.runtime.ts';
import { FAKE_TOKEN, startFakeTushare, type FakeTushare } from '../helpers/fake-tushare.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
let market: MarketStore;
let runtime: RunsRuntime;
let fake: FakeTushare;
beforeAll(async () => {
  fake = await startFakeTushare({ params: { seed: 5, stocks: 40, years: 1, end: 20261127 } });
  t = await makeTestApp({ TUSHARE_TOKEN: FAKE_TOKEN, TUSHARE_URL: fake.url, TUSHARE_CALLS_PER_MINUTE: '100000' }, { serverExecutors: true, workers: {} });
  ({ market } = t);
  runtime = t.runtime!;
}, 30_000);
afterAll(async () => {
  await t?.close();
  await fake?.close();
}, 30_000);

const finish = (id: number) => runtime.service.waitForRun(id, { timeoutMs: 60_000 });
const count = async (q: string) => Number((await market.query(q))[0].n);
const openDays = (from: number, to: number) => Array.from(fake.market.dates).filter((d) => d >= from && d <= to);
function rowsOn(days: number[]): number {
  const n = fake.market.stocks.length;
  let c = 0;
  for (const d of days) {
    const k = fake.market.dates.indexOf(d);
    for (let i = 0; i < n; i++) if (fake.market.closeCents[k * n + i] > 0) c++;
  }
  return c;
}

describe('data_sync executor against the fake Tushare server', () => {
  it('syncs a range with progress per trade date; a failure midway resumes after the last committed date on retry', async () => {
    const days = openDays(20260901, 20260930);
    // The 11th `daily` call fails for good (token refused); earlier ones answer normally.
    fake.inject({ kind: 'delay', ms: 0 }, { times: 10, apiName: 'daily' });
    fake.inject({ kind: 'bad_token' }, { apiName: 'daily' });
    const run = await runtime.service.queueRun({ executor: 'data_sync', params: { dataset: 'daily_bars', source: 'tushare', start: 20260901, end: 20260930, batch_rows: 100 }, maxAttempts: 1 });
    const failed = await finish(run.id);
    expect(failed.status).toBe('failed');
    expect(failed.error?.message).toMatch(/daily_bars sync partial: Tushare refused the token.*a retry resumes after it/);
    const resumeFrom = (failed.checkpoint as { lastCompletedDate: number }).lastCompletedDate;
    expect(days).toContain(resumeFrom);
    expect(resumeFrom).toBeLessThan(days[10]);

    fake.calls.length = 0;
    const retry = await runtime.service.retry(run.id, null);
    const done = await finish(retry.id);
    expect(done.status).toBe('succeeded');
    const dailyCalls = fake.calls.filter((c) => c.apiName === 'daily').map((c) => Number(c.params.trade_date));
    // Only dates after the checkpoint were asked for again.
    expect(Math.min(...dailyCalls)).toBeGreaterThan(resumeFrom);
    expect(await count(`select count(*)::int n from daily_bars`)).toBe(rowsOn(days));
    const progress = (await runtime.service.events(retry.id, 0, 1000)).filter((e) => e.kind === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect((done.result as { counts: { inserted: number } }).counts.inserted).toBe(rowsOn(days.filter((d) => d > resumeFrom)));
    // The operation log row carries the run id.
    const log = await t.db.store.db.selectFrom('sync_log').selectAll().where('run_id', '=', retry.id).executeTakeFirstOrThrow();
    expect(log.result).toBe('success');
  });

  it('one stock only', async () => {
    const code = fake.market.stocks[0].tsCode;
    const run = await runtime.service.queueRun({ executor: 'data_sync', params: { dataset: 'daily_basic', source: 'tushare', codes: [code], start: 20260901, end: 20261127 } });
    const done = await finish(run.id);
    expect(done.status).toBe('succeeded');
    expect(await count(`select count(distinct ts_code)::int n from daily_basic`)).toBe(1);
  });
});

describe('factor executor', () => {
  it('computes momentum, volatility and turnover moving average that strategies read back', async () => {
    await finish((await runtime.service.queueRun({ executor: 'data_sync', params: { dataset: 'daily_basic', source: 'demo', start: 20260101, end: 20261127 } })).id);
    const run = await runtime.service.queueRun({ executor: 'factor', params: { factors: [{ kind: 'momentum', n: 5 }, { kind: 'volatility', n: 5 }, { kind: 'turnover_ma', n: 3 }] } });
    const done = await finish(run.id);
    expect(done.status).toBe('succeeded');
    // Check one value by hand from the stored bars (no adj_factors synced: factor 1).
    const bars = await market.query(`select ts_code, trade_date, close from daily_bars where ts_code = (select min(ts_code) from daily_bars) order by trade_date`);
    const code = String(bars[0].ts_code);
    const closes = bars.map((b) => Number(b.close));
    const mom = await readFactor(market, 'momentum_5', { codes: [code] });
    expect(mom.values.length).toBe(closes.length - 5);
    expect(mom.values[0]).toBeCloseTo(closes[5] / closes[0] - 1, 12);
    const vol = await readFactor(market, 'volatility_5', { codes: [code] });
    const r = [1, 2, 3, 4, 5].map((i) => closes[i] / closes[i - 1] - 1);
    const mean = r.reduce((a, b) => a + b, 0) / 5;
    const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / 4);
    expect(vol.dates[0]).toBe(Number(bars[5].trade_date));
    expect(vol.values[0]).toBeCloseTo(sd, 12);
    // A stock of the indicators just synced (the demo source's market, not the fake's: its codes may differ from the bars').
    const tcode = String((await market.query(`select min(ts_code) as c from daily_basic`))[0].c);
    const turn = await market.query(`select trade_date, turnover_rate from daily_basic where ts_code = $1 order by trade_date limit 3`, [tcode]);
    const tma = await readFactor(market, 'turnover_ma_3', { codes: [tcode] });
    // The demo market has a turnover rate on every bar, so the first three exist and the first average, on the third day, is theirs.
    expect(turn.map((t) => typeof t.turnover_rate)).toEqual(['number', 'number', 'number']);
    expect(tma.dates[0]).toBe(Number(turn[2].trade_date));
    expect(tma.values[0]).toBeCloseTo(turn.reduce((a, t) => a + Number(t.turnover_rate), 0) / 3, 10);
    // A second run replaces, never duplicates.
    await finish((await runtime.service.queueRun({ executor: 'factor', params: { factors: [{ kind: 'momentum', n: 5 }] } })).id);
    expect((await readFactor(market, 'momentum_5')).values.length).toBe(await count(`select count(*)::int n from factor_values f join factor_keys k on k.id = f.factor_id where k.key = 'momentum_5'`));
    expect(await count(`select count(*)::int n from (select code, trade_date from factor_values f join factor_keys k on k.id = f.factor_id where k.key = 'momentum_5' group by all having count(*) > 1)`)).toBe(0);
  });
});

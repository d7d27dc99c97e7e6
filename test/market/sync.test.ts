import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMarketStore, type MarketStore } from '../../src/market/duckdb.ts';
import { tushareSource } from '../../src/market/sync/sources.ts';
import { syncDataset } from '../../src/market/sync/sync.service.ts';
import { makeTushareClient } from '../../src/market/tushare/client.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.ts';
import { FAKE_TOKEN, startFakeTushare, type FakeTushare } from '../helpers/fake-tushare.ts';

let fake: FakeTushare;
let db: TestDatabase;
let market: MarketStore;

beforeAll(async () => {
  fake = await startFakeTushare({ params: { seed: 11, stocks: 40, years: 1, end: 20261127 } });
  db = await createTestDatabase();
  market = await openMarketStore(':memory:');
});
afterAll(async () => {
  await market?.close();
  await db?.drop();
  await fake?.close();
});

const client = () => makeTushareClient({ url: fake.url, token: FAKE_TOKEN, callsPerMinute: null, sleep: async () => {} });
const count = async (sql: string) => Number((await market.query(sql))[0].n);

describe('syncDataset (daily_bars through the Tushare client)', () => {
  it('syncs a range once per trade date, and a second run writes nothing new and logs it', async () => {
    const deps = { market, pg: db.store, source: tushareSource(client()) };
    const openDays = Array.from(fake.market.dates).filter((d) => d >= 20260901 && d <= 20260930);
    const expectedRows = openDays.reduce((n, d) => {
      const k = fake.market.dates.indexOf(d);
      let c = 0;
      for (let i = 0; i < fake.market.stocks.length; i++) if (fake.market.closeCents[k * fake.market.stocks.length + i] > 0) c++;
      return n + c;
    }, 0);
    fake.calls.length = 0;
    const first = await syncDataset(deps, { dataset: 'daily_bars', start: 20260901, end: 20260930 }, { batchRows: 200 });
    expect(first.result).toBe('success');
    expect(first.counts).toEqual({ inserted: expectedRows, updated: 0, unchanged: 0, deleted: 0 });
    // One `daily` call per open day (plus the calendar), never one per stock.
    expect(fake.calls.filter((c) => c.apiName === 'daily').length).toBe(openDays.length);
    expect(await count(`select count(*)::int n from daily_bars`)).toBe(expectedRows);

    const second = await syncDataset(deps, { dataset: 'daily_bars', start: 20260901, end: 20260930 }, { batchRows: 200 });
    expect(second.counts).toEqual({ inserted: 0, updated: 0, unchanged: expectedRows, deleted: 0 });
    const log = await db.store.db.selectFrom('sync_log').selectAll().where('id', '=', second.logId).executeTakeFirstOrThrow();
    expect([log.inserted, log.updated, log.unchanged, log.deleted, log.result]).toEqual([0, 0, expectedRows, 0, 'success']);

    // A changed row upstream is counted as one update; a vanished one as one delete.
    await market.write((c) => c.run(`update daily_bars set close = close + 1 where trade_date = 20260902 and ts_code = (select min(ts_code) from daily_bars where trade_date = 20260902)`));
    await market.write((c) => c.run(`insert into daily_bars (ts_code, trade_date, close) values ('999999.SH', 20260903, 1)`));
    const third = await syncDataset(deps, { dataset: 'daily_bars', start: 20260901, end: 20260930 });
    expect(third.counts).toEqual({ inserted: 0, updated: 1, unchanged: expectedRows - 1, deleted: 1 });
  });

  it('never deletes a stored day because the source answered it with no rows', async () => {
    const deps = { market, pg: db.store, source: tushareSource(client()) };
    const before = await count(`select count(*)::int n from daily_bars where trade_date = 20260910`);
    expect(before).toBeGreaterThan(0);
    fake.inject({ kind: 'malformed', body: '{"code":0,"msg":"","data":{"fields":["ts_code","trade_date"],"items":[],"has_more":false}}' }, { apiName: 'daily' });
    const out = await syncDataset(deps, { dataset: 'daily_bars', start: 20260910, end: 20260910 });
    expect(out.counts.deleted).toBe(0);
    expect(await count(`select count(*)::int n from daily_bars where trade_date = 20260910`)).toBe(before);
  });

  it('aborted mid-range keeps only whole batches, then resumes from the last completed date', async () => {
    const deps = { market, pg: db.store, source: tushareSource(client()) };
    const controller = new AbortController();
    const seen: number[] = [];
    const partial = await syncDataset(deps, { dataset: 'adj_factors', start: 20260601, end: 20260630 }, {
      signal: controller.signal,
      batchRows: 1, // one trade date per batch
      prefetch: 1,
      checkpoint: ({ lastCompletedDate }) => {
        seen.push(lastCompletedDate);
        if (seen.length === 3) controller.abort(new Error('operator pressed stop'));
      },
    });
    expect(partial.result).toBe('partial');
    expect(partial.error).toMatch(/cancelled: operator pressed stop/);
    const stored = (await market.query(`select distinct trade_date from adj_factors order by 1`)).map((r) => Number(r.trade_date));
    expect(stored).toEqual(seen);
    // Each stored date is complete: as many rows as listed stocks that day.
    const perDay = await market.query(`select trade_date, count(*)::int n from adj_factors group by 1 order by 1`);
    for (const r of perDay) {
      const d = fake.market.dates.indexOf(Number(r.trade_date));
      const listed = fake.market.stocks.filter((s) => d >= s.listIdx && d < s.endIdx).length;
      expect(r.n).toBe(listed);
    }
    fake.calls.length = 0;
    const resumed = await syncDataset(deps, { dataset: 'adj_factors', start: 20260601, end: 20260630 }, { resumeFrom: partial.lastCompletedDate });
    expect(resumed.result).toBe('success');
    const dailyCalls = fake.calls.filter((c) => c.apiName === 'adj_factor').map((c) => Number(c.params.trade_date));
    expect(Math.min(...dailyCalls)).toBeGreaterThan(partial.lastCompletedDate!);
    expect(resumed.counts.unchanged).toBe(0);
  });

  it('records a failed sync with the Tushare error when the token is refused', async () => {
    const bad = makeTushareClient({ url: fake.url, token: 'wrong', callsPerMinute: null, sleep: async () => {} });
    const out = await syncDataset({ market, pg: db.store, source: tushareSource(bad) }, { dataset: 'daily_basic', start: 20260105, end: 20260109 });
    expect(out.result).toBe('failed');
    expect(out.error).toMatch(/TUSHARE_TOKEN/);
  });

  it('syncs the stock list with delisted names too', async () => {
    const out = await syncDataset({ market, pg: db.store, source: tushareSource(client()) }, { dataset: 'stocks' }, { today: 20261127 });
    expect(out.counts.inserted).toBe(fake.market.stocks.length);
    expect(await count(`select count(*)::int n from stocks where list_status = 'D'`)).toBe(fake.market.stocks.filter((s) => s.listStatus === 'D').length);
  });
});

describe('syncDataset (st_periods from Tushare namechange)', () => {
  // A market big enough to hold every shape of ST history (the 40-stock one above has too few).
  let big: FakeTushare;
  let store: MarketStore;
  beforeAll(async () => {
    big = await startFakeTushare({ params: { seed: 5, stocks: 300, years: 3, end: 20261127 } });
    store = await openMarketStore(':memory:');
  });
  afterAll(async () => {
    await store?.close();
    await big?.close();
  });

  it('derives the ST periods from the name history: ST → *ST one period, lifted, still tagged, repeated records once', async () => {
    const m = big.market;
    const client = () => makeTushareClient({ url: big.url, token: FAKE_TOKEN, callsPerMinute: null, sleep: async () => {} });
    const market = store;
    const count = async (sql: string) => Number((await market.query(sql))[0].n);
    const stStocks = m.stocks.filter((s) => s.stStart >= 0 && s.stStart < s.endIdx);
    // The fake's history needs each shape at least once to make this test mean something.
    expect(stStocks.length).toBeGreaterThanOrEqual(3);
    expect(stStocks.some((s) => s.stEnd < m.dates.length)).toBe(true);
    expect(stStocks.some((s) => s.stEnd >= m.dates.length)).toBe(true);

    const out = await syncDataset({ market, pg: db.store, source: tushareSource(client()) }, { dataset: 'st_periods' });
    expect(out.result).toBe('success');
    expect(big.calls.filter((c) => c.apiName === 'namechange').map((c) => c.params.ts_code ?? null)).toEqual([null]);
    // Expected: the generator's own periods (start = first tagged day, end = first day without it, null while tagged).
    const expected = stStocks
      .map((s) => [s.tsCode, m.dates[s.stStart], s.stEnd < m.dates.length ? m.dates[s.stEnd] : null])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    const rows = await market.query(`select ts_code, start_date, end_date from st_periods order by ts_code`);
    expect(rows.map((r) => [r.ts_code, r.start_date, r.end_date])).toEqual(expected);
    expect(out.counts.inserted).toBe(expected.length);

    // Two named stocks: one call per stock, only their periods; nothing else touched.
    const [a, b] = stStocks;
    const again = await syncDataset({ market, pg: db.store, source: tushareSource(client()) }, { dataset: 'st_periods', codes: [a.tsCode, b.tsCode] });
    expect(again.counts).toMatchObject({ inserted: 0, updated: 0, deleted: 0, unchanged: 2 });
    expect(big.calls.filter((c) => c.apiName === 'namechange').map((c) => c.params.ts_code ?? null)).toEqual([null, a.tsCode, b.tsCode]);
    expect(await count(`select count(*)::int n from st_periods`)).toBe(expected.length);
  });
});

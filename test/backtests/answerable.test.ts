// plan.ts answerableSpec on a hand-built market store: which periods the data answers (a weekend
// just outside the bars is fine when the calendar says so; a trading day without bars is not), the
// period stored (first and last trading days simulated), and codes and benchmarks without data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestSpec } from '../../src/backtests/backtest-request.ts';
import { answerableSpec, planBacktest } from '../../src/backtests/plan.ts';
import { AppError } from '../../src/http/errors.ts';
import { openMarketStore, type MarketStore } from '../../src/market/duckdb.ts';
import { tradingDayBefore } from '../../src/market/market.repository.ts';
import { makePanelCache } from '../../src/backtests/panel-cache.ts';

let market: MarketStore;
// January 2025: open on weekdays but New Year's Day; bars for one stock from Mon 6 to Fri 24 only.
const weekdays = (a: number, b: number) => {
  const out: number[] = [];
  for (let d = a; d <= b; d++) {
    const wd = new Date(Date.UTC(2025, 0, d - 20250100)).getUTCDay();
    if (wd !== 0 && wd !== 6 && d !== 20250101) out.push(d);
  }
  return out;
};
beforeAll(async () => {
  market = await openMarketStore(':memory:');
  await market.write(async (c) => {
    for (let d = 20250101; d <= 20250131; d++) await c.run(`insert into trade_calendar values ('SSE', $1, $2, null)`, [d, weekdays(d, d).length]);
    await c.run(`insert into stocks (ts_code, name, list_date, board) values ('600003.SH', 'A', 20200101, 'main'), ('600004.SH', 'gone', 20100101, 'main')`);
    await c.run(`update stocks set delist_date = 20241231 where ts_code = '600004.SH'`);
    for (const d of weekdays(20250106, 20250124)) {
      await c.run(`insert into daily_bars (ts_code, trade_date, open, high, low, close, pre_close, vol, amount) values ('600003.SH', $1, 10, 10, 10, 10, 10, 100, 100)`, [d]);
    }
    for (const d of weekdays(20250106, 20250110)) await c.run(`insert into index_daily (ts_code, trade_date, close) values ('000905.SH', $1, 5000)`, [d]);
    for (const d of weekdays(20250106, 20250124)) await c.run(`insert into index_daily (ts_code, trade_date, close) values ('000300.SH', $1, 4000)`, [d]);
  });
}, 60_000);
afterAll(async () => {
  await market?.close();
});

const spec = (over: Partial<BacktestSpec> = {}): BacktestSpec => ({
  strategy: { kind: 'builtin', name: 'dual_ma', strategyId: null, versionId: null, version: null }, params: {}, universe: { kind: 'codes', codes: ['600003.SH'] },
  startDate: 20250106, endDate: 20250124, capital: 1e6, benchmark: null, adjust: 'hfq', fillTiming: 'next_open', costs: {}, ...over,
});

async function refusal(s: BacktestSpec): Promise<{ field: string; message: string }> {
  const err = await answerableSpec(market, s).then(() => null, (e: unknown) => e);
  expect(err, 'refused').toBeInstanceOf(AppError);
  const e = err as AppError;
  expect(e.status).toBe(400);
  expect(e.code).toBe('invalid_request');
  return { field: String((e.details as { field: string }).field), message: e.message };
}

describe('answerableSpec', () => {
  it('stores the trading days simulated: a weekend just outside the bars is fine when the calendar has no trading day between', async () => {
    const s = await answerableSpec(market, spec({ startDate: 20250104, endDate: 20250126 }));
    expect([s.startDate, s.endDate]).toEqual([20250106, 20250124]);
    const inner = await answerableSpec(market, spec({ startDate: 20250111, endDate: 20250119 }));
    expect([inner.startDate, inner.endDate]).toEqual([20250113, 20250117]);
  });

  it('refuses a trading day outside the bars, naming the field and the range there is', async () => {
    expect(await refusal(spec({ startDate: 20250103 }))).toEqual({ field: 'start_date', message: 'start_date: 2025-01-03 is before the first day with data; the market data covers 2025-01-06 to 2025-01-24' });
    expect(await refusal(spec({ endDate: 20250127 }))).toEqual({ field: 'end_date', message: 'end_date: 2025-01-27 is after the last day with data; the market data covers 2025-01-06 to 2025-01-24' });
    expect((await refusal(spec({ startDate: 20250125, endDate: 20250131 }))).field).toBe('start_date');
    expect((await refusal(spec({ startDate: 20250111, endDate: 20250112 }))).message).toContain('no trading day between 2025-01-11 and 2025-01-12');
  });

  it('without a calendar, any day outside the bars is refused', async () => {
    await market.write((c) => c.run(`delete from trade_calendar`));
    try {
      expect((await refusal(spec({ startDate: 20250104 }))).field).toBe('start_date');
      // Inside the bars, the days with bars are the trading days.
      const s = await answerableSpec(market, spec({ startDate: 20250111, endDate: 20250124 }));
      expect(s.startDate).toBe(20250113);
    } finally {
      await market.write(async (c) => {
        for (let d = 20250101; d <= 20250131; d++) await c.run(`insert into trade_calendar values ('SSE', $1, $2, null)`, [d, weekdays(d, d).length]);
      });
    }
  });

  it('refuses codes it does not know, or none of which trades in the period; a universe with no listed stock', async () => {
    expect(await refusal(spec({ universe: { kind: 'codes', codes: ['600003.SH', '000001.SZ'] } }))).toMatchObject({ field: 'codes', message: expect.stringContaining('unknown stock 000001.SZ') });
    expect(await refusal(spec({ universe: { kind: 'codes', codes: ['600004.SH'] } }))).toMatchObject({ field: 'codes', message: expect.stringContaining('no daily bars between 2025-01-06 and 2025-01-24 for 600004.SH') });
    expect((await refusal(spec({ universe: { kind: 'all', boards: ['star'], excludeSt: false } }))).field).toBe('boards');
    const all = await answerableSpec(market, spec({ universe: { kind: 'all', boards: ['main'], excludeSt: true } }));
    expect(all.universe).toEqual({ kind: 'all', boards: ['main'], excludeSt: true });
  });

  it('refuses a benchmark without index data in the period, saying which indexes have some', async () => {
    const none = await refusal(spec({ benchmark: '399006.SZ' }));
    expect(none.field).toBe('benchmark');
    expect(none.message).toContain('index data exists for 000300.SH (2025-01-06 to 2025-01-24), 000905.SH (2025-01-06 to 2025-01-10)');
    const early = await refusal(spec({ benchmark: '000905.SH', startDate: 20250113 }));
    expect(early.message).toContain('000905.SH has index data from 2025-01-06 to 2025-01-10 only, none between 2025-01-13 and 2025-01-24');
    expect((await answerableSpec(market, spec({ benchmark: '000300.SH' }))).benchmark).toBe('000300.SH');
  });

  it('warms up N trading days before the first simulated day, or from where the data begins', async () => {
    expect(await tradingDayBefore(market, 20250113, 5)).toBe(20250106);
    expect(await tradingDayBefore(market, 20250113, 250)).toBe(20250102);
    const { panel } = await makePanelCache(market).get({ ...planBacktest(spec({ startDate: 20250113 })).panelKey, warmupDays: 3 });
    expect(panel.dates[0]).toBe(20250108);
  });
});

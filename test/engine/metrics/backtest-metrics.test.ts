/** The NAV series of a backtest, starting point included, and its metrics (issue 18: exports that round-trip). */
import { describe, expect, it } from 'vitest';
import type { BacktestResult } from '../../../src/engine/types.ts';
import { backtestMetrics, navSeries, startPointOf } from '../../../src/engine/metrics/backtest-metrics.ts';
import { metricsFromCsv } from '../../../src/engine/metrics/metrics-csv.ts';
import { navCsv } from '../../../src/backtests/csv.ts';
import { toStored } from '../../../src/backtests/results.ts';

/** A three-day result: capital 1,000,000, a 2% loss on the first day, then back above the start. */
function result(): BacktestResult {
  const total = Float64Array.from([980_000.123456789, 1_001_000.987654321, 1_010_500.5]);
  return {
    fillTiming: 'next_open', fillTimingLabel: '', dates: Int32Array.from([20250602, 20250603, 20250604]),
    cash: Float64Array.from([480_000.1, 1_001_000.987654321, 10_500.5]), marketValue: Float64Array.from([500_000.023456789, 0, 1_000_000]), total,
    returns: new Float64Array(3), drawdown: new Float64Array(3),
    // The engine rebases to the first simulated day's close: 4000 → 4040 → 3960.
    benchmarkNav: Float64Array.from([1, 1.01, 0.99]), benchmarkCode: '000300.SH',
    fills: [], orders: [], corporateActions: [], snapshots: { offsets: new Int32Array(4), index: new Int32Array(0), shares: new Float64Array(0), value: new Float64Array(0), codes: [] },
    trades: [], skippedDays: [], logs: [],
  };
}

describe('the starting point', () => {
  it('is the last panel day before the first simulated day, else the calendar day before', () => {
    // A panel that starts on the first simulated day: the calendar day before, across month, leap-day and year ends.
    expect(startPointOf([20250303], 20250303)).toEqual({ date: 20250302, benchmarkRebase: null });
    expect(startPointOf([20250301, 20250303], 20250301).date).toBe(20250228);
    expect(startPointOf([20240301], 20240301).date).toBe(20240229);
    expect(startPointOf([20250102], 20250101).date).toBe(20241231);
    const dates = [20250528, 20250529, 20250530, 20250603, 20250604];
    // The index closed at 3950 on 2025-05-30 and at 4000 on the first simulated day.
    const close = [3900, 3920, 3950, 4000, 4040];
    expect(startPointOf(dates, 20250603, close)).toEqual({ date: 20250530, benchmarkRebase: 4000 / 3950 });
    expect(startPointOf(dates, 20250603, null)).toEqual({ date: 20250530, benchmarkRebase: null });
    expect(startPointOf(dates, 20250603, [3900, 3920, NaN, 4000, 4040])).toEqual({ date: 20250530, benchmarkRebase: null });
    expect(startPointOf(dates, 20250528, close)).toEqual({ date: 20250527, benchmarkRebase: null });
  });

  it('opens the series: NAV 1, the capital in cash, benchmark 1, and the peak a first-day loss is measured from', () => {
    const s = navSeries(result(), 1_000_000, { date: 20250530, benchmarkRebase: 4000 / 3950 });
    expect(Array.from(s.dates)).toEqual([20250530, 20250602, 20250603, 20250604]);
    expect(Array.from(s.nav)).toEqual([1, 0.980000123456789, 1.001000987654321, 1.0105005]);
    expect([s.total[0], s.cash[0], s.marketValue[0]]).toEqual([1_000_000, 1_000_000, 0]);
    // The engine's drawdown starts at 0 on a first-day loss; from the capital it is −2%.
    expect(s.drawdown[1]).toBeCloseTo(-0.019999876543211, 15);
    expect(s.drawdown[3]).toBe(0);
    // Rebased to the start point's close: the first day's index move (3950 → 4000) counts.
    expect(Array.from(s.benchmark!)).toEqual([1, 4000 / 3950, 1.01 * (4000 / 3950), 0.99 * (4000 / 3950)]);
  });

  it('metrics are those of the stored NAV, exactly: through the CSV and back', () => {
    const start = { date: 20250530, benchmarkRebase: 4000 / 3950 };
    const m = backtestMetrics(result(), 1_000_000, {}, start);
    expect(m.periods).toBe(3);
    expect(m.startDate).toBe(20250530);
    expect(m.drawdown).toMatchObject({ peakDate: 20250530, troughDate: 20250602, recoveryDate: 20250603 });
    expect(m.totalReturn).toBeCloseTo(0.0105005, 15);
    const { row } = toStored(result(), m, 1_000_000, start);
    const stored = JSON.parse(row.series);
    // Full precision in storage: no 6-decimal rounding.
    expect(stored.nav).toEqual([1, 0.980000123456789, 1.001000987654321, 1.0105005]);
    expect(stored.total[1]).toBe(980_000.123456789);
    const csv = navCsv(stored);
    expect(csv.split('\r\n').slice(0, 3)).toEqual(['date,nav,total,cash,market_value,benchmark,drawdown', '2025-05-30,1,1000000,1000000,0,1,0', `2025-06-02,0.980000123456789,980000.12,480000.1,500000.02,${4000 / 3950},${stored.drawdown[1]}`]);
    const back = metricsFromCsv(csv, { benchmarkColumn: 'benchmark' });
    const { tradeCount: _t, winRate: _w, profitLossRatio: _p, profitFactor: _f, avgHoldingDays: _h, turnover: _o, exposure: _e, ...fromNav } = m;
    expect(back).toMatchObject(fromNav);
  });
});

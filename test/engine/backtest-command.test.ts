// `zquant backtest`'s options as the API's submit body, and its printed summary. The command against
// a real market store (refusals, the same numbers as the API) is in test/backtests/backtest.cli.test.ts.
import { describe, expect, it } from 'vitest';
import { submitFromOptions, summary, UsageError } from '../../src/engine/backtest.command.ts';
import { runBacktest } from '../../src/engine/run-backtest.ts';
import { SubmitBacktestSchema as submitBacktestSchema } from '../../src/backtests/backtests.contract.ts';
import { syntheticPanel } from './synthetic-panel.ts';

describe('zquant backtest options', () => {
  it('become the API submit body, every option the API has, which the API schema accepts', () => {
    const body = submitFromOptions({
      strategy: 'dual_ma', params: '{"short_window":5}', universe: 'all', boards: 'main, chinext', 'exclude-st': true, start: '2025-06-02', end: '2026-11-27',
      capital: '500000', benchmark: 'none', adjust: 'qfq', 'fill-at': 'same_close', 'commission-rate': '0.0002', 'min-commission': '0', 'stamp-duty': 'schedule',
      'transfer-fee': '0', 'slippage-bps': '5', 'on-error': 'skip_day', json: true,
    });
    expect(body).toEqual({
      strategy: 'dual_ma', params: { short_window: 5 }, universe: 'all', boards: ['main', 'chinext'], exclude_st: true, start_date: '2025-06-02', end_date: '2026-11-27',
      capital: 500000, benchmark: null, adjust: 'qfq', fill_timing: 'same_close', commission_rate: 0.0002, min_commission: 0, stamp_duty: 'schedule',
      transfer_fee: 0, slippage_bps: 5, on_error: 'skip_day',
    });
    expect(submitBacktestSchema.safeParse(body).success).toBe(true);
  });

  it('leaves defaults to the schema, a strategy file out of the body, and numbers it cannot read for the schema to name', () => {
    const body = submitFromOptions({ strategy: 'mine.ts', codes: '600000.sh,000001.SZ', start: '2025-06-02', end: '2025-12-31', capital: 'lots', 'transfer-fee': 'schedule' });
    expect(body).toEqual({ codes: ['600000.SH', '000001.SZ'], start_date: '2025-06-02', end_date: '2025-12-31', capital: 'lots', transfer_fee: 'schedule' });
    const parsed = submitBacktestSchema.safeParse(body);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0].path).toEqual(['capital']);
    const defaults = submitBacktestSchema.parse({ strategy: 'dual_ma', start_date: '2025-06-02', end_date: '2025-12-31' });
    expect(defaults).toMatchObject({ capital: 1_000_000, benchmark: '000300.SH', adjust: 'hfq', fill_timing: 'next_open', on_error: 'fail', exclude_st: false });
  });

  it('refuses --params that is not JSON', () => {
    expect(() => submitFromOptions({ strategy: 'dual_ma', params: '{x' })).toThrow(UsageError);
  });
});

describe('zquant backtest summary', () => {
  it('names the strategy, the simulated period and the fills', async () => {
    const panel = syntheticPanel({ stocks: 10, days: 200, seed: 9, startDate: '2021-01-04' });
    const out = await runBacktest({ panel: panel.panel, strategy: { kind: 'builtin', name: 'dual_ma' }, config: { initialCash: 500_000, startDate: panel.panel.dates[60] } });
    if (!out.ok) throw new Error(out.error.message);
    const text = summary(out.result, out.metrics, 'dual_ma', 500_000);
    expect(text).toMatch(/^strategy +dual_ma$/m);
    expect(text).toMatch(new RegExp(`^period +${panel.panel.dates[60]} – `, 'm'));
    expect(text).toContain('capital → final    500000 →');
    expect(text).toContain("orders fill at the next day's open");
  });
});

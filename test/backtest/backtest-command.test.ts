// The `zquant backtest` command against an injected panel loader (the market store's loader is
// wired in by the CLI); here the loader serves a synthetic market.
import { describe, expect, it } from 'vitest';
import { runBacktestCommand, type PanelQuery } from '../../src/backtest/backtest.command.ts';
import { syntheticPanel } from './synthetic-panel.ts';

const market = syntheticPanel({ stocks: 30, days: 400, seed: 9, startDate: '2021-01-04' });
function harness() {
  const out: string[] = [];
  const err: string[] = [];
  const queries: PanelQuery[] = [];
  return {
    out, err, queries,
    deps: { loadPanel: async (q: PanelQuery) => { queries.push(q); return market; }, io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) } },
  };
}

describe('zquant backtest (command function)', () => {
  it('prints a summary table for a built-in', async () => {
    const h = harness();
    const code = await runBacktestCommand({ strategy: 'dual_ma', universe: 'all', start: '2021-06-01', end: '2022-06-30', capital: '500000' }, h.deps);
    expect(h.err.join('')).toBe('');
    expect(code).toBe(0);
    expect(h.queries[0]).toMatchObject({ codes: 'all', start: 20210601, end: 20220630, benchmark: '000300.SH', warmupDays: 120 });
    const text = h.out.join('');
    expect(text).toMatch(/^strategy +dual_ma$/m);
    expect(text).toMatch(/^period +20210601 – 20220630/m);
    expect(text).toContain('capital → final    500000 →');
    expect(text).toContain("orders fill at the next day's open");
  });

  it('prints the whole result as JSON with --json', async () => {
    const h = harness();
    expect(await runBacktestCommand({ strategy: 'momentum', codes: '000000.SZ,600001.SH', start: '2021-03-01', end: '2021-12-31', json: true, params: '{"top_n":1}' }, h.deps)).toBe(0);
    const j = JSON.parse(h.out.join(''));
    expect(j.result.dates[0]).toBeGreaterThanOrEqual(20210301);
    expect(Array.isArray(j.result.total)).toBe(true);
    expect(j.metrics.periods).toBe(j.result.total.length);
    expect(h.queries[0].codes).toEqual(['000000.SZ', '600001.SH']);
  });

  it('names the mistake: unknown strategy, bad params, missing universe, bad date', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ strategy: 'nope', universe: 'all', start: '2021-01-04', end: '2021-02-01' }, 'unknown strategy "nope"'],
      [{ strategy: 'dual_ma', start: '2021-01-04', end: '2021-02-01' }, '--codes'],
      [{ strategy: 'dual_ma', universe: 'all', start: '2021-13', end: '2021-02-01' }, '--start must be a date'],
      [{ strategy: 'dual_ma', universe: 'all', start: '2021-01-04', end: '2021-02-01', params: '{x' }, '--params must be JSON'],
    ];
    for (const [values, msg] of cases) {
      const h = harness();
      expect(await runBacktestCommand(values, h.deps)).toBe(2);
      expect(h.err.join('')).toContain(msg);
    }
    const h = harness();
    expect(await runBacktestCommand({ strategy: 'dual_ma', universe: 'all', start: '2021-01-04', end: '2021-12-31', params: '{"short_window":40}' }, h.deps)).toBe(1);
    expect(h.err.join('')).toContain('invalid_params');
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { computeMetrics, drawdown, returnTables } from '../../../src/engine/metrics/metrics.ts';
import { runCli } from '../../helpers/process.ts';

// Annual returns from Red Rock Capital, "Sortino: A 'Sharper' Ratio" (T. N. Rollinger and
// S. T. Hoffman, 2013), worked example: 17%, 15%, 23%, −5%, 12%, 9%, 13%, −4%, target 0.
// Published: average return 10%, target downside deviation 2.26%, Sortino ratio 4.417.
const redRock = [0.17, 0.15, 0.23, -0.05, 0.12, 0.09, 0.13, -0.04];
function levels(r: number[]): number[] {
  const v = [1];
  for (const x of r) v.push(v[v.length - 1] * (1 + x));
  return v;
}

describe('metrics against published and hand-computed references', () => {
  it('Sortino 4.417 on the Red Rock Capital example; Sharpe from the same series by hand', () => {
    const m = computeMetrics({ dates: [0, 2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008].map((y) => (y ? y * 10000 + 1231 : 0)), values: levels(redRock), periodsPerYear: 1 });
    // DD = √((0.05² + 0.04²)/8) = √(0.004100/8) = 0.022638; 0.10 / 0.022638 = 4.4173.
    expect(m.sortino).toBeCloseTo(4.4173, 3);
    // Sharpe (rf 0, P 1): deviations from 10%: 7, 5, 13, −15, 2, −1, 3, −14 (pp); Σ² = 678;
    // sample std = √(678/7) = 9.8416%; 10 / 9.8416 = 1.01609.
    expect(m.sharpe).toBeCloseTo(1.01609, 4);
    expect(m.volatility).toBeCloseTo(0.098416, 5);
    // Total: Π(1 + r) − 1 = 1.17·1.15·1.23·0.95·1.12·1.09·1.13·0.96 − 1.
    const prod = redRock.reduce((a, r) => a * (1 + r), 1);
    expect(m.totalReturn).toBeCloseTo(prod - 1, 12);
    expect(m.annualizedReturn).toBeCloseTo(prod ** (1 / 8) - 1, 12);
    expect(m.yearly.map((y) => y.year)).toEqual([2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008]);
    expect(m.yearly[3].return).toBeCloseTo(-0.05, 12);
  });

  it('max drawdown −53.3% on the Investopedia example, with peak, trough and recovery', () => {
    // Investopedia, "Maximum Drawdown (MDD)": 500,000 → 750,000 → 400,000 → 600,000 → 350,000 → 800,000;
    // MDD = (350,000 − 750,000) / 750,000 = −53.33%.
    const dates = [20200101, 20200201, 20200301, 20200401, 20200501, 20200601];
    const d = drawdown(dates, [500_000, 750_000, 400_000, 600_000, 350_000, 800_000]);
    expect(d.maxDrawdown).toBeCloseTo(-0.533333, 5);
    expect(d).toMatchObject({ peakDate: 20200201, troughDate: 20200501, recoveryDate: 20200601, durationPeriods: 4, longestUnderwaterPeriods: 4 });
    const m = computeMetrics({ dates, values: [500_000, 750_000, 400_000, 600_000, 350_000, 800_000], periodsPerYear: 12 });
    // Calmar = annualized / 0.5333; annualized = 1.6^(12/5) − 1.
    expect(m.calmar).toBeCloseTo((1.6 ** (12 / 5) - 1) / (400 / 750), 10);
  });

  it('beta, alpha, tracking error and information ratio on a four-period series by hand', () => {
    // r = 1%, 2%, −1%, 3%; b = 0.5%, 1%, −1%, 2%. Means 1.25% and 0.625%.
    // Deviations r: −0.25, 0.75, −2.25, 1.75; b: −0.125, 0.375, −1.625, 1.375 (in %).
    // Σ dr·db = 6.375e−4, Σ db² = 4.6875e−4 → β = 1.36.
    // α = (0.0125 − 1.36 × 0.00625) × 252 = 0.004 × 252 = 1.008.
    // r − b = 0.5%, 1%, 0%, 1%: mean 0.625%, sample var = 6.875e−5/3 → std 0.0047871;
    // TE = 0.0047871·√252 = 0.075993; IR = 0.00625 × 252 / TE = 20.725.
    const m = computeMetrics({ dates: [0, 1, 2, 3, 4], values: levels([0.01, 0.02, -0.01, 0.03]), benchmark: levels([0.005, 0.01, -0.01, 0.02]) });
    expect(m.beta).toBeCloseTo(1.36, 10);
    expect(m.alpha).toBeCloseTo(1.008, 10);
    expect(m.trackingError).toBeCloseTo(0.075993, 5);
    expect(m.informationRatio).toBeCloseTo(20.725, 2);
    expect(m.excessReturn).toBeCloseTo(1.01 * 1.02 * 0.99 * 1.03 - 1.005 * 1.01 * 0.99 * 1.02, 12);
  });

  it('trade statistics, turnover and exposure', () => {
    const m = computeMetrics({
      dates: [0, 1, 2], values: [100, 110, 121],
      trades: [{ pnl: 30, holdingDays: 2 }, { pnl: -10, holdingDays: 4 }, { pnl: 10, holdingDays: 6 }],
      tradedValue: 220, exposure: [0.5, 1],
    });
    // Win rate 2/3; mean win 20 / mean loss 10 = 2; profit factor 40/10 = 4; holding (2+4+6)/3 = 4.
    expect(m).toMatchObject({ tradeCount: 3, profitLossRatio: 2, profitFactor: 4, avgHoldingDays: 4, exposure: 0.75 });
    expect(m.winRate).toBeCloseTo(2 / 3, 12);
    // Turnover: (220/2) / mean(100, 110, 121) × 252/2 = 110 / 110.3333 × 126.
    expect(m.turnover).toBeCloseTo((110 / (331 / 3)) * 126, 10);
  });

  it('monthly and yearly tables compound within the calendar period', () => {
    const t = returnTables([20231229, 20240102, 20240131, 20240201], [100, 110, 121, 60.5]);
    expect(t.monthly).toEqual([{ year: 2024, month: 1, return: expect.closeTo(0.21, 12) }, { year: 2024, month: 2, return: -0.5 }]);
    expect(t.yearly[0].return).toBeCloseTo(-0.395, 12);
  });
});

describe('zquant metrics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zq-metrics-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads date,return and prints the metrics as JSON', async () => {
    const file = join(dir, 'r.csv');
    writeFileSync(file, 'date,return\n' + redRock.map((r, j) => `${2001 + j}-12-31,${r}`).join('\n') + '\n');
    const out = await runCli(['metrics', file, '--periods-per-year', '1']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const m = JSON.parse(out.stdout);
    expect(m.sortino).toBeCloseTo(4.4173, 3);
    expect(m.periodsPerYear).toBe(1);
  });

  it('reads date,nav with a benchmark column and names a bad column', async () => {
    const file = join(dir, 'n.csv');
    writeFileSync(file, 'date,nav,hs300\n20240102,100,3000\n20240103,101,3030\n20240104,99.99,3000\n');
    const ok = await runCli(['metrics', file, '--benchmark-column', 'hs300', '--risk-free', '0.02']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).benchmarkReturn).toBeCloseTo(0, 12);
    const bad = await runCli(['metrics', file, '--benchmark-column', 'csi500']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--benchmark-column "csi500" is not a column');
  });
});

/**
 * Exports that round-trip (issue 18): a real backtest on the demo market, its NAV CSV downloaded
 * through the export route, `zquant metrics` run on that file, and every metric the NAV can give
 * compared with the stored (reported) ones; the trades and orders CSVs carry money to the fen,
 * integer shares and no float noise.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Metrics } from '../../src/engine/metrics/metrics.ts';
import * as repo from '../../src/backtests/backtests.repository.ts';
import { getBacktest } from '../../src/backtests/backtests.service.ts';
import { csvRows, fillColumns, fillFormats, orderColumns, orderFormats } from '../../src/backtests/csv.ts';
import type { StoredSeries } from '../../src/backtests/results.ts';
import { makeBacktestEnv, postJson, type BacktestEnv } from '../helpers/backtests.ts';
import { runCli } from '../helpers/process.ts';
import { valueOrdersSource } from './value-orders.ts';


/** Metrics that come from trades, fills and exposure, which a NAV file does not carry. */
const notFromNav = new Set(['tradeCount', 'winRate', 'profitLossRatio', 'profitFactor', 'avgHoldingDays', 'turnover', 'exposure']);
/** The tolerance: absolute 1e-9, relative to the value where it is larger than 1 (|a − b| ≤ 1e-9 · max(1, |b|)). */
const tol = 1e-9;

/** Every leaf where `got` and `want` differ beyond the tolerance, as "path: got vs want"; leaves compared counted in `seen`. */
function differences(got: unknown, want: unknown, path: string, seen: string[]): string[] {
  if (typeof want === 'number' && typeof got === 'number') {
    seen.push(path);
    return Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)) ? [] : [`${path}: ${got} vs ${want} (diff ${got - want})`];
  }
  if (want === null || typeof want !== 'object') {
    seen.push(path);
    return Object.is(got, want) ? [] : [`${path}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`];
  }
  if (got === null || typeof got !== 'object') return [`${path}: ${JSON.stringify(got)} vs an object`];
  const keys = new Set([...Object.keys(want), ...Object.keys(got)]);
  return [...keys].flatMap((k) => differences((got as Record<string, unknown>)[k], (want as Record<string, unknown>)[k], path ? `${path}.${k}` : k, seen));
}

let env: BacktestEnv;
let id: number;
const dir = mkdtempSync(join(tmpdir(), 'zq-exports-'));

beforeAll(async () => {
  env = await makeBacktestEnv();
  env.as(env.users.analyst);
  const created = await postJson(env.app, '/api/v1/strategies', { name: 'Value orders', code: valueOrdersSource, category: 'trend' });
  const s = (await created.json()) as { id: number };
  expect(created.status, JSON.stringify(s)).toBe(201);
  // Submitted through the create form (the page's own route), then waited for.
  const form = new URLSearchParams({ strategy: `user:${s.id}`, universe: 'all', start_date: '2025-06-02', end_date: '2026-11-27', capital: '1000000', benchmark: '000300.SH', name: 'exports' });
  const res = await env.app.request('/backtests', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  expect(res.status, await res.clone().text()).toBe(303);
  id = Number(/\/backtests\/(\d+)$/.exec(res.headers.get('location') ?? '')?.[1]);
  for (const until = Date.now() + 60_000; ; ) {
    const b = (await getBacktest(env.db.store.db, id))!;
    if (b.status === 'succeeded') break;
    expect(['queued', 'running'], `backtest ${id} ${b.status}: ${JSON.stringify(b.error)}`).toContain(b.status);
    expect(Date.now()).toBeLessThan(until);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 90_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await env?.close();
});

async function stored() {
  const parts = (await repo.readResultParts(env.db.store.db, id, ['metrics', 'series']))!;
  const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  return { metrics: parse(parts.metrics) as Metrics, series: parse(parts.series) as StoredSeries };
}

describe('the NAV export round-trips', () => {
  it('starts with the capital on the trading day before the first simulated day, at full precision', async () => {
    const { metrics, series } = await stored();
    const res = await env.app.request(`/backtests/${id}/export/nav.csv`);
    expect(res.status).toBe(200);
    const lines = (await res.text()).split('\r\n');
    expect(lines[0]).toBe('date,nav,total,cash,market_value,benchmark,drawdown');
    expect(lines.at(-1)).toBe('');
    const rows = lines.slice(1, -1);
    // One row per point: the starting point and one per simulated day; the metrics use exactly these.
    expect(rows.length).toBe(metrics.periods + 1);
    expect(series.dates.length).toBe(metrics.periods + 1);
    // Point 0: the capital before the first day, dated the demo calendar's last trading day before
    // 2025-06-02 (a Monday: Friday 2025-05-30), the benchmark rebased to 1 there.
    expect(rows[0]).toBe('2025-05-30,1,1000000,1000000,0,1,0');
    expect(rows[1].startsWith('2025-06-02,')).toBe(true);
    // NAV, benchmark and drawdown as stored, to the last bit (no 6-decimal rounding anywhere).
    const cols = rows.map((r) => r.split(','));
    expect(cols.map((c) => Number(c[1]))).toEqual(series.nav);
    expect(cols.map((c) => Number(c[5]))).toEqual(series.benchmark);
    expect(cols.map((c) => Number(c[6]))).toEqual(series.drawdown);
    expect(series.nav.some((v) => String(v).split('.')[1]?.length > 6)).toBe(true);
    // Money to the fen.
    for (const c of cols) for (const k of [2, 3, 4]) expect(c[k]).toMatch(/^-?\d+(\.\d{1,2})?$/);
  });

  it('`zquant metrics` on the exported NAV (with its benchmark column) gives the reported metrics to 1e-9', async () => {
    const { metrics } = await stored();
    const file = join(dir, `backtest-${id}-nav.csv`);
    writeFileSync(file, await (await env.app.request(`/backtests/${id}/export/nav.csv`)).text());
    const out = await runCli(['metrics', file, '--benchmark-column', 'benchmark']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const fromCsv = JSON.parse(out.stdout) as Record<string, unknown>;
    const want = Object.fromEntries(Object.entries(metrics).filter(([k]) => !notFromNav.has(k)));
    const got = Object.fromEntries(Object.entries(fromCsv).filter(([k]) => !notFromNav.has(k)));
    const seen: string[] = [];
    expect(differences(got, want, '', seen)).toEqual([]);
    // What was compared: the headline numbers, the drawdown with its dates, the benchmark part, the tables.
    for (const k of [
      'periods', 'startDate', 'endDate', 'totalReturn', 'annualizedReturn', 'volatility', 'sharpe', 'sortino', 'calmar',
      'drawdown.maxDrawdown', 'drawdown.peakDate', 'drawdown.troughDate', 'drawdown.recoveryDate', 'drawdown.durationPeriods', 'drawdown.longestUnderwaterPeriods',
      'benchmarkReturn', 'benchmarkAnnualizedReturn', 'excessReturn', 'annualizedExcessReturn', 'alpha', 'beta', 'trackingError', 'informationRatio',
      'monthly.0.return', 'yearly.0.return',
    ]) expect(seen).toContain(k);
    for (const k of ['sharpe', 'sortino', 'volatility', 'totalReturn', 'beta', 'alpha']) expect(typeof (metrics as unknown as Record<string, unknown>)[k], k).toBe('number');
    expect(metrics.drawdown.maxDrawdown).toBeLessThan(0);
    expect(metrics.startDate).toBe(20250530);
    // The page's key metric columns are the same numbers.
    const row = await env.db.store.db.selectFrom('backtests').select(['total_return', 'sharpe', 'max_drawdown', 'volatility']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ total_return: metrics.totalReturn, sharpe: metrics.sharpe, max_drawdown: metrics.drawdown.maxDrawdown, volatility: metrics.volatility });
  });
});

describe('trades and orders CSVs', () => {
  const money = /^-?\d+(\.\d{1,2})?$/;
  const price = /^\d+(\.\d{1,4})?$/;
  const int = /^-?\d+$/;
  const table = (text: string) => {
    const lines = text.split('\r\n');
    expect(lines.at(-1)).toBe('');
    const head = lines[0].split(',');
    return lines.slice(1, -1).map((l) => Object.fromEntries(l.split(',').map((v, j) => [head[j], v])));
  };

  it('trades: money to the fen, prices to 4 decimals, shares whole', async () => {
    const rows = table(await (await env.app.request(`/backtests/${id}/export/trades.csv`)).text());
    expect(rows.length).toBeGreaterThan(20);
    for (const r of rows) {
      for (const k of ['value', 'commission', 'stamp_duty', 'transfer_fee']) expect(r[k], k).toMatch(money);
      expect(r.price).toMatch(price);
      expect(r.shares).toMatch(int);
    }
  });

  it('orders: a value order\'s amount in CNY to the fen; no average price where nothing filled', async () => {
    const rows = table(await (await env.app.request(`/backtests/${id}/export/orders.csv`)).text());
    const values = rows.filter((r) => r.kind === 'value');
    expect(values.length).toBeGreaterThan(10);
    for (const r of values) expect(r.amount).toMatch(money);
    // The strategy asks for 20% of the portfolio + 0.123456 CNY: never a whole fen.
    expect(values.some((r) => /\.\d{3}/.test(r.amount))).toBe(false);
    for (const r of rows) {
      expect(r.costs).toMatch(money);
      for (const k of ['requested_shares', 'filled_shares']) expect(r[k], k).toMatch(int);
      if (r.filled_shares === '0') expect(r.avg_price).toBe('');
      else expect(r.avg_price).toMatch(price);
    }
    const notFilled = rows.filter((r) => r.filled_shares === '0');
    expect(notFilled.length).toBeGreaterThan(0);
  });

  it('formats: the noise the issue found is gone, rates keep every digit', () => {
    const fill = { date: 20250603, code: '600000.SH', side: 'buy', shares: 6837, price: 13.712345678, value: 93754.6382727867, commission: 28.126391481836, stampDuty: 0, transferFee: 0.6837000000000001, priceBasis: 'open', orderId: 3 };
    expect(csvRows(fillColumns, [fill], [], fillFormats)).toBe('2025-06-03,600000.SH,buy,6837,13.7123,93754.64,28.13,0,0.68,open,3\r\n');
    const base = { id: 1, placedDate: 20250602, code: '600000.SH', limitPrice: null, status: 'expired', reason: 'suspended', requestedShares: 0, filledShares: 0, avgPrice: 0, costs: 0, doneDate: 20250603 };
    expect(csvRows(orderColumns, [{ ...base, kind: 'value', amount: 93754.6382727867 }], [], orderFormats)).toBe('1,2025-06-02,600000.SH,value,93754.64,,expired,suspended,0,0,,0,2025-06-03\r\n');
    expect(csvRows(orderColumns, [{ ...base, kind: 'target_percent', amount: 0.1 / 3 }], [], orderFormats)).toContain(',target_percent,0.03333333333333333,');
    expect(csvRows(orderColumns, [{ ...base, kind: 'shares', amount: -500, requestedShares: -500, filledShares: 300, avgPrice: 10.1 + 0.2, costs: 5.000000001 }], [], orderFormats)).toContain(',shares,-500,,expired,suspended,-500,300,10.3,5,');
  });
});

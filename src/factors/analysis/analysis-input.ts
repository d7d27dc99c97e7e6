/**
 * Everything the daily pass needs for an analysis's params, from the stores: the universe's panel
 * from the cache — from the first factor day (with the new-listing window before it when new
 * listings are left out) to far enough past the last one for the longest horizon and postponed exits
 * — the factor's stored values aligned to it (on shared memory, for the thread), the stocks'
 * industries and listing days. The executor and `zquant factor analyse` both build it here.
 */
import type { MarketStore } from '../../market/duckdb.ts';
import { addDays, isoDay } from '../../market/days.ts';
import { barRange } from '../../market/market.service.ts';
import { RunError } from '../../runs/executor-registry.ts';
import type { PanelCache, PanelKey } from '../../backtests/panel-cache.ts';
import type { Board } from '../../market/datasets.ts';
import { readFactorMatrix } from '../factors.service.ts';
import { stockFacts } from './analyses.service.ts';
import type { AnalysisParams } from './analysis.types.ts';
import type { AnalysisThreadInput } from './analysis.thread.ts';

/** Trading days loaded past the longest horizon for exits postponed by suspensions and limit-down opens. */
const exitSlackDays = 40;

/** The panel an analysis needs (see the header); `last` is the market data's last day. */
export function analysisPanelKey(p: AnalysisParams, last: number): PanelKey {
  const maxH = p.horizons[p.horizons.length - 1];
  // Calendar days covering maxH + 1 + slack trading days (5 of 7 days trade, plus holidays).
  const end = Math.min(last, Math.max(p.end_date, addDays(p.end_date, Math.ceil(((maxH + 1 + exitSlackDays) * 7) / 5) + 20)));
  return {
    codes: p.universe === 'codes' ? p.codes : null,
    boards: p.universe === 'all' ? ((p.boards as Board[] | null) ?? null) : null,
    excludeSt: false,
    start: p.start_date,
    end,
    warmupDays: p.exclude_new_listings ? p.new_listing_days : 0,
    fields: p.size_neutral ? ['total_mv'] : [],
    adjust: 'hfq',
  };
}

function lowerBound(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (a[m] < x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

export async function analysisInput(market: MarketStore, panels: PanelCache, p: AnalysisParams, factorKey: string, log: (message: string) => void): Promise<{ input: AnalysisThreadInput; days: number; stocks: number }> {
  const range = await barRange(market);
  if (!range) throw new RunError('no_data', 'the market data has no daily bars; sync data first', { retryable: false });
  const t0 = Date.now();
  const { panel } = await panels.get(analysisPanelKey(p, range.last));
  const N = panel.codes.length;
  const dates = panel.dates;
  const from = lowerBound(dates, p.start_date);
  const to = lowerBound(dates, p.end_date + 1) - 1;
  if (N === 0 || from > to) throw new RunError('no_data', `no market data for this universe between ${isoDay(p.start_date)} and ${isoDay(p.end_date)}`, { retryable: false });
  log(`panel: ${N} stocks × ${dates.length} days in ${Date.now() - t0} ms`);
  const t1 = Date.now();
  const values = await readFactorMatrix(market, factorKey, { codes: panel.codes, dates });
  const factor = new Float64Array(new SharedArrayBuffer(values.byteLength));
  factor.set(values);
  const facts = await stockFacts(market, panel.codes);
  // A listing before the panel's first day counts as long ago: the panel starts new_listing_days before the first factor day.
  const listedDay = new Int32Array(N);
  for (let i = 0; i < N; i++) listedDay[i] = facts.listDate[i] > 0 && facts.listDate[i] >= dates[0] ? lowerBound(dates, facts.listDate[i]) : -1_000_000;
  log(`factor ${factorKey}: values read in ${Date.now() - t1} ms`);
  const input: AnalysisThreadInput = {
    market: panel, factor, from, to, industry: facts.industry, industries: facts.industries, listedDay,
    marketCap: p.size_neutral ? (panel.fields.total_mv ?? null) : null,
    options: {
      horizons: p.horizons, quantiles: p.quantiles, industryNeutral: p.industry_neutral, sizeNeutral: p.size_neutral,
      excludeSt: p.exclude_st, minListedDays: p.exclude_new_listings ? p.new_listing_days : 0,
    },
  };
  return { input, days: to - from + 1, stocks: N };
}

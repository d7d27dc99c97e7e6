/**
 * The demo market (generator.ts) as the datasets' rows, one open day (or one table) at a time, in
 * the shape Tushare's endpoints give them: what the seed appends, the demo sync source serves and
 * the fake Tushare server answers. Open/high/low, volume and the daily_basic indicators are derived
 * here from stateless noise keyed by (seed, stock, day), so the same day always gives the same rows.
 */
import { datasets } from '../datasets.ts';
import { INT_NULL, makeBatch, type Batch } from '../store/batch.ts';
import { downLimitCents, limitPercent, upLimitCents } from '../../engine/rules.ts';
import { DEMO_INDEX, type DemoMarket, type DemoStock } from './generator.ts';
import { normal, uniform } from './noise.ts';

function eventAt(days: Int32Array, d: number): number {
  let lo = 0;
  let hi = days.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (days[mid] <= d) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function adjAt(m: DemoMarket, i: number, d: number): number {
  const e = eventAt(m.adjDays[i], d);
  return e < 0 ? 1 : m.adjValues[i][e];
}

function multAt(m: DemoMarket, i: number, d: number): number {
  const e = eventAt(m.adjDays[i], d);
  return e < 0 ? 1 : m.shareMult[i][e];
}

const isSt = (s: DemoStock, d: number) => d >= s.stStart && d < s.stEnd;
const listedOn = (s: DemoStock, d: number) => d >= s.listIdx && d < s.endIdx;

const r2 = (x: number) => Math.round(x * 100) / 100;
const r4 = (x: number) => Math.round(x * 10000) / 10000;

/** The whole market's daily bars of one open day (Tushare `daily` by trade_date). */
export function demoDailyBars(m: DemoMarket, d: number, codes?: ReadonlySet<string>): Batch {
  const N = m.stocks.length;
  const seed = m.params.seed | 0;
  const b = makeBatch(datasets.daily_bars, N);
  const [code, date, open, high, low, close, pre, change, pct, vol, amount] = b.columns as [
    (string | null)[], Int32Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array,
  ];
  let n = 0;
  for (let i = 0; i < N; i++) {
    const c = m.closeCents[d * N + i];
    if (c === 0) continue;
    const s = m.stocks[i];
    if (codes && !codes.has(s.tsCode)) continue;
    const p = m.preCloseCents[d * N + i];
    const pctLimit = limitPercent(s.board, isSt(s, d), m.dates[d]);
    const up = d === s.listIdx ? 1e9 : upLimitCents(p, pctLimit);
    const dn = d === s.listIdx ? 1 : downLimitCents(p, pctLimit);
    const sig = 0.01 + 0.01 * uniform(seed, i, d, 20);
    let o: number, h: number, l: number;
    const locked = (c === up || c === dn) && uniform(seed, i, d, 21) < 0.4;
    if (locked) {
      o = h = l = c;
    } else {
      o = Math.min(up, Math.max(dn, Math.round(p + (c - p) * uniform(seed, i, d, 22) * 0.6 + p * sig * 0.5 * normal(seed, i, d, 23))));
      h = Math.min(up, Math.round(Math.max(o, c) * (1 + sig * Math.abs(normal(seed, i, d, 24)) * 0.6)));
      l = Math.max(dn, Math.round(Math.min(o, c) * (1 - sig * Math.abs(normal(seed, i, d, 25)) * 0.6)));
      l = Math.max(1, l);
    }
    const turnover = 0.004 + 0.02 * uniform(seed, i, d, 26) + (Math.abs(c - p) / p) * 0.2;
    const lots = Math.max(1, Math.round(((s.floatShares * multAt(m, i, d) * turnover) / 100) * (locked ? 0.15 : 1)));
    code[n] = s.tsCode;
    date[n] = m.dates[d];
    open[n] = o / 100;
    high[n] = h / 100;
    low[n] = l / 100;
    close[n] = c / 100;
    pre[n] = p / 100;
    change[n] = (c - p) / 100;
    pct[n] = r4(((c - p) / p) * 100);
    vol[n] = lots;
    amount[n] = Math.round((lots * 100 * (o + h + l + c)) / 4 / 100) / 1000;
    n++;
  }
  b.length = n;
  return b;
}

/** adj_factor rows of one open day, for every listed stock (suspended ones included, as Tushare does). */
export function demoAdjFactors(m: DemoMarket, d: number, codes?: ReadonlySet<string>): Batch {
  const b = makeBatch(datasets.adj_factors, m.stocks.length);
  const [code, date, factor] = b.columns as [(string | null)[], Int32Array, Float64Array];
  let n = 0;
  m.stocks.forEach((s, i) => {
    if (!listedOn(s, d) || (codes && !codes.has(s.tsCode))) return;
    code[n] = s.tsCode;
    date[n] = m.dates[d];
    factor[n++] = adjAt(m, i, d);
  });
  b.length = n;
  return b;
}

/** daily_basic rows of one open day (stocks with a bar). */
export function demoDailyBasic(m: DemoMarket, d: number, codes?: ReadonlySet<string>): Batch {
  const N = m.stocks.length;
  const seed = m.params.seed | 0;
  const def = datasets.daily_basic;
  const b = makeBatch(def, N);
  const col = (name: string) => b.columns[def.columns.findIndex((c) => c.name === name)] as Float64Array;
  const code = b.columns[0] as (string | null)[];
  const date = b.columns[1] as Int32Array;
  const [close, tr, trf, vr, pe, peTtm, pb, ps, psTtm, dv, dvTtm, total, float, free, totalMv, circMv] = [
    'close', 'turnover_rate', 'turnover_rate_f', 'volume_ratio', 'pe', 'pe_ttm', 'pb', 'ps', 'ps_ttm', 'dv_ratio', 'dv_ttm',
    'total_share', 'float_share', 'free_share', 'total_mv', 'circ_mv',
  ].map(col);
  let n = 0;
  for (let i = 0; i < N; i++) {
    const c = m.closeCents[d * N + i];
    if (c === 0) continue;
    const s = m.stocks[i];
    if (codes && !codes.has(s.tsCode)) continue;
    const mult = multAt(m, i, d);
    const adj = adjAt(m, i, d);
    const price = c / 100;
    const hfq = price * adj;
    code[n] = s.tsCode;
    date[n] = m.dates[d];
    close[n] = price;
    const t = 0.4 + 2.5 * uniform(seed, i, d, 26);
    tr[n] = r4(t);
    trf[n] = r4(t * (s.totalShares / s.floatShares));
    vr[n] = r2(0.5 + uniform(seed, i, d, 30));
    const eps = s.eps * (1 + 0.1 * Math.sin(d / 60 + i));
    pe[n] = eps > 0 ? r4(hfq / eps) : NaN;
    peTtm[n] = eps > 0 ? r4(hfq / (eps * 1.03)) : NaN;
    pb[n] = r4(hfq / s.bps);
    ps[n] = r4(hfq / s.sps);
    psTtm[n] = r4(hfq / (s.sps * 1.02));
    dv[n] = s.dps > 0 ? r4((s.dps / hfq) * 100) : NaN;
    dvTtm[n] = dv[n];
    total[n] = r4((s.totalShares * mult) / 1e4);
    float[n] = r4((s.floatShares * mult) / 1e4);
    free[n] = r4((s.floatShares * mult * 0.8) / 1e4);
    totalMv[n] = r4((price * s.totalShares * mult) / 1e4);
    circMv[n] = r4((price * s.floatShares * mult) / 1e4);
    n++;
  }
  b.length = n;
  return b;
}

/** stk_limit rows of one open day; a new listing's first day has no limit on registration boards (null). */
export function demoLimitPrices(m: DemoMarket, d: number, codes?: ReadonlySet<string>): Batch {
  const N = m.stocks.length;
  const b = makeBatch(datasets.limit_prices, N);
  const [code, date, up, down] = b.columns as [(string | null)[], Int32Array, Float64Array, Float64Array];
  let n = 0;
  for (let i = 0; i < N; i++) {
    const s = m.stocks[i];
    if (!listedOn(s, d) || (codes && !codes.has(s.tsCode))) continue;
    const p = m.preCloseCents[d * N + i];
    code[n] = s.tsCode;
    date[n] = m.dates[d];
    if (d === s.listIdx && s.listDate === m.dates[d]) {
      up[n] = s.board === 'main' ? Math.floor((p * 144 + 50) / 100) / 100 : NaN;
      down[n] = s.board === 'main' ? Math.floor((p * 64 + 50) / 100) / 100 : NaN;
    } else {
      const pct = limitPercent(s.board, isSt(s, d), m.dates[d]);
      up[n] = upLimitCents(p, pct) / 100;
      down[n] = downLimitCents(p, pct) / 100;
    }
    n++;
  }
  b.length = n;
  return b;
}

/** suspend_d rows of one open day: listed stocks without a bar. */
export function demoSuspensions(m: DemoMarket, d: number, codes?: ReadonlySet<string>): Batch {
  const N = m.stocks.length;
  const b = makeBatch(datasets.suspensions, N);
  const [code, date, timing, type] = b.columns as [(string | null)[], Int32Array, (string | null)[], (string | null)[]];
  let n = 0;
  for (let i = 0; i < N; i++) {
    const s = m.stocks[i];
    if (!listedOn(s, d) || m.closeCents[d * N + i] !== 0 || (codes && !codes.has(s.tsCode))) continue;
    code[n] = s.tsCode;
    date[n] = m.dates[d];
    timing[n] = null;
    type[n] = 'S';
    n++;
  }
  b.length = n;
  return b;
}

/** index_daily rows of the demo index between two open-day indexes (inclusive). */
export function demoIndexDaily(m: DemoMarket, from: number, to: number): Batch {
  const b = makeBatch(datasets.index_daily, Math.max(0, to - from + 1));
  const [code, date, close, open, high, low, pre, change, pct, vol, amount] = b.columns as [
    (string | null)[], Int32Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array,
  ];
  const seed = m.params.seed | 0;
  let n = 0;
  for (let d = from; d <= to; d++) {
    const c = m.indexClose[d];
    const p = d > 0 ? m.indexClose[d - 1] : c;
    code[n] = DEMO_INDEX;
    date[n] = m.dates[d];
    close[n] = c;
    open[n] = r2(p + (c - p) * 0.3 * uniform(seed, -1, d, 40));
    high[n] = r2(Math.max(open[n], c) * (1 + 0.006 * uniform(seed, -1, d, 41)));
    low[n] = r2(Math.min(open[n], c) * (1 - 0.006 * uniform(seed, -1, d, 42)));
    pre[n] = p;
    change[n] = r2(c - p);
    pct[n] = r4(((c - p) / p) * 100);
    vol[n] = Math.round(1e8 * (0.8 + 0.4 * uniform(seed, -1, d, 43)));
    amount[n] = Math.round(2e8 * (0.8 + 0.4 * uniform(seed, -1, d, 44)) * 1000) / 1000;
    n++;
  }
  b.length = n;
  return b;
}

/** stock_basic rows, optionally only those of one list_status. */
export function demoStocks(m: DemoMarket, listStatus?: string): Batch {
  const def = datasets.stocks;
  const list = m.stocks.filter((s) => !listStatus || s.listStatus === listStatus);
  const b = makeBatch(def, list.length);
  const cols = b.columns;
  list.forEach((s, n) => {
    const values: (string | number | null)[] = [
      s.tsCode, s.symbol, s.name, s.area, s.industry, s.market, s.exchange, s.listStatus, s.listDate, s.delistDate, s.isHs, s.board,
    ];
    values.forEach((v, c) => {
      if (def.columns[c].kind === 'str') (cols[c] as (string | null)[])[n] = v as string | null;
      else (cols[c] as Int32Array)[n] = v === null ? INT_NULL : (v as number);
    });
  });
  return b;
}

/** trade_cal rows for both exchanges the demo lists on (SSE and SZSE share one calendar). */
export function demoCalendarRows(m: DemoMarket, exchanges: readonly string[] = ['SSE', 'SZSE', 'BSE']): Batch {
  const n = m.calendar.length * exchanges.length;
  const b = makeBatch(datasets.trade_calendar, n);
  const [ex, date, open, pre] = b.columns as [(string | null)[], Int32Array, Int32Array, Int32Array];
  let k = 0;
  for (const e of exchanges) {
    let lastOpen = INT_NULL;
    for (const c of m.calendar) {
      ex[k] = e;
      date[k] = c.date;
      open[k] = c.isOpen ? 1 : 0;
      pre[k] = lastOpen;
      if (c.isOpen) lastOpen = c.date;
      k++;
    }
  }
  return b;
}

/** ST periods as Tushare namechange would give them. */
export function demoStPeriods(m: DemoMarket): Batch {
  const list = m.stocks.filter((s) => s.stStart >= 0 && s.stStart < s.endIdx);
  const b = makeBatch(datasets.st_periods, list.length);
  const [code, start, end] = b.columns as [(string | null)[], Int32Array, Int32Array];
  list.forEach((s, n) => {
    code[n] = s.tsCode;
    start[n] = m.dates[s.stStart];
    end[n] = s.stEnd < m.dates.length ? m.dates[s.stEnd] : INT_NULL;
  });
  return b;
}


import { boardOf, datasets, type Board } from '../datasets.ts';
import { INT_NULL, makeBatch, type Batch } from '../store/batch.ts';
import { downLimitCents, limitPercent, upLimitCents } from '../../engine/rules.ts';
import { addDays } from '../days.ts';
import { demoCalendar, type CalendarDay } from './calendar.ts';
import { normal, uniform } from './noise.ts';

/** Sizes the demo market. Same parameters → byte-identical data. */
export interface DemoParams {
  seed: number;
  stocks: number;
  years: number;
  /** Last calendar day (YYYYMMDD). */
  end: number;
}

export const defaultDemoParams: DemoParams = { seed: 20240101, stocks: 300, years: 5, end: 20261127 };

export interface DemoStock {
  tsCode: string;
  symbol: string;
  name: string;
  board: Board;
  exchange: 'SSE' | 'SZSE' | 'BSE';
  market: string;
  industry: string;
  area: string;
  listDate: number;
  delistDate: number | null;
  listStatus: 'L' | 'D' | 'P';
  /** Open-day indexes: first day with a bar, first day after the last one (D when still listed). */
  listIdx: number;
  endIdx: number;
  stStart: number;
  stEnd: number;
  totalShares: number;
  floatShares: number;
  eps: number;
  bps: number;
  sps: number;
  dps: number;
  isHs: string;
}

/**
 * A whole synthetic A-share market. Closing and reference prices are simulated stock by stock
 * (in cents, day-major, 0 = no bar); everything else for a day (open/high/low, volume, indicators)
 * is derived on demand from stateless noise, so holding 5,000 × 10 years costs 2 Int32Arrays.
 */
export interface DemoMarket {
  readonly params: DemoParams;
  readonly calendar: readonly CalendarDay[];
  /** Open days, YYYYMMDD ascending. */
  readonly dates: Int32Array;
  readonly stocks: readonly DemoStock[];
  readonly closeCents: Int32Array;
  readonly preCloseCents: Int32Array;
  /** Per stock: open-day indexes of ex-rights days and the cumulative adj factor / share multiplier from then on. */
  readonly adjDays: readonly Int32Array[];
  readonly adjValues: readonly Float64Array[];
  readonly shareMult: readonly Float64Array[];
  readonly indexClose: Float64Array;
}

export const DEMO_INDEX = '000300.SH';

const industries = ['银行', '医药生物', '电子', '计算机', '食品饮料', '化工', '机械设备', '汽车', '电力设备', '房地产', '有色金属', '传媒'];
const areas = ['北京', '上海', '深圳', '广东', '浙江', '江苏', '山东', '四川', '湖北', '福建'];
const head = ['华', '中', '金', '新', '海', '天', '东', '国', '长', '宏', '泰', '恒', '瑞', '安', '鼎'];
const mid = ['科', '信', '通', '能', '达', '源', '电', '药', '材', '汽', '联', '光', '星', '龙', '德'];
const tail = ['股份', '科技', '集团', '电子', '医药', '控股', '智能', '新材'];
const marketName: Record<Board, string> = { main: '主板', chinext: '创业板', star: '科创板', bse: '北交所' };

function makeCodes(n: number, seed: number): { code: string; board: Board }[] {
  // Board mix close to the real market: ~60% main, 20% ChiNext, 12% STAR, 8% Beijing.
  const counters: Record<string, number> = {};
  const out: { code: string; board: Board }[] = [];
  const seen = new Set<string>();
  for (let i = 0; out.length < n; i++) {
    const u = uniform(seed, i, 0, 1);
    const prefix = u < 0.3 ? '600' : u < 0.4 ? '601' : u < 0.45 ? '000' : u < 0.6 ? '002' : u < 0.8 ? '300' : u < 0.92 ? '688' : '83';
    counters[prefix] = (counters[prefix] ?? 0) + 1 + Math.floor(uniform(seed, i, 1, 1) * 3);
    const digits = 6 - prefix.length;
    const num = String(counters[prefix] % 10 ** digits).padStart(digits, '0');
    const suffix = prefix === '83' ? 'BJ' : prefix.startsWith('6') ? 'SH' : 'SZ';
    const code = `${prefix}${num}.${suffix}`;
    if (seen.has(code)) continue;
    seen.add(code);
    out.push({ code, board: boardOf(code) });
  }
  return out.sort((a, b) => (a.code < b.code ? -1 : 1));
}

/** Generates the market. 5,000 stocks × 10 years takes a few seconds. */
export function generateDemoMarket(params: DemoParams = defaultDemoParams): DemoMarket {
  const seed = params.seed | 0;
  const start = addDays(params.end, -Math.round(params.years * 365.25) + 1);
  const calendar = demoCalendar(start, params.end);
  const dates = Int32Array.from(calendar.filter((c) => c.isOpen).map((c) => c.date));
  const D = dates.length;
  const N = params.stocks;
  const codes = makeCodes(N, seed);

  // The market factor: a slow bull/bear cycle plus daily noise.
  const marketRet = new Float64Array(D);
  for (let d = 0; d < D; d++) marketRet[d] = 0.0004 * Math.sin((2 * Math.PI * d) / 700) + 0.0002 + 0.011 * normal(seed, 0, d, 2);

  const stocks: DemoStock[] = [];
  const closeCents = new Int32Array(D * N);
  const preCloseCents = new Int32Array(D * N);
  const adjDays: Int32Array[] = [];
  const adjValues: Float64Array[] = [];
  const shareMult: Float64Array[] = [];

  for (let i = 0; i < N; i++) {
    const { code, board } = codes[i];
    const u = (k: number) => uniform(seed, i + 1, 0, k);
    const preExisting = u(1) < 0.75;
    const listIdx = preExisting ? 0 : 1 + Math.floor(u(2) * Math.max(1, D - 30));
    const listDate = preExisting ? addDays(start, -30 - Math.floor(u(3) * 9000)) : dates[listIdx];
    const hasSt = u(4) < 0.06;
    const stStart = hasSt ? listIdx + 60 + Math.floor(u(5) * Math.max(1, D - listIdx - 200)) : -1;
    const stEnd = hasSt ? Math.min(D, stStart + 120 + Math.floor(u(6) * 380)) : -1;
    let endIdx = D;
    if (hasSt && u(7) < 0.5 && stEnd < D) endIdx = stEnd;
    else if (u(8) < 0.03) endIdx = Math.min(D, listIdx + 250 + Math.floor(u(9) * D));
    const paused = endIdx === D && u(10) < 0.005;
    if (paused) endIdx = Math.max(listIdx + 20, D - 1 - Math.floor(u(11) * 60));
    const exchange = code.endsWith('.SH') ? 'SSE' : code.endsWith('.SZ') ? 'SZSE' : 'BSE';
    const stNow = hasSt && stEnd >= D;
    const baseName = `${head[Math.floor(u(12) * head.length)]}${mid[Math.floor(u(13) * mid.length)]}${tail[Math.floor(u(14) * tail.length)]}`;
    const totalShares = Math.round(1e8 * Math.exp(u(15) * 4)) ;
    const price0 = Math.exp(Math.log(3) + u(16) * Math.log(30));
    stocks.push({
      tsCode: code,
      symbol: code.slice(0, 6),
      name: stNow ? (u(17) < 0.5 ? `ST${baseName}` : `*ST${baseName}`) : baseName,
      board,
      exchange,
      market: marketName[board],
      industry: industries[Math.floor(u(18) * industries.length)],
      area: areas[Math.floor(u(19) * areas.length)],
      listDate,
      delistDate: endIdx < D && !paused ? dates[endIdx] : null,
      listStatus: endIdx >= D ? 'L' : paused ? 'P' : 'D',
      listIdx,
      endIdx,
      stStart,
      stEnd,
      totalShares,
      floatShares: Math.round(totalShares * (0.4 + 0.6 * u(20))),
      eps: price0 * (u(21) < 0.15 ? -0.02 : 0.02 + 0.06 * u(22)),
      bps: price0 * (0.2 + 0.5 * u(23)),
      sps: price0 * (0.3 + u(24)),
      dps: price0 * 0.015 * u(25),
      isHs: u(26) < 0.5 ? 'S' : 'N',
    });

    // Price path, in cents, clipped to the day's limits (so limit-up/down days happen naturally).
    const beta = 0.6 + 0.8 * u(27);
    const sigma = 0.012 + 0.02 * u(28);
    const days: number[] = [];
    const factors: number[] = [];
    const mults: number[] = [];
    let adj = 1;
    let mult = 1;
    let last = Math.max(100, Math.round(price0 * 100));
    let suspendLeft = 0;
    for (let d = listIdx; d < endIdx; d++) {
      const k = d * N + i;
      const st = d >= stStart && d < stEnd;
      let pre = last;
      if (d > listIdx) {
        if (suspendLeft > 0) {
          suspendLeft--;
          preCloseCents[k] = last;
          continue;
        }
        if (uniform(seed, i, d, 3) < 0.0015) {
          suspendLeft = Math.floor(uniform(seed, i, d, 4) * 15);
          preCloseCents[k] = last;
          continue;
        }
        // Ex-rights: a cash dividend (about 0.6 a year) and now and then a bonus/transfer issue.
        const ud = uniform(seed, i, d, 5);
        if (ud < 0.0028) {
          const cash = Math.min(last * 0.05, Math.round(last * (0.005 + 0.03 * uniform(seed, i, d, 6))));
          const ratio = ud < 0.0004 ? [0.2, 0.3, 0.5, 1][Math.floor(uniform(seed, i, d, 7) * 4)] : 0;
          pre = Math.max(1, Math.round((last - cash) / (1 + ratio)));
          adj = Math.round(adj * (last / pre) * 1e6) / 1e6;
          mult *= 1 + ratio;
          days.push(d);
          factors.push(adj);
          mults.push(mult);
        }
      }
      preCloseCents[k] = pre;
      let close: number;
      if (d === listIdx && !preExisting) {
        // Debut: main board capped at +44%, registration boards trade freely on day one.
        const pop = board === 'main' ? 0.44 : 0.2 + 1.2 * uniform(seed, i, d, 8);
        close = Math.round(pre * (1 + pop));
      } else {
        const jump = uniform(seed, i, d, 9) < 0.01 ? (uniform(seed, i, d, 10) < 0.55 ? 0.12 : -0.12) : 0;
        const ret = beta * marketRet[d] + (st ? 1.4 : 1) * sigma * normal(seed, i, d, 11) + jump;
        const p = limitPercent(board, st, dates[d]);
        close = Math.round(pre * (1 + ret));
        close = Math.min(upLimitCents(pre, p), Math.max(downLimitCents(pre, p), close));
      }
      last = closeCents[k] = Math.max(1, close);
    }
    adjDays.push(Int32Array.from(days));
    adjValues.push(Float64Array.from(factors));
    shareMult.push(Float64Array.from(mults));
  }

  const indexClose = new Float64Array(D);
  let level = 3800;
  for (let d = 0; d < D; d++) {
    level = Math.round(level * (1 + marketRet[d] + 0.002 * normal(seed, 0, d, 12)) * 100) / 100;
    indexClose[d] = level;
  }
  return { params, calendar, dates, stocks, closeCents, preCloseCents, adjDays, adjValues, shareMult, indexClose };
}

/** The open-day index of a date, or -1. */
export function dayIndex(m: DemoMarket, date: number): number {
  let lo = 0;
  let hi = m.dates.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = m.dates[mid];
    if (v === date) return mid;
    if (v < date) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

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


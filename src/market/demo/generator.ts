import { boardOf, type Board } from '../datasets.ts';
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
 * is derived on demand from stateless noise (rows.ts), so holding 5,000 × 10 years costs 2 Int32Arrays.
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

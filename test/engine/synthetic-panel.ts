// A plausible random-walk market, seeded: for strategy tests and the engine benchmark.
import type { BenchmarkSeries, Panel } from '../../src/engine/panel.ts';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function clip(p: number, up: number, dn: number): number {
  return Math.min(up, Math.max(dn, Math.round(p * 100) / 100));
}

export interface SyntheticOptions {
  stocks: number;
  days: number;
  seed?: number;
  /** Allocate arrays on SharedArrayBuffers (so workers and isolates can share them). */
  shared?: boolean;
  startDate?: string;
  fields?: boolean;
}

/** Daily moves ~N(0.0003, 0.02) clipped to the ±10% limit, gaps at the open, ~0.2% suspended days,
 * a dividend (adj factor step) about once a year per stock, and some late listings. */
export function syntheticPanel(o: SyntheticOptions): { panel: Panel; benchmark: BenchmarkSeries } {
  const rnd = mulberry32(o.seed ?? 42);
  const N = o.stocks;
  const D = o.days;
  const f64 = () => (o.shared ? new Float64Array(new SharedArrayBuffer(D * N * 8)) : new Float64Array(D * N));
  const u8 = () => (o.shared ? new Uint8Array(new SharedArrayBuffer(D * N)) : new Uint8Array(D * N));
  const dates = new Int32Array(D);
  const t = new Date(`${o.startDate ?? '2014-01-02'}T00:00:00Z`);
  for (let d = 0; d < D; ) {
    const wd = t.getUTCDay();
    if (wd !== 0 && wd !== 6) dates[d++] = Number(t.toISOString().slice(0, 10).replaceAll('-', ''));
    t.setUTCDate(t.getUTCDate() + 1);
  }
  const codes: string[] = [];
  for (let i = 0; i < N; i++) codes.push(i % 2 ? `${String(600000 + i).padStart(6, '0')}.SH` : `${String(i).padStart(6, '0')}.SZ`);
  const open = f64(), high = f64(), low = f64(), close = f64(), preClose = f64(), volume = f64(), amount = f64(), adjFactor = f64(), upLimit = f64(), downLimit = f64();
  const suspended = u8(), listed = u8(), st = u8();
  upLimit.fill(NaN);
  downLimit.fill(NaN);
  const gauss = () => {
    const u = rnd() || 1e-12;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  };
  const price = new Float64Array(N);
  const factor = new Float64Array(N);
  const listDay = new Int32Array(N);
  const suspendLeft = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    price[i] = 5 + rnd() * 45;
    factor[i] = 1;
    listDay[i] = rnd() < 0.1 ? Math.floor(rnd() * D * 0.8) : 0;
  }
  for (let d = 0; d < D; d++) {
    for (let i = 0; i < N; i++) {
      const k = d * N + i;
      open[k] = high[k] = low[k] = close[k] = preClose[k] = volume[k] = amount[k] = NaN;
      adjFactor[k] = factor[i];
      if (d < listDay[i]) continue;
      listed[k] = 1;
      if (suspendLeft[i] > 0 || rnd() < 0.002) {
        suspendLeft[i] = suspendLeft[i] > 0 ? suspendLeft[i] - 1 : Math.floor(rnd() * 5);
        suspended[k] = 1;
        continue;
      }
      let pc = price[i];
      if (d > listDay[i] && rnd() < 1 / 250) {
        // Cash dividend of 1–3%: the reference price drops, the factor rises by the same ratio.
        const div = pc * (0.01 + rnd() * 0.02);
        const ex = Math.round((pc - div) * 100) / 100;
        factor[i] *= pc / ex;
        adjFactor[k] = factor[i];
        pc = ex;
      }
      const up = Math.round(pc * 110) / 100;
      const dn = Math.round(pc * 90) / 100;
      const c = clip(pc * (1 + 0.0003 + 0.02 * gauss()), up, dn);
      const op = clip(pc * (1 + 0.005 * gauss()), up, dn);
      preClose[k] = pc;
      open[k] = op;
      close[k] = c;
      high[k] = clip(Math.max(op, c) * (1 + Math.abs(0.01 * gauss())), up, dn);
      low[k] = clip(Math.min(op, c) * (1 - Math.abs(0.01 * gauss())), up, dn);
      volume[k] = Math.round(1e5 + rnd() * 1e7) * 100;
      amount[k] = volume[k] * c;
      price[i] = c;
    }
  }
  const fields: Record<string, Float64Array> = {};
  if (o.fields) {
    const pe = f64(), pb = f64(), tr = f64();
    for (let k = 0; k < D * N; k++) {
      pe[k] = close[k] === close[k] ? (close[k] / 2) * (0.5 + rnd()) : NaN;
      pb[k] = close[k] === close[k] ? close[k] / 10 : NaN;
      tr[k] = close[k] === close[k] ? rnd() * 12 : NaN;
    }
    fields.pe_ttm = pe;
    fields.pb = pb;
    fields.turnover_rate = tr;
    // A stored factor as the backtest plan loads one (src/factors: field `factor:<id>`), for factor_rank:
    // the 20-day return of the close (no random draw, so the fields above stay as they were).
    const mom = f64().fill(NaN);
    for (let k = 20 * N; k < D * N; k++) mom[k] = close[k] / close[k - 20 * N] - 1;
    fields['factor:momentum_20'] = mom;
  }
  const bclose = new Float64Array(D);
  for (let d = 0; d < D; d++) {
    let s = 0;
    let c = 0;
    for (let i = 0; i < N; i++) {
      const v = close[d * N + i] * adjFactor[d * N + i];
      if (v === v) {
        s += Math.log(v);
        c++;
      }
    }
    bclose[d] = c ? Math.exp(s / c) * 100 : NaN;
  }
  return {
    panel: { dates, codes, open, high, low, close, preClose, volume, amount, adjFactor, upLimit, downLimit, suspended, listed, st, fields },
    benchmark: { code: '000300.SH', close: bclose },
  };
}

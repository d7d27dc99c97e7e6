// Builds small hand-written panels for engine tests: one column per stock, prices per day.
import type { Panel } from '../../src/engine/panel.ts';

export interface StockSpec {
  code: string;
  /** Close per day; NaN = no bar (suspended when listed). */
  close: number[];
  open?: number[];
  high?: number[];
  low?: number[];
  preClose?: number[];
  volume?: number[];
  adjFactor?: number[];
  listed?: number[];
  st?: number[];
  upLimit?: number[];
  downLimit?: number[];
  fields?: Record<string, number[]>;
}

/** A panel over `dates` (YYYYMMDD): open/high/low default to the close, preClose to the previous close,
 * volume to 1e9 shares, adj factor to 1, listed to 1; a listed day without a close is suspended. */
export function makePanel(dates: number[], stocks: StockSpec[]): Panel {
  const D = dates.length;
  const N = stocks.length;
  const f = () => new Float64Array(D * N).fill(NaN);
  const p = {
    dates: Int32Array.from(dates),
    codes: stocks.map((s) => s.code),
    open: f(), high: f(), low: f(), close: f(), preClose: f(), volume: f(), amount: f(), adjFactor: f(), upLimit: f(), downLimit: f(),
    suspended: new Uint8Array(D * N), listed: new Uint8Array(D * N), st: new Uint8Array(D * N),
    fields: {} as Record<string, Float64Array>,
  };
  stocks.forEach((s, i) => {
    let lastClose = NaN;
    for (let d = 0; d < D; d++) {
      const k = d * N + i;
      const c = s.close[d];
      const listed = s.listed ? s.listed[d] : 1;
      p.listed[k] = listed;
      p.st[k] = s.st ? s.st[d] : 0;
      p.adjFactor[k] = s.adjFactor ? s.adjFactor[d] : 1;
      if (s.upLimit) p.upLimit[k] = s.upLimit[d];
      if (s.downLimit) p.downLimit[k] = s.downLimit[d];
      if (c === c && listed) {
        p.close[k] = c;
        p.open[k] = s.open ? s.open[d] : c;
        p.high[k] = s.high ? s.high[d] : Math.max(c, p.open[k]);
        p.low[k] = s.low ? s.low[d] : Math.min(c, p.open[k]);
        p.preClose[k] = s.preClose ? s.preClose[d] : lastClose === lastClose ? lastClose : c;
        p.volume[k] = s.volume ? s.volume[d] : 1e9;
        p.amount[k] = p.volume[k] * c;
        lastClose = c;
      } else if (listed) p.suspended[k] = 1;
      for (const [name, values] of Object.entries(s.fields ?? {})) {
        p.fields[name] ??= f();
        p.fields[name][k] = values[d];
      }
    }
  });
  return p;
}

/** Trading dates from a start, skipping weekends (enough for tests). */
export function tradingDates(start: string, count: number): number[] {
  const out: number[] = [];
  const t = new Date(`${start}T00:00:00Z`);
  while (out.length < count) {
    const wd = t.getUTCDay();
    if (wd !== 0 && wd !== 6) out.push(Number(t.toISOString().slice(0, 10).replaceAll('-', '')));
    t.setUTCDate(t.getUTCDate() + 1);
  }
  return out;
}

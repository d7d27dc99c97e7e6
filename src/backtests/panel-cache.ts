/**
 * Warm panels in memory, keyed by what was loaded (universe, range, fields, adjust mode), bounded
 * by total bytes (least recently used goes first). Arrays live on SharedArrayBuffers from the start
 * (loadPanel and the transforms below allocate them there), so a backtest's worker thread reads
 * them without a copy per run and the cache never copies a loaded panel. Concurrent requests for
 * the same key share one load.
 */
import { panelArrays, type BenchmarkSeries, type Panel } from '../engine/panel.ts';
import type { Board } from '../market/datasets.ts';
import type { MarketStore } from '../market/duckdb.ts';
import { tradingDayBefore } from '../market/market.service.ts';
import { loadBenchmark, loadPanel, sharedBuffers } from '../market/panel.ts';
import { makePanelGuard } from './panel-guard.ts';

export interface PanelKey {
  codes: readonly string[] | null;
  boards: readonly Board[] | null;
  excludeSt: boolean;
  /** YYYYMMDD, inclusive: the first simulated day when `warmupDays` is given, else the panel's first day. */
  start: number;
  end: number;
  /** Trading days loaded before `start` (src/backtests/plan.ts warm-up rule); 0 when absent. */
  warmupDays?: number;
  fields: readonly string[];
  adjust: 'hfq' | 'qfq' | 'none';
}

export interface LoadedPanel {
  panel: Panel;
  bytes: number;
}

/** `a` itself when it is already on a SharedArrayBuffer, else a copy there. */
function shared<T extends Float64Array | Uint8Array | Int32Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const C = a.constructor as { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };
  const out = new C(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

/** A zeroed array of `n` elements on a SharedArrayBuffer. */
function sharedArray<T extends Float64Array | Uint8Array>(C: { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, n: number): T {
  return new C(new SharedArrayBuffer(n * C.BYTES_PER_ELEMENT));
}

/** Keeps only the columns in `keep` (ascending stock indexes), day-major layout preserved. */
export function selectColumns(p: Panel, keep: readonly number[]): Panel {
  const N = p.codes.length;
  const M = keep.length;
  const D = p.dates.length;
  const pick = <T extends Float64Array | Uint8Array>(a: T): T => {
    const out = sharedArray(a.constructor as { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, D * M);
    for (let d = 0; d < D; d++) {
      const src = d * N;
      const dst = d * M;
      for (let j = 0; j < M; j++) out[dst + j] = a[src + keep[j]];
    }
    return out;
  };
  const fields: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(p.fields)) fields[k] = pick(v);
  return {
    dates: p.dates, codes: keep.map((i) => p.codes[i]),
    open: pick(p.open), high: pick(p.high), low: pick(p.low), close: pick(p.close), preClose: pick(p.preClose),
    volume: pick(p.volume), amount: pick(p.amount), adjFactor: pick(p.adjFactor), upLimit: pick(p.upLimit), downLimit: pick(p.downLimit),
    suspended: pick(p.suspended), listed: pick(p.listed), st: pick(p.st), fields,
  };
}

/** Stocks carrying an ST tag on any day of the range from `from` (the first simulated day; warm-up days do not count) are left out of the universe. */
function withoutSt(p: Panel, from: number): Panel {
  const N = p.codes.length;
  const stSeen = new Uint8Array(N);
  let d0 = 0;
  while (d0 < p.dates.length && p.dates[d0] < from) d0++;
  for (let k = d0 * N; k < p.st.length; k++) if (p.st[k]) stSeen[k % N] = 1;
  const keep: number[] = [];
  for (let i = 0; i < N; i++) if (!stSeen[i]) keep.push(i);
  return keep.length === N ? p : selectColumns(p, keep);
}

/** `none`: adjustment factors ignored (raw prices; splits and dividends are not applied to holdings). */
function unadjusted(p: Panel): Panel {
  return { ...p, adjFactor: sharedArray(Float64Array, p.adjFactor.length).fill(1) };
}

/**
 * `qfq`: forward adjustment to the panel's last day. Each stock's factors are divided by its last
 * known factor, so its adjusted price on the last day equals the actual close there (qfq price =
 * price × f / f_last). Ratios f1/f0 are unchanged, so the engine applies the same corporate actions
 * to holdings as with hfq; only the level of the signal prices differs.
 */
export function forwardAdjusted(p: Panel): Panel {
  const N = p.codes.length;
  const D = p.dates.length;
  const lastF = new Float64Array(N).fill(NaN);
  for (let d = D - 1; d >= 0; d--) {
    const row = d * N;
    let missing = 0;
    for (let i = 0; i < N; i++) {
      if (lastF[i] === lastF[i]) continue;
      const f = p.adjFactor[row + i];
      if (f === f && f > 0) lastF[i] = f;
      else missing++;
    }
    if (missing === 0) break;
  }
  const adjFactor = sharedArray(Float64Array, p.adjFactor.length);
  for (let d = 0; d < D; d++) {
    const row = d * N;
    for (let i = 0; i < N; i++) {
      const l = lastF[i];
      adjFactor[row + i] = l === l ? p.adjFactor[row + i] / l : p.adjFactor[row + i];
    }
  }
  return { ...p, adjFactor };
}

/** The panel with every array on a SharedArrayBuffer (copying only any that is not: none from this cache) and its size. */
function toShared(p: Panel): LoadedPanel {
  const out: Record<string, unknown> = { dates: shared(p.dates), codes: p.codes };
  let bytes = p.dates.byteLength;
  for (const k of panelArrays) {
    out[k] = shared(p[k]);
    bytes += p[k].byteLength;
  }
  const fields: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(p.fields)) {
    fields[k] = shared(v);
    bytes += v.byteLength;
  }
  out.fields = fields;
  return { panel: out as unknown as Panel, bytes };
}

export interface PanelCache {
  get(key: PanelKey): Promise<LoadedPanel>;
  benchmark(code: string, panel: Panel): Promise<BenchmarkSeries | null>;
  /** Records the panel's checksum before user code first sees it (panel-guard.ts). */
  seal(panel: Panel): void;
  /** After a user-code run: true when the panel is as sealed; else it is evicted and false. */
  verify(panel: Panel): boolean;
  /** Entries and bytes held (the bench and the log read it). */
  stats(): { entries: number; bytes: number; hits: number; misses: number };
  clear(): void;
}

export function makePanelCache(market: MarketStore, opts: { maxBytes?: number } = {}): PanelCache {
  const maxBytes = opts.maxBytes ?? 2 * 1024 ** 3;
  const entries = new Map<string, Promise<LoadedPanel>>();
  const sizes = new Map<string, number>();
  let hits = 0;
  let misses = 0;
  const guard = makePanelGuard();
  /** The key of the entry holding `panel` (resolved entries only). */
  const loadedAs = new WeakMap<Panel, string>();
  const evict = () => {
    let total = [...sizes.values()].reduce((a, b) => a + b, 0);
    for (const k of [...entries.keys()]) {
      if (total <= maxBytes || entries.size <= 1) break;
      if (!sizes.has(k)) continue;
      total -= sizes.get(k)!;
      sizes.delete(k);
      entries.delete(k);
    }
  };
  return {
    async get(key) {
      const k = JSON.stringify(key);
      const hit = entries.get(k);
      if (hit) {
        hits++;
        entries.delete(k);
        entries.set(k, hit);
        return hit;
      }
      misses++;
      const loading = (async () => {
        const start = key.warmupDays ? await tradingDayBefore(market, key.start, key.warmupDays) : key.start;
        let p = await loadPanel(
          market,
          { codes: key.codes, universe: key.codes ? null : { boards: key.boards ?? undefined }, start, end: key.end, fields: key.fields },
          { buffers: sharedBuffers },
        );
        if (key.excludeSt) p = withoutSt(p, key.start);
        if (key.adjust === 'none') p = unadjusted(p);
        else if (key.adjust === 'qfq') p = forwardAdjusted(p);
        return toShared(p);
      })();
      entries.set(k, loading);
      try {
        const loaded = await loading;
        sizes.set(k, loaded.bytes);
        loadedAs.set(loaded.panel, k);
        evict();
        return loaded;
      } catch (err) {
        entries.delete(k);
        throw err;
      }
    },
    async benchmark(code, panel) {
      if (!code) return null;
      const b = await loadBenchmark(market, code, panel.dates);
      let any = false;
      for (let i = 0; i < b.close.length; i++) if (Number.isFinite(b.close[i])) { any = true; break; }
      return any ? b : null;
    },
    seal: (panel) => guard.seal(panel),
    verify(panel) {
      if (guard.intact(panel)) return true;
      const k = loadedAs.get(panel);
      if (k !== undefined) {
        entries.delete(k);
        sizes.delete(k);
      }
      return false;
    },
    stats: () => ({ entries: sizes.size, bytes: [...sizes.values()].reduce((a, b) => a + b, 0), hits, misses }),
    clear() {
      entries.clear();
      sizes.clear();
    },
  };
}

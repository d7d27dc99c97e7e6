/**
 * The program that runs INSIDE the isolate, bundled with the engine and zod by esbuild (see
 * bundle.ts). It installs the globals a user strategy sees (`defineStrategy`, `z`, `console`),
 * receives the panel buffers, and exposes `__zq` for the host to drive the run in slices. After
 * setup it hides the host's control object (see harden).
 * No Node APIs here: the isolate has none.
 */
import { z } from 'zod';
import { makeBacktest, StrategyError, type Backtest } from '../engine/engine.ts';
import type { BenchmarkSeries, Panel } from '../engine/panel.ts';
import type { StrategyDefinition } from '../engine/strategy.ts';
import type { BacktestConfig } from '../engine/types.ts';

const MAX_LINES = 1000;
const MAX_CHARS = 200_000;
let logLines: string[] = [];
let logChars = 0;
let dropped = 0;

function format(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s;
  } catch {
    return String(v);
  }
}
function log(level: string, args: unknown[]) {
  if (logLines.length >= MAX_LINES || logChars >= MAX_CHARS) {
    dropped++;
    return;
  }
  let line = args.map(format).join(' ');
  if (line.length > 10_000) line = line.slice(0, 10_000) + '…';
  const date = bt ? bt.currentDate() : 0;
  line = `${date ? date + ' ' : ''}${level === 'log' ? '' : level + ': '}${line}`;
  logLines.push(line);
  logChars += line.length;
}

let defined: StrategyDefinition<unknown> | null = null;
function defineStrategy<P>(def: StrategyDefinition<P>): StrategyDefinition<P> {
  if (!def || typeof def !== 'object') throw new TypeError('defineStrategy expects an object { name, params, onDay }');
  if (typeof def.onDay !== 'function') throw new TypeError('defineStrategy: onDay(ctx) must be a function');
  if (def.params === undefined) (def as { params: unknown }).params = z.object({});
  if (typeof (def.params as { parse?: unknown }).parse !== 'function') throw new TypeError('defineStrategy: params must be a zod schema, e.g. z.object({ window: z.number().default(20) })');
  defined = def as StrategyDefinition<unknown>;
  return def;
}

const g = globalThis as Record<string, unknown>;
g.defineStrategy = defineStrategy;
g.z = z;
g.console = Object.freeze({
  log: (...a: unknown[]) => log('log', a),
  info: (...a: unknown[]) => log('info', a),
  warn: (...a: unknown[]) => log('warn', a),
  error: (...a: unknown[]) => log('error', a),
  debug: (...a: unknown[]) => log('debug', a),
});
g.module = { exports: {} };

interface PanelMeta {
  dates: number[];
  codes: string[];
  fields: string[];
  benchmarkCode: string | null;
}
const ARRAYS = ['open', 'high', 'low', 'close', 'preClose', 'volume', 'amount', 'adjFactor', 'upLimit', 'downLimit'] as const;
const FLAGS = ['suspended', 'listed', 'st'] as const;

let panel: Panel | null = null;
let benchmark: BenchmarkSeries | null = null;
let bt: Backtest | null = null;

interface ErrorInfo {
  kind: 'runtime';
  message: string;
  stack: string;
  date: number | null;
}
function errorInfo(err: unknown, date: number | null): ErrorInfo {
  const e = err instanceof StrategyError ? err.original : err;
  const d = err instanceof StrategyError ? err.date : date;
  if (e instanceof Error) return { kind: 'runtime', message: `${e.name}: ${e.message}`, stack: String(e.stack ?? ''), date: d };
  return { kind: 'runtime', message: `thrown: ${format(e)}`, stack: '', date: d };
}
function drain() {
  const out = { lines: logLines, dropped };
  logLines = [];
  logChars = 0;
  dropped = 0;
  return out;
}

function strategyOf(): StrategyDefinition<unknown> {
  const m = (g.module as { exports: { default?: unknown } }).exports;
  const fromExport = m && (m.default as StrategyDefinition<unknown> | undefined);
  const s = fromExport && typeof fromExport.onDay === 'function' ? fromExport : defined;
  if (!s) throw new Error('the code defines no strategy: call defineStrategy({ name, params, onDay(ctx) { … } }) (optionally `export default`)');
  return s;
}

const api = {
  /** Receives the panel: metadata plus one buffer per array (SharedArrayBuffers are shared, not copied). */
  setPanel(meta: PanelMeta, buffers: Record<string, ArrayBufferLike>, benchClose: ArrayBufferLike | null) {
    const f64 = (name: string) => new Float64Array(buffers[name]);
    const u8 = (name: string) => new Uint8Array(buffers[name]);
    const p: Record<string, unknown> = { dates: Int32Array.from(meta.dates), codes: meta.codes, fields: {} };
    for (const a of ARRAYS) p[a] = f64(a);
    for (const a of FLAGS) p[a] = u8(a);
    for (const f of meta.fields) (p.fields as Record<string, Float64Array>)[f] = f64(`field:${f}`);
    panel = p as unknown as Panel;
    benchmark = benchClose && meta.benchmarkCode ? { code: meta.benchmarkCode, close: new Float64Array(benchClose) } : null;
  },
  describe() {
    const s = strategyOf();
    let schema: unknown = null;
    try {
      schema = z.toJSONSchema(s.params as z.ZodType, { io: 'input' });
    } catch {
      schema = null;
    }
    return JSON.stringify({ name: String(s.name ?? 'custom'), description: s.description ? String(s.description) : null, paramsSchema: schema });
  },
  start(paramsJson: string, configJson: string): string | null {
    const s = strategyOf();
    const params = JSON.parse(paramsJson);
    const parsed = (s.params as z.ZodType).safeParse(params);
    if (!parsed.success) return JSON.stringify({ kind: 'params', message: z.prettifyError(parsed.error) });
    const config = JSON.parse(configJson) as Partial<BacktestConfig>;
    try {
      bt = makeBacktest({ panel: panel!, benchmark, strategy: { ...s, params: { parse: () => parsed.data } }, config });
    } catch (err) {
      return JSON.stringify(errorInfo(err, null));
    }
    return null;
  },
  /** Runs days for about `sliceMs`; returns JSON { done, progress, logs, error }. */
  step(sliceMs: number): string {
    let done = false;
    let error: ErrorInfo | null = null;
    try {
      done = bt!.step(Number.MAX_SAFE_INTEGER, Date.now() + sliceMs);
    } catch (err) {
      error = errorInfo(err, bt!.progress().date);
    }
    const progress = bt!.progress();
    return JSON.stringify({ done, progress, logs: drain(), error });
  },
  result() {
    return bt!.result();
  },
  drain,
};

/**
 * Called by the host once everything above is installed, just before the user's code is loaded.
 * It removes the host's control object from the global scope: re-entering `step` from onDay would
 * simulate days ahead and show their data. The intrinsics are deliberately NOT frozen: freezing
 * TypedArray/Array/Object prototypes trips V8's fast-path protectors and made runs ~2.5× slower.
 * Instead the engine never hands a panel array to an overridable builtin (it only indexes them,
 * and reads panel fields through a captured Object.hasOwn), so a user who replaces
 * Float64Array.prototype.subarray or installs Object.prototype getters sees no panel memory
 * (tested in the sandbox's no-look-ahead test).
 */
function harden() {
  delete g.__zq;
}

g.__zq = { ...api, harden };

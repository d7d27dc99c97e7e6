/**
 * The program that runs INSIDE the isolate, bundled with the engine, zod and SES by esbuild (see
 * bundle.ts). It exposes `__zq` for the host to drive the run in slices, receives the panel
 * buffers BEFORE any user code exists, then seals the realm (see harden): intrinsics frozen by
 * SES `lockdown()`, the user's globals (`defineStrategy`, `z`, `console`, `module`) installed, and
 * the global object itself frozen, so nothing the engine looks up can be replaced afterwards.
 * No Node APIs here: the isolate has none.
 */
import 'ses';
import { z } from 'zod';
import { makeBacktest, StrategyError, type Backtest } from '../engine.ts';
import { panelFlagArrays, panelFloatArrays, type BenchmarkSeries, type Panel } from '../panel.ts';
import type { StrategyDefinition } from '../strategy.ts';
import type { BacktestConfig } from '../types.ts';

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

/**
 * A user factor (src/factors): `defineFactor({ name, params, compute(ctx) })` runs as a strategy whose
 * onDay stores what compute returns (one number per stock) as the day's row of `factorOut`. It sees
 * the strategy context, so the market views' guarantee holds: nothing after today is reachable.
 */
interface FactorDefinition {
  name?: string;
  description?: string;
  params?: unknown;
  fields?: readonly string[];
  compute(ctx: unknown): ArrayLike<number>;
}
let factorOut: Float64Array | null = null;
let isFactor = false;
function defineFactor(def: FactorDefinition): FactorDefinition {
  if (!def || typeof def !== 'object') throw new TypeError('defineFactor expects an object { name, compute(ctx) }');
  if (typeof def.compute !== 'function') throw new TypeError('defineFactor: compute(ctx) must be a function returning one number per stock (ctx.codes order; NaN for none)');
  const compute = def.compute;
  const params = def.params === undefined ? z.object({}) : def.params;
  if (typeof (params as { parse?: unknown }).parse !== 'function') throw new TypeError('defineFactor: params must be a zod schema, e.g. z.object({ window: z.number().default(20) })');
  let dayIndex: Map<number, number> | null = null;
  const strategy: StrategyDefinition<unknown> = {
    name: String(def.name ?? 'factor'),
    description: def.description,
    params: params as StrategyDefinition<unknown>['params'],
    onDay(ctx) {
      const N = panel!.codes.length;
      if (!factorOut) factorOut = new Float64Array(panel!.dates.length * N).fill(NaN);
      if (!dayIndex) {
        dayIndex = new Map();
        for (let d = 0; d < panel!.dates.length; d++) dayIndex.set(panel!.dates[d], d);
      }
      const v = compute.call(def, ctx);
      if (!v || typeof v !== 'object' || typeof (v as ArrayLike<number>).length !== 'number' || (v as ArrayLike<number>).length !== N) {
        throw new TypeError(`compute(ctx) must return one number per stock (an array or Float64Array of ctx.codes.length = ${N}), got ${v === null || typeof v !== 'object' ? String(v) : `length ${(v as ArrayLike<number>).length}`}`);
      }
      const base = dayIndex.get(ctx.date)! * N;
      for (let i = 0; i < N; i++) {
        const x = v[i];
        factorOut[base + i] = typeof x === 'number' ? x : NaN;
      }
    },
  };
  defined = strategy;
  isFactor = true;
  return def;
}

const g = globalThis as Record<string, unknown>;
/** The user's CommonJS-style module; its `exports.default` may hold the strategy. */
const userModule: { exports: { default?: unknown } } = { exports: {} };
let userLoaded = false;

interface PanelMeta {
  dates: number[];
  codes: string[];
  fields: string[];
  benchmarkCode: string | null;
}

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
  const m = userModule.exports;
  const fromExport = m && (m.default as StrategyDefinition<unknown> | undefined);
  const s = fromExport && typeof fromExport.onDay === 'function' ? fromExport : defined;
  if (!s) throw new Error('the code defines no strategy: call defineStrategy({ name, params, onDay(ctx) { … } }) (optionally `export default`)');
  return s;
}

const api = {
  /**
   * Receives the panel: metadata plus one buffer per array (SharedArrayBuffers are shared, not
   * copied). Called before the user's code is compiled, so no user hook can observe it; the
   * objects are built with null prototypes and defined properties all the same.
   */
  setPanel(meta: PanelMeta, buffers: Record<string, ArrayBufferLike>, benchClose: ArrayBufferLike | null) {
    const put = (o: object, k: string, v: unknown) => Object.defineProperty(o, k, { value: v, enumerable: true });
    const fields = Object.create(null) as Record<string, Float64Array>;
    const p = Object.create(null) as Record<string, unknown>;
    put(p, 'dates', Int32Array.from(meta.dates));
    put(p, 'codes', meta.codes);
    put(p, 'fields', fields);
    for (const a of panelFloatArrays) put(p, a, new Float64Array(buffers[a]));
    for (const a of panelFlagArrays) put(p, a, new Uint8Array(buffers[a]));
    for (const f of meta.fields) put(fields, f, new Float64Array(buffers[`field:${f}`]));
    panel = p as unknown as Panel;
    benchmark = benchClose && meta.benchmarkCode ? { code: meta.benchmarkCode, close: new Float64Array(benchClose) } : null;
  },
  /** Runs the user's module function once (the host compiled it after harden); its error as JSON, else null. */
  loadUser(fn: (module: unknown, exports: unknown) => void): string | null {
    if (userLoaded) return JSON.stringify({ kind: 'runtime', message: 'the strategy module was already loaded', stack: '', date: null });
    userLoaded = true;
    try {
      fn(userModule, userModule.exports);
      return null;
    } catch (err) {
      return JSON.stringify(errorInfo(err, null));
    }
  },
  describe() {
    const s = strategyOf();
    let schema: unknown = null;
    try {
      schema = z.toJSONSchema(s.params as z.ZodType, { io: 'input' });
    } catch {
      schema = null;
    }
    return JSON.stringify({ name: String(s.name ?? 'custom'), description: s.description ? String(s.description) : null, paramsSchema: schema, kind: isFactor && s === defined ? 'factor' : 'strategy' });
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
  /** A user factor's values, day-major over the panel (NaN: none); null when the code defines no factor. */
  factorValues(): Float64Array | null {
    if (!isFactor) return null;
    return factorOut ?? new Float64Array(panel!.dates.length * panel!.codes.length).fill(NaN);
  },
  drain,
};

/**
 * Called by the host after setPanel and just before the user's code is compiled; the realm is
 * sealed from here on:
 * - the host's control object leaves the global scope (re-entering `step` from onDay would
 *   simulate days ahead and show their data);
 * - SES `lockdown()` freezes every intrinsic (prototypes of Object, Array, Function, the typed
 *   arrays, Map, Promise…, and Symbol.species/iterator hooks with them), so user code cannot put
 *   a setter on Object.prototype or patch a method the engine calls. errorTaming 'unsafe' keeps
 *   V8's `stack` (the host maps it to the user's line); stack-trace hooks the user installs still
 *   only see SES's safe call sites (no receivers, no functions);
 * - the user's globals are installed and the global object is frozen: `globalThis.Float64Array =
 *   new Proxy(…)` no longer changes what the engine constructs (lockdown leaves globals writable).
 * Measured (README, sandbox): lockdown costs ~12 ms per isolate and typed-array loops run as fast.
 */
function harden() {
  delete g.__zq;
  lockdown({ errorTaming: 'unsafe', consoleTaming: 'unsafe', stackFiltering: 'verbose', overrideTaming: 'moderate' });
  g.defineStrategy = defineStrategy;
  g.defineFactor = defineFactor;
  g.z = z;
  g.console = Object.freeze({
    log: (...a: unknown[]) => log('log', a),
    info: (...a: unknown[]) => log('info', a),
    warn: (...a: unknown[]) => log('warn', a),
    error: (...a: unknown[]) => log('error', a),
    debug: (...a: unknown[]) => log('debug', a),
  });
  Object.freeze(globalThis);
}

g.__zq = { ...api, harden };

/**
 * Runs a user strategy — and the whole engine with it — inside an isolated-vm isolate, so strategy
 * calls are ordinary in-isolate calls at full JIT speed. Limits: memory (default 256 MB plus the
 * panel's bytes, since shared panel buffers count against the isolate's limit), wall time, no
 * require/process/fs/network (the isolate has no Node APIs). The host drives the run in slices of
 * `sliceMs` (default 50 ms), reporting progress between slices; an AbortSignal disposes the isolate
 * at once, so cancellation lands within the slice even if user code never returns.
 */
import ivm from 'isolated-vm';
import { panelArrays, type BenchmarkSeries, type Panel } from '../panel.ts';
import type { BacktestConfig, BacktestResult, Progress, SkippedDay } from '../types.ts';
import { isolateBundle } from './bundle.ts';
import { compileUserCode, locateInUserCode, USER_FILENAME, type CompiledUserCode, type UserCodeError } from './user-code.ts';

export interface SandboxOptions {
  source: string;
  language?: 'ts' | 'js';
  panel: Panel;
  benchmark?: BenchmarkSeries | null;
  params?: unknown;
  config?: Partial<BacktestConfig>;
  /** The strategy's own allowance; the panel's bytes are added on top. */
  memoryLimitMb?: number;
  /** Wall time for the whole run, setup included. */
  timeoutMs?: number;
  sliceMs?: number;
  onProgress?(p: Progress): void;
  signal?: AbortSignal;
  /** A user factor's run (src/factors): the outcome carries the values its compute(ctx) returned each day. */
  collectFactor?: boolean;
}

export type SandboxOutcome =
  | {
      ok: true;
      result: BacktestResult & { skippedDays: (SkippedDay & { line: number | null; column: number | null })[] };
      logs: string[];
      /** With collectFactor: the factor's values, day-major over the panel (NaN: none); null when the code defines no factor. */
      factorValues?: Float64Array | null;
    }
  | { ok: false; error: UserCodeError; logs: string[] };

const MAX_HOST_LOG_LINES = 2000;
const MAX_HOST_LOG_CHARS = 1_000_000;

let cachedData: ivm.ExternalCopy<ArrayBuffer> | undefined;

/** Hands a typed array's memory to the isolate: shared when it lives on a SharedArrayBuffer, else copied once. */
function bufferFor(a: ArrayBufferView): ArrayBufferLike {
  if (a.buffer instanceof SharedArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) return a.buffer;
  return (a.buffer as ArrayBuffer).slice(a.byteOffset, a.byteOffset + a.byteLength);
}

function panelBytes(p: Panel): number {
  let n = 0;
  for (const a of panelArrays) n += p[a].byteLength;
  for (const f of Object.values(p.fields)) n += f.byteLength;
  return n;
}

function classify(err: unknown, aborted: boolean, timedOut: boolean): UserCodeError['code'] {
  const m = String((err as Error)?.message ?? err);
  if (aborted) return 'aborted';
  if (timedOut || /timed out/i.test(m)) return 'timeout';
  if (/memory limit/i.test(m) || /disposed/i.test(m)) return 'memory_limit';
  return 'runtime_error';
}

/** Checks user code without running a backtest: syntax, that it defines a strategy, and its params form. */
export async function describeUserStrategy(
  source: string,
  language: 'ts' | 'js' = 'ts',
): Promise<{ ok: true; name: string; description: string | null; paramsSchema: unknown; kind: 'strategy' | 'factor' } | { ok: false; error: UserCodeError }> {
  const compiled = await compileUserCode(source, language);
  if (!('map' in compiled)) return { ok: false, error: compiled };
  const iso = new ivm.Isolate({ memoryLimit: 64 });
  try {
    const { zq, loadError } = await loadIsolate(iso, compiled, 5000);
    if (loadError) return { ok: false, error: runtimeError(loadError, compiled) };
    const describe = await (await zq.get('describe', { reference: true })).apply(undefined, [], { timeout: 5000 });
    return { ok: true, ...(JSON.parse(describe as string) as { name: string; description: string | null; paramsSchema: unknown; kind: 'strategy' | 'factor' }) };
  } catch (err) {
    return { ok: false, error: toUserError(err, compiled, null, false, false) };
  } finally {
    if (!iso.isDisposed) iso.dispose();
  }
}

/**
 * Loads the engine's program, lets `beforeUser` hand it what user code must never intercept (the
 * panel), seals the realm (isolate-entry.ts, harden) and only then compiles the user's code.
 */
async function loadIsolate(
  iso: ivm.Isolate,
  compiled: CompiledUserCode,
  timeoutMs: number,
  beforeUser?: (zq: ivm.Reference<Record<string, unknown>>) => Promise<void>,
): Promise<{ context: ivm.Context; zq: ivm.Reference<Record<string, unknown>>; loadError: IsolateError | null }> {
  const context = await iso.createContext();
  const code = await isolateBundle();
  const script = (await iso.compileScript(code, cachedData ? { filename: 'zquant-engine.js', cachedData } : { filename: 'zquant-engine.js', produceCachedData: true })) as ivm.Script & ivm.CachedDataResult;
  if (!cachedData && script.cachedData) cachedData = script.cachedData;
  await script.run(context, { timeout: timeoutMs });
  script.release();
  const zq = (await context.global.get('__zq', { reference: true })) as ivm.Reference<Record<string, unknown>>;
  await beforeUser?.(zq);
  await context.eval('__zq.harden()', { timeout: timeoutMs });
  // The user's module is a function called inside the isolate by loadUser, which catches what its
  // top level throws there: an error crossing the boundary loses the stack that SES formats, and
  // with it the user's line.
  const user = await iso.compileScript(`(function (module, exports) {\n${compiled.code}\n})`, { filename: USER_FILENAME });
  const userFn = (await user.run(context, { timeout: timeoutMs, reference: true })) as ivm.Reference<unknown>;
  user.release();
  const loadUser = (await zq.get('loadUser', { reference: true })) as ivm.Reference<(fn: unknown) => string | null>;
  const failed = (await loadUser.apply(undefined, [userFn.derefInto()], { timeout: timeoutMs })) as string | null;
  return { context, zq, loadError: failed ? (JSON.parse(failed) as IsolateError) : null };
}

interface IsolateError {
  kind: 'runtime' | 'params';
  message: string;
  stack?: string;
  date?: number | null;
}

function toUserError(err: unknown, compiled: CompiledUserCode, date: number | null, aborted: boolean, timedOut: boolean): UserCodeError {
  const code = classify(err, aborted, timedOut);
  const e = err as Error;
  const where = code === 'runtime_error' ? locateInUserCode(String(e?.stack ?? ''), compiled.map) : null;
  const message =
    code === 'aborted' ? 'the backtest was cancelled'
    : code === 'timeout' ? 'the strategy ran past its time limit (an endless loop?)'
    : code === 'memory_limit' ? 'the strategy ran out of memory (its limit is the memory allowance plus the panel size)'
    : withoutIsolateLocation(String(e?.message ?? err));
  return { code, message, line: where?.line ?? null, column: where?.column ?? null, date };
}

/**
 * isolated-vm appends ` [strategy.js:2:22]` to a compile error's message: a place in the transpiled
 * module, not in what the user wrote (line and column are reported apart, mapped back), and it reads
 * like a server file reference in an answer.
 */
export const withoutIsolateLocation = (message: string) => message.replace(/ \[[\w.-]+\.[cm]?[jt]sx?:\d+:\d+\]$/, '');

/** Runs a backtest of user code in a fresh isolate. Never throws for anything the user code does. */
export async function runUserBacktest(opts: SandboxOptions): Promise<SandboxOutcome> {
  const logs: string[] = [];
  let logChars = 0;
  let dropped = 0;
  const addLogs = (l: { lines: string[]; dropped: number }) => {
    for (const line of l.lines) {
      if (logs.length < MAX_HOST_LOG_LINES && logChars + line.length <= MAX_HOST_LOG_CHARS) {
        logs.push(line);
        logChars += line.length;
      } else dropped++;
    }
    dropped += l.dropped;
  };
  const closeLogs = () => {
    if (dropped) logs.push(`… ${dropped} log lines dropped (the run log keeps ${MAX_HOST_LOG_LINES} lines / ${MAX_HOST_LOG_CHARS / 1000} kB)`);
    dropped = 0;
  };
  const compiled = await compileUserCode(opts.source, opts.language ?? 'ts');
  if (!('map' in compiled)) return { ok: false, error: compiled, logs };
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const remaining = () => Math.max(1, timeoutMs - (Date.now() - started));
  const memoryLimit = (opts.memoryLimitMb ?? 256) + Math.ceil(panelBytes(opts.panel) / 2 ** 20);
  const iso = new ivm.Isolate({ memoryLimit });
  let aborted = false;
  let timedOut = false;
  let date: number | null = null;
  const onAbort = () => {
    aborted = true;
    if (!iso.isDisposed) iso.dispose();
  };
  if (opts.signal?.aborted) return { ok: false, error: { code: 'aborted', message: 'the backtest was cancelled', line: null, column: null, date: null }, logs };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  // Backstop for the wall-time limit while the host awaits something that is not an apply.
  const timer = setTimeout(() => {
    timedOut = true;
    if (!iso.isDisposed) iso.dispose();
  }, timeoutMs + 1000);
  try {
    const p = opts.panel;
    const { zq, loadError } = await loadIsolate(iso, compiled, remaining(), async (zq) => {
      const buffers: Record<string, ArrayBufferLike> = {};
      for (const a of panelArrays) buffers[a] = bufferFor(p[a]);
      for (const [f, arr] of Object.entries(p.fields)) buffers[`field:${f}`] = bufferFor(arr);
      const meta = { dates: Array.from(p.dates), codes: [...p.codes], fields: Object.keys(p.fields), benchmarkCode: opts.benchmark?.code ?? null };
      const setPanel = (await zq.get('setPanel', { reference: true })) as ivm.Reference<(...a: unknown[]) => unknown>;
      await setPanel.apply(undefined, [meta, buffers, opts.benchmark ? bufferFor(opts.benchmark.close) : null], { arguments: { copy: true }, timeout: remaining() });
    });
    if (loadError) return { ok: false, error: runtimeError(loadError, compiled), logs };
    const fn = async (name: string) => (await zq.get(name, { reference: true })) as ivm.Reference<(...a: unknown[]) => unknown>;
    const startErr = (await (await fn('start')).apply(undefined, [JSON.stringify(opts.params ?? {}), JSON.stringify(opts.config ?? {})], { timeout: remaining() })) as string | null;
    if (startErr) {
      const e = JSON.parse(startErr) as IsolateError;
      if (e.kind === 'params') return { ok: false, error: { code: 'invalid_params', message: e.message, line: null, column: null, date: null }, logs };
      return { ok: false, error: runtimeError(e, compiled), logs };
    }
    const step = await fn('step');
    const sliceMs = opts.sliceMs ?? 50;
    for (;;) {
      const out = JSON.parse((await step.apply(undefined, [sliceMs], { timeout: remaining() })) as string) as {
        done: boolean;
        progress: Progress;
        logs: { lines: string[]; dropped: number };
        error: IsolateError | null;
      };
      addLogs(out.logs);
      date = out.progress.date;
      if (out.error) {
        closeLogs();
        return { ok: false, error: runtimeError(out.error, compiled), logs };
      }
      opts.onProgress?.(out.progress);
      if (out.done) break;
      if (aborted) throw new Error('aborted');
    }
    closeLogs();
    const result = (await (await fn('result')).apply(undefined, [], { result: { copy: true }, timeout: remaining() })) as BacktestResult;
    const skippedDays = result.skippedDays.map((s) => ({ ...s, ...(locateInUserCode(s.stack, compiled.map) ?? { line: null, column: null }) }));
    const factorValues = opts.collectFactor ? ((await (await fn('factorValues')).apply(undefined, [], { result: { copy: true }, timeout: remaining() })) as Float64Array | null) : undefined;
    return { ok: true, result: { ...result, skippedDays, logs: [...logs, ...result.logs] }, logs, ...(opts.collectFactor ? { factorValues } : {}) };
  } catch (err) {
    closeLogs();
    return { ok: false, error: toUserError(err, compiled, date, aborted, timedOut), logs };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    if (!iso.isDisposed) iso.dispose();
  }
}

function runtimeError(e: IsolateError, compiled: CompiledUserCode): UserCodeError {
  const where = locateInUserCode(e.stack ?? '', compiled.map);
  return { code: 'runtime_error', message: withoutIsolateLocation(e.message), line: where?.line ?? null, column: where?.column ?? null, date: e.date ?? null };
}

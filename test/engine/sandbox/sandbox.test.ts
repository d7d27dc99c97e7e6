// User strategies in the isolate: same results as the host engine, errors at the user's line,
// bounded logs, and the attack corpus — each attack fails its own backtest only.
import { describe, expect, it } from 'vitest';
import { runBacktestSync } from '../../../src/engine/engine.ts';
import { dualMa } from '../../../src/engine/builtins/dual-ma.ts';
import { describeUserStrategy, runUserBacktest } from '../../../src/engine/sandbox/sandbox.ts';
import { seedDemoMarket } from '../../../src/market/demo/seed.ts';
import { openMarketStore } from '../../../src/market/duckdb.ts';
import { loadPanel } from '../../../src/market/panel.ts';
import { syntheticPanel } from '../synthetic-panel.ts';
import { userDualMaSource } from './user-dual-ma.ts';

const { panel, benchmark } = syntheticPanel({ stocks: 40, days: 120, seed: 11, shared: true });
const run = (source: string, extra: Partial<Parameters<typeof runUserBacktest>[0]> = {}) => runUserBacktest({ source, panel, benchmark, timeoutMs: 20_000, ...extra });

const simple = (body: string, head = '') => `${head}
export default defineStrategy({
  name: 't',
  params: z.object({}),
  onDay(ctx) {
${body}
  },
});
`;

describe('user strategies in the isolate', () => {
  it('dual MA as user code gives exactly the host engine\'s result', async () => {
    const host = runBacktestSync({ panel, benchmark, strategy: dualMa });
    const progress: number[] = [];
    const out = await run(userDualMaSource, { language: 'js', sliceMs: 1, onProgress: (p) => progress.push(p.done) });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.result.fills.length).toBe(host.fills.length);
    expect(host.fills.length).toBeGreaterThan(0);
    expect(Array.from(out.result.total)).toEqual(Array.from(host.total));
    expect(progress[progress.length - 1]).toBe(120);
    expect(progress.length).toBeGreaterThan(1);
  });

  it('strips TypeScript types and describes the params form', async () => {
    const src = `interface Note { n: number }
export default defineStrategy({
  name: 'typed',
  description: 'types only',
  params: z.object({ window: z.number().int().default(20).describe('Window') }),
  onDay(ctx: any): void { const x: Note = { n: ctx.params.window }; if (x.n !== 20) throw new Error('bad'); },
});`;
    const d = await describeUserStrategy(src);
    expect(d).toMatchObject({ ok: true, name: 'typed', description: 'types only' });
    if (d.ok) expect(d.paramsSchema).toMatchObject({ properties: { window: { default: 20, description: 'Window' } } });
    expect((await run(src)).ok).toBe(true);
  });

  it('a syntax error comes back with the user\'s line and column before anything runs', async () => {
    const out = await describeUserStrategy('const a = 1;\nconst b = ;\n');
    expect(out).toMatchObject({ ok: false, error: { code: 'syntax_error', line: 2, column: 11 } });
  });

  it('a runtime error fails the run with the date, the user\'s line and column (TypeScript lines, not the stripped output)', async () => {
    const src = `type Unused = {
  a: number;
  b: string;
};
export default defineStrategy({
  name: 'boom',
  params: z.object({}),
  onDay(ctx: { dayNumber: number }) {
    if (ctx.dayNumber === 3) {
      const o: any = null;
      o.field = 1;
    }
  },
});`;
    const out = await run(src);
    expect(out.ok).toBe(false);
    if (out.ok) return;
    // V8 points at the assignment: line 11 `      o.field = 1;`, column 15 (the `=`).
    expect(out.error).toMatchObject({ code: 'runtime_error', line: 11, column: 15, date: panel.dates[2] });
    expect(out.error.message).toMatch(/TypeError/);
  });

  it('onError skip_day logs date and line and goes on; the result lists the skipped days', async () => {
    const out = await run(simple(`    if (ctx.dayNumber % 50 === 0) throw new Error('odd day ' + ctx.dayNumber);`), { config: { onError: 'skip_day' } });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.result.skippedDays.map((s) => [s.date, s.line, s.message])).toEqual([
      [panel.dates[49], 6, 'odd day 50'],
      [panel.dates[99], 6, 'odd day 100'],
    ]);
  });

  it('captures console.log with the date, bounded', async () => {
    const out = await run(simple(`    if (ctx.dayNumber <= 2) console.log('day', ctx.dayNumber, { cash: ctx.portfolio.cash });`));
    expect(out.ok && out.result.logs.slice(0, 2)).toEqual([`${panel.dates[0]} day 1 {"cash":1000000}`, `${panel.dates[1]} day 2 {"cash":1000000}`]);
  });

  it('rejects bad params naming the field', async () => {
    const src = `export default defineStrategy({ name: 'p', params: z.object({ window: z.number().int().min(2).default(20) }), onDay() {} });`;
    const out = await run(src, { params: { window: 1 } });
    expect(out).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
    if (!out.ok) expect(out.error.message).toContain('window');
  });
});

describe('attack corpus: each fails its own backtest, the host stays healthy', () => {
  it('an endless loop hits the wall-time limit', async () => {
    const out = await run(simple('    for (;;) {}'), { timeoutMs: 1500 });
    expect(out).toMatchObject({ ok: false, error: { code: 'timeout' } });
  });

  it('a memory bomb hits the memory limit', async () => {
    const out = await run(simple('    const a = []; for (;;) a.push(new Array(1e6).fill(Math.random()));'), { memoryLimitMb: 32 });
    expect(out).toMatchObject({ ok: false, error: { code: 'memory_limit' } });
  });

  it('process, require, and constructor tricks reach nothing', async () => {
    const probes = [
      'typeof process', 'typeof require', 'typeof fetch', 'typeof setTimeout',
      "(function(){ return this })() && typeof (function(){ return this })().process",
      "typeof ({}).constructor.constructor('return this')().process",
      "({}).constructor.constructor('return typeof require')()",
      "typeof globalThis.Deno", "typeof globalThis.Bun", "typeof globalThis.__zq", 'typeof globalThis.process',
    ];
    // Each probe in a try: SES's lockdown makes Function.prototype.constructor throw.
    const tried = probes.map((p) => `(() => { try { return ${p}; } catch (e) { return 'threw'; } })()`);
    const out = await run(simple(`    if (ctx.dayNumber === 1) console.log(JSON.stringify([${tried.join(', ')}]));`));
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    const seen = JSON.parse(out.result.logs[0].split(' ').slice(1).join(' ')) as string[];
    // The host's control object is gone before user code loads (calling it from onDay would run days ahead).
    // The fifth probe is null: strategy code is module code, strict, so `this` in a plain call is undefined.
    // The constructor tricks throw: the hardened realm's Function.prototype.constructor refuses to make functions.
    expect(seen).toEqual(['undefined', 'undefined', 'undefined', 'undefined', null, 'threw', 'threw', 'undefined', 'undefined', 'undefined', 'undefined']);
    const req = await run(simple(`    require('fs').readFileSync('/etc/passwd');`));
    expect(req).toMatchObject({ ok: false, error: { code: 'runtime_error', message: expect.stringContaining('require is not defined') } });
  });

  it('a full panel load on the host (which borrows V8\'s gc for DuckDB chunks) leaves no gc in user code', async () => {
    // 200 stocks × 3 years: ~146,000 bar rows, over the 64 chunks (of 2,048 rows) after which the loader first collects.
    const market = await openMarketStore(':memory:');
    try {
      await seedDemoMarket(market, { seed: 3, stocks: 200, years: 3, end: 20261127 });
      const loaded = await loadPanel(market, { start: 19000101, end: 20261127 });
      expect(loaded.codes.length * loaded.dates.length).toBeGreaterThan(64 * 2048);
    } finally {
      await market.close();
    }
    const out = await run(simple(`    if (ctx.dayNumber === 1) console.log(JSON.stringify([typeof gc, typeof globalThis.gc]));`));
    expect(out.ok).toBe(true);
    if (out.ok) expect(out.result.logs[0].split(' ').slice(1).join(' ')).toBe('["undefined","undefined"]');
  });

  it('prototype pollution is refused at the user\'s line (frozen intrinsics) and never reaches the host', async () => {
    const src = simple('', `Object.prototype.polluted = 'yes';
Array.prototype.push = function () { throw new Error('hijacked'); };`);
    const out = await run(src);
    expect(out).toMatchObject({ ok: false, error: { code: 'runtime_error', line: 1, message: expect.stringContaining('not extensible') } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect([1].push(2)).toBe(2);
  });

  it('no look-ahead through replaced builtins: spies on TypedArray methods and Object.prototype getters cannot even be installed', async () => {
    // The panel arrays have 120 days × 40 stocks = 4,800 elements; anything that long reaching a
    // spy would be panel memory (the future included).
    const src = simple(`    ctx.field('pe_ttm'); ctx.field('missing'); ctx.bars.close; ctx.bars.st; ctx.bars.upLimit; ctx.bars.tradable;
    ctx.history('close', 5); ctx.series('open', 0, 5); ctx.sma(5); ctx.bollinger(5, 2); ctx.portfolio.shares();
    if (ctx.dayNumber % 10 === 1) ctx.orderTargetPercent(ctx.dayNumber % 40, 0.1);
    if (ctx.dayNumber === 120) console.log('installed', installed, 'max seen', Math.max(0, ...seen));`, `const seen = [];
let installed = 0;
const tryInstall = (f) => { try { f(); installed++; } catch (e) {} };
const TA = Object.getPrototypeOf(Float64Array.prototype);
for (const proto of [TA, Float64Array.prototype, Uint8Array.prototype, Int32Array.prototype]) {
  for (const name of Object.getOwnPropertyNames(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (typeof d.value !== 'function' || name === 'constructor') continue;
    const orig = d.value;
    tryInstall(() => { proto[name] = function (...args) {
      if (this && typeof this.byteLength === 'number') seen.push(this.byteLength / this.BYTES_PER_ELEMENT);
      for (const a of args) if (a && typeof a.byteLength === 'number') seen.push(a.byteLength / (a.BYTES_PER_ELEMENT || 1));
      return orig.apply(this, args);
    }; });
  }
}
for (const name of ['missing', 'pe_ttm', 'startDate', 'endDate', 'benchmark', 'then', 'toJSON', 'limitPrice']) {
  tryInstall(() => Object.defineProperty(Object.prototype, name, { configurable: true, get() { for (const v of Object.values(this)) if (v && typeof v.byteLength === 'number') seen.push(v.byteLength / (v.BYTES_PER_ELEMENT || 1)); return undefined; } }));
}`);
    const out = await run(src);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    const line = out.result.logs.find((l) => l.includes('max seen'))!;
    // Before the realm was sealed every one installed and fired (on the strategy's own copies); now none does.
    expect(line).toMatch(/ installed 0 max seen 0$/);
  });

  it('huge console output is bounded', async () => {
    const out = await run(simple("    for (let i = 0; i < 5000; i++) console.log('x'.repeat(100000));"));
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    const chars = out.result.logs.reduce((n, l) => n + l.length, 0);
    expect(chars).toBeLessThan(2_000_000);
    expect(out.result.logs.some((l) => l.includes('dropped'))).toBe(true);
  });

  it('an AbortSignal stops a run stuck in user code', async () => {
    const ac = new AbortController();
    // Without the abort this run would spin for 60 s and the test would time out.
    const p = run(simple('    if (ctx.dayNumber === 5) for (;;) {}'), { timeoutMs: 60_000, signal: ac.signal });
    setTimeout(() => ac.abort(), 300);
    const out = await p;
    expect(out).toMatchObject({ ok: false, error: { code: 'aborted' } });
  });

  it('after all that, a normal run still works in this process', async () => {
    const out = await run(userDualMaSource, { language: 'js' });
    expect(out.ok).toBe(true);
    expect(process.memoryUsage().rss).toBeLessThan(2 * 2 ** 30);
  });
});

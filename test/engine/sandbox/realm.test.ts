// The hardened realm (issue 16): attacks on the engine's own lookups, run against one shared panel
// (SharedArrayBuffer arrays, as the warm-panel cache hands them to every run). For each attack:
// the run is contained (it ends, ok or with a user error, the host unharmed), the panel is byte
// for byte what it was, another user's rerun of a dual MA gives identical results, and nothing the
// attack captured holds panel memory or a date after the current day.
//
// The first two are the captures that succeeded before the realm was sealed: a setter on
// Object.prototype for the bar names, and a Proxy in place of globalThis.Float64Array (17 arrays
// captured, prices multiplied in place, another analyst's +6.55 % became −80.98 %).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Panel } from '../../../src/engine/panel.ts';
import { runUserBacktest, type SandboxOutcome } from '../../../src/engine/sandbox/sandbox.ts';
import { syntheticPanel } from '../synthetic-panel.ts';
import { userDualMaSource } from './user-dual-ma.ts';

const { panel, benchmark } = syntheticPanel({ stocks: 30, days: 90, seed: 5, shared: true, fields: true });
const cells = panel.codes.length * panel.dates.length;

function panelArrays(p: Panel): ArrayBufferView[] {
  return [p.dates, p.open, p.high, p.low, p.close, p.preClose, p.volume, p.amount, p.adjFactor, p.upLimit, p.downLimit, p.suspended, p.listed, p.st, ...Object.values(p.fields)];
}
const bytesOf = (a: ArrayBufferView) => Buffer.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
const pristine = panelArrays(panel).map((a) => Buffer.from(bytesOf(a)));
const unchanged = () => panelArrays(panel).every((a, i) => bytesOf(a).equals(pristine[i]));

const run = (source: string, extra: Partial<Parameters<typeof runUserBacktest>[0]> = {}) =>
  runUserBacktest({ source, language: 'js', panel, benchmark, timeoutMs: 20_000, ...extra });

let baseline: SandboxOutcome;
beforeAll(async () => {
  baseline = await run(userDualMaSource);
  expect(baseline.ok).toBe(true);
});

/**
 * A strategy whose `head` runs the attack at load time; every day it reports what the attack
 * captured (the longest array seen: panel arrays have `cells` elements) and the newest of the
 * panel's trading days (given as a param, which the walk skips) found anywhere it can reach: ctx
 * (walked to depth 4) and the captured objects.
 */
const attack = (head: string, onDay = '') => `
const captured = [];
const grab = (v) => { try { if (v && typeof v === 'object') captured.push(v); } catch (e) {} };
${head}
function walk(v, depth, out, seen) {
  if (depth > 4 || v === null || (typeof v !== 'object' && typeof v !== 'function') || seen.has(v)) { if (typeof v === 'number') out.push(v); return; }
  seen.add(v);
  if (ArrayBuffer.isView(v)) { out.push(v.length === undefined ? 0 : -v.length); for (let i = 0; i < v.length; i++) out.push(v[i]); return; }
  let keys = [];
  try { keys = Reflect.ownKeys(v); } catch (e) {}
  for (const k of keys) { try { walk(v[k], depth + 1, out, seen); } catch (e) {} }
}
export default defineStrategy({
  name: 'attack',
  params: z.object({ dates: z.array(z.number()).default([]) }),
  onDay(ctx) {
    ${onDay}
    if (ctx.dayNumber % 3 === 1) ctx.orderTargetPercent(ctx.dayNumber % ctx.codes.length, 0.05);
    const out = [];
    walk(ctx, 0, out, new Set([ctx.params]));
    walk(captured, 0, out, new Set());
    const dates = new Set(ctx.params.dates);
    let longest = 0, newest = 0;
    for (const x of out) {
      if (x < 0) longest = Math.max(longest, -x);
      else if (dates.has(x)) newest = Math.max(newest, x);
    }
    console.log('seen', ctx.date, longest, newest);
  },
});
`;

/** Runs the attack and checks everything the issue asks of it; returns the outcome. */
async function contained(head: string, onDay = ''): Promise<SandboxOutcome> {
  const out = await run(attack(head, onDay), { params: { dates: Array.from(panel.dates) } });
  if (!out.ok) expect(['runtime_error', 'invalid_params', 'timeout']).toContain(out.error.code);
  expect(unchanged()).toBe(true);
  if (out.ok) {
    const seen = out.result.logs.filter((l) => l.includes(' seen ')).map((l) => l.split(' ').slice(-3).map(Number));
    expect(seen.length).toBeGreaterThan(0);
    for (const [today, longest, newest] of seen) {
      expect(longest).toBeLessThan(cells); // no panel array reached the strategy
      expect(newest).toBe(today); // today (ctx.date) is found, and nothing dated after it
    }
  }
  const rerun = await run(userDualMaSource);
  expect(rerun.ok && baseline.ok).toBe(true);
  if (rerun.ok && baseline.ok) {
    expect(Array.from(rerun.result.total)).toEqual(Array.from(baseline.result.total));
    expect(rerun.result.fills.length).toBe(baseline.result.fills.length);
  }
  return out;
}

/** Writes into whatever it captured: what the successful attack did to the prices. */
const poison = `for (const a of captured) { try { if (ArrayBuffer.isView(a)) for (let i = 0; i < a.length; i++) a[i] = a[i] * 0.5; } catch (e) {} }`;

describe('hardened realm: attacks on the engine through the intrinsics and globals', () => {
  it('a setter on Object.prototype for the bar names captures nothing (the capture that worked)', async () => {
    const out = await contained(
      `for (const name of ['open', 'close', 'high', 'low', 'preClose', 'dates', 'fields', 'adjFactor']) {
         Object.defineProperty(Object.prototype, name, { configurable: true, set(v) { grab(v); Object.defineProperty(this, name, { value: v, writable: true, enumerable: true }); } });
       }`,
      poison,
    );
    // lockdown froze Object.prototype before this code ran: the definition itself throws.
    expect(out).toMatchObject({ ok: false, error: { code: 'runtime_error', message: expect.stringMatching(/not extensible|Cannot define property/) } });
  });

  it('globalThis.Float64Array (and Uint8Array, Int32Array) replaced by Proxies captures nothing (the capture that worked)', async () => {
    const out = await contained(
      `for (const name of ['Float64Array', 'Uint8Array', 'Int32Array']) {
         const Real = globalThis[name];
         try { globalThis[name] = new Proxy(Real, { construct(t, args) { const a = Reflect.construct(t, args); grab(a); return a; } }); } catch (e) {}
       }`,
      poison,
    );
    expect(out.ok).toBe(true);
  });

  it('Proxies in place of SharedArrayBuffer, Map and Reflect change nothing the engine uses', async () => {
    await contained(
      `for (const name of ['SharedArrayBuffer', 'Map', 'Reflect', 'Object', 'Array', 'Math', 'JSON', 'Number']) {
         try { globalThis[name] = new Proxy(globalThis[name], { get(t, k, r) { grab(t); return Reflect.get(t, k); }, construct(t, a) { const o = Reflect.construct(t, a); grab(o); return o; } }); } catch (e) {}
         try { Object.defineProperty(globalThis, name, { value: null }); } catch (e) {}
       }`,
      poison,
    );
  });

  it('Symbol.species, iterators and Function.prototype.call/apply/bind cannot be hijacked', async () => {
    await contained(
      `const TA = Object.getPrototypeOf(Int8Array);
       const tries = [
         () => Object.defineProperty(TA, Symbol.species, { get() { return function (...a) { const x = new Float64Array(...a); grab(x); return x; }; } }),
         () => Object.defineProperty(Float64Array, Symbol.species, { get() { grab(this); return Float64Array; } }),
         () => Object.defineProperty(Array, Symbol.species, { get() { return function () { const x = []; grab(x); return x; }; } }),
         () => { Array.prototype[Symbol.iterator] = function* () { grab(this); }; },
         () => { TA.prototype[Symbol.iterator] = function* () { grab(this); }; },
         () => { Object.getPrototypeOf([][Symbol.iterator]()).next = function () { grab(this); return { done: true }; }; },
         () => { Function.prototype.call = function (t, ...a) { grab(t); for (const x of a) grab(x); return Reflect.apply(this, t, a); }; },
         () => { Function.prototype.apply = function (t, a) { grab(t); return Reflect.apply(this, t, a); }; },
         () => { Function.prototype.bind = function (t) { grab(t); return () => undefined; }; },
         () => { Float64Array.prototype.subarray = function () { grab(this); return this; }; },
         () => { TA.prototype.set = function (src) { grab(this); grab(src); }; },
       ];
       let refused = 0;
       for (const t of tries) { try { t(); } catch (e) { refused++; } }
       if (refused !== tries.length) throw new Error('only ' + refused + ' of ' + tries.length + ' hijacks were refused');`,
      poison,
    );
  });

  it('Object.defineProperty traps on Array.prototype and Object.prototype indexes are refused', async () => {
    const out = await contained(
      `for (let i = 0; i < 8; i++) Object.defineProperty(Array.prototype, String(i), { configurable: true, set(v) { grab(this); grab(v); }, get() { grab(this); } });
       Object.defineProperty(Object.prototype, 'then', { get() { grab(this); } });`,
      poison,
    );
    expect(out).toMatchObject({ ok: false, error: { code: 'runtime_error' } });
  });

  it('Error.prepareStackTrace call sites expose no receivers or functions', async () => {
    await contained(
      `try { Error.prepareStackTrace = (err, sites) => { for (const s of sites) { try { grab(s.getThis && s.getThis()); grab(s.getFunction && s.getFunction()); } catch (e) {} } return 'x'; }; } catch (e) {}`,
      `try { ctx.portfolio.position({ toString() { throw new Error('boom'); } }); } catch (e) { String(e.stack); }
       try { ctx.order(0, { valueOf() { new Error().stack; return 100; } }); } catch (e) {}`,
    );
  });

  it('toString, valueOf and Symbol.toPrimitive on params and order arguments stay in the run', async () => {
    const head = `const tricky = { valueOf() { return ++calls % 2 ? 100 : 1e12; }, toString() { throw new Error('no string'); }, [Symbol.toPrimitive](hint) { calls++; return hint === 'number' ? (calls % 2 ? 100 : 1e12) : 'x'; } };
      let calls = 0;`;
    const out = await contained(head, `try { ctx.order(1, tricky); } catch (e) {} try { ctx.orderValue(tricky, tricky); } catch (e) {} try { ctx.rebalance({ [ctx.codes[2]]: tricky }); } catch (e) {}`);
    // Whatever the coercions returned, no fill is larger than the cash could pay for (1,000,000 CNY
    // of initial capital at these ~10 CNY prices is under 1e6 shares).
    expect(out.ok).toBe(true);
    if (out.ok) for (const f of out.result.fills) expect(Math.abs(f.shares)).toBeLessThan(1e6);
  });

  it('params turned by the strategy\'s own schema into objects with hostile coercions stay in the run', async () => {
    // The host hands params as JSON; the user's zod schema may transform them into anything. The
    // engine never coerces params (it only passes them on), so nothing of these runs.
    const out = await run(`
      let coerced = 0;
      const hostile = { toString() { coerced++; throw new Error('toString'); }, valueOf() { coerced++; throw new Error('valueOf'); }, [Symbol.toPrimitive]() { coerced++; throw new Error('toPrimitive'); }, toJSON() { coerced++; throw new Error('toJSON'); } };
      export default defineStrategy({
        name: 'hostile_params',
        params: z.object({ n: z.number().default(1) }).transform(() => ({ n: hostile, window: hostile, nested: { deep: hostile } })),
        onDay(ctx) { if (ctx.dayNumber === 90) console.log('coerced', coerced); },
      });`, { params: { n: 3 } });
    expect(out.ok).toBe(true);
    if (out.ok) expect(out.result.logs.at(-1)).toMatch(/ coerced 0$/);
    expect(unchanged()).toBe(true);
  });

  it('getters that throw where the engine might read (strategy, params, module) fail only that run', async () => {
    const out = await run(`
      let reads = 0;
      const s = defineStrategy({ name: 'g', params: z.object({}), onDay() {} });
      Object.defineProperty(s, 'onDay', { get() { if (++reads > 2) throw new Error('getter bomb'); return () => {}; } });
      module.exports = { get default() { return s; } };
    `);
    if (!out.ok) expect(out.error.code).toBe('runtime_error');
    expect(unchanged()).toBe(true);
    const rerun = await run(userDualMaSource);
    expect(rerun.ok && baseline.ok && Array.from(rerun.result.total)).toEqual(baseline.ok && Array.from(baseline.result.total));
  });

  it('the engine still works after every attack: a clean user run equals the first one', async () => {
    const again = await run(userDualMaSource);
    expect(again.ok && baseline.ok).toBe(true);
    if (again.ok && baseline.ok) expect(Array.from(again.result.total)).toEqual(Array.from(baseline.result.total));
    expect(unchanged()).toBe(true);
  });
});

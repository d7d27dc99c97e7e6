/**
 * A user factor that peeks at tomorrow is impossible to write: its compute(ctx) gets the strategy's
 * context in the sandbox, where only data up to today is reachable. A factor here tries every path
 * we could think of to read tomorrow's close — the buffers behind every array it is handed (a view
 * of the panel would expose the whole panel), history and series with odd windows, the isolate's
 * host object, the engine's globals, state kept between days, ctx.factor/field of the future — and
 * answers what it found; none of its values may be tomorrow's close. A control factor uses the same
 * search on data that IS reachable (yesterday → today inside a 2-day history) and finds it, so the
 * search itself works.
 */
import { describe, expect, it } from 'vitest';
import { runUserFactorOnPanel } from '../../src/factors/factors.service.ts';
import { tinyPanel } from '../../src/strategies/dry-run.ts';

/** Finds `value` for stock i in a day-major buffer of N columns (its first row holding it) and returns the next row's value (NaN when absent). */
const nextRowSearch = `
function nextRow(buf, N, i, value) {
  for (let p = i; p + N < buf.length; p += N) if (buf[p] === value) return buf[p + N];
  return NaN;
}
function asDoubles(a) {
  try { return new Float64Array(a.buffer); } catch (e) { return new Float64Array(0); }
}`;

const peek = `${nextRowSearch}
defineFactor({
  name: 'peek',
  compute(ctx) {
    const N = ctx.codes.length;
    const out = new Float64Array(N).fill(NaN);
    const close = ctx.bars.close;
    const arrays = [];
    const tryPush = (f) => { try { const a = f(); if (a) arrays.push(a); } catch (e) {} };
    for (const k of ['open', 'high', 'low', 'close', 'preClose', 'volume', 'amount', 'adjFactor', 'upLimit', 'downLimit', 'tradable', 'st']) tryPush(() => ctx.bars[k]);
    tryPush(() => ctx.adjClose);
    for (const w of [1, 2, 5, 60, 100000]) tryPush(() => ctx.history('close', w));
    for (const w of [0, -1, -5, 1.5, NaN, Infinity]) tryPush(() => ctx.history('close', w));
    for (let i = 0; i < N; i++) for (const w of [3, -3, 0]) tryPush(() => ctx.series('close', i, w));
    for (const f of ['pe', 'pb', 'total_mv', 'close', '__proto__', 'constructor']) tryPush(() => ctx.field(f));
    for (const f of ['momentum_1', 'close', '__proto__']) tryPush(() => ctx.factor(f));
    tryPush(() => ctx.sma(1)); tryPush(() => ctx.momentum(1)); tryPush(() => ctx.std(2));
    tryPush(() => ctx.portfolio.shares());
    // The host's control object and engine internals are not reachable from user code.
    tryPush(() => globalThis.__zq && globalThis.__zq.step && (globalThis.__zq.step(1000), ctx.bars.close));
    tryPush(() => ctx.__proto__ && ctx.__proto__.panel);
    tryPush(() => ctx.constructor && ctx.constructor('return this')().__zq);
    // Whatever was kept from earlier days: their arrays (if they were live views, they would move on).
    ctx.state.kept = (ctx.state.kept || []).concat(arrays.slice(0, 3)).slice(-30);
    for (const a of ctx.state.kept) arrays.push(a);
    for (let i = 0; i < N; i++) {
      for (const a of arrays) {
        const v = nextRow(asDoubles(a), N, i, close[i]);
        if (v === v) { out[i] = v; break; }
      }
    }
    return out;
  },
});`;

const control = `${nextRowSearch}
defineFactor({
  name: 'control',
  compute(ctx) {
    const N = ctx.codes.length;
    const h = ctx.history('close', 2);           // yesterday's row, then today's
    const out = new Float64Array(N).fill(NaN);
    for (let i = 0; i < N; i++) out[i] = nextRow(h, N, i, h[i]);   // the row after yesterday's: today's close
    return out;
  },
});`;

describe('no look-ahead in user factors', () => {
  const panel = tinyPanel();
  const N = panel.codes.length;
  const D = panel.dates.length;
  const scope = { start: panel.dates[0], end: panel.dates[D - 1] };

  it('the search finds the next row where it is reachable (control): today’s close from yesterday’s', async () => {
    const r = await runUserFactorOnPanel(panel, scope, { source: control, language: 'js', timeoutMs: 20_000 });
    if (!r.ok) throw new Error(r.error.message);
    let found = 0;
    for (let d = 1; d < D; d++) for (let i = 0; i < N; i++) {
      expect(r.values[d * N + i]).toBe(panel.close[d * N + i]);
      found++;
    }
    expect(found).toBe((D - 1) * N);
  });

  it('no path leads to tomorrow’s close', async () => {
    const r = await runUserFactorOnPanel(panel, scope, { source: peek, language: 'js', timeoutMs: 60_000 });
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message} (line ${r.error.line})`);
    let tomorrowSeen = 0;
    let compared = 0;
    for (let d = 0; d + 1 < D; d++) {
      for (let i = 0; i < N; i++) {
        const tomorrow = panel.close[(d + 1) * N + i];
        // Only days where tomorrow's close differs from every value the factor may legitimately see as today's.
        if (tomorrow === panel.close[d * N + i]) continue;
        compared++;
        if (r.values[d * N + i] === tomorrow) tomorrowSeen++;
      }
    }
    expect(compared).toBeGreaterThan(200);
    expect(tomorrowSeen).toBe(0);
  });
});

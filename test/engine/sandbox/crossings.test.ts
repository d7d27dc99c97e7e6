// User code in the isolate gets the tolerant comparisons on ctx (crossedAbove, crossedBelow, above,
// below) — the engine's own, bundled with it — and they decide the tie case as the built-in
// dual_ma does. Closes in fen; the arithmetic is in test/engine/builtins/crossings.test.ts.
import { describe, expect, it } from 'vitest';
import { runUserBacktest } from '../../../src/engine/sandbox/sandbox.ts';
import { makePanel, tradingDates } from '../panel-builder.ts';

const tie = [998, 1001, 1003, 1003, 1003, 997, 999, 997, 1000, 1003, 1000, 1000, 1002, 1000, 1003, 998, 997, 1000, 997, 1003, 1006, 1006];
const oneFen = tie.map((v, d) => (d === 20 ? 1007 : v));
const dates = tradingDates('2024-01-02', 22);

// A dual MA written with the per-stock form, logging what the scalar form and above/below say on day 21 (index 20).
const source = `
export default defineStrategy({
  name: 'user_crossings',
  params: z.object({}),
  onDay(ctx) {
    const f = ctx.sma(5), s = ctx.sma(20), fp = ctx.sma(5, 1), sp = ctx.sma(20, 1);
    const golden = ctx.crossedAbove(f, s, fp, sp);
    const death = ctx.crossedBelow(f, s, fp, sp);
    if (ctx.dayNumber === 21) {
      console.log(JSON.stringify({
        array: golden instanceof Uint8Array, golden: golden[0], death: death[0],
        scalar: ctx.crossedAbove(f[0], s[0], fp[0], sp[0]),
        above: ctx.above(f[0], s[0]), below: ctx.below(f[0], s[0]),
        level: ctx.crossedAbove(f, 10, fp, 10)[0],
      }));
    }
    for (let i = 0; i < golden.length; i++) if (golden[i] && ctx.portfolio.sharesOf(i) === 0) ctx.orderValue(i, 80000);
  },
});
`;

const run = (fen: number[]) =>
  runUserBacktest({ source, language: 'js', panel: makePanel(dates, [{ code: '600000.SH', close: fen.map((v) => v / 100) }]), timeoutMs: 20_000 });

describe('tolerant comparisons in user code', () => {
  it('a tie of the averages (10.006 both) is no crossing; the scalar form and above/below agree', async () => {
    const out = await run(tie);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.result.fills).toEqual([]);
    // Day 20 (0-based) SMA5 = SMA20 = 10.006; yesterday's SMA5 (9.99) was below 10 (SMA20 10.002), today's above it.
    expect(JSON.parse(out.result.logs[0].split(' ').slice(1).join(' '))).toEqual({ array: true, golden: 0, death: 0, scalar: false, above: false, below: false, level: 1 });
  });

  it('a 1-fen higher close (+3/20 fen between the averages) is a golden cross, bought the next day', async () => {
    const out = await run(oneFen);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    // 80,000 / 10.06 = 7,952 → 7,900 shares at day 21's 10.06.
    expect(out.result.fills.map((f) => [f.date, f.side, f.shares, f.price])).toEqual([[dates[21], 'buy', 7900, 10.06]]);
    expect(JSON.parse(out.result.logs[0].split(' ').slice(1).join(' '))).toMatchObject({ golden: 1, scalar: true, above: true, below: false });
  });

  it('arrays of different lengths are an error at the user\'s line', async () => {
    const bad = `export default defineStrategy({
  name: 'bad',
  params: z.object({}),
  onDay(ctx) {
    ctx.crossedAbove(ctx.sma(5), [1, 2], ctx.sma(5, 1), 1);
  },
});`;
    const out = await runUserBacktest({ source: bad, language: 'js', panel: makePanel(dates, [{ code: '600000.SH', close: tie.map((v) => v / 100) }]), timeoutMs: 20_000 });
    expect(out).toMatchObject({ ok: false, error: { code: 'runtime_error', line: 5 } });
    if (!out.ok) expect(out.error.message).toMatch(/different lengths/);
  });
});

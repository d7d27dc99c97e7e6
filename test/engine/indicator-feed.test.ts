import { describe, expect, it } from 'vitest';
import { makeIndicatorFeed } from '../../src/engine/indicator-feed.ts';
import { makeSma } from '../../src/engine/sma.ts';
import type { Panel } from '../../src/engine/panel.ts';

/**
 * The feed's SMAs share one history of inputs (indicators.ts, History) instead of a ring each. What
 * that must not change: an SMA registered late (caught up by replay), of a window longer than the
 * history the feed had (the history is replaced) or shorter (it joins), gives every day the values
 * an SMA of that window fed alone from day 0 gives — bit for bit, across the 512-day re-sums — and
 * those are the plain mean of the window's last `len` inputs (to float noise).
 */
describe('indicator feed: SMAs on one shared history', () => {
  const N = 4;
  const D = 1300;
  // Deterministic prices with gaps: stock 1 has no bar on every 7th day, stock 2 lists on day 40,
  // stock 3's adjustment factor steps up on day 600.
  let seed = 17;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const close = new Float64Array(D * N);
  const adjFactor = new Float64Array(D * N).fill(1);
  for (let d = 0; d < D; d++) {
    for (let i = 0; i < N; i++) {
      const k = d * N + i;
      close[k] = 10 + i + rnd() * 3;
      if (i === 1 && d % 7 === 0) close[k] = NaN;
      if (i === 2 && d < 40) close[k] = NaN;
      if (i === 3 && d >= 600) adjFactor[k] = 1.37;
    }
  }
  const panel = { codes: ['a', 'b', 'c', 'd'], close, adjFactor } as unknown as Panel;

  it('late and longer or shorter windows give what an SMA alone from day 0 gives', () => {
    const clock = { panel, N, today: 0 };
    const feed = makeIndicatorFeed(clock);
    // Registered: 5 on day 0, 60 on day 700 (longer than the history so far), 3 on day 900 (shorter), 20 on day 1100.
    const registers: Record<number, number[]> = { 0: [5], 700: [60], 900: [3], 1100: [20] };
    const windows = [5, 60, 3, 20];
    const alone = new Map(windows.map((w) => [w, makeSma(w, N)]));
    const x = new Float64Array(N).fill(NaN);
    const joined = new Set<number>();
    const history: number[][] = [];
    let checked = 0;
    for (let d = 0; d < D; d++) {
      clock.today = d;
      feed.feed(d);
      for (let i = 0; i < N; i++) {
        const v = close[d * N + i] * adjFactor[d * N + i];
        if (v === v) x[i] = v;
      }
      history.push(Array.from(x));
      for (const sma of alone.values()) sma.update(x);
      for (const w of registers[d] ?? []) joined.add(w);
      for (const w of joined) {
        const mine = alone.get(w)!;
        expect(Array.from(feed.sma(w, 0)), `sma ${w} on day ${d}`).toEqual(Array.from(mine.cur[0]));
        expect(Array.from(feed.sma(w, 1)), `sma ${w} lag 1 on day ${d}`).toEqual(Array.from(mine.prev[0]));
        for (let i = 0; i < N; i++) {
          const last = history.slice(Math.max(0, d - w + 1)).map((row) => row[i]).filter((v) => v === v);
          const got = feed.sma(w, 0)[i];
          if (last.length < w) expect(got).toBeNaN();
          else {
            expect(Math.abs(got - last.reduce((a, b) => a + b, 0) / w)).toBeLessThan(1e-12);
            checked++;
          }
        }
      }
      expect(Array.from(feed.adjClose)).toEqual(Array.from(x));
    }
    // Every window got past its warm-up on every stock for hundreds of days (so the comparisons above were of numbers).
    expect(checked).toBeGreaterThan(4 * 1000);
  });
});

/**
 * The analysis core against an independent computation on a fixed 6-stock × 10-day panel.
 *
 * Expected values: computed by test/factors/analysis.reference.py (plain Python, standard library
 * only, written from the rules stated in src/factors/analysis — not from its code) and pasted below
 * (`python3 test/factors/analysis.reference.py`), rounded to 12 decimals. The panel has ties in the
 * factor (Rank IC with average ranks), a stock opening at its up-limit on an entry day (C, day 3: left
 * out of factor day 2), one opening at its down-limit on an exit day (D, day 6: exit postponed to
 * day 7), a suspension (E, day 4: no entry for day 3, exit postponed), a listing inside the panel (F,
 * day 3), an adjustment-factor step (B ×2 on day 5, its open halved: no return from it), an ST spell
 * (B, days 5–7). Days 8–9 (all values equal) are checked by hand below.
 */
import { describe, expect, it } from 'vitest';
import { analyseFactor, type AnalysisOptions } from '../../src/factors/analysis/analyse.ts';
import { analyseOnThreads, analysisThreadsIdle } from '../../src/factors/analysis/analysis-threads.ts';
import { joinSeries, splitDays } from '../../src/factors/analysis/split.ts';
import { canBuyAt, canSellAt, nextSellDays } from '../../src/factors/analysis/tradable.ts';

const N = 6;
const D = 10;
const nan = NaN;
const openRows = [
  [10.0, 20.0, 5.0, 8.0, 12.0, nan],
  [10.2, 20.4, 5.1, 8.1, 12.1, nan],
  [10.1, 20.8, 5.3, 8.3, 12.3, nan],
  [10.4, 20.6, 5.83, 8.2, 12.0, 30.0],
  [10.6, 21.0, 5.9, 8.4, nan, 30.5],
  [10.5, 10.4, 5.7, 8.6, 12.6, 31.0],
  [10.8, 10.6, 5.8, 7.74, 12.8, 30.2],
  [11.0, 10.9, 6.0, 7.9, 12.7, 30.8],
  [10.9, 11.0, 6.1, 8.1, 12.9, 31.5],
  [11.2, 11.3, 6.2, 8.3, 13.1, 31.0],
];
const factorRows = [
  [0.5, 0.2, 0.5, 0.1, 0.2, nan],
  [0.3, 0.3, 0.3, 0.7, 0.1, nan],
  [0.9, 0.4, 0.1, 0.4, 0.6, nan],
  [0.2, 0.8, 0.5, 0.5, 0.7, 0.1],
  [0.6, 0.6, 0.2, 0.3, 0.9, 0.4],
  [0.1, 0.5, 0.5, 0.5, 0.3, 0.8],
  [0.4, nan, 0.6, 0.2, 0.1, 0.7],
  [0.7, 0.3, 0.8, 0.6, 0.2, 0.5],
  [0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
  [0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
];

function fixture() {
  const S = N * D;
  const open = new Float64Array(openRows.flat());
  const adjFactor = new Float64Array(S).fill(1);
  for (let d = 5; d < D; d++) adjFactor[d * N + 1] = 2;
  const upLimit = new Float64Array(S).fill(NaN);
  const downLimit = new Float64Array(S).fill(NaN);
  upLimit[3 * N + 2] = 5.83;
  downLimit[6 * N + 3] = 7.74;
  const suspended = new Uint8Array(S);
  suspended[4 * N + 4] = 1;
  const listed = new Uint8Array(S).fill(1);
  for (let d = 0; d < 3; d++) listed[d * N + 5] = 0;
  const st = new Uint8Array(S);
  for (let d = 5; d <= 7; d++) st[d * N + 1] = 1;
  // Market caps whose logs the reference regresses on: log(100 + 10·i + d).
  const marketCap = new Float64Array(S);
  for (let d = 0; d < D; d++) for (let i = 0; i < N; i++) marketCap[d * N + i] = 100 + 10 * i + d;
  const dates = Int32Array.from({ length: D }, (_, d) => 20240101 + d);
  const market = { dates, codes: ['A', 'B', 'C', 'D', 'E', 'F'], open, adjFactor, upLimit, downLimit, suspended, listed, st };
  return { market, factor: new Float64Array(factorRows.flat()), industry: Int32Array.from([0, 0, 1, 1, 2, 2]), listedDay: Int32Array.from([-100, -100, -100, -100, -100, 3]), marketCap };
}

const base: AnalysisOptions = { horizons: [1, 2], quantiles: 3, industryNeutral: false, sizeNeutral: false, excludeSt: false, minListedDays: 0 };

function run(options: Partial<AnalysisOptions>) {
  const f = fixture();
  return analyseFactor({ market: f.market, factor: f.factor, from: 0, to: 7, industry: f.industry, industries: 3, listedDay: f.listedDay, marketCap: f.marketCap }, { ...base, ...options });
}

type Ref = { ic: (number | null)[][]; ric: (number | null)[][]; qret: (number | null)[][][]; labels: (Record<string, number> | null)[]; turnover: (number | null)[][]; universe: number[]; names: number[]; tradable: number[] };
// From test/factors/analysis.reference.py (see the header).
const expected: Record<'plain' | 'industry' | 'size' | 'both' | 'filters', Ref> = {"plain":{"ic":[[-0.199996607405,-0.073864067181,-0.015975644112,-0.296419528956,0.462685063559,0.342490806221,0.026101892498,0.062705549402],[0.654130220321,-0.223364201412,-0.360358001153,-0.103703190306,0.212753676453,0.772922203204,-0.644659250354,null]],"ric":[[-0.158113883008,0.22360679775,-0.316227766017,-0.410391340834,0.347862621391,0.516100229611,0.2,0.314285714286],[0.632455532034,-0.22360679775,-0.316227766017,-0.153896752813,-0.057977103565,0.637535577755,-0.5,null]],"qret":[[[0.020276042261,-0.024390243902,0.021903859815,0.003479740179,-0.031925744594,0.005353009259,0.020532243596,0.021388301621],[null,0.040029195227,0.05,-0.005044390638,0.007331915396,0.027818826679,0.003787878788,0.004409171076],[0.014705882353,-0.012048192771,0.019230769231,-0.009523809524,0.015873015873,0.019867549669,0.022727272727,0.021958189201]],[[0.004628379257,0.024390243902,0.029244612834,0.004515929477,-0.014381884945,0.00853587963,0.041064487192,null],[null,0.057442627427,0.05,-0.038236481033,0.029748119264,0.045323871632,0.025757575758,null],[0.08137254902,0.012048192771,0.009615384615,0.009523809524,0.007936507937,0.043046357616,0.006493506494,null]]],"labels":[{"0":2,"1":0,"2":2,"3":0,"4":0},{"0":1,"1":1,"2":1,"3":2,"4":0},{"0":2,"1":0,"3":0,"4":1},{"0":0,"1":2,"2":1,"3":1,"5":0},{"0":1,"1":1,"2":0,"3":0,"4":2,"5":1},{"0":0,"1":1,"2":1,"3":1,"4":0,"5":2},{"0":1,"2":1,"3":0,"4":0,"5":2},{"0":2,"1":0,"2":2,"3":1,"4":0,"5":1}],"turnover":[[null,0.0,1.0,1.0,1.0,1.0,0.5,0.5],[null,1.0,1.0,1.0,1.0,0.666666666667,0.5,1.0],[null,1.0,1.0,1.0,1.0,1.0,0.0,1.0]],"universe":[5,5,5,6,6,6,6,6],"names":[5,5,5,6,6,6,5,6],"tradable":[5,5,4,5,6,6,5,6]},"industry":{"ic":[[-0.119473155077,-0.780096477046,-0.065435418296,-0.246068779379,0.160676827462,0.605341698725,0.026101892498,-0.391889248497],[0.639129851479,-0.832509049932,0.191399855731,-0.108927902395,-0.074660257836,0.743971908138,-0.644659250354,null]],"ric":[[0.0,-0.67082039325,-0.4,-0.307793505626,-0.11595420713,0.55078248387,0.2,0.028571428571],[0.6,-0.67082039325,-0.4,-0.35909242323,-0.289885517826,0.521793932087,-0.5,null]],"qret":[[[0.022149600581,0.1,0.034708737864,0.003479740179,-0.004131295982,0.005353009259,0.020532243596,0.021388301621],[0.003362502026,-0.001434219407,0.024390243902,-0.005044390638,0.023901098901,0.027577296623,0.003787878788,0.020542400324],[0.039215686275,-0.012048192771,0.019230769231,-0.009523809524,-0.032761166482,0.024084718231,0.022727272727,0.005824959953]],[[0.01107480029,0.11320754717,0.029854368932,0.004515929477,0.023089983022,0.00853587963,0.041064487192,null],[0.005671690164,0.027836859671,0.048780487805,-0.038236481033,0.047847985348,0.049117882919,0.025757575758,null],[0.143137254902,0.012048192771,0.009615384615,0.009523809524,-0.03672942045,0.040391103336,0.006493506494,null]]],"labels":[{"0":1,"1":0,"2":2,"3":0,"4":1},{"0":1,"1":1,"2":0,"3":2,"4":1},{"0":2,"1":0,"3":1,"4":0},{"0":0,"1":2,"2":1,"3":1,"5":0},{"0":1,"1":1,"2":0,"3":2,"4":2,"5":0},{"0":0,"1":2,"2":1,"3":1,"4":0,"5":2},{"0":1,"2":1,"3":0,"4":0,"5":2},{"0":2,"1":0,"2":1,"3":1,"4":0,"5":2}],"turnover":[[null,1.0,1.0,1.0,0.5,1.0,0.5,0.5],[null,0.333333333333,1.0,0.5,1.0,1.0,0.5,0.5],[null,1.0,1.0,1.0,1.0,1.0,0.0,0.5]],"universe":[5,5,5,6,6,6,6,6],"names":[5,5,5,6,6,6,5,6],"tradable":[5,5,4,5,6,6,5,6]},"size":{"ic":[[0.159808488764,-0.066753841969,0.471763073109,-0.237979436867,0.453773143055,0.828148985885,0.000509760803,-0.215090292979],[0.734693449077,-0.219868525971,0.162726604057,-0.175808296828,0.20271547499,0.828267565262,-0.64294795505,null]],"ric":[[0.1,0.1,-0.2,-0.2,0.314285714286,0.714285714286,0.2,-0.257142857143],[0.7,-0.3,-0.2,-0.2,-0.028571428571,0.485714285714,-0.5,null]],"qret":[[[0.022149600581,0.037804878049,0.021903859815,0.003479740179,-0.031925744594,0.005353009259,0.020532243596,0.021388301621],[0.003362502026,0.010043792841,0.05,-0.005044390638,0.001382488479,0.027577296623,0.003787878788,0.005824959953],[0.039215686275,-0.012048192771,0.019230769231,-0.009523809524,0.017551892552,0.024084718231,0.022727272727,0.020542400324]],[[0.01107480029,0.068798895536,0.029244612834,0.004515929477,-0.014381884945,0.00853587963,0.041064487192,null],[0.005671690164,0.029560167555,0.05,-0.038236481033,0.020583717358,0.049117882919,0.025757575758,null],[0.143137254902,0.012048192771,0.009615384615,0.009523809524,0.028006715507,0.040391103336,0.006493506494,null]]],"labels":[{"0":1,"1":0,"2":2,"3":0,"4":1},{"0":1,"1":1,"2":0,"3":2,"4":0},{"0":2,"1":0,"3":0,"4":1},{"0":0,"1":2,"2":1,"3":1,"5":0},{"0":1,"1":2,"2":0,"3":0,"4":2,"5":1},{"0":0,"1":2,"2":1,"3":1,"4":0,"5":2},{"0":1,"2":1,"3":0,"4":0,"5":2},{"0":1,"1":0,"2":2,"3":2,"4":0,"5":1}],"turnover":[[null,1.0,1.0,1.0,1.0,1.0,0.5,0.5],[null,0.5,1.0,1.0,1.0,1.0,0.5,0.5],[null,1.0,1.0,1.0,0.5,0.5,0.0,1.0]],"universe":[5,5,5,6,6,6,6,6],"names":[5,5,5,6,6,6,5,6],"tradable":[5,5,4,5,6,6,5,6]},"both":{"ic":[[0.595370493832,-0.420802764205,-0.107459962772,-0.362401152181,-0.070812005616,0.649786822555,-0.0102388803,-0.533733490729],[0.542761447031,-0.425808833912,0.327651399668,-0.059991004807,-0.279653299294,0.511535366909,-0.640910966523,null]],"ric":[[0.4,-0.5,0.0,-0.6,-0.142857142857,0.542857142857,0.2,-0.085714285714],[0.2,-0.3,0.0,-0.1,-0.257142857143,0.428571428571,-0.5,null]],"qret":[[[0.007443718228,0.045192307692,0.034708737864,0.003479740179,-0.004131295982,0.006429667313,0.020532243596,0.021388301621],[0.018068384379,0.002656363197,0.019230769231,-0.005044390638,0.023901098901,0.023410202655,0.003787878788,0.020542400324],[0.039215686275,-0.012048192771,0.024390243902,-0.009523809524,-0.032761166482,0.027175154145,0.022727272727,0.005824959953]],[[0.015976761075,0.061411465893,0.029854368932,0.004515929477,0.023089983022,0.027162063953,0.041064487192,null],[0.000769729379,0.036947597199,0.009615384615,-0.038236481033,0.047847985348,0.023497554158,0.025757575758,null],[0.143137254902,0.012048192771,0.048780487805,0.009523809524,-0.03672942045,0.047385247773,0.006493506494,null]]],"labels":[{"0":0,"1":1,"2":2,"3":0,"4":1},{"0":1,"1":0,"2":0,"3":2,"4":1},{"0":1,"1":0,"3":2,"4":0},{"0":0,"1":2,"2":1,"3":1,"5":0},{"0":1,"1":1,"2":0,"3":2,"4":2,"5":0},{"0":1,"1":1,"2":2,"3":0,"4":0,"5":2},{"0":1,"2":1,"3":0,"4":0,"5":2},{"0":2,"1":0,"2":1,"3":1,"4":0,"5":2}],"turnover":[[null,1.0,0.5,1.0,0.5,1.0,0.0,0.5],[null,0.5,0.0,1.0,1.0,0.0,0.5,0.5],[null,1.0,0.0,1.0,1.0,1.0,0.0,0.5]],"universe":[5,5,5,6,6,6,6,6],"names":[5,5,5,6,6,6,5,6],"tradable":[5,5,4,5,6,6,5,6]},"filters":{"ic":[[-0.199996607405,-0.073864067181,-0.015975644112,-0.001547818746,0.436199542837,0.327988023254,0.026101892498,0.260287851747],[0.654130220321,-0.223364201412,-0.360358001153,-0.108636225312,0.186077313623,0.770061488028,-0.644659250354,null]],"ric":[[-0.158113883008,0.22360679775,-0.316227766017,-0.316227766017,0.153896752813,0.564288093647,0.2,0.6],[0.632455532034,-0.22360679775,-0.316227766017,-0.316227766017,-0.35909242323,0.564288093647,-0.5,null]],"qret":[[[0.020276042261,-0.024390243902,0.021903859815,-0.009433962264,-0.031925744594,0.005353009259,0.020532243596,-0.000184569952],[null,0.040029195227,0.05,-0.005044390638,0.023901098901,0.027577296623,0.003787878788,0.026107146902],[0.014705882353,-0.012048192771,0.019230769231,-0.009523809524,0.015873015873,0.019867549669,0.022727272727,0.016393442623]],[[0.004628379257,0.024390243902,0.029244612834,0.018867924528,-0.014381884945,0.00853587963,0.041064487192,null],[null,0.057442627427,0.05,-0.038236481033,0.047847985348,0.049117882919,0.025757575758,null],[0.08137254902,0.012048192771,0.009615384615,0.009523809524,0.007936507937,0.043046357616,0.006493506494,null]]],"labels":[{"0":2,"1":0,"2":2,"3":0,"4":0},{"0":1,"1":1,"2":1,"3":2,"4":0},{"0":2,"1":0,"3":0,"4":1},{"0":0,"1":2,"2":1,"3":1},{"0":1,"1":1,"2":0,"3":0,"4":2},{"0":0,"2":1,"3":1,"4":0,"5":2},{"0":1,"2":1,"3":0,"4":0,"5":2},{"0":1,"2":2,"3":1,"4":0,"5":0}],"turnover":[[null,0.0,1.0,1.0,1.0,1.0,0.5,0.5],[null,1.0,1.0,1.0,1.0,1.0,0.5,0.5],[null,1.0,1.0,1.0,1.0,1.0,0.0,1.0]],"universe":[5,5,5,5,5,5,5,5],"names":[5,5,5,5,5,5,5,5],"tradable":[5,5,4,4,5,5,5,5]}};

const nullable = (xs: ArrayLike<number>) => Array.from(xs, (x) => (Number.isFinite(x) ? x : null));
function close(actual: (number | null)[], want: (number | null)[], what: string) {
  expect(actual.length, what).toBe(want.length);
  actual.forEach((a, t) => {
    if (want[t] === null) expect(a, `${what} day ${t}`).toBeNull();
    else expect(a, `${what} day ${t}`).toBeCloseTo(want[t]!, 9);
  });
}

const variants = {
  plain: {},
  industry: { industryNeutral: true },
  size: { sizeNeutral: true },
  both: { industryNeutral: true, sizeNeutral: true },
  filters: { excludeSt: true, minListedDays: 3 },
} satisfies Record<keyof typeof expected, Partial<AnalysisOptions>>;

describe('factor analysis against the independent reference', () => {
  for (const [name, options] of Object.entries(variants) as [keyof typeof expected, Partial<AnalysisOptions>][]) {
    it(`${name}: IC, Rank IC (ties averaged), quantile returns, turnover, counts`, () => {
      const s = run(options);
      const want = expected[name];
      expect(Array.from(s.universe)).toEqual(want.universe);
      expect(Array.from(s.names)).toEqual(want.names);
      expect(Array.from(s.tradable)).toEqual(want.tradable);
      for (let h = 0; h < 2; h++) {
        close(nullable(s.ic[h]), want.ic[h], `${name} IC h${h}`);
        close(nullable(s.rankIc[h]), want.ric[h], `${name} Rank IC h${h}`);
        for (let q = 0; q < 3; q++) close(nullable(s.quantileReturns[h][q]), want.qret[h][q], `${name} Q${q + 1} h${h}`);
      }
      for (let q = 0; q < 3; q++) close(nullable(s.turnover[q]), want.turnover[q], `${name} turnover Q${q + 1}`);
      // Quantile sizes from the reference's labels.
      want.labels.forEach((labels, t) => {
        for (let q = 0; q < 3; q++) {
          const n = labels === null ? 0 : Object.values(labels).filter((l) => l === q).length;
          expect(s.quantileCounts[q][t], `${name} Q${q + 1} size day ${t}`).toBe(n);
        }
      });
    });
  }

  it('the reference exercises what it claims: ties, a locked entry, a postponed exit, equal-value days', () => {
    // Day 0 has a tie at 0.5 (A, C) and at 0.2 (B, E): average ranks 4.5 and 1.5 among the 5 tradable.
    expect(expected.plain.labels[0]).toEqual({ 0: 2, 1: 0, 2: 2, 3: 0, 4: 0 });
    // C opens at its up-limit on day 3: left out of day 2 (4 tradable of 5 with values).
    expect(expected.plain.names[2] - expected.plain.tradable[2]).toBe(1);
    expect(expected.plain.ic[1][7]).toBeNull(); // day 7 + 1 + 2 = 10 is past the panel: no 2-day return
  });

  it('a day of all-equal values: no IC (no spread), every name in the middle quantile (by hand)', () => {
    const f = fixture();
    const s = analyseFactor({ market: f.market, factor: f.factor, from: 8, to: 8, industry: null, industries: 1, listedDay: null, marketCap: null }, { ...base, horizons: [1] });
    // 6 tradable names all tied: average rank (1+6)/2 = 3.5, quantile ⌊(3.5 − 1)·3/6⌋ + 1 = 2.
    expect([s.quantileCounts[0][0], s.quantileCounts[1][0], s.quantileCounts[2][0]]).toEqual([0, 6, 0]);
    expect(s.ic[0][0]).toBeNaN();
    expect(s.rankIc[0][0]).toBeNaN();
    // Q2's 1-day return: entry on day 9, exit on day 10, past the panel: none.
    expect(s.quantileReturns[0][1][0]).toBeNaN();
  });

  it('split between threads and joined, the series equal one pass (turnover across the seam included)', () => {
    const f = fixture();
    const at = (from: number, to: number) => analyseFactor({ market: f.market, factor: f.factor, from, to, industry: f.industry, industries: 3, listedDay: f.listedDay, marketCap: f.marketCap }, { ...base, industryNeutral: true });
    const whole = at(0, 7);
    // Days 0–3 and 4–7; the second part starts a day early (day 3) for its turnover, and drops it.
    const joined = joinSeries([at(0, 3), at(3, 7)], [0, 1]);
    expect(joined).toEqual(whole);
    expect(splitDays(0, 999, 4)).toEqual([{ from: 0, to: 249, skip: 0 }, { from: 249, to: 499, skip: 1 }, { from: 499, to: 749, skip: 1 }, { from: 749, to: 999, skip: 1 }]);
    expect(splitDays(0, 150, 4)).toEqual([{ from: 0, to: 150, skip: 0 }]);
  });

  it('on threads kept between analyses: each analysis equals one pass on this thread, the second on the first one\'s thread', async () => {
    const f = fixture();
    const input = { market: f.market, factor: f.factor, from: 0, to: 7, industry: f.industry, industries: 3, listedDay: f.listedDay, marketCap: f.marketCap };
    const signal = new AbortController().signal;
    const plain = await analyseOnThreads({ ...input, options: base }, 2, { signal });
    expect(plain.series).toEqual(analyseFactor(input, base));
    // 8 days make one part (splitDays keeps at least 100 days a part): one thread, now idle.
    expect(analysisThreadsIdle()).toBe(1);
    // Other options on the kept thread: nothing of the first analysis carries over.
    const neutral = { ...base, industryNeutral: true, sizeNeutral: true };
    expect((await analyseOnThreads({ ...input, options: neutral }, 2, { signal })).series).toEqual(analyseFactor(input, neutral));
    expect(analysisThreadsIdle()).toBe(1);
  });

  it('states the entry and exit rule on the fixture: locked, suspended and unlisted days', () => {
    const { market } = fixture();
    const k = (d: number, i: number) => d * N + i;
    expect(canBuyAt(market, k(3, 2))).toBe(false); // C opens at its up-limit
    expect(canSellAt(market, k(3, 2))).toBe(true); // …which does not stop a sale
    expect(canSellAt(market, k(6, 3))).toBe(false); // D opens at its down-limit
    expect(canBuyAt(market, k(6, 3))).toBe(true);
    expect(canBuyAt(market, k(4, 4)) || canSellAt(market, k(4, 4))).toBe(false); // E suspended
    expect(canBuyAt(market, k(2, 5))).toBe(false); // F not listed yet
    const next = nextSellDays(market);
    expect(next[k(6, 3)]).toBe(7); // D's exit postponed to day 7
    expect(next[k(4, 4)]).toBe(5);
    expect(next[k(9, 0)]).toBe(9);
  });
});

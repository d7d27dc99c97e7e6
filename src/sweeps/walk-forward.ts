/**
 * Walk-forward window arithmetic over a list of trading days (indices 0..dayCount−1, ends
 * inclusive, as a backtest's start and end dates are). Window w (w = 0, 1, …):
 *
 *   rolling:  isStart = w·step,  isEnd = isStart + inSample − 1
 *   anchored: isStart = 0,       isEnd = inSample − 1 + w·step
 *   both:     oosStart = isEnd + 1,  oosEnd = oosStart + outOfSample − 1
 *
 * while oosEnd ≤ dayCount − 1 (no partial last window; the days left after it are reported).
 * Consecutive out-of-sample segments start `step` days apart, so they never overlap when
 * step ≥ outOfSample (a smaller step is refused) and chain contiguously, oosStart(w+1) =
 * oosEnd(w) + 1, exactly when step = outOfSample — the usual choice, which lets the segments be
 * joined into one out-of-sample equity curve; a larger step leaves gaps between them.
 */
import { formatCount, SweepInputError } from './errors.ts';

export type WalkForwardKind = 'rolling' | 'anchored';

export interface WalkForwardOptions {
  kind: WalkForwardKind;
  /** In-sample length in trading days (for anchored windows: the first window's). */
  inSampleDays: number;
  outOfSampleDays: number;
  /** Trading days between consecutive windows; defaults to outOfSampleDays (contiguous out-of-sample). */
  stepDays?: number;
}

/** Day indices of one window, ends inclusive. */
export interface WalkForwardWindow {
  index: number;
  isStart: number;
  isEnd: number;
  oosStart: number;
  oosEnd: number;
}

export interface WalkForwardPlan {
  windows: WalkForwardWindow[];
  /** True when step = outOfSampleDays: the out-of-sample segments tile [windows[0].oosStart, last oosEnd]. */
  contiguous: boolean;
  /** Trading days after the last out-of-sample segment that no window uses. */
  unusedTailDays: number;
}

function wholeDays(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 1) throw new SweepInputError('invalid_windows', `${name} must be a whole number of trading days of at least 1, got ${v}`);
}

/** The windows over `dayCount` trading days; throws SweepInputError when the period is too short or the lengths unusable. */
export function walkForwardWindows(dayCount: number, options: WalkForwardOptions): WalkForwardPlan {
  const { kind, inSampleDays: is, outOfSampleDays: oos } = options;
  const step = options.stepDays ?? oos;
  if (kind !== 'rolling' && kind !== 'anchored') throw new SweepInputError('invalid_windows', `walk-forward kind must be rolling or anchored, got ${JSON.stringify(kind)}`);
  wholeDays('in_sample_days', is);
  wholeDays('out_of_sample_days', oos);
  wholeDays('step_days', step);
  if (!Number.isSafeInteger(dayCount) || dayCount < 0) throw new SweepInputError('invalid_windows', `the period must have a whole number of trading days, got ${dayCount}`);
  if (step < oos) {
    throw new SweepInputError(
      'invalid_windows',
      `a step of ${step} trading days is shorter than the ${oos}-day out-of-sample window, so out-of-sample segments would overlap; use a step of at least ${oos} (equal to chain them)`,
    );
  }
  if (dayCount < is + oos) {
    throw new SweepInputError(
      'invalid_windows',
      `the period has ${formatCount(dayCount)} trading days, but one window needs ${formatCount(is)} in-sample + ${formatCount(oos)} out-of-sample = ${formatCount(is + oos)}; lengthen the period or shorten the windows`,
    );
  }
  const windows: WalkForwardWindow[] = [];
  for (let w = 0; ; w++) {
    const isStart = kind === 'rolling' ? w * step : 0;
    const isEnd = kind === 'rolling' ? isStart + is - 1 : is - 1 + w * step;
    const oosStart = isEnd + 1;
    const oosEnd = oosStart + oos - 1;
    if (oosEnd > dayCount - 1) break;
    windows.push({ index: w, isStart, isEnd, oosStart, oosEnd });
  }
  const last = windows[windows.length - 1];
  return { windows, contiguous: step === oos, unusedTailDays: dayCount - 1 - last.oosEnd };
}

/** A window as dates (whatever the day list holds: YYYYMMDD numbers or strings). */
export interface WalkForwardDates<D> {
  index: number;
  isStart: D;
  isEnd: D;
  oosStart: D;
  oosEnd: D;
}

/** The windows over a list of trading days, as those days' dates. */
export function walkForwardDates<D>(days: readonly D[], options: WalkForwardOptions): WalkForwardDates<D>[] {
  return walkForwardWindows(days.length, options).windows.map((w) => ({
    index: w.index,
    isStart: days[w.isStart],
    isEnd: days[w.isEnd],
    oosStart: days[w.oosStart],
    oosEnd: days[w.oosEnd],
  }));
}

/** A value series as the engine's metrics read it: point 0 the start (date 0 when undated), YYYYMMDD per point. */
export interface ValueSeries {
  dates: ArrayLike<number>;
  values: ArrayLike<number>;
}

/**
 * The out-of-sample segments joined into one curve: segment w's values are rescaled so that its
 * start point lands on the level where segment w − 1 ended, i.e. the chained curve compounds each
 * segment's own returns V_j / V_{j−1}, beginning at `startValue`. Its dates are the first segment's
 * start and then every segment's points after its start, so with contiguous windows the dates are
 * the trading days of the whole out-of-sample span, once each; computeMetrics reads it as it is.
 */
export function chainSegments(segments: readonly ValueSeries[], startValue = 1): { dates: number[]; values: Float64Array } {
  let length = 1;
  for (const s of segments) length += Math.max(0, s.values.length - 1);
  const dates: number[] = [segments.length ? segments[0].dates[0] : 0];
  const values = new Float64Array(length);
  values[0] = startValue;
  let at = 1;
  let level = startValue;
  for (const s of segments) {
    for (let j = 1; j < s.values.length; j++) {
      values[at++] = level * (s.values[j] / s.values[0]);
      dates.push(s.dates[j]);
    }
    if (s.values.length > 1) level = values[at - 1];
  }
  return { dates, values };
}

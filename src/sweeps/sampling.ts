/**
 * Which points of a parameter space a sweep runs, and in what order, lazily:
 * - grid: every point in grid order (space.ts), refused over the maximum with the count named;
 * - random: distinct points in a seeded pseudo-random order (a keyed permutation of the grid
 *   indices, prng.ts), until `budget` valid ones are found, the space runs out, or maxConsidered
 *   points were looked at;
 * - lhs: a Latin hypercube of `budget` points over the discrete axes (McKay, Beckman and Conover,
 *   1979): every axis is cut into `budget` strata of (nearly) equal numbers of values, each
 *   stratum used exactly once, the pairing across axes a seeded random permutation. Duplicate and
 *   invalid points are skipped, not replaced (a replacement would break the strata), so an LHS
 *   sweep can run fewer than `budget` sets; the tally says how many and why.
 *
 * Every candidate goes through the strategy's own validation (`ParamsCheck` of checks.ts, e.g. the
 * zod schema's safeParse, which runs dual_ma's short_window < long_window refinement); invalid combinations
 * are skipped and counted with their reasons. The tally is live (for progress) and is also the
 * generator's return value.
 */
import { formatCount, SweepInputError } from './errors.ts';
import { makeIndexPermutation, makeRng, MAX_PERMUTATION_DOMAIN, shuffle } from './prng.ts';
import type { ParamsCheck } from './checks.ts';
import { assertGridWithin, DEFAULT_MAX_SETS, decodeIndex, encodeIndex, valuesAt, type ParamSpace, type ParamValue } from './space.ts';

export type SweepMode = { kind: 'grid' } | { kind: 'random'; budget: number; seed: number } | { kind: 'lhs'; budget: number; seed: number };

export interface Candidate {
  /** Position among the valid candidates of this plan, 0-based: a stable key for results and resume. */
  ordinal: number;
  /** Grid index of the point (space.ts order); a safe integer, since spaces over 2^52 are refused. */
  gridIndex: number;
  /** The swept values only. */
  values: Record<string, ParamValue>;
  /** The full params as the strategy's check returned them (base values and defaults filled in). */
  params: Record<string, unknown>;
}

/** Reasons for skipped points are kept for this many distinct messages; the rest count under "other". */
const MAX_REASONS = 20;

export interface SweepTally {
  /** Points looked at (valid + skipped + duplicates). */
  considered: number;
  valid: number;
  /** Points the strategy's check refused. */
  skipped: number;
  /** LHS points equal to an earlier one (possible when an axis has fewer values than the budget). */
  duplicates: number;
  /** Skip counts by the check's message, most frequent first once the plan is done. */
  skipReasons: { message: string; count: number }[];
  /** True when the space (or the LHS design) ran out before the budget was met. */
  exhausted: boolean;
  /** True when a random sweep stopped at maxConsidered points with the budget unmet (nearly every point invalid). */
  capped: boolean;
}

export interface SweepPlan {
  readonly mode: SweepMode;
  readonly space: ParamSpace;
  /** Most sets the plan can yield: the grid's point count or the budget. */
  readonly maxCandidates: number;
  /** The live tally, updated as candidates() is consumed. */
  readonly tally: SweepTally;
  /** Valid candidates, lazily; returns the final tally. Call once. */
  candidates(): Generator<Candidate, SweepTally, void>;
}

export interface PlanOptions {
  /** Checks (and completes) a params object; default accepts everything as given. */
  check?: ParamsCheck;
  /** Values of parameters that are not swept (the rest take the schema's defaults). */
  base?: Readonly<Record<string, unknown>>;
  /** Refuse grids (and budgets) over this many sets. */
  maxSets?: number;
  /** Random mode looks at no more points than this (default max(10^6, 1,000 × budget)), so a space of almost only invalid points ends. */
  maxConsidered?: number;
}

function assertBudget(space: ParamSpace, budget: number, maxSets: number, kind: string): void {
  if (!Number.isSafeInteger(budget) || budget < 1) throw new SweepInputError('invalid_budget', `${kind} mode needs a budget: a whole number of parameter sets of at least 1, got ${budget}`);
  if (budget > maxSets) throw new SweepInputError('invalid_budget', `a budget of ${formatCount(budget)} sets is over the maximum of ${formatCount(maxSets)}; lower the budget`);
  if (BigInt(budget) > space.count) {
    throw new SweepInputError('invalid_budget', `a budget of ${formatCount(budget)} sets is more than the ${formatCount(space.count)} points of the space; use grid mode to run them all`);
  }
}

function assertSampleable(space: ParamSpace): void {
  if (space.count > BigInt(MAX_PERMUTATION_DOMAIN)) {
    throw new SweepInputError('space_too_large', `the space has ${formatCount(space.count)} points, over the ${formatCount(MAX_PERMUTATION_DOMAIN)} a sweep can address; sweep fewer parameters or values`);
  }
}

/**
 * Column d of a discrete Latin hypercube: for n strata over an axis of L values, stratum s holds
 * the indices [⌊sL/n⌋, ⌊(s+1)L/n⌋) and one is drawn uniformly inside it (when n > L a stratum may
 * hold none: it takes the value ⌊sL/n⌋, so every value is used ⌊n/L⌋ or ⌈n/L⌉ times); the strata
 * are then shuffled so columns pair at random.
 */
function lhsColumn(length: number, n: number, rng: ReturnType<typeof makeRng>): Int32Array {
  const col = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    const lo = Math.floor((s * length) / n);
    const hi = Math.floor(((s + 1) * length) / n);
    col[s] = lo + rng.int(Math.max(1, hi - lo));
  }
  return shuffle(col, rng);
}

/** Grid indices of an LHS design of `n` points (duplicates kept; the plan skips them). */
export function latinHypercube(space: ParamSpace, n: number, seed: number): number[] {
  const rng = makeRng(seed);
  const cols = space.axes.map((a) => lhsColumn(a.length, n, rng));
  const out = new Array<number>(n);
  for (let j = 0; j < n; j++) out[j] = Number(encodeIndex(space, cols.map((c) => c[j])));
  return out;
}

/** Plans a sweep; throws SweepInputError for a grid over the maximum or a bad budget, before anything runs. */
export function planSweep(space: ParamSpace, mode: SweepMode, options: PlanOptions = {}): SweepPlan {
  const maxSets = options.maxSets ?? DEFAULT_MAX_SETS;
  const check: ParamsCheck = options.check ?? ((params) => ({ ok: true, params }));
  const base = options.base ?? {};
  let order: (k: number) => number;
  let length: number;
  let maxCandidates: number;
  let budget = Infinity;
  let cap = Infinity;
  switch (mode.kind) {
    case 'grid':
      assertGridWithin(space, maxSets);
      length = maxCandidates = Number(space.count);
      order = (k) => k;
      break;
    case 'random':
      assertSampleable(space);
      assertBudget(space, mode.budget, maxSets, 'random');
      length = Number(space.count);
      maxCandidates = budget = mode.budget;
      cap = options.maxConsidered ?? Math.max(1_000_000, 1000 * budget);
      order = makeIndexPermutation(length, makeRng(mode.seed));
      break;
    case 'lhs': {
      assertSampleable(space);
      assertBudget(space, mode.budget, maxSets, 'lhs');
      const design = latinHypercube(space, mode.budget, mode.seed);
      length = maxCandidates = design.length;
      order = (k) => design[k];
      break;
    }
    default:
      throw new SweepInputError('invalid_budget', `unknown sweep mode ${JSON.stringify((mode as { kind: unknown }).kind)}; use grid, random or lhs`);
  }
  const tally: SweepTally = { considered: 0, valid: 0, skipped: 0, duplicates: 0, skipReasons: [], exhausted: false, capped: false };
  const reasons = new Map<string, number>();
  let started = false;
  function* candidates(): Generator<Candidate, SweepTally, void> {
    if (started) throw new Error('candidates() of a sweep plan can be consumed once; plan again to restart');
    started = true;
    const seen = mode.kind === 'lhs' ? new Set<number>() : null;
    let k = 0;
    for (; k < length && tally.valid < budget && tally.considered < cap; k++) {
      const gridIndex = order(k);
      tally.considered++;
      if (seen) {
        if (seen.has(gridIndex)) {
          tally.duplicates++;
          continue;
        }
        seen.add(gridIndex);
      }
      const values = valuesAt(space, decodeIndex(space, gridIndex));
      const r = check({ ...base, ...values });
      if (!r.ok) {
        tally.skipped++;
        const key = reasons.has(r.message) || reasons.size < MAX_REASONS ? r.message : 'other';
        reasons.set(key, (reasons.get(key) ?? 0) + 1);
        tally.skipReasons = [...reasons].map(([message, count]) => ({ message, count }));
        continue;
      }
      yield { ordinal: tally.valid++, gridIndex, values, params: r.params };
    }
    tally.exhausted = k === length && tally.valid < budget && mode.kind !== 'grid';
    tally.capped = k < length && tally.valid < budget;
    tally.skipReasons.sort((a, b) => b.count - a.count);
    return tally;
  }
  return { mode, space, maxCandidates, tally, candidates };
}

export interface ValidEstimate {
  /** Grid points in all. */
  count: bigint;
  /** Distinct points checked. */
  sampled: number;
  validSampled: number;
  /** Valid grid points: exact when every point was checked, else count × validSampled / sampled, rounded. */
  estimatedValid: bigint;
  exact: boolean;
}

/**
 * A cheap estimate of how many grid points pass the strategy's check (for a live count on the
 * form): checks every point when there are at most `samples`, else `samples` distinct points drawn
 * with a seeded permutation, so the same space always gives the same estimate.
 */
export function estimateValid(space: ParamSpace, options: PlanOptions & { samples?: number; seed?: number } = {}): ValidEstimate {
  const samples = options.samples ?? 2_000;
  const check: ParamsCheck = options.check ?? ((params) => ({ ok: true, params }));
  const base = options.base ?? {};
  const exact = space.count <= BigInt(samples);
  if (!exact) assertSampleable(space);
  const n = exact ? Number(space.count) : samples;
  const order = exact ? (k: number) => k : makeIndexPermutation(Number(space.count), makeRng(options.seed ?? 0));
  let valid = 0;
  for (let k = 0; k < n; k++) if (check({ ...base, ...valuesAt(space, decodeIndex(space, order(k))) }).ok) valid++;
  // count · valid / n in bigint, rounded half up.
  const estimatedValid = exact ? BigInt(valid) : (space.count * BigInt(valid) * 2n + BigInt(n)) / (2n * BigInt(n));
  return { count: space.count, sampled: n, validSampled: valid, estimatedValid, exact };
}

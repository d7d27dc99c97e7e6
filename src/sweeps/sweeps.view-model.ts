/**
 * What the sweep pages compute from a sweep and its sets, apart from the routes: the form's axes
 * read back into a space and base params, the axis values a heatmap can pick from, the robustness
 * of each set (its metric beside its grid neighbours' average), and the distribution of the PBO's
 * logits λ for the histogram. Pure, or reading through the sweeps services only.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { probabilityOfBacktestOverfitting } from './pbo.ts';
import { buildSpace, neighbourIndices, type AxisSpec, type ParamSchemaProperty, type ParamSpace, type ParamValue, type ParamsJsonSchema, type SpaceSpec } from './space.ts';
import { listSweepSets, setReturnsOf } from './sweep-sets.service.ts';
import type { SetMetricName, Sweep, SweepSet } from './sweep.types.ts';

/** One parameter's row of the sweep form, as typed. */
export interface AxisForm {
  kind: 'fixed' | 'list' | 'range';
  value: string;
  values: string;
  from: string;
  to: string;
  step: string;
}

export type FieldProblem = { field: string; message: string };

const typeOf = (p: ParamSchemaProperty): string => (Array.isArray(p.type) ? (p.type.find((t) => t !== 'null') ?? 'string') : ((p.type as string | undefined) ?? 'string'));
/** "an integer", "a number": the type as a message names it. */
const aType = (p: ParamSchemaProperty) => `${/^[aeiou]/.test(typeOf(p)) ? 'an' : 'a'} ${typeOf(p)}`;
const numeric = (p: ParamSchemaProperty) => ['integer', 'number'].includes(typeOf(p));

/** The axes of a form: each parameter's kind and fields; a parameter the form does not name starts fixed at its default. */
export function axesFromForm(schema: ParamsJsonSchema | null, form: Record<string, string | string[]>): Record<string, AxisForm> {
  const one = (k: string) => {
    const v = form[k];
    return (Array.isArray(v) ? v[v.length - 1] : v) ?? '';
  };
  const out: Record<string, AxisForm> = {};
  for (const [name, p] of Object.entries(schema?.properties ?? {})) {
    const k = one(`ax.${name}.kind`);
    const def = p.default === undefined ? '' : String(p.default);
    out[name] = {
      kind: k === 'list' || k === 'range' ? k : 'fixed',
      value: form[`ax.${name}.value`] === undefined ? def : one(`ax.${name}.value`),
      values: one(`ax.${name}.values`), from: one(`ax.${name}.from`), to: one(`ax.${name}.to`), step: one(`ax.${name}.step`),
    };
  }
  return out;
}

/** The starting rows of a strategy's form: every parameter fixed at its default; the first two numeric ones as ranges around it. */
export function defaultAxes(schema: ParamsJsonSchema | null): Record<string, AxisForm> {
  const out: Record<string, AxisForm> = {};
  let ranged = 0;
  for (const [name, p] of Object.entries(schema?.properties ?? {})) {
    const def = p.default === undefined ? '' : String(p.default);
    const row: AxisForm = { kind: 'fixed', value: def, values: '', from: '', to: '', step: '' };
    if (ranged < 2 && typeOf(p) === 'integer' && typeof p.default === 'number') {
      const d = p.default;
      const step = Math.max(1, Math.round(d / 4));
      const lo = Math.max(typeof p.minimum === 'number' ? p.minimum : -Infinity, d - 2 * step);
      Object.assign(row, { kind: 'range', from: String(lo), to: String(d + 2 * step), step: String(step) });
      ranged++;
    }
    out[name] = row;
  }
  return out;
}

function parseValue(p: ParamSchemaProperty, raw: string): ParamValue | null {
  const t = raw.trim();
  if (t === '') return null;
  if (typeOf(p) === 'boolean') return t === 'true' || t === 'on' || t === '1';
  if (numeric(p)) {
    const n = Number(t);
    return Number.isFinite(n) ? n : null;
  }
  return t;
}

/**
 * The space (list and range parameters, in form order) and the base params (fixed ones) of the
 * form's axes, or the first problem, naming the field (`space.<param>`, as the service does).
 */
export function spaceOfAxes(schema: ParamsJsonSchema | null, axes: Record<string, AxisForm>): { space: Record<string, AxisSpec>; params: Record<string, unknown> } | FieldProblem {
  const props = schema?.properties ?? {};
  const space: Record<string, AxisSpec> = {};
  const params: Record<string, unknown> = {};
  for (const [name, a] of Object.entries(axes)) {
    const p = props[name];
    if (!p) continue;
    const field = `space.${name}`;
    if (a.kind === 'fixed') {
      if (a.value.trim() === '') continue;
      const v = parseValue(p, a.value);
      if (v === null) return { field, message: `${name}: "${a.value}" is not ${aType(p)}` };
      params[name] = v;
    } else if (a.kind === 'list') {
      const parts = a.values.split(/[\s,;]+/).filter(Boolean);
      if (!parts.length) return { field, message: `${name}: give the values to try, separated by commas (e.g. 5, 10, 20)` };
      const values: ParamValue[] = [];
      for (const s of parts) {
        const v = parseValue(p, s);
        if (v === null) return { field, message: `${name}: "${s}" is not ${aType(p)}` };
        values.push(v);
      }
      space[name] = { values };
    } else {
      const nums = [a.from, a.to, a.step].map((s) => (s.trim() === '' ? NaN : Number(s)));
      const missing = (['from', 'to', 'step'] as const).filter((_, i) => !Number.isFinite(nums[i]));
      if (missing.length) return { field, message: `${name}: give the range's ${missing.join(', ')} as numbers` };
      space[name] = { from: nums[0], to: nums[1], step: nums[2] };
    }
  }
  return { space, params };
}

/** The sweep's space rebuilt from its strategy's schema (the axes' values, for the heatmap's pickers and the robustness view). */
export function spaceOfSweep(s: Sweep, schema: ParamsJsonSchema | null): ParamSpace | null {
  try {
    return buildSpace(s.space as SpaceSpec, schema);
  } catch {
    return null;
  }
}

/** Axis values by parameter name. */
export function axisValues(space: ParamSpace): { name: string; values: ParamValue[] }[] {
  return space.axes.map((a) => ({ name: a.name, values: Array.from({ length: a.length }, (_, k) => a.valueAt(k)) }));
}

/** Every set of a sweep (a walk-forward's: none here; its windows have their own). */
export async function allSets(db: Kysely<Database>, s: Sweep, metric: SetMetricName): Promise<SweepSet[]> {
  const out: SweepSet[] = [];
  for (let offset = 0; ; offset += 5000) {
    const { sets } = await listSweepSets(db, s, { sort: metric, dir: 'desc', limit: 5000, offset, status: 'succeeded' });
    out.push(...sets);
    if (sets.length < 5000) return out;
  }
}

export interface RobustRow {
  ordinal: number;
  params: Record<string, unknown>;
  value: number;
  /** Mean of the metric over the grid neighbours that ran, or null when none did. */
  neighbourMean: number | null;
  neighbours: number;
  neighbourMin: number | null;
  /** spike: more than one standard deviation (across sets) above its neighbours; plateau: within half of one. */
  verdict: 'spike' | 'plateau' | 'slope' | 'alone';
}

/**
 * Each set's metric beside its grid neighbours' (one step along one axis: space.ts neighbourIndices),
 * best first, `limit` rows. The scale is the metric's standard deviation across all sets, so "a
 * lone spike" means the same on a Sharpe of 0.3 and on a return of 40 %.
 */
export function robustness(space: ParamSpace, sets: readonly SweepSet[], metric: SetMetricName, limit = 15): { rows: RobustRow[]; sd: number } {
  const byGrid = new Map<number, number>();
  for (const s of sets) {
    const v = s.metrics[metric];
    if (v !== null && Number.isFinite(v)) byGrid.set(s.gridIndex, v);
  }
  const vals = [...byGrid.values()];
  const mu = vals.reduce((a, b) => a + b, 0) / (vals.length || 1);
  const sd = vals.length > 1 ? Math.sqrt(vals.reduce((a, b) => a + (b - mu) ** 2, 0) / (vals.length - 1)) : 0;
  const ranked = sets.filter((s) => byGrid.has(s.gridIndex)).sort((a, b) => byGrid.get(b.gridIndex)! - byGrid.get(a.gridIndex)! || a.ordinal - b.ordinal).slice(0, limit);
  const rows = ranked.map((s): RobustRow => {
    const value = byGrid.get(s.gridIndex)!;
    const ns = neighbourIndices(space, s.gridIndex).map((i) => byGrid.get(i)).filter((v): v is number => v !== undefined);
    const neighbourMean = ns.length ? ns.reduce((a, b) => a + b, 0) / ns.length : null;
    const gap = neighbourMean === null ? null : value - neighbourMean;
    const verdict = gap === null ? 'alone' : sd > 0 && gap > sd ? 'spike' : sd === 0 || Math.abs(gap) <= sd / 2 ? 'plateau' : 'slope';
    return { ordinal: s.ordinal, params: s.params, value, neighbourMean, neighbours: ns.length, neighbourMin: ns.length ? Math.min(...ns) : null, verdict };
  });
  return { rows, sd };
}

export interface LambdaHistogram {
  /** Bin edges (bins + 1 of them) over λ. */
  edges: number[];
  counts: number[];
  /** Combinations with λ ≤ 0 (their share is the PBO). */
  atOrBelowZero: number;
  combinations: number;
}

/** A histogram of λ with bins symmetric about 0 (so the bar at the PBO's threshold is split there). */
export function lambdaHistogram(lambdas: ArrayLike<number>, bins = 20): LambdaHistogram {
  let m = 0;
  for (let i = 0; i < lambdas.length; i++) if (Number.isFinite(lambdas[i])) m = Math.max(m, Math.abs(lambdas[i]));
  const half = Math.max(1, Math.ceil(m * 2) / 2);
  const edges = Array.from({ length: bins + 1 }, (_, k) => -half + (2 * half * k) / bins);
  const counts = new Array<number>(bins).fill(0);
  let below = 0;
  for (let i = 0; i < lambdas.length; i++) {
    const l = lambdas[i];
    if (!Number.isFinite(l)) continue;
    if (l <= 0) below++;
    counts[Math.min(bins - 1, Math.max(0, Math.floor(((l + half) / (2 * half)) * bins)))]++;
  }
  return { edges, counts, atOrBelowZero: below, combinations: lambdas.length };
}

/** Most configurations for which the page recomputes the λ distribution (C(16,8) · N · 16 additions: ~0.1 s at 500). */
export const MAX_LAMBDA_CONFIGURATIONS = 500;

/**
 * The λ of every CSCV combination of a finished sweep, recomputed from its stored returns as the
 * executor's statistics did (sweep-stats.ts: the same sets and the stored number of partitions), or
 * null when the sweep has no PBO, more configurations than MAX_LAMBDA_CONFIGURATIONS, or sets that
 * no longer match the stored statistics (the stored PBO is then shown alone).
 */
export async function pboLambdas(db: Kysely<Database>, s: Sweep): Promise<LambdaHistogram | null> {
  const pbo = s.stats?.pbo;
  if (!pbo || pbo.configurations > MAX_LAMBDA_CONFIGURATIONS) return null;
  const rows = await setReturnsOf(db, s.id, s.objective);
  const t = rows.length ? rows[0].returns.length : 0;
  const same = rows.filter((r) => r.returns.length === t && r.returns.every(Number.isFinite));
  if (same.length !== pbo.configurations || t !== pbo.periods) return null;
  return lambdaHistogram(probabilityOfBacktestOverfitting(same.map((r) => r.returns), { partitions: pbo.partitions }).lambdas);
}

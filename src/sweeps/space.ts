/**
 * The parameter space of a sweep: one axis per swept parameter, each a list of values or a range
 * {from, to, step}, checked against the strategy's own parameter schema (the JSON Schema a built-in
 * exposes through builtinParamsJsonSchema, or a user strategy's stored params_schema).
 *
 * The space is never materialised. Its size is the product of the axis lengths, computed as a
 * bigint (so 10^12 or 10^30 points count exactly and instantly); a point is addressed by its grid
 * index, decoded in mixed radix with the last axis varying fastest, which is the order of nested
 * loops over the axes as given (itertools.product order): for axes of lengths L_0..L_{D−1},
 *   i = Σ_d k_d · Π_{e>d} L_e,   k_d = ⌊i / Π_{e>d} L_e⌋ mod L_d.
 * Parameters not swept keep their default (or the sweep's base value) and are not axes.
 */
import { formatCount, SweepInputError } from './errors.ts';

export type ParamValue = number | string | boolean;

/** One swept parameter: explicit values, or an arithmetic range with both ends included when on the step. */
export type AxisSpec = { values: readonly ParamValue[] } | { from: number; to: number; step: number };

/** Swept parameters by name, in the order that defines the grid (first = outermost loop). */
export type SpaceSpec = Readonly<Record<string, AxisSpec>>;

/** The part of a JSON Schema property a sweep reads (draft 2020-12 as zod emits it; draft-04 booleans accepted). */
export interface ParamSchemaProperty {
  type?: string | readonly string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  enum?: readonly unknown[];
  default?: unknown;
  description?: string;
}

/** A strategy's params as JSON Schema: an object schema with properties. */
export interface ParamsJsonSchema {
  properties?: Readonly<Record<string, ParamSchemaProperty>>;
}

export interface Axis {
  readonly name: string;
  readonly kind: 'list' | 'range';
  readonly length: number;
  /** The k-th value, 0 ≤ k < length. */
  valueAt(k: number): ParamValue;
}

export interface ParamSpace {
  readonly axes: readonly Axis[];
  /** Number of grid points, exact. 1 for an empty spec (the defaults alone). */
  readonly count: bigint;
}

/** Grid points at most in a grid sweep, and sets at most in a random or LHS one, unless the caller says otherwise. */
export const DEFAULT_MAX_SETS = 10_000;

/** No axis over this many values: a range finer than this is a typo (and an index must stay a safe integer). */
export const MAX_AXIS_LENGTH = 1_000_000;

/** Decimal places of a finite number as written by JavaScript (0.05 → 2, 1e-7 → 7, 3 → 0). */
function decimalsOf(x: number): number {
  if (Number.isInteger(x)) return 0;
  const s = Math.abs(x).toString();
  const e = s.indexOf('e-');
  if (e >= 0) {
    const mantissa = s.slice(0, e);
    const dot = mantissa.indexOf('.');
    return Number(s.slice(e + 2)) + (dot >= 0 ? mantissa.length - dot - 1 : 0);
  }
  const dot = s.indexOf('.');
  return dot >= 0 ? s.length - dot - 1 : 0;
}

const typesOf = (p: ParamSchemaProperty): readonly string[] => (p.type === undefined ? [] : typeof p.type === 'string' ? [p.type] : p.type);

/** Why `v` is outside the property's bounds or type ("name: …; the fix"), or null when it fits. */
export function paramValueProblem(name: string, p: ParamSchemaProperty, v: ParamValue): string | null {
  const types = typesOf(p);
  if (p.enum && !p.enum.includes(v)) return `${name}: ${JSON.stringify(v)} is not one of ${p.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  if (typeof v === 'boolean') return types.length && !types.includes('boolean') ? `${name}: ${v} is a boolean, the parameter is ${types.join(' or ')}` : null;
  if (typeof v === 'string') return types.length && !types.includes('string') ? `${name}: ${JSON.stringify(v)} is a string, the parameter is ${types.join(' or ')}` : null;
  if (!Number.isFinite(v)) return `${name}: ${v} is not a finite number`;
  if (types.length && !types.includes('number') && !types.includes('integer')) return `${name}: ${v} is a number, the parameter is ${types.join(' or ')}`;
  if (types.includes('integer') && !types.includes('number') && !Number.isInteger(v)) return `${name}: ${v} is not an integer; the parameter takes whole numbers`;
  const exMin = typeof p.exclusiveMinimum === 'number' ? p.exclusiveMinimum : p.exclusiveMinimum === true ? p.minimum : undefined;
  const exMax = typeof p.exclusiveMaximum === 'number' ? p.exclusiveMaximum : p.exclusiveMaximum === true ? p.maximum : undefined;
  const min = p.exclusiveMinimum === true ? undefined : p.minimum;
  const max = p.exclusiveMaximum === true ? undefined : p.maximum;
  if (min !== undefined && v < min) return `${name}: ${v} is below the minimum ${min}; use values of at least ${min}`;
  if (exMin !== undefined && v <= exMin) return `${name}: ${v} is not above ${exMin}; use values greater than ${exMin}`;
  if (max !== undefined && v > max) return `${name}: ${v} is above the maximum ${max}; use values of at most ${max}`;
  if (exMax !== undefined && v >= exMax) return `${name}: ${v} is not below ${exMax}; use values less than ${exMax}`;
  return null;
}

function listAxis(name: string, prop: ParamSchemaProperty, values: readonly ParamValue[]): Axis {
  if (!Array.isArray(values) || values.length === 0) throw new SweepInputError('invalid_axis', `${name}: the list of values is empty; give at least one value`, name);
  if (values.length > MAX_AXIS_LENGTH) throw new SweepInputError('invalid_axis', `${name}: ${formatCount(values.length)} values, over ${formatCount(MAX_AXIS_LENGTH)} per parameter`, name);
  const seen = new Set<ParamValue>();
  for (const v of values) {
    if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean') throw new SweepInputError('invalid_axis', `${name}: ${JSON.stringify(v)} is not a number, string or boolean`, name);
    const problem = paramValueProblem(name, prop, v);
    if (problem) throw new SweepInputError('invalid_axis', problem, name);
    if (seen.has(v)) throw new SweepInputError('invalid_axis', `${name}: ${JSON.stringify(v)} is listed twice; list each value once`, name);
    seen.add(v);
  }
  const copy = values.slice();
  return { name, kind: 'list', length: copy.length, valueAt: (k) => copy[k] };
}

function rangeAxis(name: string, prop: ParamSchemaProperty, spec: { from: number; to: number; step: number }): Axis {
  const { from, to, step } = spec;
  for (const [key, v] of [['from', from], ['to', to], ['step', step]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new SweepInputError('invalid_axis', `${name}: range ${key} must be a finite number, got ${JSON.stringify(v)}`, name);
  }
  const types = typesOf(prop);
  if (types.length && !types.includes('number') && !types.includes('integer')) {
    throw new SweepInputError('invalid_axis', `${name}: a range needs a numeric parameter, this one is ${types.join(' or ')}; give a list of values instead`, name);
  }
  if (!(step > 0)) throw new SweepInputError('invalid_axis', `${name}: range step must be above 0, got ${step}`, name);
  if (to < from) throw new SweepInputError('invalid_axis', `${name}: range goes from ${from} down to ${to}; give from ≤ to`, name);
  const integer = types.includes('integer') && !types.includes('number');
  if (integer && !(Number.isInteger(from) && Number.isInteger(to) && Number.isInteger(step))) {
    throw new SweepInputError('invalid_axis', `${name}: the parameter is an integer, so from, to and step must be whole numbers (got ${from}, ${to}, ${step})`, name);
  }
  // Values are from + k·step rounded to the decimals of from and step, so 0.1 + 2·0.1 is 0.3, not
  // 0.30000000000000004 (a value the user never typed). The length allows a relative 1e-9 of
  // slack for the same reason: (0.3 − 0.1) / 0.1 is 1.9999999999999998.
  const decimals = Math.min(15, Math.max(decimalsOf(from), decimalsOf(step)));
  const valueAt = (k: number): number => (decimals === 0 ? from + k * step : Number((from + k * step).toFixed(decimals)));
  const steps = (to - from) / step;
  if (steps + 1 > MAX_AXIS_LENGTH) {
    throw new SweepInputError('invalid_axis', `${name}: the range ${from}…${to} by ${step} has more than ${formatCount(MAX_AXIS_LENGTH)} values; raise the step`, name);
  }
  let length = Math.floor(steps + 1e-9 * Math.max(1, steps)) + 1;
  while (length > 1 && valueAt(length - 1) > to) length--;
  for (const [label, v] of [['from', valueAt(0)], ['to', valueAt(length - 1)]] as const) {
    const problem = paramValueProblem(name, prop, v);
    if (problem) throw new SweepInputError('invalid_axis', `${problem} (range ${label})`, name);
  }
  return { name, kind: 'range', length, valueAt };
}

/**
 * Builds the space from the swept parameters and the strategy's params schema, or throws a
 * SweepInputError naming the parameter and the fix (unknown name, empty list, bound outside the
 * schema, non-integer range of an integer parameter, …).
 */
export function buildSpace(spec: SpaceSpec, schema: ParamsJsonSchema | null): ParamSpace {
  const props = schema?.properties ?? {};
  const known = Object.keys(props);
  const axes: Axis[] = [];
  for (const [name, axisSpec] of Object.entries(spec)) {
    if (!Object.hasOwn(props, name)) {
      const fix = known.length ? `its parameters are ${known.join(', ')}` : 'the strategy declares no parameters in its schema';
      throw new SweepInputError('unknown_param', `${name} is not a parameter of this strategy; ${fix}`, name);
    }
    const prop = props[name];
    if (axisSpec === null || typeof axisSpec !== 'object') throw new SweepInputError('invalid_axis', `${name}: give {"values": [...]} or {"from", "to", "step"}`, name);
    if ('values' in axisSpec) axes.push(listAxis(name, prop, axisSpec.values));
    else if ('from' in axisSpec) axes.push(rangeAxis(name, prop, axisSpec));
    else throw new SweepInputError('invalid_axis', `${name}: give {"values": [...]} or {"from", "to", "step"}`, name);
  }
  let count = 1n;
  for (const a of axes) count *= BigInt(a.length);
  return { axes, count };
}

/** Throws space_too_large when the full grid has more than `maxSets` points, naming the count. */
export function assertGridWithin(space: ParamSpace, maxSets: number = DEFAULT_MAX_SETS): void {
  if (space.count > BigInt(maxSets)) {
    const sizes = space.axes.map((a) => `${a.name} ${formatCount(a.length)}`).join(' × ');
    throw new SweepInputError(
      'space_too_large',
      `the grid has ${formatCount(space.count)} parameter sets (${sizes}), over the maximum of ${formatCount(maxSets)}; narrow a range, raise a step, or sample it with random or lhs mode and a budget`,
    );
  }
}

/** Axis indices of grid point i (mixed radix, last axis fastest). */
export function decodeIndex(space: ParamSpace, i: number | bigint): number[] {
  const out = new Array<number>(space.axes.length);
  if (typeof i === 'number' && Number.isSafeInteger(i) && BigInt(i) < space.count && i >= 0) {
    let rest = i;
    for (let d = space.axes.length - 1; d >= 0; d--) {
      const len = space.axes[d].length;
      out[d] = rest % len;
      rest = Math.floor(rest / len);
    }
    return out;
  }
  let rest = BigInt(i);
  if (rest < 0n || rest >= space.count) throw new RangeError(`grid index ${i} outside [0, ${space.count})`);
  for (let d = space.axes.length - 1; d >= 0; d--) {
    const len = BigInt(space.axes[d].length);
    out[d] = Number(rest % len);
    rest /= len;
  }
  return out;
}

/** Grid index of axis indices (inverse of decodeIndex), as a bigint. */
export function encodeIndex(space: ParamSpace, indices: readonly number[]): bigint {
  let i = 0n;
  space.axes.forEach((a, d) => {
    const k = indices[d];
    if (!Number.isInteger(k) || k < 0 || k >= a.length) throw new RangeError(`${a.name}: index ${k} outside [0, ${a.length})`);
    i = i * BigInt(a.length) + BigInt(k);
  });
  return i;
}

/** The swept values at axis indices, by parameter name. */
export function valuesAt(space: ParamSpace, indices: readonly number[]): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  space.axes.forEach((a, d) => (out[a.name] = a.valueAt(indices[d])));
  return out;
}

/** The swept values of grid point i. */
export function pointAt(space: ParamSpace, i: number | bigint): Record<string, ParamValue> {
  return valuesAt(space, decodeIndex(space, i));
}

/**
 * Grid indices of the points next to grid point i: one step up or down along each axis (at most
 * 2·D of them, fewer at the edges), in axis order, down before up. For the robustness view: a
 * set's metric beside its neighbours' average tells a plateau from a lone spike.
 */
export function neighbourIndices(space: ParamSpace, i: number): number[] {
  const k = decodeIndex(space, i);
  const out: number[] = [];
  let stride = 1;
  const strides = new Array<number>(space.axes.length);
  for (let d = space.axes.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= space.axes[d].length;
  }
  space.axes.forEach((a, d) => {
    if (k[d] > 0) out.push(i - strides[d]);
    if (k[d] < a.length - 1) out.push(i + strides[d]);
  });
  return out;
}

/**
 * Factors as the rest of the server sees them: which factor an id names and who may see it
 * (resolveFactor), their stored values (readFactorMatrix, coverage) and computing them (a built-in
 * in DuckDB SQL, a user factor in the sandbox over a loaded panel). Ids (README, "Factors"):
 * built-ins `momentum_20`, `size`…, their id also their stored key; user factors `u<id>` (the
 * current version) or `u<id>v<version>`, stored under `u<id>v<version>`.
 */
import type { Kysely } from 'kysely';
import { canSeeOwned, type Principal } from '../auth/access.ts';
import type { Database } from '../db/schema.ts';
import type { Panel } from '../engine/panel.ts';
import { factorFieldPrefix } from '../engine/market-views.ts';
import { runUserBacktest } from '../engine/sandbox/sandbox.ts';
import type { UserCodeError } from '../engine/sandbox/user-code.ts';
import { AppError } from '../http/errors.ts';
import { maxInt4Id } from '../http/input.ts';
import type { MarketStore } from '../market/duckdb.ts';
import { tradingDayBefore } from '../market/market.service.ts';
import { loadPanel } from '../market/panel.ts';
import { builtinFactorId, builtinFactorKinds, builtinFactors, parseBuiltinFactorId, type BuiltinFactorKind } from './builtin-factors.ts';
import * as values from './factors.repository.ts';
import type { FactorScope } from './factors.repository.ts';
import * as users from './user-factors.repository.ts';

type Db = Kysely<Database>;
export type { FactorScope } from './factors.repository.ts';

/** What an id names, once the caller may see it. */
export interface FactorRef {
  /** The id as the URLs use it, normalised (`momentum_20`, `u12`, `u12v3`). */
  id: string;
  /** The key of its values in factor_values (`momentum_20`, `u12v3`). */
  key: string;
  kind: 'builtin' | 'user';
  title: string;
  ownerId: number | null;
  factorId: number | null;
  version: number | null;
}

/** Stored values of one key: rows, first and last day, number of stocks. */
export interface FactorCoverage {
  rows: number;
  first: number;
  last: number;
  codes: number;
}

const userIdPattern = /^u(\d{1,10})(?:v(\d{1,10}))?$/;

/** The stored key of a user factor's version. */
export const userFactorKey = (factorId: number, version: number) => `u${factorId}v${version}`;

function notFound(id: string): AppError {
  return new AppError(404, 'not_found', `factor ${JSON.stringify(id)} was not found: built-ins are named like momentum_20, size, ep; your factors u<id> or u<id>v<version> (see GET /api/v1/factors)`);
}

/**
 * THE access check of a factor id: 404 when the id is malformed, names nothing, or a user factor the
 * principal may not see (its owner or an admin may; built-ins every signed-in user).
 */
export async function resolveFactor(db: Db, p: Principal, id: string): Promise<FactorRef> {
  const b = parseBuiltinFactorId(id);
  if (b) return { id, key: id, kind: 'builtin', title: builtinTitle(b.kind, b.n), ownerId: null, factorId: null, version: null };
  const m = userIdPattern.exec(id);
  if (!m) throw notFound(id);
  const factorId = Number(m[1]);
  if (factorId < 1 || factorId > maxInt4Id) throw notFound(id);
  const f = await users.findFactor(db, factorId);
  if (!f || !canSeeOwned(p, f.owner_id)) throw notFound(id);
  let version = f.current_version;
  if (m[2] !== undefined) {
    version = Number(m[2]);
    if (version < 1 || version > maxInt4Id || !(await users.findFactorVersion(db, factorId, version))) throw notFound(id);
  }
  return { id, key: userFactorKey(factorId, version), kind: 'user', title: `${f.name} (v${version})`, ownerId: f.owner_id, factorId, version };
}

function builtinTitle(kind: BuiltinFactorKind, n: number): string {
  const d = builtinFactors[kind];
  return d.window ? `${d.title}, ${n} days` : d.title;
}

/**
 * One key's stored values as a dense day-major matrix aligned to a panel: `out[d * codes.length + i]`
 * is the value of `codes[i]` on `dates[d]` (YYYYMMDD, ascending), NaN where none is stored.
 */
export async function readFactorMatrix(market: MarketStore, key: string, at: { codes: readonly string[]; dates: ArrayLike<number> }): Promise<Float64Array> {
  return values.readFactorMatrixRows(market, key, at.codes, at.dates);
}

/** What is stored under a key, or null when nothing is. */
export async function factorCoverage(market: MarketStore, key: string): Promise<FactorCoverage | null> {
  const [c] = await values.selectStoredFactors(market, [key]);
  return c ? { rows: c.rows, first: c.first, last: c.last, codes: c.codes } : null;
}

/** Coverage of many keys at once (the list), by key. */
export async function factorCoverages(market: MarketStore, keys: readonly string[]): Promise<Map<string, FactorCoverage>> {
  const out = new Map<string, FactorCoverage>();
  if (!keys.length) return out;
  for (const c of await values.selectStoredFactors(market, keys)) out.set(c.factor, { rows: c.rows, first: c.first, last: c.last, codes: c.codes });
  return out;
}

/** Every key with values stored (the list shows built-ins computed with a non-default window too). */
export async function storedFactors(market: MarketStore) {
  return values.selectStoredFactors(market);
}

export interface FactorSeries {
  codes: string[];
  dates: Int32Array;
  values: Float64Array;
}

/** Values of one key, optionally for some codes and a date range, ordered by code then date, as parallel arrays. */
export async function readFactor(market: MarketStore, name: string, options: { codes?: readonly string[]; start?: number; end?: number } = {}): Promise<FactorSeries> {
  const rows = await values.selectFactorValues(market, name, options);
  const codes = new Array<string>(rows.length);
  const dates = new Int32Array(rows.length);
  const vals = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    codes[i] = String(rows[i].ts_code);
    dates[i] = Number(rows[i].trade_date);
    vals[i] = Number(rows[i].value);
  }
  return { codes, dates, values: vals };
}

/** A built-in kind as the list shows it: its default id and its parameter as JSON Schema. */
export interface BuiltinFactorInfo {
  kind: BuiltinFactorKind;
  id: string;
  title: string;
  description: string;
  paramsSchema: Record<string, unknown>;
}

export function builtinFactorList(): BuiltinFactorInfo[] {
  return builtinFactorKinds.map((kind) => {
    const d = builtinFactors[kind];
    const properties: Record<string, unknown> = d.window
      ? { n: { type: 'integer', minimum: d.window.min, maximum: d.window.max, default: d.window.default, description: 'window, trading days (the id is <kind>_<n>)' } }
      : {};
    return { kind, id: builtinFactorId(kind), title: d.title, description: d.description, paramsSchema: { type: 'object', properties, additionalProperties: false } };
  });
}

/** Computes a built-in over the scope and replaces its stored values there (one write transaction); answers the rows written. */
export async function computeBuiltinFactor(market: MarketStore, id: string, scope: FactorScope): Promise<number> {
  const b = parseBuiltinFactorId(id);
  if (!b) throw new Error(`not a built-in factor id: ${id}`);
  return values.replaceFactorValues(market, id, (from) => builtinFactors[b.kind].sql(b.n, from), scope);
}

/** Trading days a user factor's panel reaches back before the first computed day (its history and indicators), like a backtest's warm-up. */
export const userFactorWarmupDays = 250;

export interface UserFactorRun {
  source: string;
  language: 'js' | 'ts';
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?(p: { processed: number; total: number; date: number | null }): void;
}

/**
 * Computes a user factor version in the sandbox (the strategy's isolate and context, so only data up
 * to each day is reachable) over a panel of the scope with warm-up, and replaces its stored values
 * in the scope. Answers the rows written, or the code's error (line, column, day).
 */
export async function computeUserFactor(market: MarketStore, key: string, scope: FactorScope, run: UserFactorRun): Promise<{ ok: true; rows: number } | { ok: false; error: UserCodeError }> {
  const from = await tradingDayBefore(market, scope.start, userFactorWarmupDays);
  const panel = await loadPanel(market, { codes: scope.codes, universe: scope.codes ? null : {}, start: from, end: scope.end, fields: [...userFactorFields] });
  const out = await runUserFactorOnPanel(panel, scope, run);
  if (!out.ok) return out;
  const rows = await values.replaceFactorMatrix(market, key, panel.codes, panel.dates, out.values, scope);
  return { ok: true, rows };
}

/** The daily-basic fields user factor code is given (as user strategies are). */
export const userFactorFields = ['pe', 'pe_ttm', 'pb', 'ps', 'turnover_rate', 'total_mv', 'circ_mv'] as const;

/** Runs user factor code over a panel (days from scope.start on are computed); its day-major values, or the code's error. */
export async function runUserFactorOnPanel(panel: Panel, scope: { start: number; end: number }, run: UserFactorRun): Promise<{ ok: true; values: Float64Array } | { ok: false; error: UserCodeError }> {
  const out = await runUserBacktest({
    source: run.source, language: run.language, panel, params: {}, collectFactor: true,
    config: { initialCash: 1_000_000, startDate: scope.start, endDate: scope.end },
    ...(run.timeoutMs !== undefined ? { timeoutMs: run.timeoutMs } : {}),
    signal: run.signal,
    onProgress: (p) => run.onProgress?.({ processed: p.done, total: p.total, date: p.date }),
  });
  if (!out.ok) return out;
  if (!out.factorValues) {
    return { ok: false, error: { code: 'invalid_strategy', message: 'the code defines no factor: call defineFactor({ name, compute(ctx) { … } })', line: null, column: null, date: null } };
  }
  return { ok: true, values: out.factorValues };
}

/**
 * The panel with the named factors' stored values beside its fields, as `factor:<name>` (what
 * ctx.factor reads, a copy of today's row only: market-views.ts), each read as the principal may see
 * it. A new Panel object sharing the original's arrays. 404 for a factor the principal may not see,
 * 400 for one with no value stored for this panel's stocks and days (compute it first).
 */
export async function withFactorFields(db: Db, market: MarketStore, p: Principal, panel: Panel, names: readonly string[]): Promise<Panel> {
  if (!names.length) return panel;
  const fields: Record<string, Float64Array> = { ...panel.fields };
  for (const name of names) {
    const ref = await resolveFactor(db, p, name);
    const m = await readFactorMatrix(market, ref.key, { codes: panel.codes, dates: panel.dates });
    let any = false;
    for (let k = 0; k < m.length && !any; k++) any = m[k] === m[k];
    if (!any) {
      throw new AppError(400, 'invalid_request', `factor ${name}: no values stored for this universe and period; compute it first (POST /api/v1/factors/${name}/computations, or the form on /factors/${name})`, { field: 'params.factor' });
    }
    fields[factorFieldPrefix + name] = m;
  }
  return { ...panel, fields };
}

/** Deletes the stored values of these keys (a deleted factor's versions). */
export async function deleteStoredValues(market: MarketStore, keys: readonly string[]): Promise<number> {
  return values.deleteFactorValues(market, keys);
}

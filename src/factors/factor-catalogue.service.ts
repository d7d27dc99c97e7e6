/**
 * What the factor pages and API show and do: the list (built-ins with what is stored of each kind,
 * the caller's factors with their coverage), one factor in detail, and queueing a computation (a
 * run of the `factor` executor, as the caller).
 */
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/access.ts';
import type { Database } from '../db/schema.ts';
import { AppError } from '../http/errors.ts';
import type { MarketStore } from '../market/duckdb.ts';
import { isoDay, ymdOf } from '../market/days.ts';
import { barRange, unknownCodes } from '../market/market.service.ts';
import type { RunsService } from '../runs/runs.service.ts';
import type { Run } from '../runs/run.types.ts';
import { builtinFactors, parseBuiltinFactorId } from './builtin-factors.ts';
import type { UserFactor } from './factor.types.ts';
import {
  builtinFactorList, factorCoverage, factorCoverages, resolveFactor, storedFactors, userFactorKey, type BuiltinFactorInfo, type FactorCoverage, type FactorRef,
} from './factors.service.ts';
import { listUserFactors, userFactorVersions, visibleUserFactor } from './user-factors.service.ts';

type Db = Kysely<Database>;

export interface FactorList {
  builtin: { info: BuiltinFactorInfo; stored: { id: string; coverage: FactorCoverage }[] }[];
  mine: { factor: UserFactor; coverage: FactorCoverage | null }[];
}

export async function factorList(db: Db, market: MarketStore, p: Principal): Promise<FactorList> {
  const stored = await storedFactors(market);
  const byKind = new Map<string, { id: string; coverage: FactorCoverage }[]>();
  for (const s of stored) {
    const b = parseBuiltinFactorId(s.factor);
    if (!b) continue;
    const list = byKind.get(b.kind) ?? [];
    list.push({ id: s.factor, coverage: { rows: s.rows, first: s.first, last: s.last, codes: s.codes } });
    byKind.set(b.kind, list);
  }
  const mine = await listUserFactors(db, p);
  const keyed = new Map(stored.map((s) => [s.factor, { rows: s.rows, first: s.first, last: s.last, codes: s.codes }]));
  return {
    builtin: builtinFactorList().map((info) => ({ info, stored: byKind.get(info.kind) ?? [] })),
    mine: mine.map((factor) => ({ factor, coverage: keyed.get(factor.key) ?? null })),
  };
}

export interface FactorDetail {
  ref: FactorRef;
  description: string;
  coverage: FactorCoverage | null;
  user: { factor: UserFactor; coverage: FactorCoverage | null } | null;
  versions: { version: number; created_at: Date; coverage: FactorCoverage | null }[];
}

/** One factor as its page and GET /factors/{id} show it; 404 when the caller may not see it. */
export async function factorDetail(db: Db, market: MarketStore, p: Principal, id: string): Promise<FactorDetail> {
  const ref = await resolveFactor(db, p, id);
  if (ref.kind === 'builtin') {
    const b = parseBuiltinFactorId(ref.id)!;
    return { ref, description: builtinFactors[b.kind].description, coverage: await factorCoverage(market, ref.key), user: null, versions: [] };
  }
  const factor = await visibleUserFactor(db, p, ref.factorId!);
  const versions = await userFactorVersions(db, factor.id);
  const cov = await factorCoverages(market, versions.map((v) => userFactorKey(factor.id, v.version)));
  return {
    ref,
    description: factor.description,
    coverage: cov.get(ref.key) ?? null,
    user: { factor, coverage: cov.get(factor.key) ?? null },
    versions: versions.map((v) => ({ version: v.version, created_at: v.created_at, coverage: cov.get(userFactorKey(factor.id, v.version)) ?? null })),
  };
}

export interface ComputeRequest {
  start_date?: string;
  end_date?: string;
  codes?: string[];
}

const bad = (field: string, message: string) => new AppError(400, 'invalid_request', `${field}: ${message}`, { field });

/**
 * Queues a computation of a factor the caller may see: a `factor` run queued by the caller (so a
 * user factor runs as them), pinned to the version the id names. 400 naming the field for a period
 * outside the data or unknown codes.
 */
export async function queueFactorComputation(deps: { db: Db; market: MarketStore; runs: RunsService }, p: Principal, id: string, body: ComputeRequest): Promise<{ ref: FactorRef; run: Run }> {
  const ref = await resolveFactor(deps.db, p, id);
  const start = body.start_date ? ymdOf(body.start_date) : undefined;
  const end = body.end_date ? ymdOf(body.end_date) : undefined;
  if (start !== undefined && end !== undefined && start > end) throw bad('start_date', `${body.start_date} is after end_date ${body.end_date}: swap them`);
  const bars = await barRange(deps.market);
  if (!bars) throw bad('start_date', 'the market data has no daily bars yet: sync daily_bars (zquant sync daily_bars) or seed the demo market first');
  const covered = `the market data covers ${isoDay(bars.first)} to ${isoDay(bars.last)}`;
  if (start !== undefined && start > bars.last) throw bad('start_date', `${body.start_date} is after the last day with data; ${covered}`);
  if (end !== undefined && end < bars.first) throw bad('end_date', `${body.end_date} is before the first day with data; ${covered}`);
  if (body.codes) {
    const unknown = await unknownCodes(deps.market, body.codes);
    if (unknown.length) throw bad('codes', `unknown stock${unknown.length > 1 ? 's' : ''} ${unknown.slice(0, 10).join(', ')}: not in the market data (search with GET /api/v1/market/stocks?q=…)`);
  }
  const pinned = ref.kind === 'user' ? userFactorKey(ref.factorId!, ref.version!) : ref.id;
  const params = { factors: [{ id: pinned }], ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}), ...(body.codes ? { codes: [...new Set(body.codes)] } : {}) };
  const run = await deps.runs.queueRun({ executor: 'factor', params, queuedBy: p.userId, maxAttempts: 1 });
  return { ref, run };
}

/**
 * The strategy a sweep runs, resolved from a submission (a built-in by name, or one of the caller's
 * own strategies by id at its current version) or from a stored sweep (the version it recorded):
 * what the spec records, the params schema that bounds the space, and the check every candidate
 * passes (planning skips and counts what it refuses).
 */
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/access.ts';
import type { Database } from '../db/schema.ts';
import { AppError } from '../http/errors.ts';
import type { StrategyRef } from '../backtests/backtest-request.ts';
import { strategyVersionOf, visibleStrategy } from '../strategies/strategies.service.ts';
import { builtinSweepSchema, checkWithJsonSchema, type ParamsCheck } from './checks.ts';
import type { ParamsJsonSchema } from './space.ts';
import type { Sweep } from './sweep.types.ts';

type Db = Kysely<Database>;

function fieldError(field: string, message: string): AppError {
  return new AppError(400, 'invalid_request', `${field}: ${message}`, { field });
}

/** The strategy a sweep runs: what the spec records, its params schema (the space's bounds) and the check every candidate passes. */
export interface SweepStrategy {
  ref: StrategyRef;
  schema: ParamsJsonSchema;
  check: ParamsCheck;
}

/** A user strategy's stored params schema (null when it declares none: then no parameter can be swept). */
const userSchema = (stored: Record<string, unknown> | null): ParamsJsonSchema => (stored ?? { type: 'object', properties: {} }) as ParamsJsonSchema;

/** A built-in the submission names, with its params schema and check; 400 naming `strategy`. */
export function builtinSweepStrategy(b: { strategy?: string; strategy_id?: number }): SweepStrategy {
  if (b.strategy && b.strategy_id !== undefined) throw fieldError('strategy', 'give either strategy (a built-in) or strategy_id (your own), not both');
  if (!b.strategy) throw fieldError('strategy', 'name a built-in strategy to sweep (e.g. dual_ma), or give strategy_id (your own)');
  const s = builtinSweepSchema(b.strategy);
  if (!s) throw fieldError('strategy', `no built-in strategy "${b.strategy}"; see GET /api/v1/strategies`);
  return { ref: { kind: 'builtin', name: b.strategy, strategyId: null, versionId: null, version: null }, ...s };
}

/**
 * The strategy a submission names: a built-in, or one of the caller's own strategies (strategy_id:
 * its current version, whose stored params schema bounds the space and checks each candidate —
 * a refinement only its zod schema knows shows up as a failed set). 400 naming the field.
 */
export async function sweepStrategy(db: Db, p: Principal, b: { strategy?: string; strategy_id?: number }): Promise<SweepStrategy> {
  if (b.strategy_id === undefined) return builtinSweepStrategy(b);
  if (b.strategy) throw fieldError('strategy', 'give either strategy (a built-in) or strategy_id (your own), not both');
  const u = await visibleStrategy(db, p, b.strategy_id).catch(() => {
    throw fieldError('strategy_id', `you have no strategy ${b.strategy_id}; see /strategies`);
  });
  const schema = userSchema(u.paramsSchema);
  return { ref: { kind: 'user', name: u.name, strategyId: u.id, versionId: u.versionId, version: u.version }, schema, check: checkWithJsonSchema(schema) };
}

/** A stored sweep's strategy schema and check (a user strategy's from the version the sweep recorded). */
export async function strategyOfSweep(db: Db, s: Sweep): Promise<SweepStrategy> {
  const ref = s.spec.strategy;
  if (ref.kind === 'builtin') return builtinSweepStrategy({ strategy: ref.name });
  const v = ref.versionId ? await strategyVersionOf(db, ref.versionId) : undefined;
  if (!v) throw new AppError(409, 'strategy_missing', `the strategy version sweep ${s.id} ran (${ref.name} v${ref.version}) is gone`);
  const schema = userSchema(v.paramsSchema);
  return { ref, schema, check: checkWithJsonSchema(schema) };
}

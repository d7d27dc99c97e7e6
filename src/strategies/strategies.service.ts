/**
 * Strategies as the pages and API see them: built-in templates (read-only, params as JSON Schema)
 * and users' own (owner, versions). Saving validates the code (syntax, shape, a dry run) and
 * answers 400 with the line and column of the first problem.
 */
import { z } from 'zod';
import type { Kysely } from 'kysely';
import { canChangeOwned, canSeeOwned, type Principal } from '../auth/access.ts';
import { builtinParamsJsonSchema, builtinStrategies } from '../engine/builtins/registry.ts';
import type { Database } from '../db/schema.ts';
import { AppError } from '../http/errors.ts';
import { audit, type AuditActor } from '../audit/audit.service.ts';
import { maxInt4Id } from '../http/input.ts';
import { checkStrategyCode } from './dry-run.ts';
import * as repo from './strategies.repository.ts';
import type { StrategyInput } from './strategies.contract.ts';
import type { BuiltinStrategy, StrategyCategory, UserStrategy } from './strategy.types.ts';

type Db = Kysely<Database>;

const builtinCategory: Record<string, StrategyCategory> = {
  simple_ma: 'trend', dual_ma: 'trend', momentum: 'momentum', mean_reversion: 'mean_reversion', bollinger: 'mean_reversion',
  rsi: 'mean_reversion', grid: 'grid', pe_pb_value: 'value', turnover_rate: 'volume',
};
const builtinTitle: Record<string, string> = {
  simple_ma: 'Simple MA', dual_ma: 'Dual MA', momentum: 'Momentum', mean_reversion: 'Mean reversion', bollinger: 'Bollinger bands',
  rsi: 'RSI', grid: 'Grid', pe_pb_value: 'PE/PB value', turnover_rate: 'Turnover rate',
};

export function builtinList(): BuiltinStrategy[] {
  return Object.entries(builtinStrategies).map(([name, s]) => ({
    kind: 'builtin',
    name,
    title: builtinTitle[name] ?? name,
    description: s.description ?? '',
    category: builtinCategory[name] ?? 'custom',
    paramsSchema: builtinParamsJsonSchema(name)!,
  }));
}

export function builtinByName(name: string): BuiltinStrategy | null {
  return builtinList().find((b) => b.name === name) ?? null;
}

const parseJson = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

function toStrategy(r: repo.StrategyRow): UserStrategy {
  return {
    kind: 'user', id: r.id, ownerId: r.owner_id, ownerName: r.owner_name ?? null, name: r.name, description: r.description, category: r.category,
    language: r.language, version: r.current_version, versionId: r.version_id, code: r.code,
    paramsSchema: (parseJson(r.params_schema) as Record<string, unknown> | null) ?? null, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

/** The input (already read with StrategyInputSchema) with its code checked: 400 with the line and column of a problem. */
async function validated(input: StrategyInput) {
  const check = await checkStrategyCode(input.code, input.language);
  if (!check.ok) {
    const e = check.error;
    const where = e.line ? ` at line ${e.line}, column ${e.column}` : '';
    throw new AppError(400, e.code === 'syntax_error' ? 'syntax_error' : 'invalid_strategy', `code${where}: ${e.message}${e.date ? ` (dry run, day ${e.date})` : ''}`, {
      field: 'code', line: e.line, column: e.column, kind: e.code,
    });
  }
  return { ...input, paramsSchema: check.paramsSchema };
}

function uniqueName(err: unknown): never {
  if (/strategies_owner_name|duplicate key/i.test(String((err as Error)?.message))) throw new AppError(409, 'name_taken', 'name: you already have a strategy with this name; pick another', { field: 'name' });
  throw err;
}

export async function listUserStrategies(db: Db, p: Principal, f: { q?: string; category?: string } = {}): Promise<UserStrategy[]> {
  return (await repo.listStrategies(db, { ...f, ownerId: p.role === 'admin' ? undefined : (p.userId ?? -1) })).map(toStrategy);
}

/** The strategy, or 404 when missing or not the caller's. */
export async function visibleStrategy(db: Db, p: Principal, id: number): Promise<UserStrategy> {
  // Ids beyond the integer column name nothing (and would make Postgres refuse the query).
  const r = Number.isInteger(id) && id >= 1 && id <= maxInt4Id ? await repo.findStrategy(db, id) : undefined;
  if (!r || !canSeeOwned(p, r.owner_id)) throw new AppError(404, 'not_found', `strategy ${id} was not found; see /strategies`);
  return toStrategy(r);
}

export async function changeableStrategy(db: Db, p: Principal, id: number): Promise<UserStrategy> {
  const s = await visibleStrategy(db, p, id);
  if (!canChangeOwned(p, s.ownerId)) throw new AppError(403, 'forbidden', `strategy ${id} belongs to someone else`);
  return s;
}

export async function createStrategy(db: Db, p: Principal, input: StrategyInput): Promise<UserStrategy> {
  const v = await validated(input);
  const id = await repo
    .insertStrategy(db, { owner_id: p.userId!, name: v.name, description: v.description, category: v.category, language: v.language, code: v.code, params_schema: JSON.stringify(v.paramsSchema ?? null) })
    .catch(uniqueName);
  return toStrategy((await repo.findStrategy(db, id))!);
}

export async function updateStrategy(db: Db, p: Principal, id: number, input: StrategyInput): Promise<UserStrategy> {
  await changeableStrategy(db, p, id);
  const v = await validated(input);
  const saved = await repo
    .updateStrategy(db, id, { name: v.name, description: v.description, category: v.category, language: v.language, code: v.code, params_schema: JSON.stringify(v.paramsSchema ?? null) })
    .catch(uniqueName);
  // Deleted while the code was being checked: the race is lost, answer as a later request would.
  const after = saved ? await repo.findStrategy(db, id) : undefined;
  if (!after) throw new AppError(404, 'not_found', `strategy ${id} was not found (deleted meanwhile); see /strategies`);
  return toStrategy(after);
}

/** Deletes the strategy and writes its audit entry in one transaction; 404 when it is gone meanwhile. */
export async function deleteStrategy(db: Db, p: Principal, id: number, actor: AuditActor): Promise<void> {
  await changeableStrategy(db, p, id);
  if (await repo.strategyHasBacktests(db, id)) throw new AppError(409, 'in_use', `strategy ${id} has backtests that record its code; delete those backtests first`);
  const deleted = await db.transaction().execute(async (trx) => {
    const gone = await repo.deleteStrategy(trx, id);
    if (gone) await audit(trx, actor, { action: 'strategy.delete', outcome: 'success', objectType: 'strategy', objectId: id });
    return gone;
  });
  if (!deleted) throw new AppError(404, 'not_found', `strategy ${id} was not found (deleted meanwhile); see /strategies`);
}

export const strategyVersions = repo.listVersions;
export const strategyVersion = repo.findVersion;

/** The code a backtest recorded (its strategy version) and the language to compile it as; undefined when that version is gone. */
/** One stored version of a user strategy: its code, language and params schema (JSON Schema, or null when it declares none). */
export async function strategyVersionOf(db: Db, versionId: number): Promise<{ source: string; language: 'js' | 'ts'; paramsSchema: Record<string, unknown> | null } | undefined> {
  const v = await repo.findVersion(db, versionId);
  if (!v) return undefined;
  const language = await repo.findStrategyLanguage(db, v.strategy_id);
  return { source: v.code, language: language === 'ts' ? 'ts' : 'js', paramsSchema: (parseJson(v.params_schema) as Record<string, unknown> | null) ?? null };
}

export async function strategyCodeOf(db: Db, versionId: number): Promise<{ source: string; language: 'js' | 'ts' } | undefined> {
  const v = await repo.findVersion(db, versionId);
  if (!v) return undefined;
  const language = await repo.findStrategyLanguage(db, v.strategy_id);
  return { source: v.code, language: language === 'ts' ? 'ts' : 'js' };
}

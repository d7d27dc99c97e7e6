/**
 * User factors: code like a strategy's (`defineFactor({ name, compute(ctx) })`), saved with every
 * version kept, visible to their owner and admins. Saving checks the code (syntax, that it defines
 * a factor, then a dry run on a tiny made-up panel) and answers 400 with the line and column.
 */
import type { Kysely } from 'kysely';
import { canChangeOwned, canSeeOwned, type Principal } from '../auth/access.ts';
import { audit, type AuditActor } from '../audit/audit.service.ts';
import type { Database } from '../db/schema.ts';
import { describeUserStrategy } from '../engine/sandbox/sandbox.ts';
import type { UserCodeError } from '../engine/sandbox/user-code.ts';
import { AppError } from '../http/errors.ts';
import { maxInt4Id } from '../http/input.ts';
import type { MarketStore } from '../market/duckdb.ts';
import { tinyPanel } from '../strategies/dry-run.ts';
import { deleteStoredValues, runUserFactorOnPanel, userFactorKey } from './factors.service.ts';
import type { UserFactor, UserFactorInput } from './factor.types.ts';
import * as repo from './user-factors.repository.ts';

type Db = Kysely<Database>;

function toFactor(r: repo.FactorRow): UserFactor {
  return {
    id: r.id, ownerId: r.owner_id, ownerName: r.owner_name ?? null, name: r.name, description: r.description, language: r.language,
    version: r.current_version, key: userFactorKey(r.id, r.current_version), code: r.code, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

/** Checks factor code: compiles, defines a factor (not a strategy), and computes 60 made-up days without an error. */
export async function checkFactorCode(source: string, language: 'js' | 'ts'): Promise<{ ok: true } | { ok: false; error: UserCodeError }> {
  const described = await describeUserStrategy(source, language);
  if (!described.ok) return described;
  if (described.kind !== 'factor') {
    return { ok: false, error: { code: 'invalid_strategy', message: 'the code defines a strategy, not a factor: call defineFactor({ name, compute(ctx) { … } }) returning one number per stock', line: null, column: null, date: null } };
  }
  const panel = tinyPanel();
  const run = await runUserFactorOnPanel(panel, { start: panel.dates[0], end: panel.dates[panel.dates.length - 1] }, { source, language, timeoutMs: 10_000 });
  return run.ok ? { ok: true } : run;
}

async function validated(input: UserFactorInput): Promise<UserFactorInput> {
  const check = await checkFactorCode(input.code, input.language);
  if (!check.ok) {
    const e = check.error;
    const where = e.line ? ` at line ${e.line}, column ${e.column}` : '';
    throw new AppError(400, e.code === 'syntax_error' ? 'syntax_error' : 'invalid_factor', `code${where}: ${e.message}${e.date ? ` (dry run, day ${e.date})` : ''}`, {
      field: 'code', line: e.line, column: e.column, kind: e.code,
    });
  }
  return input;
}

function uniqueName(err: unknown): never {
  if (/factors_owner_name|duplicate key/i.test(String((err as Error)?.message))) throw new AppError(409, 'name_taken', 'name: you already have a factor with this name; pick another', { field: 'name' });
  throw err;
}

/** The caller's factors (admins: everyone's). */
export async function listUserFactors(db: Db, p: Principal): Promise<UserFactor[]> {
  return (await repo.listFactors(db, p.role === 'admin' ? undefined : (p.userId ?? -1))).map(toFactor);
}

/** The factor, or 404 when missing or not the caller's. */
export async function visibleUserFactor(db: Db, p: Principal, id: number): Promise<UserFactor> {
  const r = Number.isInteger(id) && id >= 1 && id <= maxInt4Id ? await repo.findFactor(db, id) : undefined;
  if (!r || !canSeeOwned(p, r.owner_id)) throw new AppError(404, 'not_found', `factor u${id} was not found; see /factors`);
  return toFactor(r);
}

export async function changeableUserFactor(db: Db, p: Principal, id: number): Promise<UserFactor> {
  const f = await visibleUserFactor(db, p, id);
  if (!canChangeOwned(p, f.ownerId)) throw new AppError(403, 'forbidden', `factor u${id} belongs to someone else`);
  return f;
}

export async function createUserFactor(db: Db, p: Principal, input: UserFactorInput): Promise<UserFactor> {
  const v = await validated(input);
  const id = await repo.insertFactor(db, p.userId!, v).catch(uniqueName);
  return toFactor((await repo.findFactor(db, id))!);
}

export async function updateUserFactor(db: Db, p: Principal, id: number, input: UserFactorInput): Promise<UserFactor> {
  await changeableUserFactor(db, p, id);
  const v = await validated(input);
  const saved = await repo.updateFactor(db, id, v).catch(uniqueName);
  const after = saved ? await repo.findFactor(db, id) : undefined;
  if (!after) throw new AppError(404, 'not_found', `factor u${id} was not found (deleted meanwhile); see /factors`);
  return toFactor(after);
}

/** Deletes the factor (every version, its stored values too) and writes the audit entry; 404 when gone meanwhile. */
export async function deleteUserFactor(db: Db, market: MarketStore, p: Principal, id: number, actor: AuditActor): Promise<void> {
  await changeableUserFactor(db, p, id);
  const versions = await repo.listFactorVersions(db, id);
  const deleted = await db.transaction().execute(async (trx) => {
    const gone = await repo.deleteFactor(trx, id);
    if (gone) await audit(trx, actor, { action: 'factor.delete', outcome: 'success', objectType: 'factor', objectId: id });
    return gone;
  });
  if (!deleted) throw new AppError(404, 'not_found', `factor u${id} was not found (deleted meanwhile); see /factors`);
  await deleteStoredValues(market, versions.map((v) => userFactorKey(id, v.version)));
}

export async function userFactorVersions(db: Db, id: number) {
  return repo.listFactorVersions(db, id);
}

/** The code of one version (the executor runs it); throws when the version is gone. */
export async function userFactorCode(db: Db, factorId: number, version: number): Promise<{ source: string; language: 'js' | 'ts' }> {
  const v = await repo.findFactorVersion(db, factorId, version);
  if (!v) throw new AppError(404, 'not_found', `factor u${factorId}v${version} was not found`);
  return { source: v.code, language: v.language };
}

/**
 * SQL of market snapshots in Postgres: which versions queued and running work still pins (never
 * deleted by retention), the version a backtest or sweep ran on, and the claims of a sweep's sets
 * spread over several processes.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { snapshotsChannel } from './channel.ts';

type Db = Kysely<Database>;


/** Versions recorded by backtests and sweeps whose run is queued, running or paused. */
export async function pinnedVersions(db: Db): Promise<string[]> {
  const r = await sql<{ v: string }>`
    select b.data_version as v from backtests b join runs r on r.id = b.run_id
    where b.data_version is not null and r.status in ('queued', 'running', 'paused')
    union
    select s.data_version from sweeps s join runs r on r.id = s.run_id
    where s.data_version is not null and r.status in ('queued', 'running', 'paused')
    union
    select a.data_version from factor_analyses a join runs r on r.id = a.run_id
    where a.data_version is not null and r.status in ('queued', 'running', 'paused')`.execute(db);
  return r.rows.map((x) => x.v);
}

/** The version a factor analysis recorded (migration 901; its table is the factors feature's, the column this one's). */
export async function analysisDataVersion(db: Db, id: number): Promise<string | null> {
  const r = await sql<{ v: string | null }>`select data_version as v from factor_analyses where id = ${id}`.execute(db);
  return r.rows[0]?.v ?? null;
}

export async function setAnalysisDataVersion(db: Db, id: number, version: string): Promise<void> {
  await sql`update factor_analyses set data_version = ${version} where id = ${id}`.execute(db);
}

export async function announceVersion(db: Db, version: string): Promise<void> {
  await sql`select pg_notify(${snapshotsChannel}, ${version})`.execute(db);
}

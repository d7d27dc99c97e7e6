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
    where s.data_version is not null and r.status in ('queued', 'running', 'paused')`.execute(db);
  return r.rows.map((x) => x.v);
}

export async function announceVersion(db: Db, version: string): Promise<void> {
  await sql`select pg_notify(${snapshotsChannel}, ${version})`.execute(db);
}

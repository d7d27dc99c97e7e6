/**
 * SQL of a sweep spread over several processes (migrations/pg/…-900): each participant claims sets
 * before running them. A claim holds while its run is running under the lease owner that took it;
 * once that run lost its lease (its process died) the set is free again. Stored sets are never claimed.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

type Db = Kysely<Database>;

/**
 * Claims up to `limit` of `ordinals` for run `runId` (as its current lease owner): those neither
 * stored nor held by a live claim, lowest first. Two participants claiming at once never get the
 * same set: a conflicting insert waits for the other's row and re-checks that its claim is dead.
 *
 * Toward the end a claim takes no more than its share of the work left: the free sets, plus — when
 * the claimer knows its pace (`secondsPerSet`, from its last claim) — what the other participants
 * are still running (each live claim not yet stored: its sets less those that time since it was
 * claimed would have run at that pace), over the participants, rounded up. The participants: this
 * run, the runs holding live claims on this sweep, and the sweep's run and its helper runs still
 * queued or running (a helper about to start counts from the first claim, so a small sweep is not
 * all taken by the first participant before the second starts). So the last sets are split instead
 * of one process running a full claim while the others wait for it, and a participant that frees up
 * while another is midway through a claim takes enough to end with it, not half of what is free,
 * then half again, in ever smaller batches that share little. With `sweepRunId` nothing is claimed
 * once the sweep's own run is neither queued nor running (a helper stops with it).
 */
export async function claimSets(db: Db, sweepId: number, runId: number, ordinals: readonly number[], limit: number, sweepRunId: number | null = null, secondsPerSet: number | null = null): Promise<number[]> {
  if (!ordinals.length || limit <= 0) return [];
  const r = await sql<{ ordinal: number }>`
    with me as (select lease_owner from runs where id = ${runId} and status = 'running' and lease_owner is not null
      and (${sweepRunId}::bigint is null or exists (select 1 from runs s where s.id = ${sweepRunId}::bigint and s.status in ('queued', 'running')))),
    free as (
      select c.ordinal from (select (jsonb_array_elements_text(${JSON.stringify(ordinals)}::text::jsonb))::int as ordinal) c
      where not exists (select 1 from sweep_sets s where s.sweep_id = ${sweepId} and s.ordinal = c.ordinal)
        and not exists (
          select 1 from sweep_set_claims k join runs r on r.id = k.run_id
          where k.sweep_id = ${sweepId} and k.ordinal = c.ordinal and r.status = 'running' and r.lease_owner = k.owner)
    ),
    others as (
      select count(*)::int as n from (
        select k.run_id from sweep_set_claims k join runs r on r.id = k.run_id
        where k.sweep_id = ${sweepId} and k.run_id <> ${runId} and r.status = 'running' and r.lease_owner = k.owner
        union
        select r.id from runs r join sweeps w on w.id = ${sweepId}
        where r.id <> ${runId} and r.status in ('queued', 'running') and (r.id = w.run_id or r.parent_run_id = w.run_id)
      ) p
    ),
    running as (
      select coalesce(sum(greatest(0, g.n - extract(epoch from now() - g.claimed_at) / ${secondsPerSet}::float8)), 0) as sets
      from (
        select k.run_id, k.claimed_at, count(*) as n from sweep_set_claims k join runs r on r.id = k.run_id
        where k.sweep_id = ${sweepId} and k.run_id <> ${runId} and not k.done and r.status = 'running' and r.lease_owner = k.owner
          and not exists (select 1 from sweep_sets s where s.sweep_id = k.sweep_id and s.ordinal = k.ordinal)
        group by k.run_id, k.claimed_at
      ) g
      where ${secondsPerSet}::float8 > 0
    ),
    cand as (
      select ordinal from free order by ordinal
      limit least(${limit}::int, ceil(((select count(*) from free) + (select sets from running))::numeric / (1 + (select n from others)))::int)
    )
    insert into sweep_set_claims as k (sweep_id, ordinal, run_id, owner)
    select ${sweepId}, cand.ordinal, ${runId}, me.lease_owner from cand cross join me
    on conflict (sweep_id, ordinal) do update set run_id = excluded.run_id, owner = excluded.owner, claimed_at = now(), done = false
    where not k.done and not exists (select 1 from runs r where r.id = k.run_id and r.status = 'running' and r.lease_owner = k.owner)
    returning k.ordinal`.execute(db);
  return r.rows.map((x) => Number(x.ordinal)).sort((a, b) => a - b);
}

/** Marks sets this run stored as done (the claim row stays: its owner is the process that ran the set). */
export async function markSetsDone(db: Db, sweepId: number, runId: number, ordinals: readonly number[]): Promise<void> {
  if (!ordinals.length) return;
  await sql`update sweep_set_claims set done = true
    where sweep_id = ${sweepId} and run_id = ${runId} and ordinal in (select (jsonb_array_elements_text(${JSON.stringify(ordinals)}::text::jsonb))::int)`.execute(db);
}

/** How many of these sets of the sweep are stored. */
export async function countStoredOf(db: Db, sweepId: number, ordinals: readonly number[]): Promise<number> {
  const r = await sql<{ n: string }>`select count(*) as n from sweep_sets where sweep_id = ${sweepId}
    and ordinal in (select (jsonb_array_elements_text(${JSON.stringify(ordinals)}::text::jsonb))::int)`.execute(db);
  return Number(r.rows[0].n);
}

/** The status of a run (a helper stops once the sweep's own run is no longer running). */
export async function runStatusOf(db: Db, runId: number): Promise<string | null> {
  const r = await db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirst();
  return r?.status ?? null;
}

/** Records the market data version a sweep's sets run on. */
export async function setSweepDataVersion(db: Db, sweepId: number, version: string): Promise<void> {
  await db.updateTable('sweeps').set({ data_version: version }).where('id', '=', sweepId).execute();
}

/** Which process ran each claimed set (the scale test and the log read it). */
export async function setOwners(db: Db, sweepId: number): Promise<Array<{ ordinal: number; owner: string; runId: number; done: boolean }>> {
  const rows = await db.selectFrom('sweep_set_claims').select(['ordinal', 'owner', 'run_id', 'done']).where('sweep_id', '=', sweepId).orderBy('ordinal').execute();
  return rows.map((r) => ({ ordinal: Number(r.ordinal), owner: r.owner, runId: Number(r.run_id), done: r.done }));
}

/** Helper runs already queued for a sweep's run (so a retried attempt does not queue more). */
export async function countChildRuns(db: Db, parentRunId: number, executor: string): Promise<number> {
  const r = await db.selectFrom('runs').select((eb) => eb.fn.countAll<string>().as('n')).where('parent_run_id', '=', parentRunId).where('executor', '=', executor).executeTakeFirstOrThrow();
  return Number(r.n);
}

import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, RunEventsTable, RunsTable } from '../db/schema.ts';
import { storableJson } from '../db/storable-json.ts';
import type { Run } from './run.types.ts';

/**
 * SQL of the run machinery. Every time decision (claimable, lease expiry, retry at) uses the
 * database clock, now(), so instances with skewed clocks agree. Every state change writes its
 * event in the same statement (a data-modifying CTE) and NOTIFYs `zquant_runs`, delivered on commit.
 * Values bound for jsonb go through `storableJson`: logs, results and errors carry strategy output,
 * whose NUL bytes and lone surrogates Postgres would refuse (failing the run at its last write).
 */
export type RunRow = Selectable<RunsTable>;
export type RunEventRow = Selectable<RunEventsTable>;
type Db = Kysely<Database>;

/** The one NOTIFY channel: `q:<executor>` (work queued), `e:<run>:<seq>` (event), `c:<run>` (control asked). */
export const runsChannel = 'zquant_runs';

/** A run to insert: the domain's fields the caller decides, plus when it becomes claimable. */
export type NewRunRow = Pick<
  Run,
  'executor' | 'params' | 'maxAttempts' | 'retryDelayMs' | 'priority' | 'taskId' | 'scheduledFor' | 'parentRunId' | 'retryOfRunId' | 'queuedBy' | 'timeoutMs' | 'checkpoint'
> & {
  /** Delay before the run becomes claimable, decided on the database clock. */
  delayMs: number;
};

/**
 * Inserts runs with their first `queued` event. A row whose (task_id, scheduled_for) slot exists
 * already is skipped (ON CONFLICT DO NOTHING) and absent from the result.
 */
export async function insertRuns(db: Db, rows: readonly NewRunRow[]): Promise<RunRow[]> {
  if (rows.length === 0) return [];
  const payload = storableJson(
    rows.map((r) => ({
      executor: r.executor,
      params: r.params ?? {},
      max_attempts: r.maxAttempts,
      retry_delay_ms: r.retryDelayMs,
      priority: r.priority,
      task_id: r.taskId,
      scheduled_for: r.scheduledFor?.toISOString() ?? null,
      parent_run_id: r.parentRunId,
      retry_of_run_id: r.retryOfRunId,
      queued_by: r.queuedBy,
      timeout_ms: r.timeoutMs,
      checkpoint: r.checkpoint ?? null,
      delay_ms: r.delayMs,
    })),
  );
  const result = await sql<RunRow>`
    with input as (
      select * from jsonb_to_recordset(${payload}::text::jsonb) as x(
        executor text, params jsonb, max_attempts int, retry_delay_ms int, priority int, task_id bigint,
        scheduled_for timestamptz, parent_run_id bigint, retry_of_run_id bigint, queued_by int,
        timeout_ms int, checkpoint jsonb, delay_ms int)
    ),
    r as (
      insert into runs (executor, params, status, max_attempts, retry_delay_ms, priority, task_id, scheduled_for,
                        parent_run_id, retry_of_run_id, queued_by, timeout_ms, checkpoint, run_after, event_seq)
      select executor, params, 'queued', max_attempts, retry_delay_ms, priority, task_id, scheduled_for,
             parent_run_id, retry_of_run_id, queued_by, timeout_ms, checkpoint,
             now() + delay_ms * interval '1 millisecond', 1
      from input
      -- No conflict target: the only unique key a new row can hit is runs_task_slot (one run per
      -- task slot). Naming it would make a database without that index fail every insert instead of
      -- letting the duplicate through, where the tests' independent duplicate detector sees it.
      on conflict do nothing
      returning *
    ),
    e as (
      insert into run_events (run_id, seq, kind, data)
      select id, 1, 'status', jsonb_build_object('status', 'queued', 'attempt', 0, 'final', false,
             'reason', case when retry_of_run_id is null then 'queued' else 'manual retry of run ' || retry_of_run_id end)
      from r
    )
    select r.*, pg_notify(${runsChannel}, 'q:' || r.executor) is null as _n from r order by r.id`.execute(db);
  return result.rows.map(stripNotify);
}

function stripNotify<T extends object>(row: T): T {
  delete (row as Record<string, unknown>)._n;
  return row;
}

/** Serialises claims that enforce a per-owner cap (see claimRuns); any constant unique in this schema. */
const claimLockKey = 7310457;

/**
 * Claims up to `limit` claimable runs of these executors for `owner`: highest priority first, then
 * fairly across the users who queued them. A run's turn is its owner's running runs (of these
 * executors) plus its rank among that owner's queued ones; equal turns go first to the owner whose
 * runs started least recently. So one user's 50 queued backtests take turns with another user's
 * one instead of standing ahead of it, round robin (system runs, queued by no one, count as one
 * owner). With `perOwnerRunning`, a user's run whose turn is past that cap is not claimed: it waits
 * while others' run. FOR UPDATE SKIP LOCKED lets any number of instances claim at once without
 * taking the same row; the per-owner cap additionally takes a transaction-scoped advisory lock
 * first, so two instances cannot each see a user one short of the cap and both start one (the claim
 * statement's snapshot is taken after the lock, so it sees every claim committed before it).
 */
export async function claimRuns(
  db: Db,
  owner: string,
  executors: readonly string[],
  limit: number,
  leaseMs: number,
  perOwnerRunning: number | null = null,
): Promise<RunRow[]> {
  if (limit <= 0 || executors.length === 0) return [];
  const names = JSON.stringify(executors);
  // The statement is the function zq_claim_runs (migrations/pg/2026-12-06-550-claim-function.ts),
  // so each connection plans it once: sent as text, its planning took longer than running it. It
  // reads only each owner's first `limit` queued runs (owners found by index probes, each queue
  // through an index), never ranking the whole queue: ranking every queued run had made the runs
  // bench (3,000 queued) fall from ~900 to 44 runs/s. A change to the claim is a new migration
  // replacing the function.
  const claim = (q: Db) =>
    sql<RunRow>`select * from zq_claim_runs(${owner}, ${names}::text::jsonb, ${limit}::int, ${leaseMs}::int, ${perOwnerRunning}::int, ${runsChannel})`.execute(q);
  if (perOwnerRunning === null) return (await claim(db)).rows.map(stripNotify);
  const result = await db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${claimLockKey})`.execute(tx);
    return claim(tx);
  });
  return result.rows.map(stripNotify);
}

/** Renews the leases `owner` holds; answers each run still held with any control asked of it, and whether its timeout passed. */
export async function renewLeases(
  db: Db,
  owner: string,
  ids: readonly number[],
  leaseMs: number,
): Promise<Array<{ id: number; control: 'cancel' | 'pause' | null; timed_out: boolean }>> {
  if (ids.length === 0) return [];
  const result = await sql<{ id: number; control: 'cancel' | 'pause' | null; timed_out: boolean }>`
    update runs set lease_expires_at = now() + ${leaseMs} * interval '1 millisecond', heartbeat_at = now()
    where status = 'running' and lease_owner = ${owner}
      and id in (select (jsonb_array_elements_text(${JSON.stringify(ids)}::text::jsonb))::bigint)
    returning id, control, (timeout_ms is not null and started_at + timeout_ms * interval '1 millisecond' < now()) as timed_out`.execute(db);
  return result.rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export async function readControl(db: Db, id: number, owner: string): Promise<'cancel' | 'pause' | null | undefined> {
  const row = await db.selectFrom('runs').select('control').where('id', '=', id).where('lease_owner', '=', owner).where('status', '=', 'running').executeTakeFirst();
  return row ? row.control : undefined;
}

export interface EventInput {
  kind: 'progress' | 'log';
  data: unknown;
}

/**
 * Appends progress/log events of a running run held by `owner` and updates its latest progress
 * and checkpoint, in one statement. Returns the stored events (empty when the lease was lost).
 */
export async function appendRunEvents(
  db: Db,
  id: number,
  owner: string,
  events: readonly EventInput[],
  progress: unknown | undefined,
  checkpoint: { value: unknown } | undefined,
): Promise<RunEventRow[]> {
  const n = events.length;
  const result = await sql<RunEventRow>`
    with r as (
      update runs set event_seq = event_seq + ${n},
        progress = case when ${progress === undefined} then progress else ${storableJson(progress)}::text::jsonb end,
        checkpoint = case when ${checkpoint === undefined} then checkpoint else ${storableJson(checkpoint?.value)}::text::jsonb end
      where id = ${id} and lease_owner = ${owner} and status = 'running'
      returning id, event_seq
    ),
    ins as (
      insert into run_events (run_id, seq, kind, data)
      select r.id, r.event_seq - ${n} + x.ord::int, x.ev->>'kind', x.ev->'data'
      from r cross join jsonb_array_elements(${storableJson(events)}::text::jsonb) with ordinality as x(ev, ord)
      returning *
    )
    select ins.*, pg_notify(${runsChannel}, 'e:' || ins.run_id || ':' || ins.seq) is null as _n from ins order by ins.seq`.execute(db);
  return result.rows.map(stripNotify);
}

/** Keeps the last `keep` events of a kind for a run. */
export async function trimRunEvents(db: Db, id: number, kind: 'log' | 'progress', keep: number): Promise<void> {
  await sql`
    delete from run_events where run_id = ${id} and kind = ${kind} and seq < (
      select seq from run_events where run_id = ${id} and kind = ${kind} order by seq desc offset ${keep - 1} limit 1)`.execute(db);
}

export interface Transition {
  id: number;
  /** Only rows in one of these statuses change. */
  from: readonly RunsTable['status'][];
  /** When set, only a row whose lease this owner holds changes. */
  owner?: string;
  /** When true, only a row whose lease expired (database clock) changes. */
  leaseExpired?: boolean;
  to: RunsTable['status'];
  /** Status events to append, in order (e.g. failed, then queued for the retry). */
  events: readonly Record<string, unknown>[];
  finished: boolean;
  /** Make the run claimable after its backoff: retry_delay_ms · 2^(attempt−1), capped, ±25 % jitter. */
  backoff?: { maxDelayMs: number };
  result?: unknown;
  error?: unknown;
  clearError?: boolean;
  /** A pause or a release is not a used attempt: the next claim counts the same attempt again. */
  giveBackAttempt?: boolean;
  control?: 'cancel' | 'pause' | null;
  setControl?: boolean;
}

/**
 * Moves a run from one status to another with its events, guarded so that two actors (an owner
 * finishing, the reaper, the API) can never both win: the WHERE clause is the lock.
 */
export async function transitionRun(db: Db, t: Transition): Promise<RunRow | null> {
  const n = t.events.length;
  const keepLease = t.to === 'running';
  const result = await sql<RunRow>`
    with r as (
      update runs set
        status = ${t.to},
        lease_owner = case when ${keepLease} then lease_owner else null end,
        lease_expires_at = case when ${keepLease} then lease_expires_at else null end,
        control = case when ${t.setControl ?? false} then ${t.control ?? null}::text when ${keepLease} then control else null end,
        finished_at = case when ${t.finished} then now() else null end,
        run_after = case when ${t.backoff !== undefined}
          then now() + (least(retry_delay_ms * power(2, greatest(attempt, 1) - 1), ${t.backoff?.maxDelayMs ?? 0}) * (0.75 + random() * 0.5)) * interval '1 millisecond'
          when ${t.to === 'queued'} then now() else run_after end,
        result = case when ${t.result !== undefined} then ${storableJson(t.result)}::text::jsonb else result end,
        error = case when ${t.clearError ?? false} then null when ${t.error !== undefined} then ${storableJson(t.error)}::text::jsonb else error end,
        attempt = attempt - case when ${t.giveBackAttempt ?? false} then 1 else 0 end,
        event_seq = event_seq + ${n}
      where id = ${t.id}
        and status in (select jsonb_array_elements_text(${JSON.stringify(t.from)}::text::jsonb))
        and (${t.owner ?? null}::text is null or lease_owner = ${t.owner ?? null}::text)
        and (not ${t.leaseExpired ?? false} or lease_expires_at < now())
      returning *
    ),
    e as (
      insert into run_events (run_id, seq, kind, data)
      select r.id, r.event_seq - ${n} + x.ord::int, 'status',
        x.ev || case when x.ev->>'status' = 'queued' then jsonb_build_object('runAfter', r.run_after) else '{}'::jsonb end
          || jsonb_build_object('attempt', case when x.ev ? 'attempt' then x.ev->'attempt' else to_jsonb(r.attempt) end)
      from r cross join jsonb_array_elements(${storableJson(t.events)}::text::jsonb) with ordinality as x(ev, ord)
    )
    select r.*, pg_notify(${runsChannel}, 'e:' || r.id || ':' || r.event_seq) is null as _n from r`.execute(db);
  const row = result.rows[0];
  return row ? stripNotify(row) : null;
}

/** Asks the instance holding a running run to cancel or pause it (it learns through NOTIFY or its next heartbeat). */
export async function requestControl(db: Db, id: number, control: 'cancel' | 'pause'): Promise<boolean> {
  const result = await sql<{ id: number }>`
    update runs set control = ${control} where id = ${id} and status = 'running'
    returning id, pg_notify(${runsChannel}, 'c:' || id) is null as _n`.execute(db);
  return result.rows.length > 0;
}

/** Running runs whose lease expired on the database clock (their process stopped renewing it). */
export async function findExpiredLeases(db: Db, limit: number): Promise<RunRow[]> {
  const result = await sql<RunRow>`
    select * from runs where status = 'running' and lease_expires_at < now() order by lease_expires_at limit ${limit}`.execute(db);
  return result.rows;
}

/**
 * Milliseconds until the next queued run of these executors becomes claimable (null when none
 * waits). With `perOwnerRunning`, runs of users already at that many running ones are left out:
 * they become claimable when one of those ends, which wakes the pool, not at a time.
 */
export async function msUntilNextClaimable(db: Db, executors: readonly string[], perOwnerRunning: number | null = null): Promise<number | null> {
  if (executors.length === 0) return null;
  const names = JSON.stringify(executors);
  const result = await sql<{ ms: number | null }>`
    select ceil(extract(epoch from (min(q.run_after) - now())) * 1000)::int as ms from runs q
    where q.status = 'queued' and q.executor in (select jsonb_array_elements_text(${names}::text::jsonb))
      and (${perOwnerRunning}::int is null or q.queued_by is null or (
        select count(*) from runs r
        where r.status = 'running' and r.queued_by = q.queued_by and r.executor in (select jsonb_array_elements_text(${names}::text::jsonb))
      ) < ${perOwnerRunning}::int)`.execute(db);
  const ms = result.rows[0]?.ms;
  return ms === null || ms === undefined ? null : Math.max(0, Number(ms));
}

/** How many runs of these executors a user has waiting (queued or paused), for limits at submit time. */
export async function countWaitingRuns(db: Db, queuedBy: number, executors: readonly string[]): Promise<number> {
  const result = await sql<{ n: number }>`
    select count(*)::int as n from runs
    where queued_by = ${queuedBy} and status in ('queued', 'paused')
      and executor in (select jsonb_array_elements_text(${JSON.stringify(executors)}::text::jsonb))`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}

export async function findRun(db: Db, id: number): Promise<RunRow | undefined> {
  return db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Events after `afterSeq`, oldest first. */
export async function readRunEvents(db: Db, id: number, afterSeq: number, limit: number, kind?: 'log'): Promise<RunEventRow[]> {
  let q = db.selectFrom('run_events').selectAll().where('run_id', '=', id).where('seq', '>', afterSeq);
  if (kind) q = q.where('kind', '=', kind);
  return q.orderBy('seq').limit(limit).execute();
}

/** The last `limit` log lines of a run, oldest first. */
export async function readLogTail(db: Db, id: number, limit: number): Promise<RunEventRow[]> {
  const rows = await db.selectFrom('run_events').selectAll().where('run_id', '=', id).where('kind', '=', 'log').orderBy('seq', 'desc').limit(limit).execute();
  return rows.reverse();
}

export interface RunFilter {
  executor?: string;
  status?: RunsTable['status'];
  taskId?: number;
  from?: Date;
  to?: Date;
  /** Only runs this user queued, plus system runs (queued_by null); undefined = all. */
  visibleTo?: number;
  parentRunId?: number;
  /** Only runs this user queued. */
  queuedBy?: number;
}

export async function listRuns(db: Db, f: RunFilter, limit: number, offset: number): Promise<{ rows: RunRow[]; total: number }> {
  let q = db.selectFrom('runs');
  if (f.executor) q = q.where('executor', '=', f.executor);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.taskId !== undefined) q = q.where('task_id', '=', f.taskId);
  if (f.parentRunId !== undefined) q = q.where('parent_run_id', '=', f.parentRunId);
  if (f.queuedBy !== undefined) q = q.where('queued_by', '=', f.queuedBy);
  if (f.from) q = q.where('queued_at', '>=', f.from);
  if (f.to) q = q.where('queued_at', '<', f.to);
  if (f.visibleTo !== undefined) {
    const uid = f.visibleTo;
    q = q.where((eb) => eb.or([eb('queued_by', '=', uid), eb('queued_by', 'is', null)]));
  }
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy('queued_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/**
 * Records many successes held by `owner` in one statement (one commit instead of one per run,
 * which is what bounds throughput of short runs). Returns the ids that were still held.
 */
export async function completeRuns(db: Db, owner: string, items: ReadonlyArray<{ id: number; result: unknown }>): Promise<number[]> {
  if (items.length === 0) return [];
  const result = await sql<{ id: number }>`
    with input as (
      select * from jsonb_to_recordset(${storableJson(items.map((i) => ({ id: i.id, result: i.result ?? null })))}::text::jsonb) as x(id bigint, result jsonb)
    ),
    r as (
      update runs set status = 'succeeded', lease_owner = null, lease_expires_at = null, control = null,
        finished_at = now(), result = input.result, error = null, event_seq = runs.event_seq + 1
      from input
      where runs.id = input.id and runs.status = 'running' and runs.lease_owner = ${owner}
      returning runs.id, runs.event_seq, runs.attempt
    ),
    e as (
      insert into run_events (run_id, seq, kind, data)
      select id, event_seq, 'status', jsonb_build_object('status', 'succeeded', 'attempt', attempt, 'final', true) from r
    )
    select r.id, pg_notify(${runsChannel}, 'e:' || r.id || ':' || r.event_seq) is null as _n from r`.execute(db);
  return result.rows.map((r) => Number(r.id));
}

/** A run's status and the sequence number of its last event (what a follower checks before waiting). */
export async function readRunHead(db: Db, id: number): Promise<{ status: RunRow['status']; eventSeq: number } | null> {
  const row = await db.selectFrom('runs').select(['status', 'event_seq']).where('id', '=', id).executeTakeFirst();
  return row ? { status: row.status, eventSeq: row.event_seq } : null;
}

/** Withdraws a pause asked for but not yet honoured (the control is cleared only while it is still `pause`). */
export async function withdrawPause(db: Db, id: number): Promise<void> {
  await db.updateTable('runs').set({ control: null }).where('id', '=', id).where('control', '=', 'pause').execute();
}

/** The status and error of each of these runs (a workflow reading its steps' outcomes). */
export async function runOutcomes(db: Db, ids: readonly number[]): Promise<Array<{ id: number; status: RunRow['status']; error: unknown }>> {
  const rows = await db.selectFrom('runs').select(['id', 'status', 'error']).where('id', 'in', [...ids]).execute();
  return rows.map((r) => ({ id: Number(r.id), status: r.status, error: r.error }));
}

/** How many of these runs have ended (succeeded, failed, cancelled or abandoned). */
export async function countEndedRuns(db: Db, ids: readonly number[]): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from runs where id = any(${sql.raw(`array[${ids.map(Number).join(',')}]::bigint[]`)}) and status in ('succeeded','failed','cancelled','abandoned')`.execute(db);
  return r.rows[0]?.n ?? 0;
}

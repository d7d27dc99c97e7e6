import { sql, type Kysely, type Selectable } from 'kysely';
import type { AlertChannelsTable, AlertDeliveriesTable, Database, NewRow } from '../db/schema.ts';

/** SQL of alert channels, rules, events and the delivery log. */
type Db = Kysely<Database>;
export type ChannelRow = Selectable<AlertChannelsTable>;
export type ChannelValues = NewRow<AlertChannelsTable, 'name' | 'kind' | 'config' | 'shared' | 'enabled'>;

export async function listChannels(db: Db, o: { sharedOnly: boolean }): Promise<ChannelRow[]> {
  let q = db.selectFrom('alert_channels').selectAll().orderBy('name');
  if (o.sharedOnly) q = q.where('shared', '=', true).where('enabled', '=', true);
  return q.execute();
}

export async function findChannel(db: Db, id: number): Promise<ChannelRow | undefined> {
  return db.selectFrom('alert_channels').selectAll().where('id', '=', id).executeTakeFirst();
}

/** null when the name is taken. */
export async function insertChannel(db: Db, v: ChannelValues & { created_by: number | null }): Promise<ChannelRow | null> {
  const row = await db.insertInto('alert_channels').values(v).onConflict((oc) => oc.column('name').doNothing()).returningAll().executeTakeFirst();
  return row ?? null;
}

/** undefined when no such channel; throws on a taken name (the service maps it). */
export async function updateChannel(db: Db, id: number, v: Partial<ChannelValues>): Promise<ChannelRow | undefined> {
  return db.updateTable('alert_channels').set({ ...v, updated_at: sql`now()` as never }).where('id', '=', id).returningAll().executeTakeFirst();
}

export async function channelNameTaken(db: Db, name: string, exceptId: number): Promise<boolean> {
  return !!(await db.selectFrom('alert_channels').select('id').where('name', '=', name).where('id', '<>', exceptId).executeTakeFirst());
}

export async function deleteChannel(db: Db, id: number): Promise<boolean> {
  const r = await db.deleteFrom('alert_channels').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

const ruleColumns = [
  'r.id', 'r.name', 'r.event', 'r.task_id', 'r.channel_id', 'r.email', 'r.owner_id', 'r.enabled', 'r.created_at', 't.name as task_name', 'c.name as channel_name', 'u.username as owner_name',
] as const;

function rulesQuery(db: Db) {
  return db
    .selectFrom('alert_rules as r')
    .innerJoin('alert_channels as c', 'c.id', 'r.channel_id')
    .innerJoin('users as u', 'u.id', 'r.owner_id')
    .leftJoin('scheduled_tasks as t', 't.id', 'r.task_id')
    .select(ruleColumns);
}
export type RuleRow = Awaited<ReturnType<typeof findRule>> & {};

/** Every rule, or only `ownerId`'s. */
export async function listRules(db: Db, o: { ownerId: number | null }) {
  let q = rulesQuery(db).orderBy('r.id');
  if (o.ownerId !== null) q = q.where('r.owner_id', '=', o.ownerId);
  return q.execute();
}

export async function findRule(db: Db, id: number) {
  return rulesQuery(db).where('r.id', '=', id).executeTakeFirst();
}

export async function insertRule(
  db: Db,
  v: { name: string; event: RuleRow['event']; task_id: number | null; channel_id: number; email: string | null; owner_id: number; enabled: boolean },
): Promise<number> {
  const row = await db.insertInto('alert_rules').values(v).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function deleteRule(db: Db, id: number): Promise<boolean> {
  const r = await db.deleteFrom('alert_rules').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function taskExists(db: Db, id: number): Promise<boolean> {
  return !!(await db.selectFrom('scheduled_tasks').select('id').where('id', '=', id).executeTakeFirst());
}

/** A run some rule should alert on and has not yet (no alert_events row of that rule, run and kind). */
export interface CandidateRow {
  rule_id: number;
  rule_name: string;
  kind: RuleRow['event'];
  run_id: number;
  executor: string;
  status: string;
  attempt: number;
  max_attempts: number;
  task_id: number | null;
  task_name: string | null;
  grace_seconds: number | null;
  scheduled_for: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  error_message: string | null;
  /** The language the rule's owner chose (users.locale), null when none. */
  owner_locale: 'zh-CN' | 'en' | null;
}

/**
 * Runs that ended (or, for run_late, scheduled slots) within the last `lookbackSeconds` and after
 * their rule was made, matching an enabled rule whose channel is enabled, not yet recorded. A rule
 * with a task matches that task's runs and the step runs of its workflow runs.
 */
export async function alertCandidates(db: Db, lookbackSeconds: number, limit: number): Promise<CandidateRow[]> {
  const since = sql`now() - make_interval(secs => ${lookbackSeconds})`;
  const { rows } = await sql<CandidateRow>`
    select ru.id as rule_id, ru.name as rule_name, ru.event as kind, r.id as run_id, r.executor, r.status, r.attempt, r.max_attempts,
      coalesce(r.task_id, p.task_id) as task_id, t.name as task_name, t.grace_seconds, r.scheduled_for, r.started_at, r.finished_at,
      r.error->>'message' as error_message, ou.locale as owner_locale
    from alert_rules ru
    join alert_channels ch on ch.id = ru.channel_id and ch.enabled
    join users ou on ou.id = ru.owner_id
    join runs r on (
      (ru.event <> 'run_late' and r.finished_at > greatest(ru.created_at, ${since}))
      or (ru.event = 'run_late' and r.scheduled_for > greatest(ru.created_at, ${since})))
    left join runs p on p.id = r.parent_run_id
    left join scheduled_tasks t on t.id = coalesce(r.task_id, p.task_id)
    where ru.enabled and r.executor <> 'alert_delivery'
      and (ru.task_id is null or ru.event = 'backtest_finished' or ru.task_id = coalesce(r.task_id, p.task_id))
      and (
        (ru.event = 'run_failed' and r.status in ('failed', 'abandoned') and coalesce(r.task_id, p.task_id) is not null)
        or (ru.event = 'retries_exhausted' and r.status in ('failed', 'abandoned') and r.attempt >= r.max_attempts and coalesce(r.task_id, p.task_id) is not null)
        or (ru.event = 'sync_partial' and r.executor = 'data_sync' and r.status in ('failed', 'abandoned')
            and exists (select 1 from sync_log s where s.run_id = r.id and s.result = 'partial'))
        or (ru.event = 'backtest_finished' and r.executor in ('backtest', 'sweep') and r.status in ('succeeded', 'failed', 'cancelled', 'abandoned') and r.queued_by = ru.owner_id)
        or (ru.event = 'run_late' and r.task_id is not null and t.id is not null
            and coalesce(r.started_at, case when r.status = 'queued' then now() end) > r.scheduled_for + make_interval(secs => t.grace_seconds))
      )
      and not exists (select 1 from alert_events e where e.rule_id = ru.id and e.run_id = r.id and e.kind = ru.event)
    order by r.id
    limit ${limit}`.execute(db);
  return rows.map((r) => ({ ...r, rule_id: Number(r.rule_id), run_id: Number(r.run_id), task_id: r.task_id === null ? null : Number(r.task_id) }));
}

/** Records an event; null when another scan (here or on another instance) recorded it first. */
export async function insertEvent(db: Db, v: { rule_id: number; run_id: number; kind: string; payload: string }): Promise<number | null> {
  const row = await db
    .insertInto('alert_events')
    .values(v)
    .onConflict((oc) => oc.columns(['rule_id', 'run_id', 'kind']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row ? Number(row.id) : null;
}

export async function setEventDeliveryRun(db: Db, eventId: number, runId: number): Promise<void> {
  await db.updateTable('alert_events').set({ delivery_run_id: runId }).where('id', '=', eventId).execute();
}

/** An event with what its delivery needs: the payload, the rule's recipient override and its channel. */
export async function findEventForDelivery(db: Db, eventId: number) {
  return db
    .selectFrom('alert_events as e')
    .innerJoin('alert_rules as r', 'r.id', 'e.rule_id')
    .innerJoin('alert_channels as c', 'c.id', 'r.channel_id')
    .select(['e.id', 'e.run_id', 'e.kind', 'e.payload', 'r.id as rule_id', 'r.email', 'c.id as channel_id', 'c.name as channel_name', 'c.kind as channel_kind', 'c.config', 'c.enabled'])
    .where('e.id', '=', eventId)
    .executeTakeFirst();
}

export async function insertDelivery(db: Db, v: NewRow<AlertDeliveriesTable, 'event_id' | 'channel_id' | 'rule_id' | 'run_id' | 'target' | 'attempt' | 'status_code' | 'error' | 'ok'>): Promise<void> {
  await db.insertInto('alert_deliveries').values(v).execute();
}

/** The newest delivery attempts first. */
export async function listDeliveries(db: Db, o: { limit: number; offset: number; channelId: number | null }) {
  let q = db
    .selectFrom('alert_deliveries as d')
    .leftJoin('alert_events as e', 'e.id', 'd.event_id')
    .leftJoin('alert_channels as c', 'c.id', 'd.channel_id')
    .leftJoin('alert_rules as r', 'r.id', 'd.rule_id')
    .select(['d.id', 'd.event_id', 'e.kind as event_kind', 'e.run_id as subject_run_id', 'd.channel_id', 'c.name as channel_name', 'd.rule_id', 'r.name as rule_name', 'd.run_id', 'd.target', 'd.attempt', 'd.status_code', 'd.error', 'd.ok', 'd.at'])
    .orderBy('d.id', 'desc')
    .limit(o.limit)
    .offset(o.offset);
  if (o.channelId !== null) q = q.where('d.channel_id', '=', o.channelId);
  return q.execute();
}

/** The scheduled tasks a rule may name, by name. */
export async function taskChoices(db: Db): Promise<Array<{ id: number; name: string }>> {
  return db.selectFrom('scheduled_tasks').select(['id', 'name']).orderBy('name').execute();
}

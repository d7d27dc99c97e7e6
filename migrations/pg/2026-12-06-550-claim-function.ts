import { sql, type Kysely } from 'kysely';

/**
 * The fair claim (src/runs/runs.repository.ts, claimRuns) as a function, so its plan is cached
 * per connection: as one statement sent each time, Postgres planned its eight CTEs on every claim
 * (~2 ms here against ~0.5 ms to run it), which cost the runs bench a third of its throughput.
 * Same text as the statement it replaces; `p_cap` null means no per-owner cap.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
create function zq_claim_runs(p_owner text, p_executors jsonb, p_limit int, p_lease_ms int, p_cap int, p_channel text)
returns setof runs language plpgsql as $fn$
begin
  return query
      with recursive exe as (select jsonb_array_elements_text(p_executors) as name),
      -- The users with queued runs, one index probe each (a loose index scan: Postgres has no skip scan).
      users(id) as (
        (select queued_by from runs where status = 'queued' and queued_by is not null order by queued_by limit 1)
        union all
        select (select r.queued_by from runs r where r.status = 'queued' and r.queued_by > u.id order by r.queued_by limit 1)
        from users u where u.id is not null
      ),
      owners as (
        select o.queued_by,
          (select count(*) from runs r where r.status = 'running' and r.queued_by is not distinct from o.queued_by
             and r.executor in (select name from exe))::int as running,
          case when o.queued_by is null then null else (
            select max(r.started_at) from runs r where r.queued_by = o.queued_by and r.started_at is not null
              and r.executor in (select name from exe)) end as last_started
        from (
          select id as queued_by from users where id is not null
          union all
          select null where exists (select 1 from runs where status = 'queued' and queued_by is null)
        ) o
      ),
      queued as (
        select q.id, o.queued_by, q.priority, q.run_after, o.running, o.last_started,
          row_number() over (partition by o.queued_by order by q.priority desc, q.run_after, q.id) as rank
        from owners o
        cross join lateral (
          select r.id, r.priority, r.run_after from runs r
          where r.status = 'queued' and r.run_after <= now() and r.executor in (select name from exe)
            and r.queued_by = o.queued_by
          order by r.priority desc, r.run_after, r.id
          limit p_limit
        ) q
        where o.queued_by is not null
        union all
        select q.id, null, q.priority, q.run_after, o.running, null,
          row_number() over (order by q.priority desc, q.run_after, q.id) as rank
        from owners o
        cross join lateral (
          select r.id, r.priority, r.run_after from runs r
          where r.status = 'queued' and r.run_after <= now() and r.executor in (select name from exe)
            and r.queued_by is null
          order by r.priority desc, r.run_after, r.id
          limit p_limit
        ) q
        where o.queued_by is null
      ),
      ranked as (
        select id, queued_by, priority, run_after, running + rank as turn, last_started from queued
      ),
      next as (
        select id from runs
        where status = 'queued' and id in (
          select id from ranked
          where p_cap is null or queued_by is null or turn <= p_cap
          order by priority desc, turn, last_started nulls first, run_after, id
          limit p_limit)
        for update skip locked
      ),
      c as (
        update runs r set status = 'running', attempt = r.attempt + 1, lease_owner = p_owner,
          lease_expires_at = now() + p_lease_ms * interval '1 millisecond', heartbeat_at = now(),
          started_at = now(), finished_at = null, control = null, event_seq = r.event_seq + 1
        from next where r.id = next.id
        returning r.*
      ),
      e as (
        insert into run_events (run_id, seq, kind, data)
        select id, event_seq, 'status', jsonb_build_object('status', 'running', 'attempt', attempt, 'final', false, 'reason', 'started by ' || lease_owner)
        from c
      )
      select c.* from c cross join lateral (select pg_notify(p_channel, 'e:' || c.id || ':' || c.event_seq)) n order by c.priority desc, c.id;
end
$fn$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists zq_claim_runs(text, jsonb, int, int, int, text)`.execute(db);
}

import { sql, type Kysely } from 'kysely';

/**
 * The run machinery's own executors name their params, results and error details in snake_case
 * (issue 18): sleep `fail_attempts`, `fail_at_step`, `ignore_abort`, result `resumed_from`;
 * data_sync `batch_rows`, result and error detail `log_id`, `last_completed_date`, `duration_ms`;
 * command `timeout_seconds`, `kill_grace_ms`, result `exit_code`; workflow `on_failure` and each
 * step's `depends_on`, `timeout_ms`, and its result (and failure detail) `{outcome, steps: [{id,
 * status, run_id, error}]}` in run order instead of an object keyed by step id.
 *
 * Runs (params, result, error; status events' errors) and scheduled tasks' configs stored before
 * are rewritten so queued runs still run and tasks still fire. Only the keys named above change:
 * a command's env names and workflow step ids are the user's own and are kept as they are.
 * Checkpoints are internal (never answered) and keep their names.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // Params/config of these executors, at the top and in each workflow step (and its config).
  await sql`
    create or replace function zq_run_params_snake(p jsonb) returns jsonb
    language plpgsql immutable strict as $fn$
    begin
      if jsonb_typeof(p) <> 'object' then return p; end if;
      return coalesce((
        select jsonb_object_agg(
          case k
            when 'batchRows' then 'batch_rows' when 'timeoutSeconds' then 'timeout_seconds' when 'killGraceMs' then 'kill_grace_ms'
            when 'failAttempts' then 'fail_attempts' when 'failAtStep' then 'fail_at_step' when 'ignoreAbort' then 'ignore_abort'
            when 'onFailure' then 'on_failure' else k end,
          case when k = 'steps' and jsonb_typeof(v) = 'array' then (
            select coalesce(jsonb_agg(
              case when jsonb_typeof(x) = 'object' then (
                select jsonb_object_agg(
                  case sk when 'dependsOn' then 'depends_on' when 'timeoutMs' then 'timeout_ms' else sk end,
                  case when sk = 'config' then zq_run_params_snake(sv) else sv end)
                from jsonb_each(x) as s(sk, sv))
              else x end order by i), '[]'::jsonb)
            from jsonb_array_elements(v) with ordinality as a(x, i))
          else v end)
        from jsonb_each(p) as e(k, v)), '{}'::jsonb);
    end
    $fn$`.execute(db);
  // A workflow's result or failure detail: steps keyed by id become a list of {id, status, run_id, error}.
  await sql`
    create or replace function zq_workflow_result_snake(r jsonb) returns jsonb
    language sql immutable strict as $fn$
      select case when jsonb_typeof(r) = 'object' and jsonb_typeof(r->'steps') = 'object' then
        jsonb_build_object(
          'outcome', coalesce(r->'outcome', 'null'::jsonb),
          'steps', coalesce((
            select jsonb_agg(jsonb_build_object('id', k, 'status', v->'status', 'run_id', coalesce(v->'runId', 'null'::jsonb), 'error', coalesce(v->'error', 'null'::jsonb)) order by k)
            from jsonb_each(r->'steps') as e(k, v)), '[]'::jsonb))
      else r end
    $fn$`.execute(db);
  // A result or error detail of sleep, data_sync or command: their keys are all the executor's (zq_snake_keys, migration 560).
  await sql`
    create or replace function zq_run_output_snake(executor text, r jsonb) returns jsonb
    language sql immutable strict as $fn$
      select case when executor = 'workflow' then zq_workflow_result_snake(r)
                  when executor in ('sleep', 'data_sync', 'command', 'noop', 'factor') then zq_snake_keys(r)
                  else r end
    $fn$`.execute(db);
  await sql`
    create or replace function zq_run_error_snake(executor text, e jsonb) returns jsonb
    language sql immutable strict as $fn$
      select case when jsonb_typeof(e) = 'object' and e ? 'detail' and e->'detail' <> 'null'::jsonb
                  then jsonb_set(e, '{detail}', zq_run_output_snake(executor, e->'detail')) else e end
    $fn$`.execute(db);

  const ours = sql`('sleep', 'data_sync', 'command', 'workflow', 'noop', 'factor')`;
  await sql`
    update runs set
      params = zq_run_params_snake(params),
      result = zq_run_output_snake(executor, result),
      error = zq_run_error_snake(executor, error)
    where executor in ${ours}
      and (params::text ~ '"[a-z]+[A-Z][A-Za-z]*":' or coalesce(result::text, '') ~ '"[a-z]+[A-Z][A-Za-z]*":|"steps": \\{' or coalesce(error::text, '') ~ '"[a-z]+[A-Z][A-Za-z]*":|"steps": \\{')`.execute(db);
  await sql`
    update run_events ev set data = jsonb_set(ev.data, '{error}', zq_run_error_snake(r.executor, ev.data->'error'))
    from runs r
    where r.id = ev.run_id and ev.kind = 'status' and r.executor in ${ours} and jsonb_typeof(ev.data->'error'->'detail') = 'object'`.execute(db);
  await sql`
    update scheduled_tasks set config = zq_run_params_snake(config)
    where config::text ~ '"(batchRows|timeoutSeconds|killGraceMs|failAttempts|failAtStep|ignoreAbort|onFailure|dependsOn|timeoutMs)":'`.execute(db);
}

export async function down(): Promise<void> {
  // Not reversed: the code that read the camelCase names is gone.
}

import { sql, type Kysely } from 'kysely';

/**
 * Step runs of a workflow belong to the workflow run's owner (issue 24: an analyst could read the
 * steps of an admin's workflow while the workflow itself answered 404). Runs queued before this
 * were queued as system runs: give each the owner of its top workflow run, nested workflows too.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    with recursive tree (id, owner) as (
      select id, queued_by from runs where parent_run_id is null and queued_by is not null
      union all
      select r.id, t.owner from runs r join tree t on r.parent_run_id = t.id
    )
    update runs set queued_by = tree.owner from tree
    where runs.id = tree.id and runs.parent_run_id is not null and runs.queued_by is null`.execute(db);
}

export async function down(): Promise<void> {
  // Which step runs were system runs before is not kept; nothing to undo.
}

// Migration 660: step runs queued before it (as system runs) take the owner of their top workflow
// run, nested workflows included; runs of system workflows stay system runs.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { up } from '../../migrations/pg/2026-12-06-660-step-runs-owner.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.ts';
import { insertPrincipals } from '../helpers/accounts.ts';
import { principal } from '../helpers/auth.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await insertPrincipals(db.store.db, [principal('admin', 1)]);
});
afterAll(() => db?.drop());

it('gives old step runs their workflow owner, through nested workflows, and leaves system workflows alone', async () => {
  const k = db.store.db;
  const add = async (queuedBy: number | null, parent: number | null) =>
    Number((await k.insertInto('runs').values({ executor: 'noop', params: '{}', status: 'succeeded', queued_by: queuedBy, parent_run_id: parent }).returning('id').executeTakeFirstOrThrow()).id);
  const top = await add(1, null);
  const step = await add(null, top);
  const nested = await add(null, top);
  const nestedStep = await add(null, nested);
  const systemTop = await add(null, null);
  const systemStep = await add(null, systemTop);
  await up(k);
  const owners = new Map((await k.selectFrom('runs').select(['id', 'queued_by']).execute()).map((r) => [Number(r.id), r.queued_by === null ? null : Number(r.queued_by)]));
  expect([owners.get(step), owners.get(nested), owners.get(nestedStep)]).toEqual([1, 1, 1]);
  expect([owners.get(systemTop), owners.get(systemStep)]).toEqual([null, null]);
});

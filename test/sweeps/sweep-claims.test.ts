// Claims of a sweep spread over processes (sweep-claims.repository.ts claimSets), on a real database:
// a claim takes full batches while sets are plenty, the last free sets are split between the
// participants instead of going to one, a set another live run holds is never taken, a dead run's
// claims are, and a helper claims nothing once the sweep's own run stopped.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, systemActor } from '../../src/auth/users.service.ts';
import { claimSets, markSetsDone } from '../../src/sweeps/sweep-claims.repository.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.ts';

let t: TestDatabase;
let ownerId: number;
const ordinals = Array.from({ length: 100 }, (_, i) => i);

/** A sweep of 100 planned sets with its own run and a helper run, both held by a process (running, under their lease owners). */
async function spreadSweep(): Promise<{ sweepId: number; main: number; helper: number }> {
  const s = await t.store.db.insertInto('sweeps').values({
    run_id: null, owner_id: ownerId, kind: 'sweep', strategy_kind: 'builtin', strategy_name: 'dual_ma', strategy_id: null, strategy_version_id: null,
    spec: '{}', space: '{}', mode: 'random', budget: 100, seed: 1, objective: 'sharpe', windows: null, grid_count: '220', planned_sets: 100,
    best_ordinal: null, best_value: null, dsr: null, pbo: null, stats: null, finished_at: null,
  }).returning('id').executeTakeFirstOrThrow();
  const sweepId = Number(s.id);
  const main = await runningRun(sweepId, 'process-a', null);
  await t.store.db.updateTable('sweeps').set({ run_id: main }).where('id', '=', sweepId).execute();
  return { sweepId, main, helper: await runningRun(sweepId, 'process-b', main) };
}

async function runningRun(sweepId: number, owner: string, parentRunId: number | null): Promise<number> {
  const r = await t.store.db.insertInto('runs').values({
    executor: parentRunId ? 'sweep_part' : 'sweep', params: JSON.stringify({ sweep_id: sweepId }), status: 'running', parent_run_id: parentRunId,
    lease_owner: owner, lease_expires_at: new Date(Date.now() + 60_000), started_at: new Date(),
    task_id: null, scheduled_for: null, retry_of_run_id: null, queued_by: null, finished_at: null, timeout_ms: null, heartbeat_at: null, control: null,
    progress: null, result: null, error: null, checkpoint: null,
  }).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

/** Stores sets as a participant does once it ran them (only `ordinal` matters to claims). */
async function store(sweepId: number, ns: number[]) {
  if (!ns.length) return;
  await t.store.db.insertInto('sweep_sets').values(ns.map((ordinal) => ({ sweep_id: sweepId, ordinal, window_index: null, grid_index: ordinal, params: '{}', status: 'succeeded' as const, error: null }))).execute();
}

beforeAll(async () => {
  t = await createTestDatabase();
  ownerId = (await createUser(t.store.db, systemActor('test'), { username: 'claims', role: 'analyst', password: 'a long enough password' })).id;
}, 60_000);

afterAll(async () => {
  await t?.drop();
});

describe('set claims of a spread sweep', () => {
  it('takes full claims while sets are plenty, then ever smaller shares, so the participants end together', async () => {
    const { sweepId, main, helper } = await spreadSweep();
    const sizes: number[] = [];
    const all: number[] = [];
    // Two participants claiming in turn, each storing what it ran before its next claim.
    for (;;) {
      const a = await claimSets(t.store.db, sweepId, main, ordinals, 16);
      const b = await claimSets(t.store.db, sweepId, helper, ordinals, 16, main);
      if (!a.length && !b.length) break;
      for (const got of [a, b]) if (got.length) sizes.push(got.length);
      all.push(...a, ...b);
      await store(sweepId, [...a, ...b]);
      await markSetsDone(t.store.db, sweepId, main, a);
      await markSetsDone(t.store.db, sweepId, helper, b);
    }
    // Full claims of 16 while more than a claim each is free; then each takes the free sets over the
    // participants, rounded up: 20 free → 10, 10 → 5, 5 → 3, 2 → 1, 1 → 1 (not one last claim of 4
    // that keeps one process running while the other waits).
    expect(sizes).toEqual([16, 16, 16, 16, 16, 10, 5, 3, 1, 1]);
    expect(all.sort((x, y) => x - y)).toEqual(ordinals);
  });

  it('with its pace known, a participant that frees up takes its share of the free sets and of what the others still run', async () => {
    const { sweepId, main, helper } = await spreadSweep();
    // 64 sets are stored; the helper holds 16 (64–79), claimed 0.5 s ago.
    await store(sweepId, ordinals.slice(0, 64));
    const held = await claimSets(t.store.db, sweepId, helper, ordinals, 16, main);
    expect(held).toEqual(ordinals.slice(64, 80));
    await t.store.db.updateTable('sweep_set_claims').set({ claimed_at: sql<Date>`now() - interval '500 milliseconds'` }).where('sweep_id', '=', sweepId).where('run_id', '=', helper).execute();
    // 20 free (80–99). Without a pace: 20 over 2 participants → 10, as before.
    // At 0.1 s a set, the helper has 16 − 0.5/0.1 = 11 sets left: (20 + 11) / 2 = 15.5 → 16 (the claim limit).
    const paced = await claimSets(t.store.db, sweepId, main, ordinals, 16, null, 0.1);
    expect(paced).toEqual(ordinals.slice(80, 96));
    // The helper, at 1 s a set, reckons the main run's 16 just claimed as 16 left: (4 + 16) / 2 = 10 → all 4 free.
    expect(await claimSets(t.store.db, sweepId, helper, ordinals, 16, main, 1)).toEqual(ordinals.slice(96, 100));
  });

  it('counts a helper run that has not claimed yet: the first claim of a small sweep leaves it its share', async () => {
    const { sweepId, main, helper } = await spreadSweep();
    // 20 sets, claims of up to 32: the sweep's run takes 20 / 2 participants = 10 (its helper is running, no claim yet) …
    expect(await claimSets(t.store.db, sweepId, main, ordinals.slice(0, 20), 32)).toEqual(ordinals.slice(0, 10));
    expect(await claimSets(t.store.db, sweepId, helper, ordinals.slice(0, 20), 32, main)).toEqual(ordinals.slice(10, 15));
    // … and once the helper is gone (failed, no lease), the sweep's run alone takes what is free.
    await t.store.db.updateTable('runs').set({ status: 'failed', lease_owner: null }).where('id', '=', helper).execute();
    expect(await claimSets(t.store.db, sweepId, main, ordinals.slice(0, 20), 32)).toEqual(ordinals.slice(10, 20));
  });

  it('without a pace, a participant that frees up takes half the free sets', async () => {
    const { sweepId, main, helper } = await spreadSweep();
    await store(sweepId, ordinals.slice(0, 64));
    await claimSets(t.store.db, sweepId, helper, ordinals, 16, main);
    expect(await claimSets(t.store.db, sweepId, main, ordinals, 16)).toEqual(ordinals.slice(80, 90));
  });

  it('gives a dead run’s sets to another, and a helper nothing once the sweep’s run stopped', async () => {
    const { sweepId, main, helper } = await spreadSweep();
    const a = await claimSets(t.store.db, sweepId, main, ordinals, 16);
    const b = await claimSets(t.store.db, sweepId, helper, ordinals, 16, main);
    expect([a, b]).toEqual([ordinals.slice(0, 16), ordinals.slice(16, 32)]);
    await store(sweepId, a);
    // The helper's process died: its lease is gone (the reaper failed its run); its unstored sets are free again, first in line.
    await t.store.db.updateTable('runs').set({ status: 'failed', lease_owner: null }).where('id', '=', helper).execute();
    expect(await claimSets(t.store.db, sweepId, main, ordinals, 16)).toEqual(ordinals.slice(16, 32));
    // A second helper, after the sweep's own run was cancelled, takes nothing.
    const late = await runningRun(sweepId, 'process-c', main);
    await t.store.db.updateTable('runs').set({ status: 'cancelled', lease_owner: null }).where('id', '=', main).execute();
    expect(await claimSets(t.store.db, sweepId, late, ordinals, 16, main)).toEqual([]);
    // Asked without that check (as the sweep's own run claims), the same sets are there: the dead runs' claims are free.
    expect(await claimSets(t.store.db, sweepId, late, ordinals, 16)).toEqual(ordinals.slice(16, 32));
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/access.ts';
import type { RunsService } from '../../src/runs/runs.service.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { actingAs, principal } from '../helpers/auth.ts';

// No workers here: runs stay queued, which is what access and listing need.
let t: TestApp;
let runs: RunsService;
const alice = principal('analyst', 10);
const bob = principal('analyst', 11);
const viewer = principal('viewer', 12);
const admin = principal('admin', 1);

beforeAll(async () => {
  t = await makeTestApp({}, { principals: [alice, bob, viewer, admin] });
  runs = t.deps.runs!;
});
afterAll(() => t?.close());

const as = (p: Principal | null) => t.appWith({ authenticate: actingAs(p) });

describe('who sees and controls which runs', () => {
  it('hides a user run from other non-admins (404) and shows system runs to every viewer', async () => {
    const mine = await runs.queueRun({ executor: 'noop', queuedBy: alice.userId });
    const system = await runs.queueRun({ executor: 'noop', queuedBy: null });
    expect((await as(alice).request(`/api/v1/runs/${mine.id}`)).status).toBe(200);
    expect((await as(bob).request(`/api/v1/runs/${mine.id}`)).status).toBe(404);
    expect((await as(bob).request(`/api/v1/runs/${mine.id}/events`)).status).toBe(404);
    expect((await as(bob).request(`/runs/${mine.id}`)).status).toBe(404);
    expect((await as(admin).request(`/api/v1/runs/${mine.id}`)).status).toBe(200);
    expect((await as(viewer).request(`/api/v1/runs/${system.id}`)).status).toBe(200);
    expect((await as(null).request(`/api/v1/runs/${system.id}`)).status).toBe(401);
    const list = (await (await as(bob).request('/api/v1/runs')).json()) as { runs: Array<{ id: number }> };
    expect(list.runs.map((r) => r.id)).toContain(system.id);
    expect(list.runs.map((r) => r.id)).not.toContain(mine.id);
  });

  it('lets an analyst control their own runs, not others or system runs; admins control all', async () => {
    const mine = await runs.queueRun({ executor: 'sleep', queuedBy: alice.userId });
    const system = await runs.queueRun({ executor: 'sleep', queuedBy: null });
    const post = (p: Principal, path: string) => as(p).request(path, { method: 'POST' });
    expect((await post(bob, `/api/v1/runs/${mine.id}/pause`)).status).toBe(404);
    expect((await post(viewer, `/api/v1/runs/${system.id}/cancel`)).status).toBe(403);
    expect((await post(alice, `/api/v1/runs/${system.id}/cancel`)).status).toBe(403);
    const paused = await post(alice, `/api/v1/runs/${mine.id}/pause`);
    expect(paused.status).toBe(202);
    expect(((await paused.json()) as { status: string }).status).toBe('paused');
    expect(((await (await post(alice, `/api/v1/runs/${mine.id}/resume`)).json()) as { status: string }).status).toBe('queued');
    expect(((await (await post(admin, `/api/v1/runs/${system.id}/cancel`)).json()) as { status: string }).status).toBe('cancelled');
    const again = await post(admin, `/api/v1/runs/${system.id}/cancel`);
    expect(again.status).toBe(409);
    const retried = await post(admin, `/api/v1/runs/${system.id}/retry`);
    expect(retried.status).toBe(202);
    expect(((await retried.json()) as { retry_of_run_id: number }).retry_of_run_id).toBe(system.id);
    // The page form answers with a redirect to the run.
    const form = await post(alice, `/runs/${mine.id}/cancel`);
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe(`/runs/${mine.id}`);
    expect((await runs.getRun(mine.id))!.status).toBe('cancelled');
  });
});

describe('listing', () => {
  it('filters by executor, status, task and time, with a total for pagination', async () => {
    await runs.queueRuns(Array.from({ length: 7 }, (_, i) => ({ executor: 'noop', params: { note: String(i) }, taskId: 99, scheduledFor: new Date(Date.UTC(2026, 0, 1 + i)) })));
    const page = (await (await as(admin).request('/api/v1/runs?task=99&executor=noop&status=queued&limit=3&offset=3')).json()) as { runs: unknown[]; total: number };
    expect(page.total).toBe(7);
    expect(page.runs).toHaveLength(3);
    const future = (await (await as(admin).request('/api/v1/runs?from=2099-01-01T00:00:00Z')).json()) as { total: number };
    expect(future.total).toBe(0);
    const bad = await as(admin).request('/api/v1/runs?status=sleeping');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^status: /);
  });
});

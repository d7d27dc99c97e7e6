import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunsRuntime } from '../../src/runs/runs.runtime.ts';
import { makeTestApp, type App, type TestApp } from '../helpers/app.ts';
import { actingAs, principal } from '../helpers/auth.ts';
import { nonSnakeKeys } from '../helpers/contract-check.ts';
import type { TestDatabase } from '../helpers/pg.ts';

let t: TestApp;
let db: TestDatabase;
let rt: RunsRuntime;
let app: App;
const admin = principal('admin', 1);

beforeAll(async () => {
  t = await makeTestApp({}, {
    principals: [admin, principal('analyst', 2)],
    authenticate: actingAs(admin),
    workers: { settings: { concurrency: { backtest: 1, io: 4 }, leaseMs: 5000, heartbeatMs: 300, pollMs: 500, reaperMs: 500, maxRetryDelayMs: 2000, abortGraceMs: 1000, flushIntervalMs: 50 } },
  });
  ({ db, app } = t);
  rt = t.runtime!;
});
afterAll(() => t?.close());

const post = (path: string, body?: unknown) =>
  app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

async function statusEvents(id: number) {
  return (await rt.service.events(id, 0, 1000)).filter((e) => e.kind === 'status').map((e) => (e.data as { status: string }).status);
}

describe('queueing', () => {
  it('runs a noop to success with its history', async () => {
    const res = await post('/api/v1/runs', { executor: 'noop', params: { note: 'hi' } });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: number };
    const run = await rt.service.waitForRun(id, { timeoutMs: 10_000 });
    expect(run.status).toBe('succeeded');
    expect(run.result).toEqual({ ok: true, note: 'hi' });
    expect(await statusEvents(id)).toEqual(['queued', 'running', 'succeeded']);
  });

  it('rejects an unknown executor and bad params with 400 naming the field', async () => {
    const unknown = await post('/api/v1/runs', { executor: 'nope' });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as any).error).toMatchObject({ code: 'unknown_executor', details: { field: 'executor' } });
    const bad = await post('/api/v1/runs', { executor: 'sleep', params: { ms: -5 } });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as any;
    expect(body.error.code).toBe('invalid_params');
    expect(body.error.message).toMatch(/^params\.ms: /);
  });

  it('lets only admins queue diagnostic executors', async () => {
    const analystApp = t.appWith({ authenticate: actingAs(principal('analyst', 2)) });
    const res = await analystApp.request('/api/v1/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ executor: 'noop' }) });
    expect(res.status).toBe(403);
  });

  it('never runs more of a kind at once than its slots (io: 4 here), and does use them', async () => {
    // 12 long sleeps queued together: exactly 4 start and 8 wait. Each cancel frees one slot, which
    // the next waiting run takes. Counted at each step, then checked over the whole history: the
    // status events' times, replayed in order, never have more than 4 running at once.
    const runs = await rt.service.queueRuns(Array.from({ length: 12 }, () => ({ executor: 'sleep', params: { ms: 60_000, steps: 600 } })));
    const ids = runs.map((r) => r.id);
    const count = async () => {
      const rows = await db.store.db.selectFrom('runs').select(['id', 'status']).where('id', 'in', ids).execute();
      const by = (st: string) => rows.filter((r) => r.status === st).map((r) => Number(r.id));
      return { running: by('running'), queued: by('queued'), cancelled: by('cancelled') };
    };
    for (let cancelled = 0; cancelled < 12; cancelled++) {
      const want = { running: Math.min(4, 12 - cancelled), queued: Math.max(0, 8 - cancelled) };
      await waitFor(async () => {
        const c = await count();
        return c.running.length === want.running && c.queued.length === want.queued && c.cancelled.length === cancelled;
      });
      const c = await count();
      expect({ running: c.running.length, queued: c.queued.length }).toEqual(want);
      await rt.service.cancel(c.running[0]);
    }
    await waitFor(async () => (await count()).cancelled.length === 12);
    const changes: { at: number; seq: number; delta: number }[] = [];
    for (const id of ids) {
      for (const e of await rt.service.events(id, 0, 1000)) {
        if (e.kind !== 'status') continue;
        const st = (e.data as { status: string }).status;
        if (st === 'running') changes.push({ at: e.at.getTime(), seq: e.seq, delta: 1 });
        if (st === 'cancelled') changes.push({ at: e.at.getTime(), seq: e.seq, delta: -1 });
      }
    }
    // Ends before starts at the same instant: a freed slot is taken after the cancel is recorded.
    changes.sort((a, b) => a.at - b.at || a.delta - b.delta);
    let running = 0;
    let most = 0;
    for (const ch of changes) most = Math.max(most, (running += ch.delta));
    expect(changes.filter((c) => c.delta === 1)).toHaveLength(12);
    expect(most).toBe(4);
  });

  it('fires a (task, slot) once however often it is inserted', async () => {
    const slot = new Date('2026-11-28T01:00:00Z');
    const results = await Promise.all(Array.from({ length: 5 }, () => rt.service.queueScheduledRun({ executor: 'noop', taskId: 7, scheduledFor: slot })));
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

describe('control', () => {
  it('cancels a running run mid-way, keeping its partial progress', async () => {
    const run = await rt.service.queueRun({ executor: 'sleep', params: { ms: 20_000, steps: 200 }, queuedBy: 1 });
    await waitFor(async () => (await rt.service.getRun(run.id))!.progress?.processed! >= 2);
    expect((await post(`/api/v1/runs/${run.id}/cancel`)).status).toBe(202);
    // 20 s of sleep in 200 steps: ending as cancelled well before the last step means the signal stopped it.
    const done = await rt.service.waitForRun(run.id, { timeoutMs: 10_000 });
    expect(done.status).toBe('cancelled');
    expect(await statusEvents(run.id)).toEqual(['queued', 'running', 'cancelled']);
    expect(done.progress!.processed).toBeGreaterThanOrEqual(2);
    expect(done.progress!.processed).toBeLessThan(200);
  });

  it('pauses at a checkpoint and resumes from it', async () => {
    const run = await rt.service.queueRun({ executor: 'sleep', params: { ms: 3000, steps: 30 }, queuedBy: 1 });
    await waitFor(async () => (await rt.service.getRun(run.id))!.progress?.processed! >= 3);
    await post(`/api/v1/runs/${run.id}/pause`);
    await waitFor(async () => (await rt.service.getRun(run.id))!.status === 'paused');
    const paused = (await rt.service.getRun(run.id))!;
    const step = (paused.checkpoint as { step: number }).step;
    expect(step).toBeGreaterThanOrEqual(3);
    expect((await post(`/api/v1/runs/${run.id}/resume`)).status).toBe(202);
    const done = await rt.service.waitForRun(run.id, { timeoutMs: 10_000 });
    expect(done.status).toBe('succeeded');
    expect((done.result as { resumed_from: number }).resumed_from).toBe(step);
    expect(await statusEvents(run.id)).toEqual(['queued', 'running', 'paused', 'queued', 'running', 'succeeded']);
  });

  it('fails a run that passes its timeout', async () => {
    const run = await rt.service.queueRun({ executor: 'sleep', params: { ms: 10_000, steps: 100 }, timeoutMs: 300 });
    const done = await rt.service.waitForRun(run.id, { timeoutMs: 5000 });
    expect(done.status).toBe('failed');
    expect(done.error!.code).toBe('timeout');
  });

  it('retries a failing run with growing backoff until it succeeds', async () => {
    const run = await rt.service.queueRun({ executor: 'sleep', params: { ms: 0, steps: 1, fail_attempts: 2 }, maxAttempts: 3, retryDelayMs: 100 });
    const done = await rt.service.waitForRun(run.id, { timeoutMs: 10_000 });
    expect(done.status).toBe('succeeded');
    expect(done.attempt).toBe(3);
    const events = (await rt.service.events(run.id, 0, 100)).filter((e) => e.kind === 'status');
    const retries = events.filter((e) => (e.data as any).status === 'queued' && (e.data as any).runAfter);
    expect(retries).toHaveLength(2);
    // Delays are 100·2^(attempt−1) ms ±25 %: 75–125 ms, then 150–250 ms after the failure event.
    const delays = retries.map((e) => new Date((e.data as any).runAfter).getTime() - e.at.getTime());
    expect(delays[0]).toBeGreaterThanOrEqual(70);
    expect(delays[0]).toBeLessThanOrEqual(130);
    expect(delays[1]).toBeGreaterThanOrEqual(145);
    expect(delays[1]).toBeLessThanOrEqual(255);
  });

  it('does not wait forever for an executor that ignores its signal: nothing stays running', async () => {
    const run = await rt.service.queueRun({ executor: 'sleep', params: { ms: 30_000, steps: 1, ignore_abort: true }, timeoutMs: 200 });
    // Timeout 200 ms, then the pool's abort grace (1,000 ms in this file) before it records the end.
    const done = await rt.service.waitForRun(run.id, { timeoutMs: 10_000 });
    expect(done.status).toBe('failed');
    expect(done.error!.code).toBe('timeout');
    expect(await statusEvents(run.id)).toEqual(['queued', 'running', 'failed']);
    // The executor is still sleeping (30 s, deaf to its signal), yet its slot is free and no row says running.
    await waitFor(async () => rt.pool.inFlight() === 0);
    expect(await db.store.db.selectFrom('runs').select('id').where('status', '=', 'running').execute()).toEqual([]);
    const next = await rt.service.queueRuns(Array.from({ length: 4 }, () => ({ executor: 'sleep', params: { ms: 60_000, steps: 600 } })));
    // All four io slots take one: none is still held by the deaf executor.
    await waitFor(async () => (await db.store.db.selectFrom('runs').select('id').where('status', '=', 'running').execute()).length === 4);
    for (const r of next) await rt.service.cancel(r.id);
    for (const r of next) expect((await rt.service.waitForRun(r.id, { timeoutMs: 10_000 })).status).toBe('cancelled');
  });

  it('a run that fails for good keeps its error and partial progress', async () => {
    const run = await rt.service.queueRun({ executor: 'sleep', params: { ms: 100, steps: 10, fail_at_step: 4 }, maxAttempts: 3 });
    const done = await rt.service.waitForRun(run.id, { timeoutMs: 5000 });
    expect(done.status).toBe('failed');
    expect(done.attempt).toBe(1);
    expect(done.error!.code).toBe('failed_on_purpose');
    expect(done.progress!.processed).toBe(3);
  });
});

describe('SSE', () => {
  async function readSse(res: Response, until: (text: string) => boolean) {
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let text = '';
    while (!until(text)) {
      const { done, value } = await reader.read();
      if (done) break;
      text += dec.decode(value, { stream: true });
    }
    await reader.cancel().catch(() => {});
    return text;
  }
  const ids = (text: string) => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));

  it('resumes after Last-Event-ID with no gap and no duplicate, and ends with done', async () => {
    const run = await rt.service.queueRun({ executor: 'sleep', params: { ms: 600, steps: 12 } });
    const first = await readSse(await app.request(`/api/v1/runs/${run.id}/events`), (t) => ids(t).length >= 5);
    const seen = ids(first);
    const last = seen[seen.length - 1];
    const rest = await readSse(await app.request(`/api/v1/runs/${run.id}/events`, { headers: { 'Last-Event-ID': String(last) } }), (t) => t.includes('event: done'));
    expect(rest).toContain('event: done');
    const all = [...seen.slice(0, seen.indexOf(last) + 1), ...ids(rest)];
    const final = (await rt.service.getRun(run.id))!;
    expect(all).toEqual(Array.from({ length: final.eventSeq }, (_, i) => i + 1));
  });

  it('sends each event\'s data as documented: snake_case, valid against its schema in the OpenAPI document', async () => {
    // A first attempt that fails (a status event with an error, then a queued retry with run_after), then success.
    const queued = await post('/api/v1/runs', { executor: 'sleep', params: { ms: 40, steps: 2, fail_attempts: 1 }, max_attempts: 2, retry_delay_ms: 50 });
    expect(queued.status).toBe(202);
    const { id } = (await queued.json()) as { id: number };
    const text = await readSse(await app.request(`/api/v1/runs/${id}/events`), (t) => /event: done\ndata: .*\n\n/.test(t));
    const messages = text
      .split('\n\n')
      .map((block) => {
        const lines = block.split('\n').filter((l) => l && !l.startsWith(':'));
        const field = (name: string) => lines.filter((l) => l.startsWith(`${name}: `)).map((l) => l.slice(name.length + 2));
        return { event: field('event')[0] ?? null, data: field('data').join('\n') };
      })
      .filter((m) => m.event !== null);
    const doc = (await (await app.request('/api/v1/openapi.json')).json()) as { components: { schemas: Record<string, unknown> } };
    // Every object closed, as the contract check does for JSON answers: an undocumented field fails.
    const closed = (schema: unknown): unknown => {
      if (Array.isArray(schema)) return schema.map(closed);
      if (schema === null || typeof schema !== 'object') return schema;
      const out: Record<string, unknown> = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, closed(v)]));
      if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
      return out;
    };
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    (addFormatsModule as unknown as (a: Ajv2020) => void)(ajv);
    const components = closed(doc.components);
    const schemaOf: Record<string, string> = { progress: 'RunProgressEvent', log: 'RunLogEvent', status: 'RunStatusEvent', done: 'Run', access_ended: 'AccessEndedEvent' };
    const problems: string[] = [];
    for (const m of messages) {
      const name = schemaOf[m.event!];
      if (!name) {
        problems.push(`undocumented event ${m.event}`);
        continue;
      }
      const data = JSON.parse(m.data) as unknown;
      const validate = ajv.compile({ $ref: `#/components/schemas/${name}`, components });
      if (!validate(data)) problems.push(`${m.event}: ${ajv.errorsText(validate.errors)} in ${m.data}`);
      problems.push(...nonSnakeKeys(data).map((k) => `${m.event}: key ${k} is not snake_case`));
    }
    expect(problems).toEqual([]);
    const events = messages.map((m) => m.event);
    expect(new Set(events)).toEqual(new Set(['status', 'progress', 'log', 'done']));
    const statuses = messages.filter((m) => m.event === 'status').map((m) => JSON.parse(m.data) as Record<string, unknown>);
    expect(statuses.some((s) => s.status === 'queued' && typeof s.run_after === 'string' && s.attempt === 1), JSON.stringify(statuses)).toBe(true);
    expect(statuses.find((s) => (s.error as { code?: string } | undefined)?.code)).toBeDefined();
    const progress = messages.filter((m) => m.event === 'progress').map((m) => JSON.parse(m.data) as Record<string, unknown>);
    expect(progress[0]).toMatchObject({ run_id: id, processed: expect.any(Number), total: 2 });
    expect(progress[0]).toHaveProperty('eta_at');
    const done = JSON.parse(messages[messages.length - 1].data) as Record<string, unknown>;
    expect(done).toMatchObject({ id, status: 'succeeded', attempt: 2, max_attempts: 2, result: { steps: 2, resumed_from: expect.any(Number), attempt: 2 } });
    // The logs answer has the same lines.
    const logs = (await (await app.request(`/api/v1/runs/${id}/logs`)).json()) as { run_id: number; lines: Array<{ run_id: number; level: string; message: string }> };
    expect(logs.run_id).toBe(id);
    expect(logs.lines.map((l) => l.message)).toEqual(messages.filter((m) => m.event === 'log').map((m) => (JSON.parse(m.data) as { message: string }).message));
  });

  it('unsubscribes clients that leave: 1,000 connect/disconnect cycles leak no listener', async () => {
    const run = await rt.service.queueRun({ executor: 'sleep', params: { ms: 60_000, steps: 600 } });
    for (let i = 0; i < 1000; i++) {
      const res = await app.request(`/api/v1/runs/${run.id}/events`);
      const reader = res.body!.getReader();
      await reader.read();
      await reader.cancel();
    }
    await waitFor(async () => rt.bus.listenerCount() === 0);
    expect(rt.bus.listenerCount()).toBe(0);
    await rt.service.cancel(run.id);
  });
});

describe('SSE over a real socket', () => {
  it('notices clients that drop the connection (200 cycles through @hono/node-server)', async () => {
    const base = await t.listen();
    const run = await rt.service.queueRun({ executor: 'sleep', params: { ms: 60_000, steps: 600 } });
    try {
      for (let i = 0; i < 200; i++) {
        const ac = new AbortController();
        const res = await fetch(`${base}/api/v1/runs/${run.id}/events`, { signal: ac.signal });
        await res.body!.getReader().read();
        ac.abort();
      }
      await waitFor(async () => rt.bus.listenerCount() === 0);
    } finally {
      await rt.service.cancel(run.id);
    }
  });

  it('serves the page stream as htmx partials ending with a done event', async () => {
    const run = await rt.service.queueRun({ executor: 'sleep', params: { ms: 100, steps: 2 } });
    await rt.service.waitForRun(run.id, { timeoutMs: 5000 });
    const text = await (await app.request(`/runs/${run.id}/stream`)).text();
    expect(text).toContain('<hx-partial hx-target="#run-progress" hx-swap="innerHTML">');
    expect(text).toContain('<hx-partial hx-target="#run-log" hx-swap="beforeend">');
    expect(text).toContain('<hx-partial hx-target="#run-result" hx-swap="innerHTML">');
    expect(text.trimEnd().endsWith('event: done\ndata: succeeded')).toBe(true);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const until = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

// /metrics (issue 22): a real `zquant serve` on a fresh data directory (embedded Postgres, a small
// demo market), scraped with a metrics-scoped token made by `zquant token create --scope metrics`
// over the admin socket, after the work each series describes has happened: a data sync, two
// backtests of one spec (a panel-cache miss, then a hit), an interval task firing, API requests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServerProcess, type ServerProcess } from '../helpers/process.ts';

const env = { DATABASE_URL: '', ZQUANT_ADMIN_PASSWORD: 'first admin password', SEED_DEMO: 'true', DEMO_STOCKS: '20', DEMO_YEARS: '1', SCHEDULER_SWEEP_MS: '500', RUN_IO_CONCURRENCY: '2' };
let dir: string;
let server: ServerProcess;
const tokens: Record<'admin' | 'metrics' | 'analyst', string> = { admin: '', metrics: '', analyst: '' };

async function cli(args: string[]): Promise<string> {
  const r = await runCli([...args, '--data-dir', dir], env);
  if (r.code !== 0) throw new Error(`zquant ${args.join(' ')}: ${r.code} ${r.stderr}`);
  return r.stdout.trim();
}
const api = (path: string, token: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
/** The value of one series in the exposition text (labels in the order prom-client prints them). */
function series(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_:]+)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return null;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zq-metrics-'));
  server = await startServerProcess(['--data-dir', dir], env);
  tokens.admin = await cli(['token', 'create', '--username', 'admin', '--name', 'setup']);
  tokens.metrics = await cli(['token', 'create', '--username', 'admin', '--name', 'prometheus', '--scope', 'metrics']);
  await cli(['user', 'create', '--username', 'li.wei', '--role', 'analyst']);
  tokens.analyst = await cli(['token', 'create', '--username', 'li.wei']);
}, 180_000);
afterAll(async () => {
  await server?.stop('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('/metrics', () => {
  it('is for admins and metrics-scoped tokens only, and such a token can do nothing else', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const analyst = await api('/metrics', tokens.analyst);
    expect(analyst.status).toBe(403);
    expect((await analyst.json()).error.message).toContain('for admins');
    const me = await api('/api/v1/me', tokens.metrics);
    expect(me.status).toBe(403);
    expect((await me.json()).error.message).toContain('limited to the metrics scope');
    // An analyst cannot make one; an unknown scope names the field.
    const made = await api('/api/v1/account/tokens', tokens.analyst, { method: 'POST', body: JSON.stringify({ name: 'p', scope: 'metrics' }) });
    expect(made.status).toBe(403);
    expect((await made.json()).error.details).toMatchObject({ field: 'scope' });
    const odd = await api('/api/v1/account/tokens', tokens.admin, { method: 'POST', body: JSON.stringify({ name: 'p', scope: 'everything' }) });
    expect(odd.status).toBe(400);
    expect((await odd.json()).error.message).toContain('scope');
    const listed = (await (await api('/api/v1/account/tokens', tokens.admin)).json()) as { tokens: Array<{ name: string; scope: string | null }> };
    expect(listed.tokens.find((t) => t.name === 'prometheus')?.scope).toBe('metrics');
    expect(listed.tokens.find((t) => t.name === 'setup')?.scope).toBeNull();
  });

  it('reports runs, the queue, run attempts, scheduler lateness, sync rows, the panel cache, HTTP and the process', async () => {
    // A sync (sync_log rows), two identical backtests (the second finds the panel warm), an interval task.
    const sync = await api('/api/v1/runs', tokens.admin, { method: 'POST', body: JSON.stringify({ executor: 'data_sync', params: { dataset: 'trade_calendar', source: 'demo', start: 20260101, end: 20261231 } }) });
    expect(sync.status, await sync.clone().text()).toBe(202);
    const codes = (await (await api('/api/v1/market/stocks?limit=3', tokens.analyst)).json()).items.map((s: { ts_code: string }) => s.ts_code);
    const spec = { strategy: 'dual_ma', params: { short_window: 5, long_window: 20 }, codes, start_date: '2026-03-02', end_date: '2026-10-30' };
    for (let i = 0; i < 2; i++) {
      const res = await api('/api/v1/backtests?wait=60', tokens.analyst, { method: 'POST', body: JSON.stringify(spec) });
      expect([200, 201, 202]).toContain(res.status);
      const id = (await res.json()).id;
      await waitFor('the backtest to end', async () => ['succeeded', 'failed'].includes((await (await api(`/api/v1/backtests/${id}`, tokens.analyst)).json()).status));
    }
    const task = await api('/api/v1/scheduler/tasks', tokens.admin, { method: 'POST', body: JSON.stringify({ name: 'tick', executor: 'noop', config: {}, schedule: { kind: 'interval', every_seconds: 1, timezone: 'UTC' }, enabled: true }) });
    expect(task.status, await task.clone().text()).toBe(201);
    await waitFor('the sync to end', async () => ['succeeded', 'failed'].includes((await (await api(`/api/v1/runs/${(await sync.clone().json()).id}`, tokens.admin)).json()).status));

    const text = await waitFor('a scheduled fire in the metrics', async () => {
      const res = await api('/metrics', tokens.metrics);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const t = await res.text();
      return series(t, 'zquant_scheduler_fire_lateness_seconds', { task: 'tick' }) !== null ? t : null;
    });
    // Runs by executor and status: the two backtests and the sync succeeded.
    expect(series(text, 'zquant_runs', { executor: 'backtest', status: 'succeeded' })).toBe(2);
    expect(series(text, 'zquant_runs', { executor: 'data_sync', status: 'succeeded' })).toBe(1);
    // Attempts this process ran: two backtests, counted in the histogram.
    expect(series(text, 'zquant_run_attempt_duration_seconds_count', { executor: 'backtest', status: 'succeeded' })).toBe(2);
    expect(series(text, 'zquant_run_attempt_duration_seconds_bucket', { executor: 'backtest', status: 'succeeded', le: '+Inf' })).toBe(2);
    // Sync rows: the calendar sync inserted rows (the demo calendar of 2026 has days in it).
    expect(text).toMatch(/zquant_sync_rows\{dataset="trade_calendar",change="(inserted|unchanged)"\} [1-9]/);
    // The panel cache: one load, then one warm hit, and its bytes.
    expect(series(text, 'zquant_panel_cache_lookups_total', { result: 'miss' })).toBe(1);
    expect(series(text, 'zquant_panel_cache_lookups_total', { result: 'hit' })).toBe(1);
    expect(series(text, 'zquant_panel_cache_bytes')).toBeGreaterThan(0);
    // Scheduler lateness of the interval task's latest fire: a number of seconds, small.
    expect(series(text, 'zquant_scheduler_fire_lateness_seconds', { task: 'tick' })).toBeLessThan(30);
    // The queue series exist (one per executor with queued runs; none may be queued now).
    expect(text).toContain('# TYPE zquant_runs_queued gauge');
    expect(text).toContain('# TYPE zquant_runs_queued_oldest_seconds gauge');
    // HTTP by route pattern, never by raw path.
    expect(series(text, 'zquant_http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/backtests/:id', status: '200' })).toBeGreaterThanOrEqual(2);
    expect(text).not.toMatch(/route="\/api\/v1\/backtests\/\d+"/);
    // The process (prom-client's defaults).
    expect(series(text, 'process_resident_memory_bytes')).toBeGreaterThan(10 * 2 ** 20);
    expect(text).toContain('nodejs_heap_size_used_bytes');
  }, 180_000);

  it('runs waiting for a slot show as queue depth, with the age of the longest-waiting one', async () => {
    // The interval task stops firing; four 4-second sleeps share the two io slots (RUN_IO_CONCURRENCY=2).
    const tasks = (await (await api('/api/v1/scheduler/tasks', tokens.admin)).json()) as { tasks: Array<{ task: { id: number; name: string } }> };
    const tick = tasks.tasks.find((t) => t.task.name === 'tick')!.task;
    expect((await api(`/api/v1/scheduler/tasks/${tick.id}/disable`, tokens.admin, { method: 'POST' })).status).toBe(200);
    for (let i = 0; i < 4; i++) {
      const queued = await api('/api/v1/runs', tokens.admin, { method: 'POST', body: JSON.stringify({ executor: 'sleep', params: { ms: 4000, steps: 1 } }) });
      expect(queued.status).toBe(202);
    }
    // Two run, two wait: the waiting ones count as queued, the oldest has waited a moment.
    const text = await waitFor('two sleeps waiting behind two running', async () => {
      const t = await (await api('/metrics', tokens.metrics)).text();
      return series(t, 'zquant_runs', { executor: 'sleep', status: 'running' }) === 2 ? t : null;
    }, 10_000);
    expect(series(text, 'zquant_runs_queued', { executor: 'sleep' })).toBe(2);
    expect(series(text, 'zquant_runs', { executor: 'sleep', status: 'queued' })).toBe(2);
    const age = series(text, 'zquant_runs_queued_oldest_seconds', { executor: 'sleep' })!;
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(10);
  }, 60_000);
});

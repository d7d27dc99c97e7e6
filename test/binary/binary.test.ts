import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { binaryWanted, ensureBinary, isolatedCopy, runBinary, startBinaryServer, type BinaryServer } from '../helpers/binary.ts';

/**
 * The single executable, run the way a user runs a download: copied alone into an empty
 * directory (no node_modules anywhere above it), a clean environment, its own cache directory.
 * Runs when dist/zquant exists or ZQ_BUILD_BINARY=1 (which builds it first); skipped, and says
 * so, otherwise.
 */
if (!binaryWanted) console.warn('single-executable tests skipped: no dist/zquant (npm run build:binary, or ZQ_BUILD_BINARY=1)');

/** Without credentials the API answers 401 with the JSON error shape (the route and its guard are bundled); its public OpenAPI document answers. */
async function checkUnauthenticated(server: BinaryServer): Promise<void> {
  const res = await fetch(`${server.url}/api/v1/me`);
  expect(res.status).toBe(401);
  expect((await res.json()).error.code).toBe('unauthenticated');
  const doc = await fetch(`${server.url}/api/v1/openapi.json`);
  expect(doc.status).toBe(200);
  expect((await doc.json()).openapi).toBe('3.1.0');
}

describe.skipIf(!binaryWanted)('single executable (dist/zquant)', () => {
  let exe: string;
  let base: string;
  let env: Record<string, string>;
  let cwd: string;

  beforeAll(() => {
    const copy = isolatedCopy(ensureBinary());
    exe = copy.exe;
    base = copy.dir;
    env = { ...copy.env, SEED_DEMO: 'false', ZQUANT_ADMIN_PASSWORD: 'binary-test-password' };
    cwd = join(base, 'run');
    expect(readdirSync(cwd)).toEqual(['zquant']);
  }, 600_000);
  afterAll(() => {
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('prints its version and help without any Node.js files around', async () => {
    const v = await runBinary(exe, ['--version'], cwd, env);
    // The executable embeds the Node.js that built it, which must be the supported 24 LTS line.
    expect(v).toMatchObject({ code: 0, stdout: `${pkg.version} (node ${process.version})\n` });
    expect(process.version).toMatch(/^v24\./);
    const h = await runBinary(exe, ['--help'], cwd, env);
    expect(h.stdout).toContain('healthcheck');
    expect(h.stdout).toContain('migrate');
  });

  it('migrates a fresh data directory (PGlite WASM and DuckDB from the executable)', async () => {
    const r = await runBinary(exe, ['migrate', '--data-dir', join(base, 'migrated')], cwd, { ...env, LOG_LEVEL: 'warn' }, 120_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^migrated: postgres \(pglite\) and duckdb/);
  }, 180_000);

  it('serves on the embedded defaults, is ready, healthy, serves its embedded files, and stops cleanly on SIGTERM', async () => {
    const server = await startBinaryServer(exe, cwd, env);
    try {
      const ready = await fetch(`${server.url}/readyz`);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { postgres: { ok: true }, duckdb: { ok: true } } });
      expect(ready.status).toBe(200);
      // The default data directory is ./data in the working directory.
      expect(existsSync(join(cwd, 'data', 'market.duckdb'))).toBe(true);
      expect(existsSync(join(cwd, 'data', 'pg'))).toBe(true);

      // public/ comes from the executable: the page links a hashed stylesheet that is served.
      const html = await (await fetch(`${server.url}/`)).text();
      const css = /href="(\/public\/[0-9a-f]+\/css\/app\.css)"/.exec(html)?.[1];
      expect(css).toBeDefined();
      const cssRes = await fetch(`${server.url}${css}`);
      expect(cssRes.status).toBe(200);
      expect(await cssRes.text()).toContain('.topbar');

      const port = new URL(server.url).port;
      const health = await runBinary(exe, ['healthcheck', '--port', port], cwd, env);
      expect(health).toMatchObject({ code: 0 });
      expect(health.stdout).toContain('healthy');

      await checkUnauthenticated(server);
    } finally {
      const code = await server.stop('SIGTERM');
      expect(code).toBe(0);
    }
    expect(server.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
    expect(server.stderr()).toBe('');
  }, 240_000);

  it('extracted the native parts once into a versioned cache directory and reuses them', async () => {
    const cache = join(env.XDG_CACHE_HOME, 'zquant');
    const versions = readdirSync(cache);
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatch(new RegExp(`^${pkg.version.replace(/\./g, '\\.')}-[0-9a-f]{16}$`));
    const duck = join(cache, versions[0], 'duckdb+node-bindings-linux-x64');
    expect(readdirSync(duck).sort()).toEqual(['duckdb.node', 'libduckdb.so']);
    const before = statSync(join(duck, 'libduckdb.so')).mtimeMs;
    const r = await runBinary(exe, ['migrate', '--data-dir', join(base, 'migrated')], cwd, { ...env, LOG_LEVEL: 'warn' }, 120_000);
    expect(r.code).toBe(0);
    expect(statSync(join(duck, 'libduckdb.so')).mtimeMs).toBe(before);
  }, 180_000);

  it('starts worker threads from the embedded worker bundles', async () => {
    const r = await runBinary(exe, ['selfcheck'], cwd, env);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ worker: { binary: true, version: pkg.version, echo: 'selfcheck' } });
  });

  it('answers healthcheck with 1 when nothing listens', async () => {
    // Port 9 (discard) on loopback: nothing of ours listens there.
    const r = await runBinary(exe, ['healthcheck', '--port', '9'], cwd, env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unhealthy');
  });

  it('runs demo backtests through the JSON API to completion, a TypeScript user strategy included, and reads their results', async () => {
    // A user and a token from the executable's own CLI, then the server on that data directory,
    // started from another directory, seeding the demo market on its first start.
    const home = join(base, 'demo-home');
    const dataDir = join(base, 'demo-data');
    mkdirSync(home);
    const demoEnv = { ...env, SEED_DEMO: 'true' };
    const made = await runBinary(exe, ['user', 'create', '--data-dir', dataDir, '--username', 'quant', '--role', 'analyst'], home, { ...demoEnv, LOG_LEVEL: 'warn' }, 120_000);
    expect(made.code, made.stderr).toBe(0);
    const token = (await runBinary(exe, ['token', 'create', '--data-dir', dataDir, '--username', 'quant'], home, { ...demoEnv, LOG_LEVEL: 'warn' }, 120_000)).stdout.trim();
    expect(token.length).toBeGreaterThan(20);
    const server = await startBinaryServer(exe, home, { ...demoEnv, DATA_DIR: dataDir });
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${server.url}/api/v1${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
    try {
      // The built-in dual MA over the whole demo market, waited for (?wait), then its result.
      const body = { strategy: 'dual_ma', universe: 'all', start_date: '2025-01-02', end_date: '2026-11-27' };
      const done = await (await api('/backtests?wait=120', { method: 'POST', body: JSON.stringify(body) })).json();
      expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
      const result = await (await api(`/backtests/${done.id}/result`)).json();
      expect(result.series.dates.length).toBeGreaterThan(400);
      expect(result.metrics.total_return).toBeCloseTo(result.series.nav.at(-1) - 1, 6);

      // A TypeScript strategy: saved (types stripped and dry-run inside the executable), then run, followed over SSE.
      const code = `interface P { n: number }
export default defineStrategy({
  name: 'ts_in_binary',
  params: z.object({ n: z.number().int().default(10) }),
  onDay(ctx: any) {
    const p: P = ctx.params;
    const m = ctx.sma(p.n);
    for (let i = 0; i < m.length; i++) {
      if (ctx.adjClose[i] > m[i] && ctx.portfolio.sharesOf(i) === 0 && ctx.portfolio.count < 5) ctx.orderValue(i, ctx.portfolio.value * 0.18);
      else if (ctx.adjClose[i] < m[i] && ctx.portfolio.sharesOf(i) > 0) ctx.orderTarget(i, 0);
    }
  },
});`;
      const saved = await api('/strategies', { method: 'POST', body: JSON.stringify({ name: 'ts in binary', language: 'ts', code }) });
      const strategy = await saved.json();
      expect(saved.status, JSON.stringify(strategy)).toBe(201);
      const queued = await (await api('/backtests', { method: 'POST', body: JSON.stringify({ ...body, strategy: undefined, strategy_id: strategy.id }) })).json();
      const events = await (await api(`/runs/${queued.run_id}/events`)).text();
      expect(events).toContain('event: progress');
      expect(events).toMatch(/event: done\ndata: .*"status":"succeeded"/);
      const perf = await (await api(`/backtests/${queued.id}/performance`)).json();
      expect(perf.metrics.trade_count).toBeGreaterThan(0);
    } finally {
      const code = await server.stop('SIGTERM');
      expect(code).toBe(0);
    }
  }, 300_000);
});

// Market snapshots (src/snapshots): publish → manifest → a replica loaded from it; a corrupted file
// refused; retention keeping what queued work pins; the worker-scoped token's reach.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/auth/tokens.service.ts';
import { createUser, systemActor } from '../../src/auth/users.service.ts';
import { silentLogger } from '../../src/logger.ts';
import { seedDemoMarket } from '../../src/market/demo/seed.ts';
import { openMarketStore, type MarketStore } from '../../src/market/duckdb.ts';
import { manifestFileName } from '../../src/snapshots/manifest.ts';
import { marketVersion, publishSnapshot } from '../../src/snapshots/publish.ts';
import { makeReplicas } from '../../src/snapshots/replicas.service.ts';
import { versionsToDelete } from '../../src/snapshots/retention.ts';
import { dirSource, httpSource, listDirVersions } from '../../src/snapshots/snapshot-source.ts';
import { makeSnapshotPublisher } from '../../src/snapshots/snapshots.service.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { bearer, makeUser } from '../helpers/accounts.ts';

const tables = ['stocks', 'trade_calendar', 'daily_bars', 'adj_factors', 'index_daily', 'limit_prices', 'suspensions', 'st_periods', 'daily_basic'];
const countsOf = async (m: MarketStore) => Object.fromEntries(await Promise.all(tables.map(async (t) => [t, Number((await m.query(`select count(*)::bigint as n from ${t}`))[0].n)])));

describe('publish and load a snapshot', () => {
  let t: TestApp;
  let market: MarketStore;
  let dir: string;
  beforeAll(async () => {
    t = await makeTestApp();
    dir = mkdtempSync(join(tmpdir(), 'zq-snap-'));
    market = await openMarketStore(':memory:');
    await seedDemoMarket(market, { seed: 3, stocks: 12, years: 1, end: 20261127 });
  });
  afterAll(async () => {
    await market.close();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one Parquet file per table with its rows and sha256, under a content-derived version', async () => {
    const first = await publishSnapshot(market, join(dir, 'store'));
    expect(first.created).toBe(true);
    const m = first.manifest;
    expect(m.version).toMatch(/^[0-9a-f]{16}$/);
    expect(m.version).toBe(await marketVersion(market));
    const counts = await countsOf(market);
    for (const tb of tables) expect(m.files.find((f) => f.table === tb)?.rows, tb).toBe(counts[tb]);
    expect(counts.daily_bars).toBeGreaterThan(2000);
    // The same content again: the same version, nothing written.
    const again = await publishSnapshot(market, join(dir, 'store'));
    expect(again.created).toBe(false);
    expect(again.manifest.version).toBe(m.version);
    expect((await listDirVersions(join(dir, 'store'))).map((x) => x.version)).toEqual([m.version]);
  });

  it('loads a version into a new DuckDB file with the same rows; a corrupted file is refused', async () => {
    const store = join(dir, 'store');
    const [m] = await listDirVersions(store);
    const replicas = makeReplicas({ dataDir: join(dir, 'worker'), source: dirSource(store), db: t.db.store.db, keep: 2, panelCacheMb: 64, logger: silentLogger });
    try {
      expect(await replicas.follow()).toBe(m.version);
      expect(replicas.currentVersion()).toBe(m.version);
      expect(await countsOf(replicas.market)).toEqual(await countsOf(market));
      // The same rows, not only as many: each table's sum of row hashes (what the version id is made of).
      const hashes = async (m: MarketStore) => Promise.all(tables.map(async (t) => String((await m.query(`select sum(hash(x))::hugeint as h from ${t} x`))[0].h)));
      expect(await hashes(replicas.market)).toEqual(await hashes(market));
      // A run reads a version and holds it until released.
      const data = await replicas.acquire(null);
      expect(data.version).toBe(m.version);
      data.release();
      await expect(replicas.market.write(async () => 1)).rejects.toThrow(/never writes market data/);
    } finally {
      await replicas.close();
    }

    // A copy corrupted in the store (one byte of daily_bars changed): a fresh worker refuses it.
    const bars = join(store, m.version, 'daily_bars.parquet');
    const good = readFileSync(bars);
    const bad = Buffer.from(good);
    bad[Math.floor(bad.length / 2)] ^= 0xff;
    writeFileSync(bars, bad);
    const fresh = makeReplicas({ dataDir: join(dir, 'worker2'), source: dirSource(store), db: t.db.store.db, keep: 2, panelCacheMb: 64, logger: silentLogger });
    try {
      await expect(fresh.load(m.version)).rejects.toThrow(/daily_bars\.parquet does not match its manifest/);
      expect(fresh.currentVersion()).toBeNull();
      expect(fresh.versions()).toEqual([]);
      // adj_factors (checked first) went with the refused fetch: nothing is left behind.
      expect(readdirSync(join(dir, 'worker2', 'replicas'))).toEqual([]);
      // Once the file is whole again the same worker loads it.
      writeFileSync(bars, good);
      await fresh.load(m.version);
      expect(fresh.currentVersion()).toBe(m.version);
    } finally {
      await fresh.close();
    }
  });

  it('refuses a manifest that is not valid', async () => {
    const store = join(dir, 'store');
    const [m] = await listDirVersions(store);
    const path = join(store, m.version, manifestFileName);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, JSON.stringify({ ...JSON.parse(text), files: [{ name: '../../etc/passwd', table: 'x', rows: 1, bytes: 1, sha256: '0'.repeat(64) }] }));
    try {
      await expect(dirSource(store).manifest(m.version)).rejects.toThrow(/manifest is not valid: files\.0\.name/);
    } finally {
      writeFileSync(path, text);
    }
  });
});

describe('retention', () => {
  it('keeps the newest N and every pinned or used version', () => {
    const v = ['e', 'd', 'c', 'b', 'a'];
    expect(versionsToDelete(v, 2, new Set())).toEqual(['c', 'b', 'a']);
    expect(versionsToDelete(v, 2, new Set(['a']))).toEqual(['c', 'b']);
    expect(versionsToDelete(v, 2, new Set(['a']), new Set(['b']))).toEqual(['c']);
    // The newest is never deleted, whatever keep says.
    expect(versionsToDelete(v, 0, new Set())).toEqual(['d', 'c', 'b', 'a']);
  });

  it('never deletes a version a queued backtest pins', async () => {
    const t = await makeTestApp();
    const dir = mkdtempSync(join(tmpdir(), 'zq-snap-keep-'));
    const market = await openMarketStore(':memory:');
    try {
      await seedDemoMarket(market, { seed: 4, stocks: 6, years: 1, end: 20261127 });
      const publisher = makeSnapshotPublisher({ market, db: t.db.store.db, dir, keep: 1, logger: silentLogger });
      const versions: string[] = [];
      versions.push((await publisher.publish('test')).version);
      // Pinned by a backtest whose run is still queued.
      const user = await createUser(t.db.store.db, systemActor('test'), { username: 'pinner', role: 'analyst', password: 'a long enough password' });
      const run = await t.deps.runs.queueRun({ executor: 'sleep', params: { ms: 1 }, queuedBy: user.id, maxAttempts: 1 });
      await t.db.store.db.insertInto('backtests').values({
        owner_id: user.id, name: 'pins', strategy_kind: 'builtin', strategy_name: 'dual_ma', strategy_id: null, strategy_version_id: null,
        config: '{}', start_date: 20260101, end_date: 20261127, rerun_of: null, run_id: run.id, data_version: versions[0],
      }).execute();
      // Two more versions (each a changed market), keep = 1.
      for (const day of [20261201, 20261202]) {
        await market.write((c) => c.run(`insert into trade_calendar (exchange, cal_date, is_open, pretrade_date) values ('SSE', ${day}, 1, null)`));
        versions.push((await publisher.publish('test')).version);
      }
      expect(new Set(versions).size).toBe(3);
      const left = (await listDirVersions(dir)).map((m) => m.version);
      // The newest (kept) and the pinned oldest; the middle one went.
      expect(left.sort()).toEqual([versions[2], versions[0]].sort());
      // Once that run finished, the pin is gone and retention deletes it.
      await t.db.store.db.updateTable('runs').set({ status: 'succeeded', finished_at: new Date() }).where('id', '=', run.id).execute();
      expect(await publisher.prune()).toEqual([versions[0]]);
    } finally {
      await market.close();
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the worker-scoped token', () => {
  let t: TestApp;
  let dir: string;
  let market: MarketStore;
  let version: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zq-snap-api-'));
    market = await openMarketStore(':memory:');
    await seedDemoMarket(market, { seed: 5, stocks: 5, years: 1, end: 20261127 });
    version = (await publishSnapshot(market, dir)).manifest.version;
    t = await makeTestApp({}, { snapshots: { dir, list: () => listDirVersions(dir) } });
  });
  afterAll(async () => {
    await t.close();
    await market.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const tokenOf = async (username: string, scope: 'metrics' | 'worker' | null) => {
    const u = await createUser(t.deps.pg.db, systemActor('test'), { username, role: 'admin', password: 'a long enough password' });
    return (await createToken(t.deps.pg.db, systemActor('test'), { userId: u.id, name: 't', expiresDays: null, now: new Date(), scope, role: 'admin' })).token;
  };

  it('fetches the list, a manifest and a file (bytes matching the manifest) and nothing else', async () => {
    const worker = await tokenOf('w-admin', 'worker');
    const list = await t.app.request('/api/v1/market/snapshots', { headers: bearer(worker) });
    expect(list.status).toBe(200);
    const body = (await list.json()) as { latest: string; items: Array<{ version: string }> };
    expect(body.latest).toBe(version);
    const manifest = (await (await t.app.request(`/api/v1/market/snapshots/${version}/manifest`, { headers: bearer(worker) })).json()) as { files: Array<{ name: string; sha256: string; bytes: number }> };
    const f = manifest.files.find((x) => x.name === 'daily_bars.parquet')!;
    const file = await t.app.request(`/api/v1/market/snapshots/${version}/files/daily_bars.parquet`, { headers: bearer(worker) });
    expect(file.status).toBe(200);
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(bytes.length).toBe(f.bytes);
    expect(bytes).toEqual(readFileSync(join(dir, version, 'daily_bars.parquet')));
    // Names outside the manifest, and malformed ones, are 4xx naming the field.
    expect((await t.app.request(`/api/v1/market/snapshots/${version}/files/users.parquet`, { headers: bearer(worker) })).status).toBe(404);
    const bad = await t.app.request(`/api/v1/market/snapshots/${version}/files/..%2Fsecret.key`, { headers: bearer(worker) });
    expect(bad.status).toBe(400);
    expect((await t.app.request('/api/v1/market/snapshots/0123456789abcdef/manifest', { headers: bearer(worker) })).status).toBe(404);
    // Anything else: refused.
    for (const path of ['/api/v1/backtests', '/api/v1/market/stocks', '/api/v1/account/tokens', '/metrics']) {
      expect((await t.app.request(path, { headers: bearer(worker) })).status, path).toBe(403);
    }
  });

  it('refuses a normal token, a metrics token and anonymous callers', async () => {
    const admin = await makeUser(t, 'plain-analyst', 'analyst');
    const plainAdmin = await tokenOf('plain-admin', null);
    const metrics = await tokenOf('m-admin', 'metrics');
    for (const token of [admin.token, plainAdmin, metrics]) {
      const r = await t.app.request('/api/v1/market/snapshots', { headers: bearer(token) });
      expect(r.status).toBe(403);
      expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/worker-scoped token/);
      expect((await t.app.request(`/api/v1/market/snapshots/${version}/files/stocks.parquet`, { headers: bearer(token) })).status).toBe(403);
    }
    expect((await t.app.request('/api/v1/market/snapshots')).status).toBe(401);
  });

  it('is what a worker without a shared volume fetches versions over HTTP with, checked and loaded', async () => {
    const base = await t.listen();
    const worker = await tokenOf('http-worker', 'worker');
    const replicas = makeReplicas({ dataDir: join(dir, 'http-worker'), source: httpSource(base, worker), db: t.db.store.db, keep: 2, panelCacheMb: 64, logger: silentLogger });
    try {
      expect(await replicas.follow()).toBe(version);
      expect(await countsOf(replicas.market)).toEqual(await countsOf(market));
    } finally {
      await replicas.close();
    }
    // With a token that may not fetch snapshots the worker is told why.
    const metrics = await tokenOf('http-metrics', 'metrics');
    await expect(httpSource(base, metrics).list()).rejects.toThrow(/answered 403: market snapshots are fetched by worker processes with a worker-scoped token/);
  });

  it('is an admin’s only: an analyst cannot create one', async () => {
    const u = await createUser(t.deps.pg.db, systemActor('test'), { username: 'an-analyst', role: 'analyst', password: 'a long enough password' });
    await expect(createToken(t.deps.pg.db, systemActor('test'), { userId: u.id, name: 't', expiresDays: null, now: new Date(), scope: 'worker', role: 'analyst' })).rejects.toThrow(/worker token fetches market snapshots/);
  });
});

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/auth/tokens.service.ts';
import { systemActor } from '../../src/auth/users.service.ts';
import { duckMigrations } from '../../migrations/duckdb/index.ts';
import { hashFile } from '../../src/backup/archive.ts';
import { backup } from '../../src/backup/backup.service.ts';
import { restore, RestoreRefused } from '../../src/backup/restore.service.ts';
import { openPostgres, pgliteDirFor } from '../../src/db/database.ts';
import { marketPathFor, openMarketStore } from '../../src/market/duckdb.ts';
import { postJson, useBacktestEnv } from '../helpers/backtests.ts';
import { waitUntil } from '../helpers/executions.ts';
import { FAKE_TOKEN, startFakeTushare, type FakeTushare } from '../helpers/fake-tushare.ts';
import { duckFingerprints, pgFingerprints, pgFingerprintsIn, type Fingerprints } from './fingerprints.ts';

// The sync's source: the fake Tushare server, started before the environment reads its URL.
const tushareEnv: Record<string, string> = {};
let fake: FakeTushare;
let scratch: string;
beforeAll(async () => {
  fake = await startFakeTushare({ params: { seed: 9, stocks: 30, years: 1, end: 20261127 } });
  Object.assign(tushareEnv, { TUSHARE_TOKEN: FAKE_TOKEN, TUSHARE_URL: fake.url, TUSHARE_CALLS_PER_MINUTE: '100000' });
  scratch = await mkdtemp(join(tmpdir(), 'zq-backup-'));
});
const env = useBacktestEnv({ env: tushareEnv });
afterAll(async () => {
  await fake?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const statusOf = async (runId: number) => (await env.db.store.db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirstOrThrow()).status;

/** What the archive's snapshot held, read inside the backup's own transactions. */
let atSnapshot: { pg: Fingerprints; duck: Fingerprints; running: Record<string, string> };
let archive: string;
let sourceDir: string;

describe('backup while a backtest and a sync run, restored into an empty directory', () => {
  it('restores every table of both stores as it was at the snapshot', async () => {
    env.as(env.users.analyst);
    // Something of every kind: a finished backtest with results, a saved strategy, a token.
    const done = await (await postJson(env.app, '/api/v1/backtests?wait=60', { strategy: 'dual_ma', universe: 'all', start_date: '2026-03-02', end_date: '2026-11-27', benchmark: null })).json();
    expect(done.status).toBe('succeeded');
    await createToken(env.db.store.db, systemActor('test'), { userId: env.users.analyst.userId, name: 'backup test', expiresDays: null, now: new Date() });
    const saved = await postJson(env.app, '/api/v1/strategies', {
      name: 'Slow', language: 'js',
      code: `export default defineStrategy({ name: 'slow', onDay(ctx) { if (ctx.date < 20260801) return; const t = Date.now(); while (Date.now() - t < 40) {} } });`,
    });
    expect(saved.status, await saved.clone().text()).toBe(201);
    // A backtest that takes seconds (40 ms a day from August) and a sync whose first 15 answers take 300 ms each.
    const slow = await (await postJson(env.app, '/api/v1/backtests', { strategy_id: (await saved.json()).id, universe: 'all', start_date: '2026-06-01', end_date: '2026-11-27', benchmark: null })).json();
    fake.inject({ kind: 'delay', ms: 300 }, { times: 15, apiName: 'daily' });
    const sync = await env.rt.service.queueRun({ executor: 'data_sync', params: { dataset: 'daily_bars', source: 'tushare', start: 20260801, end: 20261127 } });
    await waitUntil('the backtest and the sync run', async () => (await statusOf(slow.run_id)) === 'running' && (await statusOf(sync.id)) === 'running', 30_000);

    sourceDir = join(scratch, 'source');
    await import('node:fs/promises').then((fs) => fs.mkdir(sourceDir));
    await writeFile(join(sourceDir, 'secret.key'), `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    archive = join(scratch, 'one.tar');
    const snapshot: Partial<typeof atSnapshot> = {};
    const result = await backup({ pg: env.db.store, market: env.market, dataDir: sourceDir, secretKey: null }, archive, {
      witness: {
        postgres: async (trx) => {
          snapshot.pg = await pgFingerprintsIn(trx);
          const { rows } = await sql<{ executor: string; status: string }>`select executor, status from runs where id in (${slow.run_id}, ${sync.id})`.execute(trx);
          snapshot.running = Object.fromEntries(rows.map((r) => [r.executor, r.status]));
        },
        duckdb: async (conn) => void (snapshot.duck = await duckFingerprints(conn)),
      },
    });
    atSnapshot = snapshot as typeof atSnapshot;
    // Both were mid-flight in the snapshot, and both finish normally after it: the backup stopped neither.
    expect(atSnapshot.running).toEqual({ backtest: 'running', data_sync: 'running' });
    expect((await env.rt.service.waitForRun(slow.run_id, { timeoutMs: 60_000 })).status).toBe('succeeded');
    expect((await env.rt.service.waitForRun(sync.id, { timeoutMs: 60_000 })).status).toBe('succeeded');
    expect((await stat(archive)).mode & 0o777).toBe(0o600);
    expect(result.manifest.tables.postgres.backtest_results).toBe(atSnapshot.pg.backtest_results.rows);

    // The data that exists: users, tokens, runs, backtests with results, strategies, seeded tasks, the sync's log; the market tables.
    for (const t of ['users', 'api_tokens', 'runs', 'run_events', 'backtests', 'backtest_results', 'strategies', 'strategy_versions', 'scheduled_tasks', 'sync_log']) {
      expect(atSnapshot.pg[t]?.rows, t).toBeGreaterThan(0);
    }
    for (const t of ['stocks', 'trade_calendar', 'daily_bars', 'adj_factors']) expect(atSnapshot.duck[t]?.rows, t).toBeGreaterThan(0);

    const target = join(scratch, 'restored');
    await restore(archive, { dataDir: target, databaseUrl: null });
    const pg = await openPostgres({ databaseUrl: null, pgliteDir: pgliteDirFor(target) });
    try {
      expect(await pgFingerprints(pg.db)).toEqual(atSnapshot.pg);
      // New ids follow the restored ones instead of colliding with them.
      const { rows } = await sql<{ next: number; max: number }>`select nextval(pg_get_serial_sequence('runs', 'id'))::int as next, (select max(id) from runs)::int as max`.execute(pg.db);
      expect(rows[0].next).toBeGreaterThan(rows[0].max);
    } finally {
      await pg.close();
    }
    const market = await openMarketStore(marketPathFor(target));
    try {
      expect(await market.read((conn) => duckFingerprints(conn))).toEqual(atSnapshot.duck);
    } finally {
      await market.close();
    }
    expect(await readFile(join(target, 'secret.key'), 'utf8')).toBe(await readFile(join(sourceDir, 'secret.key'), 'utf8'));
  }, 180_000);
});

describe('an archive of format 1 (one Parquet file per market table, before the market travelled as one DuckDB file)', () => {
  it('restores to the same market', async () => {
    // Made from the archive above the way zquant wrote format 1: each market table as Parquet (zstd), listed with its sha256.
    const unpacked = join(scratch, 'format1');
    await import('node:fs/promises').then((fs) => fs.mkdir(unpacked));
    await tar.x({ file: archive, cwd: unpacked });
    const manifest = JSON.parse(await readFile(join(unpacked, 'manifest.json'), 'utf8'));
    expect(manifest.format_version).toBe(2);
    // At the archive's schema versions: the Parquet files are the tables as the archive has them.
    const copy = await openMarketStore(join(unpacked, 'duckdb', 'market.duckdb'), duckMigrations.filter((m) => manifest.schema.duckdb.includes(m.id)));
    try {
      await copy.read(async (conn) => {
        for (const t of Object.keys(manifest.tables.duckdb)) await conn.run(`copy "${t}" to '${join(unpacked, 'duckdb', `${t}.parquet`)}' (format parquet, compression zstd)`);
      });
    } finally {
      await copy.close();
    }
    await rm(join(unpacked, 'duckdb', 'market.duckdb'));
    manifest.format_version = 1;
    manifest.files = manifest.files.filter((f: { path: string }) => f.path !== 'duckdb/market.duckdb');
    for (const t of Object.keys(manifest.tables.duckdb)) manifest.files.push({ path: `duckdb/${t}.parquet`, ...(await hashFile(join(unpacked, 'duckdb', `${t}.parquet`))) });
    await writeFile(join(unpacked, 'manifest.json'), JSON.stringify(manifest));
    const older = join(scratch, 'format1.tar');
    await tar.c({ file: older, cwd: unpacked }, ['manifest.json', ...manifest.files.map((f: { path: string }) => f.path)]);

    const target = join(scratch, 'restored-format1');
    await restore(older, { dataDir: target, databaseUrl: null });
    const market = await openMarketStore(marketPathFor(target));
    try {
      expect(await market.read((conn) => duckFingerprints(conn))).toEqual(atSnapshot.duck);
    } finally {
      await market.close();
    }
  }, 60_000);
});

describe('restore refuses', () => {
  const refusal = (p: Promise<unknown>) => p.then(() => null, (err: Error) => err);

  it('a data directory that is not empty', async () => {
    const err = await refusal(restore(archive, { dataDir: join(scratch, 'restored'), databaseUrl: null }));
    expect(err).toBeInstanceOf(RestoreRefused);
    expect(err!.message).toMatch(/is not empty \(market\.duckdb, pg, secret\.key\); restore into an empty directory/);
  });

  it('an archive whose file does not match its checksum, and leaves the directory empty', async () => {
    // Flip one byte inside the users table's dump (plain tar: the member's bytes follow its 512-byte header).
    const bytes = await readFile(archive);
    let header = -1;
    for (let at = bytes.indexOf('postgres/users.ndjson'); at >= 0 && header < 0; at = bytes.indexOf('postgres/users.ndjson', at + 1)) if (at % 512 === 0) header = at;
    expect(header).toBeGreaterThan(0);
    bytes[header + 512 + 10] ^= 0x20;
    const damaged = join(scratch, 'damaged.tar');
    await writeFile(damaged, bytes);
    const target = join(scratch, 'after-damaged');
    const err = await refusal(restore(damaged, { dataDir: target, databaseUrl: null }));
    expect(err).toBeInstanceOf(RestoreRefused);
    expect(err!.message).toBe('postgres/users.ndjson does not match its sha256 in the manifest (archive damaged?); nothing was restored');
    expect(await readdir(target)).toEqual([]);
  });

  it('an archive whose schema is newer than this code', async () => {
    const unpacked = join(scratch, 'unpacked');
    await import('node:fs/promises').then((fs) => fs.mkdir(unpacked));
    await tar.x({ file: archive, cwd: unpacked });
    const manifest = JSON.parse(await readFile(join(unpacked, 'manifest.json'), 'utf8'));
    manifest.schema.postgres.push('2099-01-01-001-from-the-future');
    await writeFile(join(unpacked, 'manifest.json'), JSON.stringify(manifest));
    const newer = join(scratch, 'newer.tar');
    await tar.c({ file: newer, cwd: unpacked }, await readdir(unpacked));
    const err = await refusal(restore(newer, { dataDir: join(scratch, 'after-newer'), databaseUrl: null }));
    expect(err).toBeInstanceOf(RestoreRefused);
    expect(err!.message).toMatch(/^the archive's postgres schema is newer than this zquant \(.*\) knows \(migration 2099-01-01-001-from-the-future\)/);
    expect(existsSync(join(scratch, 'after-newer', 'pg'))).toBe(false);
  });
});

describe('backup executor', () => {
  it('writes a timestamped archive through the run machinery and keeps the newest N', async () => {
    const dir = join(scratch, 'scheduled');
    await import('node:fs/promises').then((fs) => fs.mkdir(dir));
    // Three older archives of its own, and a file that is not one (never deleted).
    for (const name of ['zquant-backup-20200101T000000Z.tar', 'zquant-backup-20200102T000000Z.tar', 'zquant-backup-20200103T000000Z.tar', 'notes.txt']) await writeFile(join(dir, name), 'x');
    const run = await env.rt.service.queueRun({ executor: 'backup', params: { directory: dir, keep: 2 } });
    const ended = await env.rt.service.waitForRun(run.id, { timeoutMs: 60_000 });
    expect(ended.status, JSON.stringify(ended.error)).toBe('succeeded');
    const names = (await readdir(dir)).sort();
    expect(names).toHaveLength(3);
    expect(names.slice(0, 2)).toEqual(['notes.txt', 'zquant-backup-20200103T000000Z.tar']);
    expect(names[2]).toMatch(/^zquant-backup-\d{8}T\d{6}Z\.tar$/);
    expect((ended.result as { deleted: string[] }).deleted).toEqual(['zquant-backup-20200101T000000Z.tar', 'zquant-backup-20200102T000000Z.tar']);
    const progress = (await env.rt.service.events(run.id, 0, 1000)).filter((e) => e.kind === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect((await stat(join(dir, names[2]))).mode & 0o777).toBe(0o600);
  }, 60_000);

  it('a cancelled backup leaves no archive and no staging folder behind', async () => {
    const dir = join(scratch, 'cancelled');
    const stop = new AbortController();
    stop.abort(new Error('cancel'));
    await expect(backup({ pg: env.db.store, market: env.market, dataDir: scratch, secretKey: null }, join(dir, 'x.tar'), { signal: stop.signal })).rejects.toThrow('cancel');
    expect(await readdir(dir)).toEqual([]);
  });
});

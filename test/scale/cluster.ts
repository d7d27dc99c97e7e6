// A web process and worker processes of one install on this machine (real `zquant serve` processes
// through the CLI), sharing one Postgres database and one snapshot directory, each with its own DATA_DIR.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgres, type PgStore } from '../../src/db/database.ts';
import { createToken } from '../../src/auth/tokens.service.ts';
import { createUser, systemActor } from '../../src/auth/users.service.ts';
import type { Role } from '../../src/auth/access.ts';
import type { TokenScope } from '../../src/db/schema.ts';
import { createEmptyDatabase } from '../helpers/pg.ts';
import { cliPath, startServerProcess, type ServerProcess } from '../helpers/process.ts';

export interface WorkerProcess {
  child: ChildProcess;
  /** Its run machinery's instance id: what it writes as lease owner and set-claim owner. */
  instanceId: string;
  lines: string[];
  stderr(): string;
  /** Sends a signal and resolves with the exit code (null when killed by it). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `zquant serve --role worker` and resolves once it logs "worker started". */
export function startWorkerProcess(env: Record<string, string>, timeoutMs = 120_000): Promise<WorkerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, 'serve', '--role', 'worker'], { env: { ...process.env, SEED_DEMO: 'false', DEFAULT_LOCALE: 'en', ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let buffer = '';
    let stderr = '';
    let settled = false;
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`worker did not start in ${timeoutMs} ms\n${stderr}\n${lines.join('\n')}`));
    }, timeoutMs);
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdout!.on('data', (d) => {
      buffer += d;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        lines.push(line);
        if (!settled && line.includes('"msg":"worker started"')) {
          settled = true;
          clearTimeout(timer);
          resolve({
            child, lines, stderr: () => stderr,
            instanceId: (JSON.parse(line) as { instanceId: string }).instanceId,
            stop: (signal = 'SIGTERM') => {
              if (child.exitCode === null && child.signalCode === null) child.kill(signal);
              return exited;
            },
          });
        }
      }
    });
    child.on('exit', (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before starting\n${stderr}\n${lines.join('\n')}`));
    });
  });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 120_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** JSON over HTTP with a bearer token; throws with the body on an unexpected status. */
export function client(base: string, token: string) {
  const call = async (method: string, path: string, body?: unknown, expect?: number) => {
    const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (expect !== undefined && res.status !== expect) throw new Error(`${method} ${path}: ${res.status} (expected ${expect}): ${text}`);
    return JSON.parse(text) as any;
  };
  return {
    get: (path: string) => call('GET', path, undefined, 200),
    post: (path: string, body?: unknown, expect = 202) => call('POST', path, body, expect),
  };
}

/** One install: a database, a snapshot directory, a web process; workers added by the test. */
export interface Cluster {
  dir: string;
  databaseUrl: string;
  snapshotDir: string;
  pg: PgStore;
  web: ServerProcess;
  workers: WorkerProcess[];
  /** The environment every process of the install shares (lease and poll settings short for tests). */
  env: Record<string, string>;
  addWorker(name: string, extra?: Record<string, string>): Promise<WorkerProcess>;
  /** A user with a token (made through the services, on the shared database). */
  user(username: string, role: Role, scope?: TokenScope | null): Promise<{ id: number; token: string }>;
  close(): Promise<void>;
}

export async function startCluster(webEnv: Record<string, string>, shared: Record<string, string> = {}, startTimeoutMs = 180_000): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'zq-scale-'));
  const db = await createEmptyDatabase();
  if (!db.url) throw new Error('the scale tests need a Postgres server (TEST_DATABASE_URL): roles refuse the embedded database');
  const snapshotDir = join(dir, 'snapshots');
  const env = {
    DATABASE_URL: db.url, SNAPSHOT_DIR: snapshotDir, RUN_LEASE_MS: '3000', RUN_HEARTBEAT_MS: '500', RUN_POLL_MS: '300',
    ZQUANT_ADMIN_PASSWORD: 'a long enough admin password', API_RATE_LIMIT_PER_MINUTE: '100000', ...shared,
  };
  const web = await startServerProcess(['--role', 'web'], { ...env, DATA_DIR: join(dir, 'web'), ...webEnv }, startTimeoutMs);
  const pg = await openPostgres({ databaseUrl: db.url, pgliteDir: null, maxConnections: 3 });
  const workers: WorkerProcess[] = [];
  return {
    dir, databaseUrl: db.url, snapshotDir, pg, web, workers, env,
    async addWorker(name, extra = {}) {
      const w = await startWorkerProcess({ ...env, DATA_DIR: join(dir, name), ...extra });
      workers.push(w);
      return w;
    },
    async user(username, role, scope = null) {
      const u = await createUser(pg.db, systemActor('test'), { username, role, password: 'a long enough password' });
      const { token } = await createToken(pg.db, systemActor('test'), { userId: u.id, name: 'test', expiresDays: null, now: new Date(), scope, role });
      return { id: u.id, token };
    },
    async close() {
      await Promise.all(workers.map((w) => w.stop('SIGKILL')));
      await web.stop('SIGKILL');
      await pg.close();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase } from '../helpers/pg.ts';
import { cliPath, runCli, startServerProcess, type CliResult, type ServerProcess } from '../helpers/process.ts';

/**
 * One owner per data directory, with real processes: a running `zquant serve` holds DATA_DIR, the
 * CLI's store commands reach it over DATA_DIR/admin.sock and print what they print standalone, a
 * second server stops with one line, and a kill -9 loses no acknowledged write and leaves a store
 * that starts.
 */
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const env = { DATABASE_URL: '', ZQUANT_ADMIN_PASSWORD: 'first admin password' };

/** `zquant …` with text on its stdin and in a given directory (runCli gives neither). */
function runCliWith(args: string[], options: { stdin?: string; cwd?: string }): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: options.cwd, env: { ...process.env, LOG_LEVEL: 'warn', SEED_DEMO: 'false', DEMO_STOCKS: '20', DEMO_YEARS: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

describe('the CLI while the server runs', () => {
  it('goes through the admin socket, a second serve stops with one line, and kill -9 loses no acknowledged write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zq-admin-'));
    dirs.push(dir);
    const socketPath = join(dir, 'admin.sock');
    let server: ServerProcess | null = await startServerProcess(['--data-dir', dir], env);
    let second: ServerProcess | null = null;
    try {
      const socket = statSync(socketPath);
      expect(socket.isSocket()).toBe(true);
      expect(socket.mode & 0o777).toBe(0o600);

      // The README's scripted set-up, against the running server.
      const adminToken = await runCli(['token', 'create', '--data-dir', dir, '--username', 'admin', '--name', 'setup'], env);
      expect(adminToken.stderr).toBe('');
      expect(adminToken.code).toBe(0);
      expect(adminToken.stdout).toMatch(/^zq_[A-Za-z0-9_-]{43}\n$/);
      const auth = { authorization: `Bearer ${adminToken.stdout.trim()}` };

      // user and token commands print what they print standalone (test/cli.test.ts).
      const created = await runCli(['user', 'create', '--data-dir', dir, '--username', 'li.wei', '--role', 'analyst'], env);
      expect(created.stderr).toBe('');
      expect(created.stdout).toMatch(/^created user li\.wei \(analyst\)\npassword: [A-Za-z0-9]{24}\n$/);
      const withStdin = await runCliWith(['user', 'create', '--data-dir', dir, '--username', 'wang.fang', '--role', 'viewer', '--password-stdin'], { stdin: 'a long passphrase here\n' });
      expect(withStdin).toMatchObject({ code: 0, stderr: '', stdout: 'created user wang.fang (viewer)\n' });
      const badRole = await runCli(['user', 'create', '--data-dir', dir, '--username', 'x1', '--role', 'boss'], env);
      expect(badRole.code).toBe(1);
      expect(badRole.stderr).toContain('role: expected one of viewer, analyst, admin; got "boss"');
      const usage = await runCli(['token', 'create', '--data-dir', dir], env);
      expect(usage).toMatchObject({ code: 2, stderr: 'zquant token create: --username is required\n' });
      const liToken = await runCli(['token', 'create', '--data-dir', dir, '--username', 'li.wei', '--expires-days', '7'], env);
      expect(liToken.code).toBe(0);
      const me = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${liToken.stdout.trim()}` } });
      expect(((await me.json()) as { username: string }).username).toBe('li.wei');
      // The password went over the socket from stdin: wang.fang signs in with it.
      const login = await fetch(`${server.url}/login`);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1];
      const cookie = login.headers.getSetCookie()[0].split(';')[0];
      const form = new URLSearchParams({ _csrf: csrf, username: 'wang.fang', password: 'a long passphrase here', next: '/' });
      const signIn = await fetch(`${server.url}/login`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: form });
      expect(signIn.status).toBe(303);
      const migrate = await runCli(['migrate', '--data-dir', dir], env);
      expect(migrate).toMatchObject({ code: 0, stderr: '', stdout: `migrated: postgres (pglite) and duckdb (${join(dir, 'market.duckdb')})\n` });

      // Market commands run in the server too: progress on the caller's stderr, files from the caller's directory.
      const synced = await runCliWith(['sync', 'daily_bars', '--source', 'demo', '--start', '20260901', '--end', '20260910', '--data-dir', dir], {});
      expect(synced.stderr).toMatch(/daily_bars \[#+\] \d+\/\d+/);
      expect(synced.stdout).toMatch(/^daily_bars from demo: success: [1-9]\d* inserted, 0 updated, 0 unchanged, 0 deleted in [\d.]+ s \(log #\d+\)\n$/);
      expect(synced.code).toBe(0);
      writeFileSync(join(dir, 'ok.csv'), 'ts_code,trade_date,adj_factor\n600000.SH,20240102,1.5\n');
      const imported = await runCliWith(['import', '--dataset', 'adj_factors', 'ok.csv', '--data-dir', dir], { cwd: dir });
      expect(imported).toMatchObject({ code: 0, stderr: '', stdout: 'ok.csv: 1 rows: 1 inserted, 0 updated, 0 unchanged\n' });
      const backtestUsage = await runCli(['backtest', '--strategy', 'dual_ma', '--data-dir', dir], env);
      expect(backtestUsage.code).toBe(2);
      expect(backtestUsage.stderr).toMatch(/^zquant backtest: --start must be a date YYYY-MM-DD/);
      const adminLines = server.lines.filter((l) => l.includes('"msg":"admin command"')).map((l) => JSON.parse(l) as { command: string });
      expect(adminLines.map((l) => l.command)).toContain('sync');

      // A second server on the same directory touches nothing and says who holds it.
      const again = await runCli(['serve', '--port', '0', '--data-dir', dir], env);
      expect(again.code).toBe(1);
      expect(again.stderr.split('\n').filter(Boolean)).toEqual([
        `zquant serve: DATA_DIR ${dir} is in use by another zquant serve (pid ${server.child.pid}); stop it first (kill ${server.child.pid}) or give this one another --data-dir`,
      ]);

      // 100 acknowledged writes through the API, the last one answered just before the kill.
      const acknowledged: number[] = [];
      for (let batch = 0; batch < 10; batch++) {
        const answers = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            fetch(`${server!.url}/api/v1/account/tokens`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: `w${batch * 10 + i}` }) }),
          ),
        );
        for (const a of answers) {
          expect(a.status).toBe(201);
          acknowledged.push(((await a.json()) as { id: number }).id);
        }
      }
      expect(new Set(acknowledged).size).toBe(100);

      // kill -9: the socket file stays behind, the lock does not.
      expect(await server.stop('SIGKILL')).toBe(null);
      server = null;
      expect(existsSync(socketPath)).toBe(true);
      second = await startServerProcess(['--data-dir', dir], env);
      const listed = await fetch(`${second.url}/api/v1/account/tokens`, { headers: auth });
      expect(listed.status).toBe(200);
      const ids = new Set(((await listed.json()) as { tokens: Array<{ id: number }> }).tokens.map((t) => t.id));
      expect(acknowledged.filter((id) => !ids.has(id))).toEqual([]);
      expect((await fetch(`${second.url}/readyz`)).status).toBe(200);
      const afterRestart = await runCli(['token', 'create', '--data-dir', dir, '--username', 'li.wei'], env);
      expect(afterRestart.code).toBe(0);
      expect(statSync(socketPath).mode & 0o777).toBe(0o600);
    } finally {
      if (server) await server.stop('SIGKILL');
      if (second) expect(await second.stop('SIGTERM')).toBe(0);
    }
    // Stopped: the socket is gone and the CLI opens the stores itself again.
    expect(existsSync(socketPath)).toBe(false);
    const standalone = await runCli(['token', 'create', '--data-dir', dir, '--username', 'li.wei'], env);
    expect(standalone.stderr).toBe('');
    expect(standalone.stdout).toMatch(/^zq_[A-Za-z0-9_-]{43}\n$/);
    expect(existsSync(socketPath)).toBe(false);
  }, 240_000);

  it('with DATABASE_URL, user and token go straight to Postgres; what needs DuckDB still goes to the server', async (ctx) => {
    const empty = await createEmptyDatabase();
    if (!empty.url) {
      ctx.skip('no Postgres server reachable for DATABASE_URL');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'zq-admin-'));
    dirs.push(dir);
    const pgEnv = { DATABASE_URL: empty.url, ZQUANT_ADMIN_PASSWORD: 'first admin password' };
    const server = await startServerProcess(['--data-dir', dir], pgEnv);
    try {
      const token = await runCli(['token', 'create', '--data-dir', dir, '--username', 'admin'], pgEnv);
      expect(token).toMatchObject({ code: 0, stderr: '' });
      expect((await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token.stdout.trim()}` } })).status).toBe(200);
      // Not through the socket: the server logged no admin command for it.
      expect(server.lines.some((l) => l.includes('"msg":"admin command"'))).toBe(false);
      const migrate = await runCli(['migrate', '--data-dir', dir], pgEnv);
      expect(migrate).toMatchObject({ code: 0, stderr: '', stdout: `migrated: postgres (postgres) and duckdb (${join(dir, 'market.duckdb')})\n` });
      expect(server.lines.some((l) => l.includes('"msg":"admin command"') && l.includes('"command":"migrate"'))).toBe(true);
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
      await empty.drop();
    }
  }, 120_000);
});

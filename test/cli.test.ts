import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase } from './helpers/pg.ts';
import { runCli, startServerProcess } from './helpers/process.ts';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'zq-cli-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('zquant command line', () => {
  it('prints the version and the help', async () => {
    const v = await runCli(['--version']);
    expect(v.code).toBe(0);
    // package.json's engines: Node.js 24 or newer.
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+ \(node v(2[4-9]|[3-9]\d)\.\d+\.\d+\)$/);
    const h = await runCli(['serve', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('--data-dir');
    // zquant backtest offers the API submission's options.
    const b = await runCli(['backtest', '--help']);
    expect(b.code).toBe(0);
    for (const o of ['--adjust', '--benchmark 000300.SH|none', '--commission-rate', '--min-commission', '--stamp-duty R|schedule', '--transfer-fee R|schedule|0', '--slippage-bps', '--on-error fail|skip_day', '--boards', '--exclude-st']) {
      expect(b.stdout).toContain(o);
    }
  });

  it('stops on bad configuration with one line naming the variable', async () => {
    const r = await runCli(['serve'], { PORT: 'abc' });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual(['zquant: configuration error: PORT: expected a port number 0-65535, got "abc"']);
  });

  it('rejects an unknown option with the usage', async () => {
    const r = await runCli(['migrate', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Unknown option '--frobnicate'");
    expect(r.stderr).toContain('usage: zquant migrate');
  });

  it('migrate creates both embedded stores in --data-dir', async () => {
    const dir = tempDir();
    const r = await runCli(['migrate', '--data-dir', dir], { DATABASE_URL: '' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'pg', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dir, 'market.duckdb'))).toBe(true);
  }, 120_000);
});

describe('zquant serve', () => {
  it('serves on embedded defaults, is ready, and exits 0 on SIGTERM', async () => {
    const dir = tempDir();
    // How fast it gets ready is measured by `npm run bench -- http` (first_start_ready_s), not timed here.
    const server = await startServerProcess(['--data-dir', dir], { DATABASE_URL: '', SEED_DEMO: 'true' });
    try {
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(existsSync(join(dir, 'pg'))).toBe(true);
      expect(existsSync(join(dir, 'market.duckdb'))).toBe(true);
      const home = await fetch(`${server.url}/`, { redirect: 'manual' });
      expect(home.status).toBe(302);
      expect(home.headers.get('location')).toBe('/login?next=%2F');
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
    const requestLine = server.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((l) => l.msg === 'request' && l.path === '/');
    expect(requestLine.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
  }, 180_000);

  it('uses DATABASE_URL when set: the tables appear on that server', async (ctx) => {
    const empty = await createEmptyDatabase();
    if (!empty.url) {
      // Without a Postgres server there is nothing to point DATABASE_URL at; said, not silent.
      ctx.skip('no Postgres server reachable for DATABASE_URL');
      return;
    }
    const server = await startServerProcess(['--data-dir', tempDir(), '--database-url', empty.url]);
    try {
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      const client = postgres(empty.url, { max: 1 });
      const rows = await client`select table_name from information_schema.tables where table_schema = 'public'`;
      await client.end();
      expect(rows.map((r) => r.table_name)).toContain('settings');
    } finally {
      expect(await server.stop('SIGINT')).toBe(0);
      await empty.drop();
    }
  });
});

describe('accounts on the command line', () => {
  it('first start without ZQUANT_ADMIN_PASSWORD prints a generated admin password once, and it works', async () => {
    const dir = tempDir();
    const server = await startServerProcess(['--data-dir', dir], { DATABASE_URL: '', ZQUANT_ADMIN_PASSWORD: '' });
    let password: string;
    try {
      const printed = server.lines.filter((l) => l.includes('sign in as "admin"'));
      expect(printed).toHaveLength(1);
      expect(printed[0].startsWith('{')).toBe(false); // a plain line, not in the JSON log stream
      password = /with password (\S+) /.exec(printed[0])![1];
      expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
      expect(server.lines.filter((l) => l.includes(password))).toHaveLength(1);
      // Signed in with it over HTTP (also lets the process finish installing its signal handlers).
      const login = await fetch(`${server.url}/login`);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1];
      const cookie = login.headers.getSetCookie()[0].split(';')[0];
      const res = await fetch(`${server.url}/login`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, username: 'admin', password, next: '/' }) });
      expect(res.status).toBe(303);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    // A second start finds the admin and prints nothing.
    const again = await startServerProcess(['--data-dir', dir], { DATABASE_URL: '', ZQUANT_ADMIN_PASSWORD: '' });
    try {
      expect(again.lines.some((l) => l.includes('sign in as'))).toBe(false);
    } finally {
      await again.stop();
    }
    // The CLI makes users and tokens against the same data directory.
    const token = await runCli(['token', 'create', '--data-dir', dir, '--username', 'admin', '--expires-days', '7', '--name', 'ci'], { DATABASE_URL: '' });
    expect(token.stderr).toBe('');
    expect(token.stdout.trim()).toMatch(/^zq_[A-Za-z0-9_-]{43}$/);
  }, 180_000);

  it('refuses to start with a ZQUANT_ADMIN_PASSWORD under the policy', async () => {
    const r = await runCli(['serve', '--port', '0', '--data-dir', tempDir()], { DATABASE_URL: '', ZQUANT_ADMIN_PASSWORD: 'admin' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ZQUANT_ADMIN_PASSWORD: a password needs at least 12 characters (at most 1024); this one has 5');
  }, 180_000);

  it('user create, reset-password and token create', async () => {
    const dir = tempDir();
    const env = { DATABASE_URL: '', ZQUANT_ADMIN_PASSWORD: 'first admin password' };
    const created = await runCli(['user', 'create', '--data-dir', dir, '--username', 'li.wei', '--role', 'analyst'], env);
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(/^created user li\.wei \(analyst\)\npassword: [A-Za-z0-9]{24}\n$/);
    const badRole = await runCli(['user', 'create', '--data-dir', dir, '--username', 'x1', '--role', 'boss'], env);
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toContain('role: expected one of viewer, analyst, admin; got "boss"');
    // A reset revokes the user's API tokens unless --keep-tokens: one token made before each reset.
    const revokedToken = (await runCli(['token', 'create', '--data-dir', dir, '--username', 'li.wei'], env)).stdout.trim();
    const reset = await runCli(['user', 'reset-password', '--data-dir', dir, '--username', 'li.wei'], env);
    expect(reset.stdout).toMatch(/new password set for li\.wei; their browser sessions were signed out, 1 API token revoked\npassword: [A-Za-z0-9]{24}\n$/);
    const missing = await runCli(['token', 'create', '--data-dir', dir, '--username', 'ghost'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no user "ghost"');
    const token = (await runCli(['token', 'create', '--data-dir', dir, '--username', 'li.wei'], env)).stdout.trim();
    const kept = await runCli(['user', 'reset-password', '--data-dir', dir, '--username', 'li.wei', '--keep-tokens'], env);
    expect(kept.stdout).toContain('their API tokens were kept');
    const server = await startServerProcess(['--data-dir', dir], env);
    try {
      const me = await fetch(`${server.url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
      expect(await me.json()).toMatchObject({ username: 'li.wei', role: 'analyst', via: 'token' });
      expect((await fetch(`${server.url}/api/v1/me`, { headers: { Authorization: `Bearer ${revokedToken}` } })).status).toBe(401);
      // Users existed before this first start (made by the CLI), so no admin was created or printed.
      expect(server.lines.some((l) => l.includes('sign in as'))).toBe(false);
    } finally {
      await server.stop();
    }
  }, 180_000);
});

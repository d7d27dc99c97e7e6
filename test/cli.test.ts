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
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await runCli(['serve', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('--data-dir');
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
  });
});

describe('zquant serve', () => {
  it('serves on embedded defaults, is ready, and exits 0 on SIGTERM', async () => {
    const dir = tempDir();
    const started = Date.now();
    const server = await startServerProcess(['--data-dir', dir], { DATABASE_URL: '' });
    try {
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      // Issue 2: ready within 20 s of start on a clean data directory.
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(existsSync(join(dir, 'pg'))).toBe(true);
      expect(existsSync(join(dir, 'market.duckdb'))).toBe(true);
      const home = await fetch(`${server.url}/`);
      expect(home.status).toBe(200);
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
    const requestLine = server.lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request' && l.path === '/');
    expect(requestLine.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
  });

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

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, runProcess, startServerProcess, type CliResult, type ServerProcess } from '../helpers/process.ts';

/**
 * `zquant backup` and `zquant restore` through the real entry: a backup while `zquant serve` holds
 * the data directory goes over its admin socket (the server writes the file the caller named,
 * relative to the caller's directory); restore takes an empty directory only, then serves.
 */
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const env = { DATABASE_URL: '', ZQUANT_ADMIN_PASSWORD: 'first admin password', SEED_DEMO: 'true', DEMO_STOCKS: '20', DEMO_YEARS: '1' };

const zquant = (args: string[], cwd: string): Promise<CliResult> =>
  runProcess(process.execPath, [cliPath, ...args], { cwd, env: { ...process.env, LOG_LEVEL: 'warn', ...env } }, 120_000, `zquant ${args.join(' ')}`);

describe('zquant backup and restore', () => {
  it('backs up a running server over its admin socket, restores into an empty directory only, and the restore serves', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'zq-backup-cli-'));
    dirs.push(scratch);
    const source = join(scratch, 'source');
    const restored = join(scratch, 'restored');
    let server: ServerProcess | null = await startServerProcess(['--data-dir', source], env);
    let token: string;
    try {
      const made = await zquant(['token', 'create', '--data-dir', source, '--username', 'admin'], scratch);
      expect(made.code, made.stderr).toBe(0);
      token = made.stdout.trim();

      const taken = await zquant(['backup', '--to', 'nightly.tar', '--data-dir', source], scratch);
      expect(taken.stderr).toBe('');
      expect(taken.code).toBe(0);
      expect(taken.stdout).toMatch(new RegExp(`^backup: wrote ${join(scratch, 'nightly.tar').replaceAll('.', '\\.')} \\([\\d.]+ MiB; postgres \\d+ tables, \\d+ rows; duckdb \\d+ tables, \\d+ rows\\) in [\\d.]+ s\\n$`));
      expect(statSync(join(scratch, 'nightly.tar')).mode & 0o777).toBe(0o600);
      // The server ran it (the CLI could not have opened the stores: the server holds the directory).
      const ran = server.lines.filter((l) => l.includes('"msg":"admin command"')).map((l) => JSON.parse(l) as { command: string; exitCode: number });
      expect(ran).toContainEqual(expect.objectContaining({ command: 'backup', exitCode: 0 }));

      expect(await zquant(['backup', '--to', 'nightly.tar', '--data-dir', source], scratch)).toMatchObject({
        code: 1, stderr: `zquant backup: ${join(scratch, 'nightly.tar')} exists already; give a new file name (backups never overwrite)\n`,
      });
      expect(await zquant(['backup', '--data-dir', source], scratch)).toMatchObject({ code: 2, stderr: 'zquant backup: --to FILE is required (where to write the archive, e.g. --to zquant-backup.tar)\n' });
      const busy = await zquant(['restore', 'nightly.tar', '--data-dir', source], scratch);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(/^zquant restore: DATA_DIR .* is in use by `zquant serve` \(pid \d+\); restore into an empty directory no server uses\n$/);
    } finally {
      await server.stop();
      server = null;
    }

    const back = await zquant(['restore', 'nightly.tar', '--data-dir', restored], scratch);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(/^restored: postgres \(pglite, \d+ rows\) and duckdb \(\d+ rows\) into .* in [\d.]+ s; start the server with zquant serve\n$/);
    // The demo market came along (20 stocks, a year of bars and the rest).
    expect(Number(/duckdb \((\d+) rows\)/.exec(back.stdout)![1])).toBeGreaterThan(20 * 200);
    const twice = await zquant(['restore', 'nightly.tar', '--data-dir', restored], scratch);
    expect(twice).toMatchObject({ code: 1, stderr: `zquant restore: DATA_DIR ${restored} is not empty (market.duckdb, pg, secret.key); restore into an empty directory\n` });
    // Standalone (no server holds the restored directory): the command opens the stores itself.
    const standalone = await zquant(['backup', '--to', join(scratch, 'again.tar'), '--data-dir', restored], scratch);
    expect(standalone.code, standalone.stderr).toBe(0);

    server = await startServerProcess(['--data-dir', restored], env);
    try {
      const me = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { username: string }).username).toBe('admin');
    } finally {
      await server.stop();
    }
  }, 240_000);
});

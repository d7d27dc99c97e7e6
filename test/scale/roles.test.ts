// Roles need a Postgres server every process shares: `web` and `worker` refuse the embedded
// database with one line, before touching the data directory; a worker also needs a snapshot source.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/process.ts';
import { createEmptyDatabase } from '../helpers/pg.ts';

const dir = mkdtempSync(join(tmpdir(), 'zq-roles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('zquant serve --role', () => {
  for (const role of ['web', 'worker']) {
    it(`refuses --role ${role} on the embedded database with one line`, async () => {
      const data = join(dir, role);
      const r = await runCli(['serve', '--role', role, '--data-dir', data], { DATABASE_URL: '' }, 60_000);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`zquant serve: --role ${role} needs a Postgres server every process shares: set DATABASE_URL (the embedded database serves one process: --role all)\n`);
      // Nothing was opened: no embedded database was created.
      expect(existsSync(join(data, 'pg'))).toBe(false);
    }, 90_000);
  }

  it('refuses a role it does not know, naming the choices', async () => {
    const r = await runCli(['serve', '--role', 'scheduler', '--data-dir', join(dir, 'x')], {}, 60_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ROLE: expected all, web or worker, got "scheduler"');
  }, 90_000);

  it('refuses a worker without a snapshot source, naming the settings', async () => {
    const db = await createEmptyDatabase();
    try {
      const r = await runCli(['serve', '--role', 'worker', '--data-dir', join(dir, 'w')], { DATABASE_URL: db.url ?? 'postgres://127.0.0.1:1/none', SNAPSHOT_DIR: '', SNAPSHOT_URL: '' }, 60_000);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^zquant serve: --role worker needs a snapshot source: SNAPSHOT_DIR .* or SNAPSHOT_URL and SNAPSHOT_TOKEN/);
      const noToken = await runCli(['serve', '--role', 'worker', '--data-dir', join(dir, 'w2')], { DATABASE_URL: db.url ?? 'postgres://127.0.0.1:1/none', SNAPSHOT_URL: 'http://127.0.0.1:1' }, 60_000);
      expect(noToken.code).toBe(1);
      expect(noToken.stderr).toMatch(/SNAPSHOT_URL needs SNAPSHOT_TOKEN: a worker-scoped token \(zquant token create --username admin --scope worker/);
    } finally {
      await db.drop();
    }
  }, 120_000);
});

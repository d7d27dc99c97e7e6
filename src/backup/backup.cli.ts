import { resolve } from 'node:path';
import type { CommandIo, CommandStores } from '../admin/command-io.ts';
import type { Config } from '../config.ts';
import { version } from '../version.ts';
import { backup, backupSummary } from './backup.service.ts';

/**
 * `zquant backup --to FILE`: run by whoever holds the data directory (a running server, over the
 * admin socket, with its open stores; or this process), so backtests and syncs go on meanwhile.
 */
export async function runBackupCommand(config: Config, stores: CommandStores, io: CommandIo, values: Record<string, unknown>): Promise<number> {
  const to = values.to;
  if (typeof to !== 'string' || to === '') {
    io.stderr('zquant backup: --to FILE is required (where to write the archive, e.g. --to zquant-backup.tar)\n');
    return 2;
  }
  const [pg, market] = await Promise.all([stores.pg(), stores.market()]);
  let shown = '';
  const result = await backup({ pg, market, dataDir: config.dataDir, secretKey: config.secretKey }, resolve(io.cwd, to), {
    signal: io.signal,
    progress: (p) => {
      if (!io.tty || p.current === shown) return;
      shown = p.current;
      io.stderr(`\rbackup: ${p.current}`.padEnd(40));
    },
  });
  if (io.tty) io.stderr('\n');
  io.stdout(`${backupSummary(result)}\n`);
  return 0;
}

/**
 * `zquant restore FILE`: never through a server (a server's data directory is not empty). Takes
 * the directory's lock itself so no server starts on it meanwhile.
 */
export async function runRestoreCommand(config: Config, positionals: string[]): Promise<number> {
  if (positionals.length !== 1) {
    process.stderr.write('zquant restore: give one archive: zquant restore FILE [--data-dir DIR] [--database-url URL]\n');
    return 2;
  }
  const { lockDataDir } = await import('../admin/data-dir-lock.ts');
  const { startAdminServer } = await import('../admin/admin.server.ts');
  const { restore } = await import('./restore.service.ts');
  const attempt = await lockDataDir(config.dataDir);
  if (!attempt.acquired) {
    const who = attempt.holder ? `\`zquant ${attempt.holder.role}\` (pid ${attempt.holder.pid})` : 'a process that does not answer';
    process.stderr.write(`zquant restore: DATA_DIR ${config.dataDir} is in use by ${who}; restore into an empty directory no server uses\n`);
    return 1;
  }
  // Answers who holds the directory while the restore runs (a server started meanwhile says so and stops).
  const admin = startAdminServer(attempt.lock, { pid: process.pid, role: 'restore', version }, { dataDir: config.dataDir });
  try {
    const result = await restore(positionals[0], { dataDir: config.dataDir, databaseUrl: config.databaseUrl }, { log: (line) => process.stderr.write(`${line}\n`) });
    const pgRows = Object.values(result.manifest.tables.postgres).reduce((a, b) => a + b, 0);
    const duckRows = Object.values(result.manifest.tables.duckdb).reduce((a, b) => a + b, 0);
    process.stdout.write(`restored: postgres (${result.postgres}, ${pgRows} rows) and duckdb (${duckRows} rows) into ${config.dataDir} in ${(result.durationMs / 1000).toFixed(1)} s; start the server with zquant serve\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`zquant restore: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await admin.stop();
    await attempt.lock.release();
  }
}

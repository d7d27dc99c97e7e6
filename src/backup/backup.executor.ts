import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { defineExecutor, type ExecutorDefinition } from '../runs/executor-registry.ts';
import { backup, backupSummary, pruneBackups, scheduledBackupName, type BackupDeps } from './backup.service.ts';

/**
 * `backup`: the scheduled form of `zquant backup`. Writes `zquant-backup-<UTC time>.tar` into
 * `directory` (relative to DATA_DIR unless absolute), then deletes the oldest of its own archives
 * beyond the newest `keep`. Cancelling stops between tables and leaves no partial archive.
 */
export function makeBackupExecutor(d: BackupDeps, now: () => Date = () => new Date()): ExecutorDefinition {
  return defineExecutor({
    name: 'backup',
    description: 'writes a backup archive of both stores into a directory and keeps the newest N',
    params: z
      .object({
        directory: z.string().min(1).describe('Where archives go: an absolute path, or one relative to DATA_DIR'),
        keep: z.number().int().min(1).max(1000).default(7).describe('How many of the newest archives to keep; older ones are deleted'),
      })
      .strict(),
    kind: 'io',
    queueRole: 'admin',
    defaults: { maxAttempts: 2, retryDelayMs: 60_000 },
    async run(p, ctx) {
      const directory = isAbsolute(p.directory) ? p.directory : resolve(d.dataDir, p.directory);
      const target = join(directory, scheduledBackupName(now()));
      ctx.log('info', `backing up both stores to ${target}`);
      const result = await backup(d, target, { signal: ctx.signal, progress: (u) => ctx.progress({ processed: u.processed, total: u.total, current: u.current }) });
      ctx.log('info', backupSummary(result));
      const deleted = await pruneBackups(directory, p.keep);
      if (deleted.length) ctx.log('info', `deleted ${deleted.length} older archive(s) beyond the newest ${p.keep}: ${deleted.join(', ')}`);
      return { path: result.path, bytes: result.bytes, tables: result.manifest.tables, deleted };
    },
  });
}

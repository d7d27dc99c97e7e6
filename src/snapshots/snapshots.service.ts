/**
 * The publisher: the process that owns the market store (role web, or all with SNAPSHOT_DIR) writes
 * a snapshot version after each sync that changed data and once at start (what changed while it was
 * down: a CSV import, a demo seed), announces it on the bus, and keeps the newest SNAPSHOT_KEEP
 * versions plus any that queued or running work pins. Publishes are one at a time; calls made while
 * one runs are folded into one more after it.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import type { MarketStore } from '../market/duckdb.ts';
import type { Manifest } from './manifest.ts';
import { publishSnapshot } from './publish.ts';
import { versionsToDelete } from './retention.ts';
import { listDirVersions } from './snapshot-source.ts';
import { announceVersion, pinnedVersions } from './snapshots.repository.ts';

export interface SnapshotPublisher {
  readonly dir: string;
  /** The newest version published (null before the first). */
  latest(): string | null;
  /** Versions in the store, newest first. */
  list(): Promise<Manifest[]>;
  /** Publishes the store's content now; resolves with the version it holds after. */
  publish(reason: string): Promise<Manifest>;
  /** Deletes versions past retention (after every publish too). */
  prune(): Promise<string[]>;
  /** Waits for a publish under way. */
  stop(): Promise<void>;
}

export function makeSnapshotPublisher(o: { market: MarketStore; db: Kysely<Database>; dir: string; keep: number; logger: Logger }): SnapshotPublisher {
  const log = o.logger.child({ component: 'snapshots' });
  let latest: string | null = null;
  let running: Promise<Manifest> | null = null;
  let again: Promise<Manifest> | null = null;

  const prune = async (): Promise<string[]> => {
    const versions = (await listDirVersions(o.dir)).map((m) => m.version);
    const pinned = new Set(await pinnedVersions(o.db));
    const gone = versionsToDelete(versions, o.keep, pinned);
    for (const v of gone) await rm(join(o.dir, v), { recursive: true, force: true });
    if (gone.length) log.info('deleted old snapshot versions', { versions: gone, kept: versions.length - gone.length });
    return gone;
  };

  const once = async (reason: string): Promise<Manifest> => {
    const r = await publishSnapshot(o.market, o.dir);
    latest = r.manifest.version;
    if (r.created) {
      const rows = r.manifest.files.reduce((n, f) => n + f.rows, 0);
      const bytes = r.manifest.files.reduce((n, f) => n + f.bytes, 0);
      log.info('published a market snapshot', { version: latest, reason, rows, mb: Math.round(bytes / 2 ** 20), ms: r.ms });
      await announceVersion(o.db, latest);
    }
    await prune().catch((err) => log.error('snapshot retention failed', { err: err as Error }));
    return r.manifest;
  };

  const publish = (reason: string): Promise<Manifest> => {
    if (!running) {
      running = once(reason).finally(() => {
        running = null;
      });
      return running;
    }
    // One more after the one under way, shared by every call made meanwhile.
    again ??= running.catch(() => undefined).then(() => {
      again = null;
      return publish(reason);
    });
    return again;
  };

  return {
    dir: o.dir,
    latest: () => latest,
    list: () => listDirVersions(o.dir),
    publish,
    prune,
    async stop() {
      await again?.catch(() => {});
      await running?.catch(() => {});
    },
  };
}

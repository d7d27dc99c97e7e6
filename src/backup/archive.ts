import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import type { ReadEntry } from 'tar';
import { manifestName, parseManifest, type BackupManifest, type ManifestFile } from './backup.manifest.ts';

/**
 * The archive itself: a plain tar (the Parquet files are compressed already) of a staging folder,
 * manifest first, written owner-only (mode 0600: it holds password hashes and sealed secrets) to a
 * temporary name and renamed into place, so a half-written archive never carries the final name.
 */

/** A file being written line by line while its sha256 and size are computed. */
export interface HashedWriter {
  write(text: string): Promise<void>;
  end(): Promise<{ bytes: number; sha256: string }>;
}

export function hashedWriter(path: string): HashedWriter {
  const out: WriteStream = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  const hash = createHash('sha256');
  let bytes = 0;
  let failed: Error | null = null;
  out.on('error', (err) => (failed = err));
  return {
    async write(text) {
      if (failed) throw failed;
      const chunk = Buffer.from(text, 'utf8');
      hash.update(chunk);
      bytes += chunk.length;
      if (!out.write(chunk)) await once(out, 'drain');
    },
    async end() {
      out.end();
      await once(out, 'finish');
      if (failed) throw failed;
      return { bytes, sha256: hash.digest('hex') };
    },
  };
}

/** A file's size and sha256, read in a stream. */
export async function hashFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Tars `staging`'s manifest and files into `target` (mode 0600), via a temporary name. */
export async function writeArchive(staging: string, files: readonly ManifestFile[], target: string, signal?: AbortSignal): Promise<number> {
  const partial = `${target}.partial`;
  await rm(partial, { force: true });
  try {
    const pack = tar.c({ cwd: staging, portable: true }, [manifestName, ...files.map((f) => f.path)]);
    await pipeline(pack as unknown as NodeJS.ReadableStream, createWriteStream(partial, { flags: 'wx', mode: 0o600 }), { signal });
    await rename(partial, target);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  return (await stat(target)).size;
}

/** Entries a zquant archive may hold; anything else is skipped on extraction, never written. */
const entryPattern = /^(manifest\.json|secret\.key|postgres\/[a-z_][a-z0-9_]{0,62}\.ndjson|duckdb\/market\.duckdb|duckdb\/[a-z_][a-z0-9_]{0,62}\.parquet|postgres\/|duckdb\/)$/;

/**
 * Extracts `archive` into `dir` and checks it against its manifest: every listed file present with
 * its size and sha256, every table's file listed. Each file is hashed as it is written (one pass
 * over the archive, not a second read of what was extracted). Throws one line naming the first problem.
 */
export async function extractArchive(archive: string, dir: string): Promise<BackupManifest> {
  const seen = new Map<string, { bytes: number; sha256: string }>();
  try {
    // Plain files and folders of the expected names only: no links, devices or paths of any other shape.
    await tar.x({
      file: archive, cwd: dir, strict: true,
      filter: (path, entry) => entryPattern.test(path.replace(/^\.\//, '')) && ('type' in entry ? entry.type === 'File' || entry.type === 'Directory' : true),
      transform: (entry) => (entry.type === 'File' ? (hashing(entry.path.replace(/^\.\//, ''), seen) as unknown as ReadEntry) : undefined),
    });
  } catch (err) {
    throw new Error(`${archive} is not a readable tar archive (${(err as Error).message})`);
  }
  let text: string;
  try {
    text = await readFile(join(dir, manifestName), 'utf8');
  } catch {
    throw new Error(`${archive} has no ${manifestName}; this is not a zquant backup`);
  }
  const manifest = parseManifest(text);
  for (const f of manifest.files) {
    if (!entryPattern.test(f.path)) throw new Error(`${manifestName} lists ${JSON.stringify(f.path)}, which is not a file zquant writes`);
    const actual = seen.get(f.path);
    if (!actual) throw new Error(`${f.path} is listed in the manifest but missing from the archive (archive incomplete?); nothing was restored`);
    if (actual.bytes !== f.bytes || actual.sha256 !== f.sha256) throw new Error(`${f.path} does not match its sha256 in the manifest (archive damaged?); nothing was restored`);
  }
  return manifest;
}

/** A pass-through that records the size and sha256 of what goes through it under `path` once it ends. */
function hashing(path: string, into: Map<string, { bytes: number; sha256: string }>): Transform {
  const hash = createHash('sha256');
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      into.set(path, { bytes, sha256: hash.digest('hex') });
      done();
    },
  });
}

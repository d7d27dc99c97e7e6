/**
 * Where a worker finds snapshot versions: a directory (a shared volume the web process publishes
 * into, SNAPSHOT_DIR) or the web process over HTTP (SNAPSHOT_URL with a worker-scoped token,
 * SNAPSHOT_TOKEN). Both answer the same three questions: which versions exist (newest first), a
 * version's manifest, and one of its files copied to a local path.
 */
import { createWriteStream } from 'node:fs';
import { copyFile, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileNamePattern, manifestFileName, parseManifest, versionPattern, type Manifest } from './manifest.ts';

export interface SnapshotSource {
  /** Where it is, for messages (never a token). */
  readonly describe: string;
  /** Manifests of the versions present, newest first. */
  list(): Promise<Manifest[]>;
  manifest(version: string): Promise<Manifest>;
  /** Copies one file of a version to `dest` (not verified here: the caller checks it against the manifest). */
  copyFile(version: string, name: string, dest: string): Promise<void>;
  /** Where a file can be read in place on this machine (a shared directory), so it need not be copied; absent over HTTP. */
  localPath?(version: string, name: string): string;
}

const newestFirst = (a: Manifest, b: Manifest) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.version < b.version ? 1 : -1);

/** Versions in a directory (dir/<version>/manifest.json); half-written ones (staging) are not versions yet. */
export async function listDirVersions(dir: string): Promise<Manifest[]> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  const out: Manifest[] = [];
  for (const name of names) {
    if (!versionPattern.test(name)) continue;
    const text = await readFile(join(dir, name, manifestFileName), 'utf8').catch(() => null);
    if (text !== null) out.push(parseManifest(text, `snapshot ${name} in ${dir}`));
  }
  return out.sort(newestFirst);
}

function checkName(version: string, name?: string) {
  if (!versionPattern.test(version)) throw new Error(`snapshot version "${version}": expected 16 hex digits`);
  if (name !== undefined && !fileNamePattern.test(name)) throw new Error(`snapshot file "${name}": expected <table>.parquet`);
}

export function dirSource(dir: string): SnapshotSource {
  return {
    describe: `directory ${dir}`,
    list: () => listDirVersions(dir),
    async manifest(version) {
      checkName(version);
      const path = join(dir, version, manifestFileName);
      const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new Error(err.code === 'ENOENT' ? `snapshot ${version} is not in ${dir} (deleted by retention, or never published there)` : `snapshot ${version}: ${err.message}`);
      });
      return parseManifest(text, `snapshot ${version} in ${dir}`);
    },
    async copyFile(version, name, dest) {
      checkName(version, name);
      await stat(join(dir, version, name));
      await copyFile(join(dir, version, name), dest);
    },
    localPath(version, name) {
      checkName(version, name);
      return join(dir, version, name);
    },
  };
}

/** The web process's snapshot API (GET /api/v1/market/snapshots…), with a worker-scoped token. */
export function httpSource(baseUrl: string, token: string, fetchImpl: typeof fetch = fetch): SnapshotSource {
  const base = baseUrl.replace(/\/+$/, '');
  const get = async (path: string): Promise<Response> => {
    const res = await fetchImpl(`${base}/api/v1/market/snapshots${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) {
      const body = await res.text().catch(() => '');
      let message = body.slice(0, 300);
      try {
        message = (JSON.parse(body) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        // not JSON: the text as is
      }
      throw new Error(`snapshot source ${base}: GET ${path || '/'} answered ${res.status}: ${message}`);
    }
    return res;
  };
  return {
    describe: `${base} (HTTP)`,
    async list() {
      const body = (await (await get('')).json()) as { items: unknown[] };
      return body.items.map((m) => parseManifest(JSON.stringify(m), `snapshot list of ${base}`)).sort(newestFirst);
    },
    async manifest(version) {
      checkName(version);
      return parseManifest(await (await get(`/${version}/manifest`)).text(), `snapshot ${version} from ${base}`);
    },
    async copyFile(version, name, dest) {
      checkName(version, name);
      const res = await get(`/${version}/files/${name}`);
      if (!res.body) throw new Error(`snapshot ${version}/${name} from ${base}: empty answer`);
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(dest));
    },
  };
}

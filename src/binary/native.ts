import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { constants, homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { assetKeys } from './manifest.ts';
import { binaryManifest, embeddedBytes } from './sea.ts';

/**
 * Native addons inside the single executable. The bundler replaces every `require('…/x.node')`
 * with `loadAddon(dir, 'x.node')`; the first call extracts that addon and the libraries beside it
 * (libduckdb.so next to duckdb.node, found through its $ORIGIN runpath) into a cache directory
 * named by version and content hash, and later starts load straight from there.
 */

/** Where extracted native files live: ZQUANT_CACHE_DIR, else $XDG_CACHE_HOME/zquant, else ~/.cache/zquant, else the temp dir. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ZQUANT_CACHE_DIR) return env.ZQUANT_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'zquant');
  const home = safeHome();
  if (home) return join(home, '.cache', 'zquant');
  return join(tmpdir(), `zquant-${process.getuid?.() ?? 'user'}`);
}

function safeHome(): string | null {
  try {
    const h = homedir();
    return h && h !== '/' ? h : null;
  } catch {
    return null;
  }
}

const loaded = new Map<string, unknown>();

/** Loads one embedded addon (extracting its directory first when needed) and returns its exports. */
export function loadAddon(dir: string, file: string): unknown {
  const id = `${dir}/${file}`;
  if (loaded.has(id)) return loaded.get(id);
  const path = join(extractNativeDir(dir), file);
  const module = { exports: {} as unknown };
  process.dlopen(module, path, constants.dlopen.RTLD_NOW);
  loaded.set(id, module.exports);
  return module.exports;
}

/** Makes sure `<cache>/<version>-<hash>/<dir>/` holds the addon's files; returns that directory. */
export function extractNativeDir(dir: string): string {
  const m = binaryManifest();
  const sizes = m.native[dir];
  if (!sizes) throw new Error(`no native directory ${dir} in this build`);
  const target = join(cacheRoot(), `${m.version}-${m.nativeHash}`, dir);
  const files = Object.keys(sizes);
  if (isComplete(target, sizes)) return target;
  // Written beside the target and renamed into place, so a concurrent start or a crash halfway
  // never leaves a directory that looks complete but is not.
  const staging = `${target}.tmp-${process.pid}-${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 6)}`;
  mkdirSync(staging, { recursive: true });
  try {
    for (const f of files) writeFileSync(join(staging, f), embeddedBytes(assetKeys.native(dir, f)), { mode: 0o755 });
    rmSync(target, { recursive: true, force: true });
    try {
      renameSync(staging, target);
    } catch (err) {
      // Another process got there first: use its copy when complete.
      if (!isComplete(target, sizes)) throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return target;
}

function isComplete(target: string, sizes: Record<string, number>): boolean {
  if (!existsSync(target)) return false;
  for (const [f, size] of Object.entries(sizes)) {
    const p = join(target, f);
    // Size against the build's record: cheap, and catches a truncated or swapped file (the
    // directory name already pins version and content hash).
    if (!existsSync(p) || statSync(p).size !== size) return false;
  }
  return true;
}

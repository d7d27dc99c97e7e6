import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess, startListening, type CliResult, type ServerProcess } from './process.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const builtBinary = join(root, 'dist', 'zquant');

/** Whether to run the single-executable tests: ZQ_BUILD_BINARY=1 (build first), or a dist/zquant already there. */
export const binaryWanted = process.env.ZQ_BUILD_BINARY === '1' || existsSync(builtBinary);

/** The newest modification time of anything that goes into the executable. */
function newestSource(): number {
  let newest = 0;
  const walk = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['src', 'views', 'migrations', 'public', 'scripts', 'package.json', 'package-lock.json']) walk(join(root, p));
  return newest;
}

/**
 * Builds dist/zquant when ZQ_BUILD_BINARY=1 or when the one there is older than the source (a
 * stale executable would test old code); returns its path.
 */
export function ensureBinary(): string {
  if (process.env.ZQ_BUILD_BINARY === '1' || !existsSync(builtBinary) || statSync(builtBinary).mtimeMs < newestSource()) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build-binary.ts')], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm run build:binary failed (${r.status}):\n${r.stderr}`);
  }
  if (!existsSync(builtBinary)) throw new Error(`no ${builtBinary}; run npm run build:binary`);
  return builtBinary;
}

/**
 * A directory far from the source tree holding only a copy of the executable, plus a home and
 * cache directory of its own: no node_modules on any path above it, nothing extracted yet.
 */
export function isolatedCopy(binary: string): { dir: string; exe: string; env: Record<string, string> } {
  const base = mkdtempSync(join(tmpdir(), 'zq-binary-'));
  const dir = join(base, 'run');
  const home = join(base, 'home');
  mkdirSync(dir);
  mkdirSync(home);
  const exe = join(dir, 'zquant');
  copyFileSync(binary, exe);
  // A clean environment: no NODE_PATH or NODE_OPTIONS, no development settings leaking in.
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: home, XDG_CACHE_HOME: join(home, '.cache'), LANG: 'C.UTF-8' };
  return { dir: base, exe, env };
}

export type BinaryRun = CliResult;

/** Runs the executable to completion with `cwd` as its working directory. */
export function runBinary(exe: string, args: string[], cwd: string, env: Record<string, string>, timeoutMs = 60_000): Promise<BinaryRun> {
  return runProcess(exe, args, { cwd, env }, timeoutMs, `zquant ${args.join(' ')}`);
}

export type BinaryServer = ServerProcess;

/** Starts `zquant serve --port 0` from `cwd` and resolves when it logs where it listens. */
export function startBinaryServer(exe: string, cwd: string, env: Record<string, string>, timeoutMs = 120_000): Promise<BinaryServer> {
  return startListening(exe, ['serve', '--port', '0'], { cwd, env: { LOG_LEVEL: 'info', ...env } }, timeoutMs, 'the executable');
}

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

export interface BinaryRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the executable to completion with `cwd` as its working directory. */
export function runBinary(exe: string, args: string[], cwd: string, env: Record<string, string>, timeoutMs = 60_000): Promise<BinaryRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`zquant ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface BinaryServer {
  child: ChildProcess;
  url: string;
  lines: string[];
  stderr(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `zquant serve --port 0` from `cwd` and resolves when it logs where it listens. */
export function startBinaryServer(exe: string, cwd: string, env: Record<string, string>, timeoutMs = 120_000): Promise<BinaryServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(exe, ['serve', '--port', '0'], { cwd, env: { LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let buffer = '';
    let stderr = '';
    let settled = false;
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`the executable did not start in ${timeoutMs} ms\n${stderr}\n${lines.join('\n')}`));
    }, timeoutMs);
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      buffer += d;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        lines.push(line);
        if (!settled && line.includes('"msg":"listening"')) {
          settled = true;
          clearTimeout(timer);
          resolve({
            child,
            url: (JSON.parse(line) as { url: string }).url,
            lines,
            stderr: () => stderr,
            stop: (signal = 'SIGTERM') => {
              if (child.exitCode === null && child.signalCode === null) child.kill(signal);
              return exited;
            },
          });
        }
      }
    });
    child.on('exit', (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`the executable exited with ${code} before listening\n${stderr}\n${lines.join('\n')}`));
    });
  });
}

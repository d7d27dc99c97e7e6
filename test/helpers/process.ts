import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const cliPath = fileURLToPath(new URL('../../bin/zquant.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program to completion and collects its output; past `timeoutMs` it is killed and the
 * promise rejects naming `what`. The one runner behind `zquant …` as a script and as the executable.
 */
export function runProcess(command: string, args: string[], options: Omit<SpawnOptions, 'stdio'>, timeoutMs: number, what: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs `zquant …` to completion in a child process. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 150_000): Promise<CliResult> {
  // No demo market unless a test asks for it (SEED_DEMO: 'true'): seeding costs seconds per start.
  return runProcess(process.execPath, [cliPath, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', SEED_DEMO: 'false', DEFAULT_LOCALE: 'en', ...env } }, timeoutMs, `zquant ${args.join(' ')}`);
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Every stdout line so far (JSON log lines). */
  lines: string[];
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts a `zquant serve` (the script or the executable, per `command`/`args`) and resolves once it
 * logs where it listens; rejects, naming `what`, when it exits first or takes longer than `timeoutMs`.
 */
export function startListening(command: string, args: string[], options: Omit<SpawnOptions, 'stdio'>, timeoutMs: number, what: string): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let buffer = '';
    let stderr = '';
    let settled = false;
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`${what} did not start in ${timeoutMs} ms\n${stderr}\n${lines.join('\n')}`));
    }, timeoutMs);
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdout!.on('data', (d) => {
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
      reject(new Error(`${what} exited with ${code} before listening\n${stderr}\n${lines.join('\n')}`));
    });
  });
}

/** Starts `zquant serve` on a free port and resolves once it logs where it listens. */
export function startServerProcess(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 150_000): Promise<ServerProcess> {
  // The listening line is info: keep at least that level so the helper sees it.
  const childEnv = { ...process.env, SEED_DEMO: 'false', DEFAULT_LOCALE: 'en', ...env, LOG_LEVEL: env.LOG_LEVEL === 'debug' ? 'debug' : 'info' };
  return startListening(process.execPath, [cliPath, 'serve', '--port', '0', ...args], { env: childEnv }, timeoutMs, 'server');
}

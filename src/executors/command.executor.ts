import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { defineExecutor, RunError } from '../runs/executor-registry.ts';

/**
 * Runs an admin-configured program with an argument array — never through a shell, so nothing in
 * the config is interpreted — in a working directory with added environment variables. The program
 * gets a small base environment (childEnvKeys: PATH, HOME, locale, TZ…), never the server's own
 * (DATABASE_URL, TUSHARE_TOKEN, ZQUANT_ADMIN_PASSWORD stay in the server); stdout and
 * stderr lines go to the run log; exit code 0 succeeds. On cancel or timeout the whole process group
 * gets SIGTERM, then SIGKILL after `killGraceMs`.
 */
export const commandParams = z
  .object({
    program: z.string().min(1, { message: 'expected a program path or name' }).max(1000),
    args: z.array(z.string().max(10_000)).max(1000).default([]),
    cwd: z.string().max(1000).optional(),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'expected an environment variable name' }), z.string().max(10_000)).default({}),
    timeoutSeconds: z.number().int().min(1).max(7 * 86_400).optional(),
    killGraceMs: z.number().int().min(0).max(60_000).default(2000),
  })
  .strict();

/** What a command inherits from the server's environment; anything else must be listed in its `env`. */
export const childEnvKeys = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'TERM'] as const;

function baseEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of childEnvKeys) {
    const v = process.env[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export const commandExecutor = defineExecutor({
  name: 'command',
  description: 'runs a program with arguments (no shell); output goes to the run log; exit code 0 succeeds',
  params: commandParams,
  kind: 'io',
  queueRole: 'admin',
  async run(p, ctx) {
    ctx.signal.throwIfAborted();
    ctx.log('info', `running ${JSON.stringify([p.program, ...p.args])}${p.cwd ? ` in ${p.cwd}` : ''}`);
    const child = spawn(p.program, p.args, {
      cwd: p.cwd,
      env: { ...baseEnv(), ...p.env },
      shell: false,
      detached: true, // its own process group: a cancel reaches grandchildren too
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let timedOut = false;
    let killTimer: NodeJS.Timeout | null = null;
    const killGroup = (why: string) => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      ctx.log('warn', `stopping the process group (${why})`);
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      killTimer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, p.killGraceMs);
    };
    const onAbort = () => killGroup(String(ctx.signal.reason ?? 'aborted'));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const ownTimer = p.timeoutSeconds
      ? setTimeout(() => {
          timedOut = true;
          killGroup(`timeout of ${p.timeoutSeconds} s`);
        }, p.timeoutSeconds * 1000)
      : null;
    let lines = 0;
    createInterface({ input: child.stdout! }).on('line', (l) => {
      lines++;
      ctx.log('info', l);
    });
    createInterface({ input: child.stderr! }).on('line', (l) => {
      lines++;
      ctx.log('warn', l);
    });
    try {
      const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
        child.once('error', (err) => reject(new RunError('spawn_failed', `${p.program}: ${err.message}`, { retryable: false })));
        child.once('close', (code, signal) => resolve({ code, signal }));
      });
      ctx.signal.throwIfAborted();
      if (timedOut) throw new RunError('timeout', `${p.program} ran longer than ${p.timeoutSeconds} s and was killed`);
      if (code !== 0) throw new RunError('exit_code', `${p.program} exited with ${code === null ? `signal ${signal}` : `code ${code}`}`, { detail: { code, signal } });
      ctx.log('info', `exited with code 0`);
      return { exitCode: 0, lines };
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      if (ownTimer) clearTimeout(ownTimer);
      if (killTimer) clearTimeout(killTimer);
    }
  },
});

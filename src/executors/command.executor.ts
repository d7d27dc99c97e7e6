import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { defineExecutor, RunError } from '../runs/executor-registry.ts';
import { isSealed, sealedSecretSchema, secretMask, SecretUnavailableError, type SecretBox } from '../secrets/secret-box.ts';

/**
 * Runs an admin-configured program with an argument array — never through a shell, so nothing in
 * the config is interpreted — in a working directory with added environment variables. The program
 * gets a small base environment (childEnvKeys and LC_*: PATH, HOME, locale, TZ…), never the server's
 * own (DATABASE_URL, TUSHARE_TOKEN, ZQUANT_ADMIN_PASSWORD stay in the server); stdout and
 * stderr lines go to the run log; exit code 0 succeeds. On cancel or timeout the whole process group
 * gets SIGTERM, then SIGKILL after `kill_grace_ms`.
 *
 * An env value or argument may be a sealed secret (src/scheduler/task-secrets.ts seals them when a
 * task is saved): it is opened only here, just before the spawn, and shown as •••• in the run log,
 * which also has every secret's text masked out of the program's output.
 */
const plainOrSecret = z.union([z.string().max(10_000), sealedSecretSchema]);
export const commandParams = z
  .object({
    program: z.string().min(1, { message: 'expected a program path or name' }).max(1000),
    args: z.array(plainOrSecret).max(1000).default([]),
    cwd: z.string().max(1000).optional(),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'expected an environment variable name' }), plainOrSecret).default({}),
    timeout_seconds: z.number().int().min(1).max(7 * 86_400).optional(),
    kill_grace_ms: z.number().int().min(0).max(60_000).default(2000),
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
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith('LC_') && v !== undefined) out[k] = v;
  return out;
}

/** Output lines with every secret's text replaced by the mask (a program may echo what it was given). */
function masker(secrets: string[]): (line: string) => string {
  // Very short secrets would mask ordinary words; they are masked only in the command line shown.
  const long = secrets.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  if (!long.length) return (l) => l;
  return (line) => {
    let out = line;
    for (const s of long) if (out.includes(s)) out = out.split(s).join(secretMask);
    return out;
  };
}

/** The `command` executor; `secrets` opens sealed values (none: a task with secrets fails saying so). */
export function makeCommandExecutor(secrets: SecretBox | null) {
  return defineExecutor({
    name: 'command',
    description: 'runs a program with arguments (no shell); output goes to the run log; exit code 0 succeeds',
    params: commandParams,
    kind: 'io',
    queueRole: 'admin',
    async run(p, ctx) {
      ctx.signal.throwIfAborted();
      const opened: string[] = [];
      const open = (v: string | { secret: true; sealed: string }): string => {
        if (!isSealed(v)) return v;
        if (!secrets) throw new RunError('secret_unavailable', 'this task has secrets but the server was started without its secret key', { retryable: false });
        try {
          const plain = secrets.open(v);
          opened.push(plain);
          return plain;
        } catch (err) {
          if (err instanceof SecretUnavailableError) throw new RunError('secret_unavailable', err.message, { retryable: false });
          throw err;
        }
      };
      const shown = [p.program, ...p.args.map((a) => (isSealed(a) ? secretMask : a))];
      ctx.log('info', `running ${JSON.stringify(shown)}${p.cwd ? ` in ${p.cwd}` : ''}`);
      const args = p.args.map(open);
      const env: Record<string, string> = baseEnv();
      for (const [k, v] of Object.entries(p.env)) env[k] = open(v);
      const mask = masker(opened);
      const child = spawn(p.program, args, {
        cwd: p.cwd,
        env,
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
        }, p.kill_grace_ms);
      };
      const onAbort = () => killGroup(String(ctx.signal.reason ?? 'aborted'));
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      const ownTimer = p.timeout_seconds
        ? setTimeout(() => {
            timedOut = true;
            killGroup(`timeout of ${p.timeout_seconds} s`);
          }, p.timeout_seconds * 1000)
        : null;
      let lines = 0;
      createInterface({ input: child.stdout! }).on('line', (l) => {
        lines++;
        ctx.log('info', mask(l));
      });
      createInterface({ input: child.stderr! }).on('line', (l) => {
        lines++;
        ctx.log('warn', mask(l));
      });
      try {
        const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
          child.once('error', (err) => reject(new RunError('spawn_failed', `${p.program}: ${err.message}`, { retryable: false })));
          child.once('close', (code, signal) => resolve({ code, signal }));
        });
        ctx.signal.throwIfAborted();
        if (timedOut) throw new RunError('timeout', `${p.program} ran longer than ${p.timeout_seconds} s and was killed`);
        if (code !== 0) throw new RunError('exit_code', `${p.program} exited with ${code === null ? `signal ${signal}` : `code ${code}`}`, { detail: { code, signal } });
        ctx.log('info', `exited with code 0`);
        return { exit_code: 0, lines };
      } finally {
        ctx.signal.removeEventListener('abort', onAbort);
        if (ownTimer) clearTimeout(ownTimer);
        if (killTimer) clearTimeout(killTimer);
      }
    },
  });
}

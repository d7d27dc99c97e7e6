import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRemote } from '../../src/admin/admin.client.ts';
import { startAdminServer } from '../../src/admin/admin.server.ts';
import { heldMessage, lockDataDir } from '../../src/admin/data-dir-lock.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'zq-lock-'));
  dirs.push(d);
  return d;
}
const request = (command: string) => ({ command, args: ['create', '--username', 'x'], stdin: null, cwd: '/', tty: false });

describe('the data directory lock', () => {
  it('is taken once; the second taker learns who holds it; release removes the socket', async () => {
    const dir = tempDir();
    const first = await lockDataDir(dir);
    if (!first.acquired) throw new Error('expected the lock');
    const admin = startAdminServer(first.lock, { pid: process.pid, role: 'token create', version: 'test' }, { dataDir: dir });
    expect(statSync(first.lock.socketPath).mode & 0o777).toBe(0o600);
    const second = await lockDataDir(dir);
    expect(second).toMatchObject({ acquired: false, holder: { pid: process.pid, role: 'token create' } });
    if (second.acquired) throw new Error('unreachable');
    expect(heldMessage(dir, second)).toBe(`DATA_DIR ${dir} is in use by \`zquant token create\` (pid ${process.pid}); start the server when it has finished`);
    // A holder that is not a server answers every command that it is busy.
    let stderr = '';
    const code = await runRemote(first.lock.socketPath, request('user'), { stdout: () => {}, stderr: (t) => (stderr += t) });
    expect(code).toBe(1);
    expect(stderr).toBe(`zquant user: DATA_DIR ${dir} is in use by \`zquant token create\` (pid ${process.pid}); run this again when it has finished\n`);
    await admin.stop();
    await first.lock.release();
    expect(existsSync(first.lock.socketPath)).toBe(false);
    const third = await lockDataDir(dir);
    expect(third.acquired).toBe(true);
    if (third.acquired) await third.lock.release();
  });

  it('takes over the socket file a killed process left behind', async () => {
    const dir = tempDir();
    const path = join(dir, 'admin.sock');
    // A process that binds the socket and is then killed with SIGKILL: its file stays, nobody answers it.
    const child = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const whileAlive = await lockDataDir(dir);
    expect(whileAlive.acquired).toBe(false);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(path)).toBe(true);
    const after = await lockDataDir(dir);
    expect(after.acquired).toBe(true);
    if (after.acquired) await after.lock.release();
  });

  it('of several takers of one stale socket at once, exactly one gets it', async () => {
    const dir = tempDir();
    const path = join(dir, 'admin.sock');
    const child = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const attempts = await Promise.all(Array.from({ length: 8 }, () => lockDataDir(dir)));
    const winners = attempts.filter((a) => a.acquired);
    expect(winners).toHaveLength(1);
    // The losers saw a holder that does not answer hello (no admin server here), so they name none.
    expect(attempts.filter((a) => !a.acquired && a.holder === null)).toHaveLength(7);
    for (const w of winners) if (w.acquired) await w.lock.release();
  });

  it('a server that is starting answers commands once ready', async () => {
    const dir = tempDir();
    const attempt = await lockDataDir(dir);
    if (!attempt.acquired) throw new Error('expected the lock');
    const admin = startAdminServer(attempt.lock, { pid: process.pid, role: 'serve', version: 'test' }, { dataDir: dir });
    let stdout = '';
    const pending = runRemote(attempt.lock.socketPath, request('token'), { stdout: (t) => (stdout += t), stderr: () => {} });
    await new Promise((r) => setTimeout(r, 50));
    admin.ready(async (req, io) => {
      io.stdout(`ran ${req.command} ${req.args.join(' ')}\n`);
      return 0;
    });
    expect(await pending).toBe(0);
    expect(stdout).toBe('ran token create --username x\n');
    await admin.stop();
    await attempt.lock.release();
  });

  it('refuses a data directory too long for a Unix socket path, saying what to do', async () => {
    await expect(lockDataDir(join(tempDir(), 'x'.repeat(120)))).rejects.toThrow(/too long a path for its admin socket .* use a shorter --data-dir/);
  });
});

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunsRuntime } from '../../src/runs/runs.runtime.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
let runtime: RunsRuntime;
beforeAll(async () => {
  t = await makeTestApp({}, { serverExecutors: true, workers: {} });
  runtime = t.runtime!;
}, 30_000);
afterAll(() => t?.close(), 30_000);

const node = process.execPath;
const finish = (id: number) => runtime.service.waitForRun(id, { timeoutMs: 20_000 });
const logText = async (id: number) => (await runtime.service.logs(id, 200)).map((e) => (e.data as { message: string }).message);
/** Whether a process still runs (an orphan killed but not yet reaped by a container's init is a zombie: not running). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('command executor', () => {
  it('runs a program without a shell: arguments arrive verbatim, env additions apply, stdout/stderr land in the log', async () => {
    const run = await runtime.service.queueRun({
      executor: 'command',
      params: { program: node, args: ['-e', 'console.log(process.argv[1], process.env.ZQ_X); console.error("to stderr")', '$HOME; echo pwned'], env: { ZQ_X: 'added' } },
    });
    const done = await finish(run.id);
    expect(done.status).toBe('succeeded');
    const lines = await logText(run.id);
    // A shell would have expanded $HOME and run `echo`; the argument arrives untouched.
    expect(lines).toContain('$HOME; echo pwned added');
    expect(lines).toContain('to stderr');
  });

  it("passes only a base environment and the task's additions, never the server's secrets", async () => {
    process.env.ZQ_SECRET_FOR_TEST = 'server-only';
    try {
      const run = await runtime.service.queueRun({
        executor: 'command',
        params: { program: node, args: ['-e', 'console.log(JSON.stringify(Object.keys(process.env).sort()))'], env: { ZQ_Y: '1' } },
      });
      const done = await finish(run.id);
      expect(done.status).toBe('succeeded');
      const keys: string[] = JSON.parse((await logText(run.id)).find((l) => l.startsWith('['))!);
      expect(keys).toContain('ZQ_Y');
      expect(keys).toContain('PATH');
      expect(keys).not.toContain('ZQ_SECRET_FOR_TEST');
      expect(keys).not.toContain('DATABASE_URL');
    } finally {
      delete process.env.ZQ_SECRET_FOR_TEST;
    }
  });

  it('a non-zero exit code fails the run with that code', async () => {
    const run = await runtime.service.queueRun({ executor: 'command', params: { program: node, args: ['-e', 'process.exit(3)'] } });
    const done = await finish(run.id);
    expect(done.status).toBe('failed');
    expect(done.error?.message).toMatch(/exited with code 3/);
  });

  it('a missing program fails without retrying', async () => {
    const run = await runtime.service.queueRun({ executor: 'command', params: { program: '/no/such/program' }, maxAttempts: 3 });
    const done = await finish(run.id);
    expect(done.status).toBe('failed');
    expect(done.attempt).toBe(1);
  });

  it('a timeout kills the whole process group (a grandchild too)', async () => {
    // The child starts a grandchild and prints its pid, then both sleep far longer than the timeout.
    const script = `const {spawn}=require('child_process');const g=spawn(process.execPath,['-e','setTimeout(()=>{},60000)'],{stdio:'ignore'});console.log('grandchild',g.pid);setTimeout(()=>{},60000)`;
    const run = await runtime.service.queueRun({ executor: 'command', params: { program: node, args: ['-e', script], timeout_seconds: 1, kill_grace_ms: 500 } });
    const done = await finish(run.id);
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe('timeout');
    const pid = Number((await logText(run.id)).find((l) => l.startsWith('grandchild'))!.split(' ')[1]);
    expect(alive(pid)).toBe(false);
  });

  it('cancel kills the process and the run ends cancelled', async () => {
    const run = await runtime.service.queueRun({ executor: 'command', params: { program: node, args: ['-e', 'console.log("started", process.pid); setTimeout(()=>{}, 60000)'] } });
    // Wait for the "started" log line through the run's own event stream (no sleeping).
    const ac = new AbortController();
    let pid = 0;
    for await (const e of runtime.service.follow(run.id, 0, ac.signal)) {
      if (e.kind === 'log' && String((e.data as { message: string }).message).startsWith('started')) {
        pid = Number((e.data as { message: string }).message.split(' ')[1]);
        break;
      }
    }
    ac.abort();
    await runtime.service.cancel(run.id);
    const done = await finish(run.id);
    expect(done.status).toBe('cancelled');
    expect(alive(pid)).toBe(false);
  });
});

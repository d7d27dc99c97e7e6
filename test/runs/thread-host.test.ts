import { describe, expect, it } from 'vitest';
import { makeThreadPool, runInThread } from '../../src/runs/thread-host.ts';

const task = new URL('./fixtures/count.thread.ts', import.meta.url);
const keptTask = new URL('./fixtures/kept.thread.ts', import.meta.url);

describe('runInThread', () => {
  it('runs a task on a worker thread, relaying progress and checkpoints', async () => {
    const progress: number[] = [];
    const checkpoints: unknown[] = [];
    const sum = await runInThread<{ n: number; chunk: number }, number>(task, { n: 1000, chunk: 250 }, {
      signal: new AbortController().signal,
      onProgress: (u) => progress.push(u.processed!),
      onCheckpoint: (s) => checkpoints.push(s),
    });
    // Sum of 0..999 = 999·1000/2.
    expect(sum).toBe(499_500);
    expect(progress).toEqual([250, 500, 750, 1000]);
    expect(checkpoints.at(-1)).toEqual({ i: 1000 });
  });

  it('stops the task when the signal aborts', async () => {
    const ac = new AbortController();
    const p = runInThread(task, { n: 1e12, chunk: 1000 }, { signal: ac.signal, onProgress: () => ac.abort('cancel') });
    await expect(p).rejects.toBe('cancel');
  });
});

describe('makeThreadPool', () => {
  const hooks = () => ({ signal: new AbortController().signal });

  it('runs the next task on the thread that answered the last (its modules loaded once), a thread per task at once', async () => {
    const pool = makeThreadPool(keptTask, { idleMs: 60_000 });
    const a = await pool.run<{ ms: number }, { threadId: number; served: number }>({ ms: 0 }, hooks());
    expect(pool.idle()).toBe(1);
    const b = await pool.run<{ ms: number }, { threadId: number; served: number }>({ ms: 0 }, hooks());
    expect(b).toEqual({ threadId: a.threadId, served: 2 });
    // Two at once: the kept thread and a new one; both kept afterwards.
    const [c, d] = await Promise.all([pool.run<{ ms: number }, { threadId: number; served: number }>({ ms: 50 }, hooks()), pool.run<{ ms: number }, { threadId: number; served: number }>({ ms: 50 }, hooks())]);
    expect(new Set([c.threadId, d.threadId]).size).toBe(2);
    expect([c.served, d.served].sort()).toEqual([1, 3]);
    expect(pool.idle()).toBe(2);
  });

  it('ends an idle thread after idleMs, and does not keep one whose task was aborted', async () => {
    const pool = makeThreadPool(keptTask, { idleMs: 100 });
    await pool.run({ ms: 0 }, hooks());
    expect(pool.idle()).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(pool.idle()).toBe(0);
    const ac = new AbortController();
    await expect(pool.run({ ms: 200 }, { signal: ac.signal, onProgress: () => ac.abort('cancel') })).rejects.toBe('cancel');
    expect(pool.idle()).toBe(0);
    // The next task gets a new thread.
    expect(await pool.run({ ms: 0 }, hooks())).toMatchObject({ served: 1 });
  });
});

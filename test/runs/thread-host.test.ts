import { describe, expect, it } from 'vitest';
import { runInThread } from '../../src/runs/thread-host.ts';

const task = new URL('./fixtures/count.thread.ts', import.meta.url);

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

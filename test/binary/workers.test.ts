import { describe, expect, it } from 'vitest';
import { startWorker } from '../../src/binary/workers.ts';

describe('worker entries', () => {
  it('starts a listed entry from the source tree (TypeScript through tsx) and talks to it', async () => {
    const worker = startWorker('probe', { workerData: { hello: 'world' } });
    const message = await new Promise<unknown>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(message).toMatchObject({ binary: false, echo: { hello: 'world' } });
    expect((message as { threadId: number }).threadId).toBeGreaterThan(0);
  });

  it('names the list to add to for an unknown entry', () => {
    expect(() => startWorker('nope')).toThrow(/add it to workerEntries/);
  });
});

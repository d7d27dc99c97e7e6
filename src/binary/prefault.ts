import { Worker } from 'node:worker_threads';

/**
 * Faults in the pages of freshly allocated SharedArrayBuffers on a helper thread while the caller
 * goes on filling them. A full-market panel is ~1 GB of new memory, and the first write to each page
 * costs a page fault (on a virtual machine, often a round trip to the host as well): measured on the
 * 5,000 × 2,440 bench market, scattering the bars into fresh arrays took 2.8–3.9 s and into
 * already-touched ones 2.1–2.3 s, while the other core sat half idle. Touching them from a second
 * thread moves that cost off the thread that fills them.
 *
 * The helper writes each page with `Atomics.compareExchange(byte, 0, 0)`: one atomic instruction that
 * leaves the byte as it finds it, so a value the caller stores there at the same moment is never lost
 * (a plain store of 0 could overwrite it). Not `Atomics.or(byte, 0)`, which V8 builds as a load then
 * a compare-and-swap: the load maps the shared zero page, and the write that follows takes a second,
 * copy-on-write fault whose TLB flush interrupts every thread of the process (an IPI, costly on a VM).
 * Measured on the 5,000 × 2,440 bench market, loading the bars with 4 KB pages: 2.80–3.25 s with
 * `or`, 1.44–1.64 s with `compareExchange`; touching 1 GB alone on one thread: 0.79–0.80 s against
 * 0.45–0.46 s. (With glibc's hugetlb tunable, as the bench runner sets, there are 512× fewer faults
 * and the two measure the same.)
 * One thread serves every call, started on first use (~55 ms) and kept, unreferenced while idle so
 * that it never holds the process open.
 *
 * Best effort: the promise always resolves; if the helper cannot start or dies, the caller's own
 * writes fault the pages in as they would have anyway.
 */
export function prefault(buffers: readonly ArrayBufferLike[]): Promise<void> {
  const shared = buffers.filter((b): b is SharedArrayBuffer => b instanceof SharedArrayBuffer && b.byteLength > 0);
  if (shared.length === 0) return Promise.resolve();
  const w = helper();
  if (!w) return Promise.resolve();
  const id = ++lastId;
  return new Promise<void>((resolve) => {
    pending.set(id, resolve);
    w.ref();
    w.postMessage({ id, buffers: shared, stride: pageSize });
  });
}

// 4 KB pages; with transparent huge pages every 512th touch faults and the rest are cheap.
const pageSize = 4096;

const source = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, buffers, stride }) => {
  for (const b of buffers) {
    const u = new Uint8Array(b);
    for (let i = 0; i < u.length; i += stride) Atomics.compareExchange(u, i, 0, 0);
  }
  parentPort.postMessage(id);
});`;

let worker: Worker | null = null;
let lastId = 0;
const pending = new Map<number, () => void>();

function helper(): Worker | null {
  if (worker) return worker;
  try {
    const w = new Worker(source, { eval: true, name: 'prefault', resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } });
    w.unref();
    w.on('message', (id: number) => {
      pending.get(id)?.();
      pending.delete(id);
      if (pending.size === 0) w.unref();
    });
    const gone = () => {
      if (worker === w) worker = null;
      for (const resolve of pending.values()) resolve();
      pending.clear();
    };
    w.on('error', gone);
    w.on('exit', gone);
    worker = w;
    return w;
  } catch {
    return null;
  }
}

import { describe, expect, it } from 'vitest';
import { prefault } from '../../src/binary/prefault.ts';

describe('prefault', () => {
  it('keeps what the caller writes while the helper touches the same pages', async () => {
    // 64 MB: every 4096th byte is one the helper writes too. The caller writes them from the end
    // backwards, so its writes and the helper's forward sweep cross; a helper that stored 0 instead
    // of an atomic compare-exchange of 0 with 0 would wipe whatever the caller wrote before it got there.
    const buffer = new SharedArrayBuffer(64 * 2 ** 20);
    const bytes = new Uint8Array(buffer);
    const done = prefault([buffer]);
    const pages = bytes.length / 4096;
    for (let p = pages - 1; p >= 0; p--) {
      bytes[p * 4096] = 7;
      bytes[p * 4096 + 1] = 9;
      if (p % 1024 === 0) await new Promise((r) => setImmediate(r));
    }
    await done;
    let sevens = 0;
    let nines = 0;
    for (let p = 0; p < pages; p++) {
      if (bytes[p * 4096] === 7) sevens++;
      if (bytes[p * 4096 + 1] === 9) nines++;
    }
    expect([sevens, nines]).toEqual([pages, pages]);
    // And untouched bytes stay zero.
    expect([bytes[2], bytes[4098], bytes[bytes.length - 1]]).toEqual([0, 0, 0]);
  });

  it('leaves plain ArrayBuffers alone and resolves at once', async () => {
    const plain = new ArrayBuffer(1024);
    await expect(prefault([plain])).resolves.toBeUndefined();
    expect(new Uint8Array(plain).every((b) => b === 0)).toBe(true);
  });
});

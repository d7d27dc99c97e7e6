import { describe, expect, it } from 'vitest';
import { readBundledFile } from '../../src/binary/files.ts';
import { cacheRoot } from '../../src/binary/native.ts';
import { publicFiles } from '../../src/binary/public-files.ts';
import { isBinary } from '../../src/binary/sea.ts';

describe('runtime seams under node (the binary side runs in test/binary)', () => {
  it('knows it is not the single executable', () => {
    expect(isBinary()).toBe(false);
  });

  it('reads bundled data files from the source tree', () => {
    // Every WebAssembly module starts with the magic bytes \0asm.
    expect([...readBundledFile('pglite/pglite.wasm').subarray(0, 4)]).toEqual([0, 0x61, 0x73, 0x6d]);
    expect(() => readBundledFile('nope')).toThrow(/add it to bundledFiles/);
  });

  it('reads public/ from the source tree', () => {
    const files = publicFiles();
    expect(files.has('css/app.css')).toBe(true);
    expect(files.has('vendor/htmx-4.0.1.min.js')).toBe(true);
  });

  it('puts the native cache in ZQUANT_CACHE_DIR, else XDG_CACHE_HOME, else ~/.cache', () => {
    expect(cacheRoot({ ZQUANT_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' })).toBe('/c');
    expect(cacheRoot({ XDG_CACHE_HOME: '/x' })).toBe('/x/zquant');
    expect(cacheRoot({})).toMatch(/\/\.cache\/zquant$|zquant-/);
  });
});

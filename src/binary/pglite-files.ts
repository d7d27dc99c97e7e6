import type { PGliteOptions } from '@electric-sql/pglite';
import { embeddedFile, isBinary } from './sea.ts';

type WasmModule = NonNullable<PGliteOptions['pgliteWasmModule']>;
// The WebAssembly global, typed here: the project's lib (ES2023 + node) leaves it out.
const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array<ArrayBuffer>): Promise<WasmModule> } }).WebAssembly;

/**
 * PGlite's WASM modules and file-system bundle. Under node PGlite reads them from its package
 * folder itself (so this is empty); the binary has no package folder and hands them in from the
 * embedded copies, which is what PGlite's `pgliteWasmModule`, `initdbWasmModule` and `fsBundle`
 * options are for.
 */
export interface PgliteFiles {
  pgliteWasmModule?: WasmModule;
  initdbWasmModule?: WasmModule;
  fsBundle?: Blob;
}

/** The embedded names and the file each is, beside the package's entry file (its dist/); for the build script. */
export const pgliteEmbedded = {
  'pglite/pglite.wasm': { package: '@electric-sql/pglite', file: 'pglite.wasm' },
  'pglite/initdb.wasm': { package: '@electric-sql/pglite', file: 'initdb.wasm' },
  'pglite/pglite.data': { package: '@electric-sql/pglite', file: 'pglite.data' },
} as const;

let compiled: Promise<PgliteFiles> | null = null;

export function pgliteFiles(): Promise<PgliteFiles> {
  if (!isBinary()) return Promise.resolve({});
  // Compiled once per process: a second PGlite (tests, tools) reuses the modules.
  compiled ??= (async () => {
    const [pgliteWasmModule, initdbWasmModule] = await Promise.all([
      wasm.compile(embeddedFile('pglite/pglite.wasm')),
      wasm.compile(embeddedFile('pglite/initdb.wasm')),
    ]);
    return { pgliteWasmModule, initdbWasmModule, fsBundle: new Blob([embeddedFile('pglite/pglite.data')]) };
  })();
  return compiled;
}

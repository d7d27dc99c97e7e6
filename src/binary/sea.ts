import { assetKeys, type BinaryManifest } from './manifest.ts';

/**
 * Whether this process is the single executable (a Node.js SEA built by `npm run build:binary`),
 * and the files embedded in it. Everything that would otherwise read a file relative to a module
 * path asks here first; in the source tree (npm start, tests) none of this is used.
 */
type SeaModule = { isSea(): boolean; getAsset(key: string): ArrayBuffer };

// `node:sea` is loaded through getBuiltinModule rather than imported: a static import would make
// tsx, vitest and the bundler each resolve it their own way.
const sea = process.getBuiltinModule('node:sea') as SeaModule;

const binary = sea.isSea();

/** True inside the single executable, false under `node` (npm start, tests). */
export function isBinary(): boolean {
  return binary;
}

/** An embedded file's bytes (a copy-free view of the asset). Throws outside the binary. */
export function embeddedBytes(key: string): Uint8Array<ArrayBuffer> {
  if (!binary) throw new Error(`embedded asset ${key} asked for outside the single executable`);
  return new Uint8Array(sea.getAsset(key));
}

let manifest: BinaryManifest | null = null;
/** The build's manifest (what was embedded); only inside the binary. */
export function binaryManifest(): BinaryManifest {
  manifest ??= JSON.parse(new TextDecoder().decode(embeddedBytes(assetKeys.manifest))) as BinaryManifest;
  return manifest;
}

/** A data file embedded with the build's `files` list, by logical name (e.g. `pglite/pglite.wasm`). */
export function embeddedFile(name: string): Uint8Array<ArrayBuffer> {
  return embeddedBytes(assetKeys.file(name));
}

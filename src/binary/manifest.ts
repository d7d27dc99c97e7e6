/**
 * What the build put into the executable, written by scripts/build-binary.ts as the SEA asset
 * `zquant/manifest.json` and read back at run time. Shared here so both sides agree on the shape.
 */
export interface BinaryManifest {
  version: string;
  /** sha256 (first 16 hex) over every native file: names the extraction directory, so a new build never reuses old files. */
  nativeHash: string;
  /**
   * Native addons and the libraries beside them with their sizes, by directory key:
   * `{ "duckdb+node-bindings-linux-x64": { "duckdb.node": 484840, "libduckdb.so": 70546800 } }`.
   * Sizes let a start check the cache without copying the embedded bytes out.
   */
  native: Record<string, Record<string, number>>;
  /** Every file under public/, by its path there (`css/app.css`). */
  public: string[];
  /** Other embedded data files by logical name (e.g. `pglite/pglite.wasm`). */
  files: string[];
  /** Worker entries bundled on their own (src/binary/workers.ts). */
  workers: string[];
}

/** SEA asset keys. One place, so build and run time cannot drift. */
export const assetKeys = {
  manifest: 'zquant/manifest.json',
  native: (dir: string, file: string) => `native/${dir}/${file}`,
  public: (name: string) => `public/${name}`,
  file: (name: string) => `file/${name}`,
  worker: (name: string) => `worker/${name}.cjs`,
} as const;

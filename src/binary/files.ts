import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pgliteEmbedded } from './pglite-files.ts';
import { embeddedFile, isBinary } from './sea.ts';

/**
 * Data files the server reads at run time (not code, not public/), by logical name. The build
 * embeds each; `readBundledFile` returns it from the executable, or from the source tree under
 * node. A feature that needs a data file adds it HERE instead of reading a path relative to its
 * module. `package` + `file`: beside that package's entry file; `path`: relative to the project root.
 */
export type BundledFileSource = { package: string; file: string } | { path: string };

export const bundledFiles: Record<string, BundledFileSource> = {
  ...pgliteEmbedded,
};

const projectRoot = () => fileURLToPath(new URL('../../', import.meta.url));

/** Where a bundled file is in the source tree (build time, and run time under node). */
export function bundledFileSourcePath(source: BundledFileSource, root = projectRoot()): string {
  if ('path' in source) return join(root, source.path);
  const require = createRequire(join(root, 'package.json'));
  // Beside the package's entry file: packages' exports rarely list their data files.
  return join(dirname(require.resolve(source.package)), source.file);
}

export function readBundledFile(name: string): Uint8Array {
  const source = bundledFiles[name];
  if (!source) throw new Error(`no bundled file named ${name}; add it to bundledFiles in src/binary/files.ts`);
  if (isBinary()) return embeddedFile(name);
  return readFileSync(bundledFileSourcePath(source));
}

/**
 * Files the build generates from the source (not data in the tree), by logical name → their entry
 * file (from the project root). The build makes each one and embeds it; at run time `generatedFile`
 * hands back that output inside the binary, or the entry's path under node, where the caller builds
 * it from the source itself (so `npm start` needs no build step).
 */
export const generatedFiles = {
  // The isolate's program (src/engine/sandbox/bundle.ts; same esbuild options at build time).
  'sandbox/isolate.js': 'src/engine/sandbox/isolate-entry.ts',
} as const;

export function generatedFile(name: keyof typeof generatedFiles): { embedded: Uint8Array } | { entry: string } {
  if (isBinary()) return { embedded: embeddedFile(name) };
  return { entry: join(projectRoot(), generatedFiles[name]) };
}

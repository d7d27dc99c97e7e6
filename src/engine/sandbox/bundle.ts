/**
 * The isolate's program: src/engine/sandbox/isolate-entry.ts with the engine and zod. From the
 * source tree it is bundled by esbuild on first use in this process (≈100 ms) and kept in memory,
 * so `npm start` needs no build step and the bundle always matches the source; the single
 * executable carries the one the build made with the same options (isolate-build.ts).
 */
import { build } from 'esbuild';
import { generatedFile } from '../../binary/files.ts';
import { isolateBuildOptions } from './isolate-build.ts';

let bundle: Promise<string> | null = null;

export function isolateBundle(): Promise<string> {
  bundle ??= (async () => {
    const file = generatedFile('sandbox/isolate.js');
    if ('embedded' in file) return new TextDecoder().decode(file.embedded);
    const r = await build({ ...isolateBuildOptions, entryPoints: [file.entry] });
    return r.outputFiles[0].text;
  })();
  return bundle;
}

/**
 * The isolate's program: src/backtest/sandbox/isolate-entry.ts with the engine and zod, bundled by
 * esbuild on first use in this process (≈100 ms) and kept in memory. Built at run time rather than
 * at build time so `npm start` needs no build step and the bundle always matches the source.
 * platform 'browser' makes esbuild refuse any Node built-in the engine might import by mistake.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

let bundle: Promise<string> | null = null;

export function isolateBundle(): Promise<string> {
  bundle ??= build({
    entryPoints: [fileURLToPath(new URL('./isolate-entry.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    legalComments: 'none',
    minify: true,
    keepNames: true,
    logLevel: 'silent',
  }).then((r) => r.outputFiles[0].text);
  return bundle;
}

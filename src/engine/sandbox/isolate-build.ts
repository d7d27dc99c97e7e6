/**
 * esbuild options for the isolate's program (src/engine/sandbox/isolate-entry.ts with the engine
 * and zod), shared by bundle.ts (run time, from the source tree) and scripts/build-binary.ts
 * (build time, embedded in the single executable). platform 'browser' makes esbuild refuse any
 * Node built-in the engine might import by mistake.
 */
export const isolateBuildOptions = {
  bundle: true,
  write: false,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  legalComments: 'none',
  minify: true,
  keepNames: true,
  logLevel: 'silent',
} as const;

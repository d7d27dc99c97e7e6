import { defineConfig } from 'vitest/config';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'hono/jsx' },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Every app createApp builds checks its answers for stacks and file paths (issue 16).
    setupFiles: ['test/helpers/no-internals.setup.ts'],
    // Native addons (DuckDB, isolated-vm) are safest in child processes, one file per process.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});

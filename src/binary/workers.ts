import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { assetKeys } from './manifest.ts';
import { embeddedBytes, isBinary } from './sea.ts';

/**
 * Worker-thread entry points, by name → source file (from the project root). A feature that runs
 * work on `worker_threads` lists its entry HERE and starts it with `startWorker(name)`, never with
 * `new Worker(new URL('./x.ts', import.meta.url))`: inside the single executable there is no file
 * to start. The build bundles each entry on its own (same rules as the server) and embeds it; the
 * binary starts it from that code (`eval: true`), where native addons and `readBundledFile` work as
 * on the main thread.
 */
export const workerEntries: Record<string, string> = {
  // Used by test/binary/workers.test.ts and the binary's self-check; tiny, and proves the path.
  probe: 'src/binary/probe.worker.ts',
  // The `backtest` executor's engine thread (src/runs/thread-host.ts runs it).
  backtest: 'src/backtests/backtest.thread.ts',
  // The `sweep` executor's threads: each runs parameter sets on the shared panel (src/sweeps/sweep-pool.ts).
  sweep: 'src/sweeps/sweep.thread.ts',
  // The `factor-analysis` executor's thread: the daily pass of a factor analysis (src/factors/analysis).
  'factor-analysis': 'src/factors/analysis/analysis.thread.ts',
};

export function startWorker(name: string, options: WorkerOptions = {}): Worker {
  const entry = workerEntries[name];
  if (!entry) throw new Error(`no worker entry named ${name}; add it to workerEntries in src/binary/workers.ts`);
  if (isBinary()) {
    const code = new TextDecoder().decode(embeddedBytes(assetKeys.worker(name)));
    return new Worker(code, { ...options, eval: true });
  }
  return startSourceWorker(new URL(`../../${entry}`, import.meta.url), options);
}

/**
 * Starts a TypeScript module of the source tree on a worker thread through tsx (never inside the
 * binary, which has no source tree): what `startWorker` does under node, for test fixtures that
 * are not worker entries. Loader hooks are per thread; the small bootstrap registers tsx with this
 * project's tsconfig, as bin/zquant.js does, wherever the process was started from (a bare
 * `--import tsx` in execArgv, which Node 24 honours in workers, would look for a tsconfig from the
 * working directory and miss the JSX settings).
 */
export function startSourceWorker(module: URL, options: WorkerOptions = {}): Worker {
  if (isBinary()) throw new Error(`cannot start ${module.href} on a worker thread inside the single executable; list it in workerEntries`);
  // The ESM build of tsx's API (require.resolve finds the CJS one, which cannot register here).
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const tsconfig = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register({ tsconfig: ${JSON.stringify(tsconfig)} }); return import(${JSON.stringify(module.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}

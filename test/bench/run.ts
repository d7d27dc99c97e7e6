// `npm run bench [-- NAME…]`: runs each test/bench/*.bench.ts in its own process (so memory
// figures are its own) and passes through its `name: value unit` lines.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();

let failed = 0;
for (const file of files) {
  process.stderr.write(`# ${file}\n`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', `${dir}${file}`], { stdio: 'inherit', env: benchEnv() });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`# ${file} failed with exit code ${r.status}\n`);
  }
}
process.exitCode = failed ? 1 : 0;

/**
 * glibc backs large allocations (the panel's ~1 GB of typed arrays, DuckDB's buffers) with
 * transparent huge pages when told to. On VMs where each 4 KB page fault is expensive (measured
 * here: first touch of 1 GB took 5–11 s with 4 KB pages, 0.4–2 s with huge pages) that is most of a
 * full-market panel load. The same setting is recommended for the server (README). BENCH_THP=0 measures without.
 */
function benchEnv(): NodeJS.ProcessEnv {
  if (process.env.BENCH_THP === '0' || process.env.GLIBC_TUNABLES) return process.env;
  return { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' };
}

// Foundation numbers: cold start to ready on embedded defaults, and request throughput of /healthz.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from '../helpers/process.ts';

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'zq-bench-'));
  try {
    for (const label of ['first', 'second']) {
      const t0 = performance.now();
      // Embedded defaults: the first start creates PGlite, the admin and the 300×5 demo market.
      const server = await startServerProcess(['--data-dir', dir], { DATABASE_URL: '', SEED_DEMO: 'true' });
      const res = await fetch(`${server.url}/readyz`);
      if (res.status !== 200) throw new Error(`readyz answered ${res.status}`);
      console.log(`${label}_start_ready_s: ${((performance.now() - t0) / 1000).toFixed(2)} s (zquant serve on embedded defaults to /readyz 200${label === 'first' ? ': PGlite initdb, admin, 300 × 5 y demo market' : ': existing data directory'})`);
      if (label === 'second') {
        const n = 2000;
        const t1 = performance.now();
        for (let i = 0; i < n; i++) await (await fetch(`${server.url}/healthz`)).arrayBuffer();
        console.log(`healthz_sequential_rps: ${Math.round(n / ((performance.now() - t1) / 1000))} req/s (${n} sequential fetches over loopback HTTP)`);
      }
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

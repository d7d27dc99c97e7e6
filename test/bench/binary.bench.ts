// The single executable: its size, and the time from exec to /readyz 200 on the second start
// (native cache warm, data directory already created), from an empty directory with a clean env.
// Builds dist/zquant first when it is missing or older than the source (see test/helpers/binary.ts).
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBinary, isolatedCopy, startBinaryServer } from '../helpers/binary.ts';

async function main() {
  const exe0 = ensureBinary();
  console.log(`binary_size_mb: ${(statSync(exe0).size / 1e6).toFixed(1)} MB (dist/zquant, ${process.version} embedded)`);
  const { dir, exe, env } = isolatedCopy(exe0);
  const cwd = join(dir, 'run');
  const runEnv = { ...env, SEED_DEMO: 'false', ZQUANT_ADMIN_PASSWORD: 'bench-password' };
  try {
    for (const label of ['first', 'second']) {
      const t0 = performance.now();
      const server = await startBinaryServer(exe, cwd, runEnv);
      const res = await fetch(`${server.url}/readyz`);
      if (res.status !== 200) throw new Error(`readyz answered ${res.status}`);
      const s = (performance.now() - t0) / 1000;
      console.log(label === 'second' ? `binary_ready_s: ${s.toFixed(2)} s (exec to /readyz 200, native cache warm, data directory made)` : `binary_ready_first_s: ${s.toFixed(2)} s (exec to /readyz 200 from an empty directory: addons extracted, PGlite initdb)`);
      const code = await server.stop();
      if (code !== 0) throw new Error(`exit code ${code} on SIGTERM`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

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
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', `${dir}${file}`], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`# ${file} failed with exit code ${r.status}\n`);
  }
}
process.exitCode = failed ? 1 : 0;

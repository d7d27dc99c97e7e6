import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Why it matters (src/engine/sandbox/user-code.ts): every backtest thread imports run-backtest.ts,
// and a built-in run has no use for Sucrase's 57 files (30–60 ms of a worker's start); under
// `node --import tsx` loading them also detached an ArrayBuffer, after which V8's typed-array code
// in the process was ~25% slower (the engine bench).
describe('Sucrase loading', () => {
  it('is not loaded by the backtest entry points, only by the first user-code compile', () => {
    const runBacktest = fileURLToPath(new URL('../../../src/engine/run-backtest.ts', import.meta.url));
    const userCode = fileURLToPath(new URL('../../../src/engine/sandbox/user-code.ts', import.meta.url));
    // A fresh process: this test file's own worker may have loaded Sucrase through other imports.
    const script = `
      import { createRequire } from 'node:module';
      const cache = createRequire(import.meta.url)('node:module')._cache;
      const loaded = () => Object.keys(cache).filter((k) => k.includes('/node_modules/sucrase/')).length;
      await import(${JSON.stringify(runBacktest)});
      const before = loaded();
      const { compileUserCode } = await import(${JSON.stringify(userCode)});
      const out = await compileUserCode('export default { name: "x" };', 'js');
      console.log(JSON.stringify({ before, after: loaded(), compiled: 'code' in out }));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.before).toBe(0);
    // The compile itself loads it (and works): the probe above does see Sucrase's modules.
    expect(out.after).toBeGreaterThan(0);
    expect(out.compiled).toBe(true);
  });
});

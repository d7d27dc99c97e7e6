import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, runCli, runProcess, startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { placeholderOf, shellBlocks, type ReadmeBlock } from './readme-blocks.ts';

// Every ```sh block of the README that calls curl or zquant, run with bash as printed against a
// fresh `zquant serve` on the demo market (300 stocks × 5 years ending yesterday, the defaults a
// reader gets). What the test supplies, and nothing else:
// - the server's address in place of http://127.0.0.1:3000 / http://localhost:3000 (a free port);
// - TOKEN and ADMIN_TOKEN, a new admin token per block made with `zquant token create` (an example
//   may revoke its own), for the lines that say `TOKEN=zq_…`; DATA_DIR, so `zquant …` reaches the server through its admin socket;
// - `zquant` and `npx zquant` as this checkout's bin/zquant.js (npx would otherwise ask the registry);
// - curl with --fail-with-body, so an answer of 400 or more fails the block like a bad exit does
//   (unless the block is marked `errors expected (why)`: it shows error answers on purpose).
// Blocks run in README order, each in its own bash with `set -eo pipefail`, in one scratch directory.

const readmePath = fileURLToPath(new URL('../../README.md', import.meta.url));
const blocks = shellBlocks(readFileSync(readmePath, 'utf8'));
const toRun = blocks.filter((b) => !b.skip && !b.badMarker);
const skipped = blocks.filter((b) => b.skip);

const readmeHosts = /https?:\/\/(127\.0\.0\.1|localhost):3000/g;

/** The block as the script bash runs, and how many lines come before the README's first one. */
function scriptOf(block: ReadmeBlock, base: string): { script: string; offset: number } {
  const prologue = [
    'set -eo pipefail',
    'shopt -s expand_aliases',
    ...(block.errorsExpected ? [] : ["alias curl='curl --fail-with-body'"]),
    `trap 'echo "readme-test: README line $((LINENO - PROLOGUE - 1 + ${block.line})): exit $?" >&2' ERR`,
  ];
  const offset = prologue.length + 1; // + the PROLOGUE line itself
  const body = block.lines.map((l) => {
    const name = placeholderOf(l);
    if (name) return `: "\${${name}:?the README test does not supply ${name}}"`;
    return l.replace(readmeHosts, base);
  });
  return { script: [`PROLOGUE=${offset}`, ...prologue, ...body].join('\n') + '\n', offset };
}

describe('README examples', () => {
  let server: ServerProcess;
  let dataDir = '';
  let work = '';
  let env: Record<string, string> = {};

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'zq-readme-'));
    work = mkdtempSync(join(tmpdir(), 'zq-readme-work-'));
    server = await startServerProcess(['--data-dir', dataDir], { DATABASE_URL: '', SEED_DEMO: 'true', ZQUANT_ADMIN_PASSWORD: 'readme test admin password' });
    const bin = join(work, '.bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'zquant'), `#!/bin/sh\nexec "${process.execPath}" "${cliPath}" "$@"\n`);
    writeFileSync(join(bin, 'npx'), `#!/bin/sh\n[ "$1" = zquant ] || { echo "README test: npx $1 is not this checkout's zquant" >&2; exit 127; }\nshift\nexec "${process.execPath}" "${cliPath}" "$@"\n`);
    chmodSync(join(bin, 'zquant'), 0o755);
    chmodSync(join(bin, 'npx'), 0o755);
    env = {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: process.env.HOME ?? work,
      LANG: 'C.UTF-8',
      DATA_DIR: dataDir,
      DATABASE_URL: '',
    };
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    for (const d of [dataDir, work]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('finds the examples, and every skip marker says why', () => {
    // A README without examples would make this test pass by running nothing.
    expect(toRun.length).toBeGreaterThanOrEqual(8);
    expect(blocks.filter((b) => b.badMarker).map((b) => `README line ${b.line}: ${b.badMarker} (give the reason: <!-- readme-test: skip (why) -->)`)).toEqual([]);
    // A block that starts a server would hang here until its timeout: it must say so with a marker instead.
    const serving = toRun.filter((b) => b.lines.some((l) => !l.trimStart().startsWith('#') && /\bzquant(\.js)? serve\b|\bnpm (run )?start\b|\bdocker run\b/.test(l)));
    expect(serving.map((b) => `README line ${b.line} starts a server: mark it <!-- readme-test: skip (starts a server …) -->`)).toEqual([]);
    const lenient = toRun.filter((b) => b.errorsExpected);
    console.info(
      `README test: ${toRun.length} blocks run (${lenient.length} showing error answers on purpose: ${lenient.map((b) => `line ${b.line}, ${b.errorsExpected!.reason}`).join('; ')}), ` +
        `${skipped.length} skipped:\n${skipped.map((b) => `  line ${b.line}: ${b.skip!.reason}`).join('\n')}`,
    );
  });

  for (const block of toRun) {
    it(`README line ${block.line}: ${block.lines.find((l) => l.trim() && !l.trimStart().startsWith('#'))?.trim().slice(0, 60)}`, async () => {
      const token = await runCli(['token', 'create', '--username', 'admin', '--name', `readme line ${block.line}`], { DATA_DIR: dataDir });
      expect(token.code, token.stderr).toBe(0);
      const { script } = scriptOf(block, server.url);
      const file = join(work, `.block-${block.line}.sh`);
      writeFileSync(file, script);
      const r = await runProcess('bash', [file], { cwd: work, env: { ...env, TOKEN: token.stdout.trim(), ADMIN_TOKEN: token.stdout.trim() } }, 300_000, `README block at line ${block.line}`);
      const said = `README block at line ${block.line} exited ${r.code}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
      expect(r.code, said).toBe(0);
    }, 320_000);
  }
});

#!/usr/bin/env node
// The `zquant` command: checks the runtime, registers the TypeScript loader (with this project's
// tsconfig, wherever the command is run from), then hands the arguments to src/cli.ts.
import { fileURLToPath } from 'node:url';

// package.json's engines, said plainly instead of failing later on an addon built for another ABI.
if (Number(process.versions.node.split('.')[0]) < 24) {
  process.stderr.write(`zquant: needs Node.js 24 or newer, this is ${process.version} (in a checkout: source scripts/use-node.sh)\n`);
  process.exit(1);
}
const { register } = await import('tsx/esm/api');
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));

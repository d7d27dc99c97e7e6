#!/usr/bin/env node
// The `zquant` command: registers the TypeScript loader (with this project's tsconfig, wherever the
// command is run from), then hands the arguments to src/cli.ts.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));

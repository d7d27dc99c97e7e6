// Entry point of the single executable (bundled to CommonJS by scripts/build-binary.ts). It is
// what bin/zquant.js is under node, minus the TypeScript loader: the arguments go to src/cli.ts.
import { main } from '../cli.ts';

// In a SEA, argv is [executable, executable, ...arguments].
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`zquant: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);

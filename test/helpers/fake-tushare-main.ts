// Runs the fake Tushare server in its own process (the benchmark keeps server work off the client's
// thread): `node --import tsx test/helpers/fake-tushare-main.ts STOCKS YEARS`. Prints its URL, one line.
import { startFakeTushare } from './fake-tushare.ts';

const stocks = Number(process.argv[2] ?? 300);
const years = Number(process.argv[3] ?? 5);
const fake = await startFakeTushare({ params: { seed: 7, stocks, years, end: 20261127 } });
process.stdout.write(`${fake.url}\n`);
process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));

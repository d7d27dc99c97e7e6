// Runs the fake Tushare server in its own process (the benchmark keeps server work off the client's
// thread): `node --import tsx test/helpers/fake-tushare-main.ts STOCKS YEARS`. Prints its URL, one line.
// CACHE=0: every answer is generated and serialised anew (a cold server), not kept for repeats.
import { startFakeTushare } from './fake-tushare.ts';

const stocks = Number(process.argv[2] ?? 300);
const years = Number(process.argv[3] ?? 5);
const fake = await startFakeTushare({ params: { seed: 7, stocks, years, end: 20261127 }, cachePages: process.env.CACHE !== '0' });
// WARM=daily: serialise every day's `daily` pages (as the client asks for them) before announcing the URL.
if (process.env.WARM === 'daily') {
  const limit = 6000;
  const perDay = Math.floor(stocks / limit) + 1; // the client asks once more after a full page
  const list: Record<string, unknown>[] = [];
  for (const d of fake.market.dates) for (let p = 0; p < perDay; p++) list.push({ trade_date: String(d), offset: p * limit, limit });
  fake.warm('daily', list);
}
process.stdout.write(`${fake.url}\n`);
process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));

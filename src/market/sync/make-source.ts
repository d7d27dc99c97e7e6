import type { Config } from '../../config.ts';
import { AppError } from '../../http/errors.ts';
import type { MarketStore } from '../duckdb.ts';
import { defaultDemoParams, generateDemoMarket, type DemoMarket, type DemoParams } from '../demo/generator.ts';
import { makeTushareClient } from '../tushare/client.ts';
import { demoSource, tushareSource, type MarketSource, type SourceName } from './sources.ts';

const DEMO_META_KEY = 'demo_params';

/** Remembers which demo market was seeded, so later demo syncs regenerate exactly that market. */
export async function saveDemoParams(market: MarketStore, params: DemoParams): Promise<void> {
  await market.write((c) =>
    c.run(`insert or replace into market_meta (key, value) values ($1, $2)`, [DEMO_META_KEY, JSON.stringify(params)]),
  );
}

export async function demoParamsFor(market: MarketStore, config: Config): Promise<DemoParams> {
  const rows = await market.query(`select value from market_meta where key = $1`, [DEMO_META_KEY]);
  if (rows.length) return JSON.parse(String(rows[0].value)) as DemoParams;
  return { ...defaultDemoParams, stocks: config.demoStocks, years: config.demoYears };
}

let cachedDemo: { key: string; market: DemoMarket } | null = null;

/** The source a sync reads from: Tushare (needs TUSHARE_TOKEN) or the demo generator. */
export async function makeSource(name: SourceName, deps: { config: Config; market: MarketStore }): Promise<MarketSource> {
  if (name === 'tushare') {
    if (!deps.config.tushareToken) {
      throw new AppError(400, 'tushare_token_missing', 'source tushare needs a token: set TUSHARE_TOKEN (https://tushare.pro/user/token), or use --source demo');
    }
    return tushareSource(
      makeTushareClient({ url: deps.config.tushareUrl, token: deps.config.tushareToken, callsPerMinute: deps.config.tushareCallsPerMinute }),
    );
  }
  const params = await demoParamsFor(deps.market, deps.config);
  const key = JSON.stringify(params);
  if (cachedDemo?.key !== key) cachedDemo = { key, market: generateDemoMarket(params) };
  return demoSource(cachedDemo.market);
}

import type { PageChromeFn } from '../http/chrome.ts';
import type { MarketStore } from '../market/duckdb.ts';
import type { BacktestsDeps } from './backtests.service.ts';

/**
 * What the backtest pages share (backtests.pages.tsx mounts list.pages.tsx and create.pages.tsx
 * with it). Its own module so the mounted pages need not import the page module that imports them
 * (issue 19: no import cycles).
 */
export interface BacktestPagesDeps extends BacktestsDeps {
  chrome: PageChromeFn;
  market: MarketStore;
  trustProxy: boolean;
}

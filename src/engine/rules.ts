/**
 * A-share trading rules as small pure functions, each dated constant next to the exchange or
 * regulator notice it comes from: the board and exchange of a code, daily price-limit
 * percentages and limit prices, new-listing days without limits, lot sizes, stamp duty and the
 * transfer fee. This is the ONE implementation of these rules: the engine uses it, and so does
 * src/market (the panel loader's fallback limits, the demo market), importing it from here (the
 * engine imports nothing outside src/engine). Dates are YYYYMMDD numbers; a constant
 * named `…_FROM` is the first trading day the new rule applies.
 */

export type Board = 'main' | 'chinext' | 'star' | 'bse';
export type Exchange = 'SH' | 'SZ' | 'BJ';

/** The board of a ts_code: 688/689xxx STAR, 300/301xxx ChiNext, *.BJ Beijing, otherwise main. */
export function boardOf(code: string): Board {
  if (code.endsWith('.BJ')) return 'bse';
  if (code.startsWith('688') || code.startsWith('689')) return 'star';
  if (code.startsWith('300') || code.startsWith('301')) return 'chinext';
  return 'main';
}

/** The exchange of a ts_code by its suffix (.SH Shanghai, .BJ Beijing); anything else is taken as Shenzhen. */
export function exchangeOf(code: string): Exchange {
  if (code.endsWith('.SH')) return 'SH';
  if (code.endsWith('.BJ')) return 'BJ';
  return 'SZ';
}

// ---- daily price limits -------------------------------------------------------------------------

/** STAR Market (科创板) opened 2019-07-22 with ±20% for all its stocks, ST included, and no limits
 * for a listing's first 5 trading days. Source: 上海证券交易所《科创板股票交易特别规定》(SSE, STAR
 * Market Special Trading Provisions, 2019-03-01); first trading day 2019-07-22. */
export const STAR_OPEN_FROM = 20190722;
/** ChiNext (创业板) registration reform: ±20% for all its stocks (ST included) and no limits for a
 * listing's first 5 trading days, from the first registration-system listings on 2020-08-24;
 * before it ±10%, ST ±5%. Source: 深圳证券交易所《创业板交易特别规定》(SZSE, ChiNext Special
 * Trading Provisions, 2020-06-12), effective 2020-08-24. */
export const CHINEXT_REFORM_FROM = 20200824;
/** Main-board risk-warning stocks (ST/*ST) move from ±5% to ±10% on SSE and SZSE from 2025-07-07.
 * Source: 上交所、深交所 revised trading rules for main-board risk-warning stocks (主板风险警示股票价格
 * 涨跌幅限制比例由5%调整为10%), published 2025-06-27, effective 2025-07-07. */
export const MAIN_ST_10PCT_FROM = 20250707;
/** Main-board registration system (全面注册制): main-board IPOs listed from 2023-04-10 have no
 * limits for their first 5 trading days. Source: 《上海证券交易所交易规则（2023年修订）》and
 * 《深圳证券交易所交易规则（2023年修订）》(2023-02-17); first registration listings 2023-04-10. */
export const MAIN_REGISTRATION_FROM = 20230410;

/**
 * The daily limit as a whole percentage of the previous close (the exchange's reference price):
 * - main boards ±10% (上交所/深交所交易规则 涨跌幅限制比例 10%); ST/*ST on main boards ±5% before
 *   2025-07-07, ±10% from that day (MAIN_ST_10PCT_FROM);
 * - ChiNext ±20% from 2020-08-24 (ST included), before it as the main board then: ±10%, ST ±5%;
 * - STAR ±20% (ST included) since it opened;
 * - Beijing Stock Exchange ±30% (《北京证券交易所交易规则（试行）》2021-10-30, opened 2021-11-15;
 *   the NEEQ select tier it replaced had ±30% too), ST included.
 */
export function limitPercent(board: Board, st: boolean, date: number): number {
  switch (board) {
    case 'bse':
      return 30;
    case 'star':
      return 20;
    case 'chinext':
      return date >= CHINEXT_REFORM_FROM ? 20 : st ? 5 : 10;
    case 'main':
      return st && date < MAIN_ST_10PCT_FROM ? 5 : 10;
  }
}

/** Up-limit in cents from the previous close in cents: preClose × (1 + p%) rounded half-up to the
 * cent (the exchanges' rule: 计算结果按照四舍五入原则取至价格最小变动单位 0.01), in integers so that
 * 10.05 × 1.1 = 11.055 gives 11.06 and not 11.05 from binary rounding. */
export function upLimitCents(preCloseCents: number, percent: number): number {
  return Math.floor((preCloseCents * (100 + percent) + 50) / 100);
}

/** Down-limit in cents: preClose × (1 − p%) rounded half-up to the cent. */
export function downLimitCents(preCloseCents: number, percent: number): number {
  return Math.floor((preCloseCents * (100 - percent) + 50) / 100);
}

/** [up, down] limit prices in CNY from the previous close in CNY. */
export function limitPrices(preClose: number, board: Board, st: boolean, date: number): [number, number] {
  const cents = Math.round(preClose * 100);
  const p = limitPercent(board, st, date);
  return [upLimitCents(cents, p) / 100, downLimitCents(cents, p) / 100];
}

/**
 * Trading days from a listing (the first included) without price limits, used when limits are
 * computed rather than taken from the exchange's data:
 * - STAR: 5 (科创板股票交易特别规定: 上市后的前5个交易日不设价格涨跌幅限制);
 * - ChiNext from 2020-08-24: 5 (创业板交易特别规定, same wording);
 * - main boards from 2023-04-10: 5 (2023 trading rules, registration system);
 * - otherwise 1: the first day. Main-board and pre-reform ChiNext debuts were in fact capped at
 *   +44% / −36% of the issue price on the first day (2014 rules); that cap is not modelled, the
 *   day counts as unlimited. Beijing: no limit on the first day (北京证券交易所交易规则（试行）).
 */
export function unlimitedDays(board: Board, date: number): number {
  if (board === 'star') return 5;
  if (board === 'chinext' && date >= CHINEXT_REFORM_FROM) return 5;
  if (board === 'main' && date >= MAIN_REGISTRATION_FROM) return 5;
  return 1;
}

// ---- lots ---------------------------------------------------------------------------------------

/** The step between buy sizes above the minimum: main boards and ChiNext whole lots of 100
 * (上交所/深交所交易规则: 买入股票申报数量应当为100股或其整数倍); STAR at least 200, then steps of 1
 * (科创板股票交易特别规定: 单笔申报数量应当不小于200股…可按1股为单位递增); Beijing at least 100, then
 * steps of 1 (北京证券交易所交易规则（试行）3.3.x: 申报数量应当不低于100股，每笔申报可以1股为单位递增). */
export function lotStep(board: Board): number {
  return board === 'star' || board === 'bse' ? 1 : 100;
}

/** Shares a buy of `shares` may take: main boards and ChiNext whole lots of 100; STAR at least 200,
 * then steps of 1; Beijing at least 100, then steps of 1. */
export function roundBuyShares(board: Board, shares: number): number {
  const s = Math.floor(shares + 1e-9);
  if (board === 'star') return s >= 200 ? s : 0;
  if (board === 'bse') return s >= 100 ? s : 0;
  return Math.floor(s / 100) * 100;
}

/** Shares a sell may take given the sellable holding: the lot rules of buys, or the whole sellable
 * remainder when the order clears it (odd lots only leave in one go: 卖出时余额不足100股（科创板200股）
 * 的部分应当一次性申报卖出). */
export function roundSellShares(board: Board, shares: number, sellable: number): number {
  if (shares >= sellable) return sellable;
  return roundBuyShares(board, shares);
}

// ---- stamp duty (证券交易印花税) ------------------------------------------------------------------

/** Sells only from 2008-09-19 (before: both sides). Source: 财政部、国家税务总局 2008-09-18, 经国务院
 * 批准 证券交易印花税由双边征收改为向出让方单边征收 (Ministry of Finance and State Taxation
 * Administration: stamp duty charged on the seller only from 2008-09-19). */
export const STAMP_DUTY_SELL_ONLY_FROM = 20080919;
/** 0.1% → 0.05% (sells) from 2023-08-28. Source: 财政部 税务总局公告2023年第39号《关于减半征收证券交易
 * 印花税的公告》(MoF/STA announcement 2023 No. 39, 2023-08-27: stamp duty halved from 2023-08-28). */
export const STAMP_DUTY_HALVED_FROM = 20230828;

/** The schedule, newest first: [first day, rate, charged on both sides]. Rates before 2008-09-19
 * are the historical both-sides rates, each set by a Ministry of Finance announcement a day or a
 * few before it took effect (财政部 证券交易印花税税率调整; the 2008 and 2007 ones the evening
 * before): 0.3% before 1997-05-12, 0.5% from 1997-05-12, 0.4% from
 * 1998-06-12, 0.2% from 2001-11-16, 0.1% from 2005-01-24, 0.3% from 2007-05-30 ("5·30"), 0.1% from
 * 2008-04-24; then 0.1% sells only from 2008-09-19 and 0.05% from 2023-08-28. */
const STAMP_DUTY: readonly (readonly [number, number, boolean])[] = [
  [STAMP_DUTY_HALVED_FROM, 0.0005, false],
  [STAMP_DUTY_SELL_ONLY_FROM, 0.001, false],
  [20080424, 0.001, true],
  [20070530, 0.003, true],
  [20050124, 0.001, true],
  [20011116, 0.002, true],
  [19980612, 0.004, true],
  [19970512, 0.005, true],
  [0, 0.003, true],
];

/** Stamp duty rate of a fill by the dated schedule: 0.05% on sells from 2023-08-28, 0.1% on sells
 * from 2008-09-19, the both-sides rates before (see STAMP_DUTY); buys pay 0 from 2008-09-19. */
export function stampDutyRate(date: number, side: 'buy' | 'sell'): number {
  for (const [from, rate, both] of STAMP_DUTY) if (date >= from) return side === 'sell' || both ? rate : 0;
  return 0;
}

// ---- transfer fee (过户费) --------------------------------------------------------------------------

/** Shanghai charged its transfer fee on the shares' face value before 2015-08-01: 1 CNY per 1,000
 * shares (0.1% of a 1 CNY par) until 2012-08-31, then 0.6 CNY per 1,000 shares from 2012-09-01 when
 * 中国结算 lowered it by 40% (中国证券登记结算有限责任公司 2012: 上海市场A股交易过户费降低40%, from
 * 2012-09-01). Modelled per share, with no per-order minimum (brokers used to charge at least 1 CNY,
 * not modelled). Shenzhen charged investors no separate transfer fee before 2015-08-01. */
export const SH_TRANSFER_PER_SHARE_LOWERED_FROM = 20120901;
/** Both markets: 0.002% (0.02‰) of turnover, both sides, from 2015-08-01. Source: 中国结算《关于调整
 * A股交易过户费收费标准的通知》(China Securities Depository and Clearing, July 2015: 自2015年8月1日起，
 * 沪深A股交易过户费统一按照成交金额0.02‰双向收取). */
export const TRANSFER_BY_VALUE_FROM = 20150801;
/** Halved to 0.001% (0.01‰) of turnover, both sides, from 2022-04-29. Source: 中国结算, April 2022
 * (经中国证监会批准，自2022年4月29日起，沪深A股交易过户费由按成交金额0.02‰双向收取下调为0.01‰). */
export const TRANSFER_HALVED_FROM = 20220429;

/**
 * Transfer fee in CNY of one fill (buys and sells alike) by the dated schedule:
 * - SH and SZ from 2022-04-29: 0.001% of value; 2015-08-01 to 2022-04-28: 0.002% of value;
 * - before 2015-08-01: Shanghai 0.0006 CNY per share from 2012-09-01, 0.001 CNY per share before;
 *   Shenzhen none;
 * - Beijing (.BJ): none. 中国结算 publishes no investor-side transfer fee for BSE trades that this
 *   model knows of (brokers' BSE fee tables list commission, stamp duty and exchange fees); set
 *   the `transferFee` config to a rate to charge one.
 */
export function transferFee(exchange: Exchange, date: number, shares: number, value: number): number {
  if (exchange === 'BJ') return 0;
  if (date >= TRANSFER_HALVED_FROM) return value * 0.00001;
  if (date >= TRANSFER_BY_VALUE_FROM) return value * 0.00002;
  if (exchange === 'SZ') return 0;
  return shares * (date >= SH_TRANSFER_PER_SHARE_LOWERED_FROM ? 0.0006 : 0.001);
}

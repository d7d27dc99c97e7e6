/**
 * The book: the state the engine's rooms share — the day, the cash, the positions and their round
 * trips, the orders and what the run has produced. Made once per backtest by `makeBook` and handed to
 * each room when it is made (fill.ts, corporate-actions.ts, orders.ts, market-views.ts,
 * indicator-feed.ts, record.ts and the day loop in engine.ts); a room keeps the typed arrays it
 * uses in its own constants and reads the scalars (`today`, `cash`, `heldCount`) from here, so
 * there is one copy of each. One object shape for every run, so the rooms' accesses stay monomorphic.
 */
import type { Panel } from './panel.ts';
import type { BacktestConfig, CorporateAction, Fill, Order, OrderReason, RoundTrip } from './types.ts';
import { boardOf, exchangeOf, type Board, type Exchange } from './rules.ts';

export interface Book {
  readonly panel: Panel;
  readonly cfg: BacktestConfig;
  /** Stocks (panel columns) and panel days. */
  readonly N: number;
  readonly D: number;
  readonly codes: readonly string[];
  readonly dates: Int32Array;
  /** Shared by every book on the panel (book.ts columnsOf): read, never written. */
  readonly codeIndex: ReadonlyMap<string, number>;
  readonly boards: readonly Board[];
  readonly exchanges: readonly Exchange[];

  /** Panel index of the day being processed. */
  today: number;
  /** Simulated days done (during a day: the days before it). */
  t: number;
  cash: number;

  // Positions, one slot per stock.
  readonly qty: Float64Array;
  /** Shares bought today (not sellable until tomorrow: T+1). */
  readonly boughtToday: Float64Array;
  /** What the shares held cost, fees included (reduced pro rata by sells). */
  readonly costBasis: Float64Array;
  /** Last price the position was valued at (the last close, fill or ex-right price); NaN before. */
  readonly markPrice: Float64Array;
  /** Adj factor the position was last settled at (corporate-actions.ts). */
  readonly heldFactor: Float64Array;
  /** Shares this day's fills have taken from the bar's volume (`volUsedDay` says which day). */
  readonly volUsed: Float64Array;
  readonly volUsedDay: Int32Array;
  /** The held stocks: held[0 .. heldCount), in no particular order; heldPos[i] is i's slot or −1. */
  readonly held: Int32Array;
  readonly heldPos: Int32Array;
  heldCount: number;

  // Round-trip accumulators: a trip opens when a position goes from 0 shares, closes when it returns.
  readonly tripEntry: Int32Array;
  readonly tripBuyShares: Float64Array;
  readonly tripBuyValue: Float64Array;
  readonly tripSellShares: Float64Array;
  readonly tripSellValue: Float64Array;
  readonly tripFees: Float64Array;
  /** Cash a corporate action paid into the position (dividends, cash in lieu). */
  readonly tripCash: Float64Array;

  // Orders: all of them in id order; those waiting for a fill; those placed today; those that
  // changed today (for onOrder).
  readonly orders: Order[];
  pending: Order[];
  placedToday: Order[];
  changedToday: Order[];

  // What the run produced.
  readonly fills: Fill[];
  readonly actions: CorporateAction[];
  readonly trades: RoundTrip[];
}

/**
 * A panel's column lookups, made once per panel and shared (read only) by every book on it: a sweep's
 * lockstep batch makes a book per set, and a 5,000-entry map per book was a seventh of what a set allocated.
 */
const columnsByPanel = new WeakMap<Panel, { codeIndex: Map<string, number>; boards: Board[]; exchanges: Exchange[] }>();

function columnsOf(panel: Panel) {
  let c = columnsByPanel.get(panel);
  if (!c) {
    const codeIndex = new Map<string, number>();
    for (let i = 0; i < panel.codes.length; i++) codeIndex.set(panel.codes[i], i);
    c = { codeIndex, boards: panel.codes.map(boardOf), exchanges: panel.codes.map(exchangeOf) };
    columnsByPanel.set(panel, c);
  }
  return c;
}

export function makeBook(panel: Panel, cfg: BacktestConfig): Book {
  const N = panel.codes.length;
  const codes = panel.codes;
  const { codeIndex, boards, exchanges } = columnsOf(panel);
  return {
    panel,
    cfg,
    N,
    D: panel.dates.length,
    codes,
    dates: panel.dates,
    codeIndex,
    boards,
    exchanges,
    today: 0,
    t: 0,
    cash: cfg.initialCash,
    qty: new Float64Array(N),
    boughtToday: new Float64Array(N),
    costBasis: new Float64Array(N),
    markPrice: new Float64Array(N).fill(NaN),
    heldFactor: new Float64Array(N).fill(NaN),
    volUsed: new Float64Array(N),
    volUsedDay: new Int32Array(N).fill(-1),
    held: new Int32Array(N),
    heldPos: new Int32Array(N).fill(-1),
    heldCount: 0,
    tripEntry: new Int32Array(N).fill(-1),
    tripBuyShares: new Float64Array(N),
    tripBuyValue: new Float64Array(N),
    tripSellShares: new Float64Array(N),
    tripSellValue: new Float64Array(N),
    tripFees: new Float64Array(N),
    tripCash: new Float64Array(N),
    orders: [],
    pending: [],
    placedToday: [],
    changedToday: [],
    fills: [],
    actions: [],
    trades: [],
  };
}

/** Panel column of a code (or a column number), checked. */
export function resolve(b: Book, code: string | number): number {
  const i = typeof code === 'number' ? code : b.codeIndex.get(code);
  if (i === undefined || !Number.isInteger(i) || i < 0 || i >= b.N) throw new Error(`unknown stock ${String(code)}: not in this backtest's universe`);
  return i;
}

export function addHeld(b: Book, i: number) {
  if (b.heldPos[i] >= 0) return;
  b.heldPos[i] = b.heldCount;
  b.held[b.heldCount++] = i;
}

export function removeHeld(b: Book, i: number) {
  const heldPos = b.heldPos;
  const p = heldPos[i];
  if (p < 0) return;
  const lastI = b.held[--b.heldCount];
  b.held[p] = lastI;
  heldPos[lastI] = p;
  heldPos[i] = -1;
}

/** Records stock `i`'s round trip as ended on panel day `exitDay` and clears its accumulators. */
export function closeTrip(b: Book, i: number, exitDay: number) {
  const buyV = b.tripBuyValue[i];
  const pnl = b.tripSellValue[i] + b.tripCash[i] - buyV - b.tripFees[i];
  const entry = b.tripEntry[i];
  b.trades.push({
    code: b.codes[i],
    entryDate: b.dates[entry],
    exitDate: b.dates[exitDay],
    holdingDays: exitDay - entry,
    boughtShares: b.tripBuyShares[i],
    avgEntryPrice: b.tripBuyShares[i] > 0 ? buyV / b.tripBuyShares[i] : 0,
    avgExitPrice: b.tripSellShares[i] > 0 ? b.tripSellValue[i] / b.tripSellShares[i] : 0,
    pnl,
    returnPct: buyV > 0 ? pnl / buyV : 0,
  });
  b.tripEntry[i] = -1;
  b.tripBuyShares[i] = b.tripBuyValue[i] = b.tripSellShares[i] = b.tripSellValue[i] = b.tripFees[i] = b.tripCash[i] = 0;
}

/** Cash plus the held shares at their last marks. */
export function portfolioValue(b: Book): number {
  const { held, qty, markPrice } = b;
  let mv = 0;
  for (let h = 0; h < b.heldCount; h++) {
    const i = held[h];
    mv += qty[i] * markPrice[i];
  }
  return b.cash + mv;
}

/** Ends an order today with `status` and `reason`, queued for onOrder. */
export function finish(b: Book, o: Order, status: Order['status'], reason: OrderReason | null) {
  o.status = status;
  o.reason = reason;
  o.doneDate = b.dates[b.today];
  b.changedToday.push(o);
}

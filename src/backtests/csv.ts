/**
 * CSV exports of a backtest's fills, orders and NAV (RFC 4180 quoting, CRLF, header row, dates as
 * YYYY-MM-DD). What the numbers are, by column (README, "Exports"):
 * - money (CNY amounts: value, fees, costs, total, cash, market value, an order's CNY amount) is
 *   rounded to the fen, 2 decimals at most (`93754.64`, never `93754.6382727867`); the engine and the
 *   stored result keep full precision, so a sum of rounded fees may differ from the cash by fractions
 *   of a fen;
 * - prices (fill price, limit price, average fill price: CNY per share) to 4 decimals at most (on
 *   the 0.01 tick unless slippage is set or an average is taken);
 * - shares are integers;
 * - rates (NAV, benchmark, drawdown, an order's target fraction) keep full precision: the shortest
 *   text that reads back as the same double (`String(x)`), so what is computed from them (e.g.
 *   `zquant metrics` on the NAV export) is what the server computed.
 * An empty cell is a value that does not exist (an order's average price when nothing filled, a
 * benchmark close the index does not have, an order still open).
 */
import type { StoredSeries } from './results.ts';
import { isoDay } from '../market/days.ts';

/** How a column's values are written: a kind, or a function of the whole row (for columns whose kind depends on another). */
export type CellFormat = 'date' | 'int' | 'money' | 'price' | 'rate' | ((row: Record<string, unknown>) => unknown);
export type CsvFormats = Readonly<Record<string, CellFormat>>;

const finiteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** Rounded to `digits` decimals; `Number(…)` drops the trailing zeros and any binary noise, `|| 0` a negative zero. */
const fixed = (v: number, digits: number) => String(Number(v.toFixed(digits)) || 0);
export const moneyCell = (v: unknown) => (finiteNumber(v) ? fixed(v, 2) : '');
export const priceCell = (v: unknown) => (finiteNumber(v) ? fixed(v, 4) : '');
export const intCell = (v: unknown) => (finiteNumber(v) ? String(Math.round(v) || 0) : '');
const dayCell = (d: unknown) => (typeof d === 'number' && d > 19000000 ? isoDay(d) : d);

const formatted = (f: CellFormat | undefined, row: Record<string, unknown>, v: unknown): unknown => {
  if (f === undefined || f === 'rate') return v;
  if (typeof f === 'function') return f(row);
  if (f === 'date') return dayCell(v);
  if (f === 'int') return intCell(v);
  return f === 'money' ? moneyCell(v) : priceCell(v);
};

const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[], dateColumns: readonly string[] = [], formats: CsvFormats = {}): string {
  return csvHeader(columns) + csvRows(columns, rows, dateColumns, formats);
}

/** A column's name as the API writes field names: snake_case (`stampDuty` → `stamp_duty`). */
export const snakeCase = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** The header line (snake_case, as every field name of the API); with csvRows, what a streamed export writes chunk by chunk. */
export function csvHeader(columns: readonly string[]): string {
  return columns.map(snakeCase).join(',') + '\r\n';
}

/** Data lines for some rows, each ended by CRLF. `dateColumns` are written YYYY-MM-DD (as a 'date' format). */
export function csvRows(columns: readonly string[], rows: readonly Record<string, unknown>[], dateColumns: readonly string[] = [], formats: CsvFormats = {}): string {
  const fmt: (CellFormat | undefined)[] = columns.map((c) => (dateColumns.includes(c) ? 'date' : formats[c]));
  let out = '';
  for (const r of rows) {
    let line = '';
    for (let j = 0; j < columns.length; j++) line += (j ? ',' : '') + cell(formatted(fmt[j], r, r[columns[j]]));
    out += line + '\r\n';
  }
  return out;
}

export const fillColumns = ['date', 'code', 'side', 'shares', 'price', 'value', 'commission', 'stampDuty', 'transferFee', 'priceBasis', 'orderId'] as const;
export const orderColumns = ['id', 'placedDate', 'code', 'kind', 'amount', 'limitPrice', 'status', 'reason', 'requestedShares', 'filledShares', 'avgPrice', 'costs', 'doneDate'] as const;
export const navColumns = ['date', 'nav', 'total', 'cash', 'marketValue', 'benchmark', 'drawdown'] as const;

export const fillFormats: CsvFormats = { date: 'date', shares: 'int', price: 'price', value: 'money', commission: 'money', stampDuty: 'money', transferFee: 'money' };

/** An order's `amount` is shares, CNY or a fraction of the portfolio, by its kind. */
export function orderAmountCell(o: Record<string, unknown>): string {
  switch (o.kind) {
    case 'shares':
    case 'target_shares':
      return intCell(o.amount);
    case 'value':
    case 'target_value':
      return moneyCell(o.amount);
    default:
      return finiteNumber(o.amount) ? String(o.amount) : '';
  }
}

export const orderFormats: CsvFormats = {
  placedDate: 'date', doneDate: 'date', amount: orderAmountCell, limitPrice: 'price', requestedShares: 'int', filledShares: 'int',
  // An average of nothing is not 0: empty when no share filled.
  avgPrice: (o) => (finiteNumber(o.filledShares) && o.filledShares !== 0 ? priceCell(o.avgPrice) : ''),
  costs: 'money',
};

export const navFormats: CsvFormats = { date: 'date', total: 'money', cash: 'money', marketValue: 'money' };

/** The formats of a stored array's export. */
export const formatsOf = (part: 'fills' | 'orders' | 'trades'): CsvFormats => (part === 'fills' ? fillFormats : part === 'orders' ? orderFormats : {});

export function navRows(s: StoredSeries) {
  return s.dates.map((d, i) => ({ date: d, nav: s.nav[i], total: s.total[i], cash: s.cash[i], marketValue: s.marketValue[i], benchmark: s.benchmark?.[i] ?? null, drawdown: s.drawdown[i] }));
}

/** The NAV export, point 0 (the starting capital, dated the trading day before the first simulated day) first. */
export function navCsv(s: StoredSeries): string {
  return toCsv(navColumns, navRows(s), [], navFormats);
}

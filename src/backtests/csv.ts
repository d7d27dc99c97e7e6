/** CSV exports of a backtest's fills, orders and NAV (RFC 4180 quoting, header row, dates as YYYY-MM-DD). */
const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};
const day = (d: unknown) => (typeof d === 'number' && d > 19000000 ? `${String(d).slice(0, 4)}-${String(d).slice(4, 6)}-${String(d).slice(6, 8)}` : d);

export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[], dateColumns: readonly string[] = []): string {
  return csvHeader(columns) + csvRows(columns, rows, dateColumns);
}

/** The header line; with csvRows, what a streamed export writes chunk by chunk. */
export function csvHeader(columns: readonly string[]): string {
  return columns.join(',') + '\r\n';
}

/** Data lines for some rows, each ended by CRLF. */
export function csvRows(columns: readonly string[], rows: readonly Record<string, unknown>[], dateColumns: readonly string[] = []): string {
  const dates = new Set(dateColumns);
  let out = '';
  for (const r of rows) {
    let line = '';
    for (let j = 0; j < columns.length; j++) {
      const c = columns[j];
      line += (j ? ',' : '') + cell(dates.has(c) ? day(r[c]) : r[c]);
    }
    out += line + '\r\n';
  }
  return out;
}

export const fillColumns = ['date', 'code', 'side', 'shares', 'price', 'value', 'commission', 'stampDuty', 'transferFee', 'priceBasis', 'orderId'] as const;
export const orderColumns = ['id', 'placedDate', 'code', 'kind', 'amount', 'limitPrice', 'status', 'reason', 'requestedShares', 'filledShares', 'avgPrice', 'costs', 'doneDate'] as const;
export const navColumns = ['date', 'nav', 'total', 'cash', 'marketValue', 'benchmark', 'drawdown'] as const;

export function navRows(s: { dates: number[]; nav: number[]; total: number[]; cash: number[]; marketValue: number[]; benchmark: (number | null)[] | null; drawdown: number[] }) {
  return s.dates.map((d, i) => ({ date: d, nav: s.nav[i], total: s.total[i], cash: s.cash[i], marketValue: s.marketValue[i], benchmark: s.benchmark?.[i] ?? null, drawdown: s.drawdown[i] }));
}

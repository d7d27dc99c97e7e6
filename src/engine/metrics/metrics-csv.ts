/** `zquant metrics FILE.csv`: a `date,nav` or `date,return` CSV (optionally a benchmark column) → metrics. */
import { parse } from 'csv-parse/sync';
import { ymdOf } from '../days.ts';
import { computeMetrics, type Metrics } from './metrics.ts';

export interface CsvMetricsOptions {
  periodsPerYear?: number;
  riskFreeRate?: number;
  benchmarkColumn?: string;
}

export class CsvInputError extends Error {}

function parseDate(s: string, line: number): number {
  const t = s.trim();
  if (!/^\d{4}-?\d{2}-?\d{2}$/.test(t)) throw new CsvInputError(`line ${line}: date "${s}" is not YYYY-MM-DD or YYYYMMDD`);
  return ymdOf(t);
}

function parseNumber(s: string, line: number, column: string): number {
  const v = Number(String(s).trim().replace(/%$/, ''));
  if (String(s).trim() === '' || !Number.isFinite(v)) throw new CsvInputError(`line ${line}: column "${column}" value "${s}" is not a number`);
  return String(s).trim().endsWith('%') ? v / 100 : v;
}

/** Reads the CSV text. Columns (case-insensitive): `date` and `nav` (levels) or `return` (per-period
 * simple returns, as fractions or with %); the benchmark column is read the same way as the main one.
 * With levels the first row is the starting point (no return of its own): in a zquant NAV export it
 * is the starting capital, dated the trading day before the first simulated day, so the metrics of
 * the file are the backtest's reported ones (backtest-metrics.ts computes them from the same series). */
export function metricsFromCsv(text: string, opts: CsvMetricsOptions = {}): Metrics {
  const rows = parse(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true }) as Record<string, string>[];
  if (rows.length === 0) throw new CsvInputError('the file has no data rows: expected a header "date,nav" or "date,return" and one row per period');
  const cols = Object.keys(rows[0]);
  if (!cols.includes('date')) throw new CsvInputError(`no "date" column (found: ${cols.join(', ')})`);
  const kind = cols.includes('nav') ? 'nav' : cols.includes('return') ? 'return' : cols.includes('returns') ? 'returns' : null;
  if (!kind) throw new CsvInputError(`no "nav" or "return" column (found: ${cols.join(', ')})`);
  const bcol = opts.benchmarkColumn?.toLowerCase();
  if (bcol && !cols.includes(bcol)) throw new CsvInputError(`--benchmark-column "${opts.benchmarkColumn}" is not a column (found: ${cols.join(', ')})`);
  const dates = rows.map((r, j) => parseDate(r.date, j + 2));
  for (let j = 1; j < dates.length; j++) if (dates[j] <= dates[j - 1]) throw new CsvInputError(`line ${j + 2}: dates must ascend (${dates[j]} after ${dates[j - 1]})`);
  const main = rows.map((r, j) => parseNumber(r[kind], j + 2, kind));
  const bench = bcol ? rows.map((r, j) => parseNumber(r[bcol], j + 2, bcol)) : null;
  if (kind === 'nav') {
    return computeMetrics({ ...opts, dates, values: main, benchmark: bench });
  }
  // Returns: the value series starts at 1 on an undated point before the first row.
  const levels = (r: number[]) => {
    const v = new Float64Array(r.length + 1);
    v[0] = 1;
    for (let j = 0; j < r.length; j++) v[j + 1] = v[j] * (1 + r[j]);
    return v;
  };
  return computeMetrics({ ...opts, dates: [0, ...dates], values: levels(main), benchmark: bench ? levels(bench) : null });
}

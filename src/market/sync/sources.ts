import { datasets, nameChanges, type DatasetDef } from '../datasets.ts';
import { stPeriodsFromNames } from '../st-periods.ts';
import { dayIndex, DEMO_INDEX, type DemoMarket } from '../demo/generator.ts';
import {
  demoAdjFactors, demoCalendarRows, demoDailyBars, demoDailyBasic, demoIndexDaily, demoLimitPrices, demoStocks, demoStPeriods, demoSuspensions,
} from '../demo/rows.ts';
import { INT_NULL, type Batch } from '../store/batch.ts';
import { concatBatches } from '../store/concat.ts';
import type { TushareClient } from '../tushare/client.ts';

export type SourceName = 'tushare' | 'demo';

/** Where a sync reads from. Per-day datasets are fetched one trade date at a time for the whole market. */
export interface MarketSource {
  readonly name: SourceName;
  /** Open days (SSE calendar) in [start, end]. */
  openDates(start: number, end: number, signal?: AbortSignal): Promise<number[]>;
  /** One trade date of a per-day dataset; `codes` narrows it. */
  fetchDay(def: DatasetDef, date: number, codes: readonly string[] | null, signal?: AbortSignal): Promise<Batch>;
  /** A whole dataset that is not per-day (stocks, calendar, index bars, ST periods from the name history). */
  fetchWhole(def: DatasetDef, range: { start: number; end: number; codes: readonly string[] | null }, signal?: AbortSignal): Promise<Batch>;
}

const ymd = (n: number) => String(n);

export function tushareSource(client: TushareClient): MarketSource {
  return {
    name: 'tushare',
    async openDates(start, end, signal) {
      const b = await client.fetchBatch(datasets.trade_calendar, { exchange: 'SSE', start_date: ymd(start), end_date: ymd(end), is_open: 1 }, signal);
      const dates = b.columns[1] as Int32Array;
      const open = b.columns[2] as Int32Array;
      const out: number[] = [];
      for (let i = 0; i < b.length; i++) if (open[i] === 1) out.push(dates[i]);
      return out.sort((a, c) => a - c);
    },
    async fetchDay(def, date, codes, signal) {
      // Few codes: ask for them by name; many: the whole market's day in one call, filtered here.
      const params: Record<string, string> = { trade_date: ymd(date) };
      if (codes && codes.length <= 100) params.ts_code = codes.join(',');
      const b = await client.fetchBatch(def, params, signal);
      return codes && codes.length > 100 ? filterCodes(b, new Set(codes)) : b;
    },
    async fetchWhole(def, range, signal) {
      switch (def.name) {
        case 'stocks': {
          // Listed, delisted and paused: a backtest over the past must see the names that since left.
          const parts: Batch[] = [];
          for (const status of ['L', 'D', 'P']) parts.push(await client.fetchBatch(def, { list_status: status }, signal));
          const all = concatBatches(parts);
          return range.codes ? filterCodes(all, new Set(range.codes)) : all;
        }
        case 'trade_calendar': {
          const parts: Batch[] = [];
          for (const exchange of ['SSE', 'SZSE', 'BSE'])
            parts.push(await client.fetchBatch(def, { exchange, start_date: ymd(range.start), end_date: ymd(range.end) }, signal));
          return concatBatches(parts);
        }
        case 'index_daily': {
          const parts: Batch[] = [];
          for (const code of range.codes ?? [DEMO_INDEX])
            parts.push(await client.fetchBatch(def, { ts_code: code, start_date: ymd(range.start), end_date: ymd(range.end) }, signal));
          return sortByDateCode(concatBatches(parts));
        }
        case 'st_periods': {
          // From the name history: by stock when a few are named, else the whole market's (paged).
          const parts: Batch[] = [];
          if (range.codes && range.codes.length <= 20) for (const code of range.codes) parts.push(await client.fetchBatch(nameChanges, { ts_code: code }, signal));
          else parts.push(await client.fetchBatch(nameChanges, {}, signal));
          const names = concatBatches(parts);
          const [code, name, start, end] = names.columns as [(string | null)[], (string | null)[], Int32Array, Int32Array];
          const records = [];
          for (let i = 0; i < names.length; i++) records.push({ code: code[i]!, name: name[i]!, start: start[i], end: end[i] === INT_NULL ? null : end[i] });
          const all = stPeriodsFromNames(records);
          return range.codes ? filterCodes(all, new Set(range.codes)) : all;
        }
        default:
          throw new Error(`${def.name} has no Tushare endpoint we call; import it from CSV (zquant import --dataset ${def.name} FILE)`);
      }
    },
  };
}

function sortByDateCode(b: Batch): Batch {
  const dates = b.columns[1] as Int32Array;
  const codes = b.columns[0] as string[];
  const order = Array.from({ length: b.length }, (_, i) => i).sort((x, y) => dates[x] - dates[y] || (codes[x] < codes[y] ? -1 : codes[x] > codes[y] ? 1 : 0));
  return pick(b, order);
}

function pick(b: Batch, rows: number[]): Batch {
  const columns = b.columns.map((col) => {
    if (Array.isArray(col)) return rows.map((r) => col[r]);
    const out = new (col.constructor as Float64ArrayConstructor)(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = col[rows[i]];
    return out;
  });
  return { def: b.def, length: rows.length, columns };
}

export function filterCodes(b: Batch, codes: ReadonlySet<string>): Batch {
  const keep: number[] = [];
  const col = b.columns[0] as (string | null)[];
  for (let i = 0; i < b.length; i++) if (codes.has(col[i]!)) keep.push(i);
  return keep.length === b.length ? b : pick(b, keep);
}

export function demoSource(market: DemoMarket): MarketSource {
  const perDay: Partial<Record<string, (m: DemoMarket, d: number, codes?: ReadonlySet<string>) => Batch>> = {
    daily_bars: demoDailyBars,
    adj_factors: demoAdjFactors,
    daily_basic: demoDailyBasic,
    limit_prices: demoLimitPrices,
    suspensions: demoSuspensions,
  };
  return {
    name: 'demo',
    async openDates(start, end) {
      return Array.from(market.dates).filter((d) => d >= start && d <= end);
    },
    async fetchDay(def, date, codes) {
      const make = perDay[def.name];
      if (!make) throw new Error(`${def.name} is not a per-day dataset`);
      const d = dayIndex(market, date);
      if (d < 0) return { def, length: 0, columns: def.columns.map(() => []) };
      return make(market, d, codes ? new Set(codes) : undefined);
    },
    async fetchWhole(def, range) {
      switch (def.name) {
        case 'stocks':
          return range.codes ? filterCodes(demoStocks(market), new Set(range.codes)) : demoStocks(market);
        case 'trade_calendar': {
          const all = demoCalendarRows(market);
          const dates = all.columns[1] as Int32Array;
          const keep: number[] = [];
          for (let i = 0; i < all.length; i++) if (dates[i] >= range.start && dates[i] <= range.end) keep.push(i);
          return pick(all, keep);
        }
        case 'index_daily': {
          let from = 0;
          while (from < market.dates.length && market.dates[from] < range.start) from++;
          let to = market.dates.length - 1;
          while (to >= 0 && market.dates[to] > range.end) to--;
          return demoIndexDaily(market, from, to);
        }
        case 'st_periods':
          return demoStPeriods(market);
        default:
          throw new Error(`${def.name} is a per-day dataset`);
      }
    },
  };
}

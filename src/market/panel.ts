import { availableParallelism } from 'node:os';
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import type { BenchmarkSeries, Panel } from '../engine/panel.ts';
import { boardOf, type Board } from './datasets.ts';
import { prefault } from '../binary/prefault.ts';
import type { MarketStore } from './duckdb.ts';
import { float64s, int32s, scatter } from './panel-chunks.ts';
import { finishPanel, lowerBound, type PanelStock, type StRow } from './panel-finish.ts';

/** Which stocks a panel holds: named codes, or every stock (optionally of some boards) listed in the range. */
export interface PanelRequest {
  codes?: readonly string[] | null;
  universe?: { boards?: readonly Board[] } | null;
  /** YYYYMMDD, inclusive. */
  start: number;
  end: number;
  /** daily_basic fields to include (pe, pb, turnover_rate, total_mv…). */
  fields?: readonly string[];
}

export const basicFields = [
  'turnover_rate', 'turnover_rate_f', 'volume_ratio', 'pe', 'pe_ttm', 'pb', 'ps', 'ps_ttm', 'dv_ratio', 'dv_ttm',
  'total_share', 'float_share', 'free_share', 'total_mv', 'circ_mv',
] as const;

/**
 * Where the panel's arrays live. `sharedBuffers` (the default) puts them on SharedArrayBuffers: the
 * panel cache hands them to backtest worker threads and the sandbox's isolate without copying ~1 GB
 * per full-market panel, and the loader can fault their pages in from a helper thread while it
 * fills them (src/binary/prefault.ts).
 */
export type PanelBuffers = (byteLength: number) => ArrayBufferLike;
export const plainBuffers: PanelBuffers = (n) => new ArrayBuffer(n);
export const sharedBuffers: PanelBuffers = (n) => new SharedArrayBuffer(n);

/**
 * Loads the engine's Panel (src/engine/panel.ts) from DuckDB. Hot path: each query streams
 * data chunks whose vectors are read as typed arrays (no row objects) and scattered day-major into
 * the panel, in date slices over parallel connections. DuckDB computes each row's slot in the panel
 * (day index × N + stock index, by joins against the requested codes and days), so each row is one
 * int32 plus its values on the way to JS, and the loop per row is a read and a write
 * (panel-chunks.ts). The passes that complete the panel afterwards are in panel-finish.ts.
 *
 * Units: volume in shares (vol × 100), amount in CNY (amount × 1,000). adjFactor carried forward
 * over gaps (and back to the first day when the first factor comes later; 1 when a stock has none).
 * Limits: the limit_prices row when there is one (a row with empty limits means no limit, e.g. a
 * debut on a registration board); else computed from pre_close by the rules in src/engine/rules.ts (the one implementation, shared with the engine).
 */
export async function loadPanel(
  market: MarketStore,
  req: PanelRequest,
  opts: { buffers?: PanelBuffers; /** Prefault the arrays from this many bytes (64 MB; below it the helper is not worth its start). */ prefaultFrom?: number } = {},
): Promise<Panel> {
  const buffers = opts.buffers ?? sharedBuffers;
  if (req.start > req.end) throw new Error(`panel start ${req.start} is after end ${req.end}`);
  const unknown = (req.fields ?? []).filter((f) => !(basicFields as readonly string[]).includes(f));
  if (unknown.length) throw new Error(`unknown daily_basic field ${unknown[0]}; one of ${basicFields.join(', ')}`);
  return market.read(async (conn) => {
    const dates = await loadDates(conn, req.start, req.end, buffers);
    const stocks = await loadUniverse(conn, req);
    const codes = stocks.map((s) => s.code);
    const D = dates.length;
    const N = codes.length;
    const size = D * N;
    // Values arrays start as fresh zeroed memory, not filled: their pages are first touched by the
    // scatter while DuckDB produces the next chunks (a fill pass up front faulted in ~1 GB before
    // the queries started), and the slots no row reached are set to NaN afterwards from the
    // per-table presence flags.
    const values = () => new Float64Array(buffers(size * 8));
    const flags = () => new Uint8Array(buffers(size));
    const open = values(), high = values(), low = values(), close = values(), preClose = values(), volume = values(), amount = values();
    const adjFactor = values(), upLimit = values(), downLimit = values();
    const hasBar = flags(), hasAdj = flags(), hasLimit = flags();
    const hasBasic = req.fields?.length ? flags() : null;
    const suspended = flags(), listed = flags(), st = flags();
    const fields: Record<string, Float64Array> = {};
    for (const f of req.fields ?? []) fields[f] = values();
    // Their pages faulted in on another thread while the queries below fill them, in the order they
    // are first written (bars, limits, adj factors, daily_basic, then the flag passes).
    const inOrder = [open, high, low, close, preClose, volume, amount, hasBar, upLimit, downLimit, hasLimit, adjFactor, hasAdj, ...Object.values(fields), hasBasic, suspended, listed, st];
    const arrays = inOrder.filter((a) => a !== null);
    const touched = arrays.reduce((n, a) => n + a.byteLength, 0) >= (opts.prefaultFrom ?? 64 * 2 ** 20) ? prefault(arrays.map((a) => a.buffer)) : null;
    const panel: Panel = { dates, codes, open, high, low, close, preClose, volume, amount, adjFactor, upLimit, downLimit, suspended, listed, st, fields };
    if (D === 0 || N === 0) return panel;

    if (size > 2 ** 31 - 1) throw new Error(`panel of ${D} days × ${N} stocks is too large`);
    // Each stock's first adj factor in the range (NaN: none), known from the runs when they are read as runs.
    const adjFirst = new Float64Array(N).fill(NaN);
    let adjAsRuns = false;
    // The codes and days go to DuckDB as one comma-joined string each, split there: a LIST parameter
    // is converted value by value (47–144 ms for 5,000 codes and 2,440 days on four connections,
    // 6–14 ms as strings). A code with a comma in it (none is valid) goes as a list.
    const codeList = codes.some((c) => c.includes(',')) ? listValue(codes) : codes.join(',');
    const dayList = dates.join(',');
    // Codes and days → indexes through temp tables on each connection: a VARCHAR hash join against a
    // real 5,000-row table is ~2.5× faster in DuckDB than against unnest($1) of a list parameter.
    // Rows on days outside the calendar find no day and are left out, as before.
    const join = (table: string, cols: string[]) =>
      `select (d.k * $3::integer + u.i)::integer as slot, ${cols.map((c) => `coalesce(t.${c}::double, 'nan'::double)`).join(', ')}
       from ${table} t join panel_codes u on u.ts_code = t.ts_code join panel_days d on d.trade_date = t.trade_date
       where t.trade_date between $1 and $2`;
    const ranges = daySlices(dates, req.start, req.end);
    // One table after another, each in every slice at once (one connection per slice): DuckDB's
    // threads produce chunks of one slice while JS scatters another's. Every table in every slice at
    // once (8 streams) cost more CPU than 2 cores have (full market: 5.8–6.0 s against 4.8–5.4 s).
    // vol is in lots of 100 and amount in thousands of CNY: scaled while scattering.
    // [table, columns, their arrays, scale, flag set to 1 on every row's slot]
    const tables: [string, string[], Float64Array[], number[] | null, Uint8Array][] = [
      ['daily_bars', ['open', 'high', 'low', 'close', 'pre_close', 'vol', 'amount'], [open, high, low, close, preClose, volume, amount], [1, 1, 1, 1, 1, 100, 1000], hasBar],
      ['limit_prices', ['up_limit', 'down_limit'], [upLimit, downLimit], null, hasLimit],
    ];
    if (hasBasic) tables.push(['daily_basic', [...req.fields!], req.fields!.map((f) => fields[f]), null, hasBasic]);
    const stRows = await market.readParallel(ranges.length, async (conns) => {
      await Promise.all(
        conns.map(async (c) => {
          const listOf = typeof codeList === 'string' ? `string_split($1, ',')` : '$1';
          await c.run(`create temp table panel_codes as select unnest(s) as ts_code, unnest(range(len(s)))::integer as i from (select ${listOf} as s)`, [codeList]);
          await c.run(`create temp table panel_days as select unnest(s)::integer as trade_date, unnest(range(len(s)))::integer as k from (select string_split($1, ',') as s)`, [dayList]);
        }),
      );
      for (const [table, cols, out, scale, present] of tables)
        await Promise.all(conns.map(async (c, k) => scatter(await c.stream(join(table, cols), [ranges[k][0], ranges[k][1], N]), out, scale, present)));
      // Adj factors as runs of one value per stock (a factor changes a few times a year), each written
      // on its first day for the carry-forward pass below to spread: ~35,000 rows instead of 10 million
      // for the full market (the whole-table stream cost 0.8–1.0 s of a cold load). Runs are exact
      // only when a stock's runs do not interleave (a value that comes back after another, A B A,
      // groups into one run spanning the other); then the rows are read one by one as before.
      adjAsRuns = await adjRuns(conns[0], dates, req.start, req.end, N, adjFactor, hasAdj, adjFirst);
      if (!adjAsRuns)
        await Promise.all(conns.map(async (c, k) => scatter(await c.stream(join('adj_factors', ['adj_factor']), [ranges[k][0], ranges[k][1], N]), [adjFactor], null, hasAdj)));
      // ST periods (end_date is the first day without the tag).
      const r = await conns[0].runAndReadAll(
        `select u.i, p.start_date, p.end_date from st_periods p join panel_codes u on u.ts_code = p.ts_code
         where p.start_date <= $2 and (p.end_date is null or p.end_date > $1)`,
        [req.start, req.end],
      );
      return r.getRows() as StRow[];
    });

    finishPanel(panel, stocks, { hasBar, hasAdj, hasLimit, hasBasic }, stRows, adjAsRuns ? adjFirst : null);
    await touched;
    return panel;
  });
}

/**
 * The range [start, end] in day slices, one per connection (DuckDB's threads produce the next chunks
 * of each while JS scatters another's). At least 4 even on 2 cores: each chunk is a round trip through
 * a libuv thread, and more streams in flight hide it (full market on 2 cores: 5.3–7.1 s with 2
 * slices, 3.1–7.4 s with 4). Slices are disjoint days, so their writes never overlap.
 */
function daySlices(dates: Int32Array, start: number, end: number): [number, number][] {
  const D = dates.length;
  const slices = Math.max(1, Math.min(D, Math.max(4, availableParallelism()), 8));
  const ranges: [number, number][] = [];
  for (let k = 0; k < slices; k++) {
    const a = Math.floor((k * D) / slices);
    const b = Math.floor(((k + 1) * D) / slices) - 1;
    if (b >= a) ranges.push([k === 0 ? start : dates[a], k === slices - 1 ? end : dates[b]]);
  }
  return ranges;
}

/**
 * Writes each run of an unchanged adj factor (per stock) at its first panel day into `out`/`present`
 * and each stock's earliest factor into `first`, and says true; says false, writing nothing, when
 * some stock's runs interleave. Grouped before the stock index is joined (the join over every row
 * cost more than the grouping); a run dated from a day the calendar does not open counts from the
 * next open day.
 */
async function adjRuns(
  conn: DuckDBConnection,
  dates: Int32Array,
  start: number,
  end: number,
  N: number,
  out: Float64Array,
  present: Uint8Array,
  first: Float64Array,
): Promise<boolean> {
  const result = await conn.stream(
    `select u.i, r.first, r.last, r.adj_factor from (
       select ts_code, adj_factor::double as adj_factor, min(trade_date)::integer as first, max(trade_date)::integer as last from adj_factors
       where trade_date between $1 and $2 and adj_factor is not null and not isnan(adj_factor)
       group by ts_code, adj_factor) r
     join panel_codes u on u.ts_code = r.ts_code
     order by u.i, r.first`,
    [start, end],
  );
  const runs: { i: number; first: number; last: number; v: number }[] = [];
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const n = chunk.rowCount;
    const [i, first, last] = [0, 1, 2].map((j) => int32s(chunk, j, n));
    const v = float64s(chunk, 3, n);
    for (let r = 0; r < n; r++) runs.push({ i: i[r], first: first[r], last: last[r], v: v[r] });
  }
  for (let r = 1; r < runs.length; r++) if (runs[r].i === runs[r - 1].i && runs[r].first <= runs[r - 1].last) return false;
  for (const run of runs) {
    const d = lowerBound(dates, run.first);
    if (d >= dates.length) continue;
    out[d * N + run.i] = run.v;
    present[d * N + run.i] = 1;
    if (first[run.i] !== first[run.i]) first[run.i] = run.v;
  }
  return true;
}

async function loadDates(conn: DuckDBConnection, start: number, end: number, buffers: PanelBuffers): Promise<Int32Array> {
  let r = await conn.runAndReadAll(
    `select cal_date from trade_calendar where exchange = 'SSE' and is_open = 1 and cal_date between $1 and $2 order by 1`,
    [start, end],
  );
  if (r.currentRowCount === 0) {
    // No calendar synced: the days that have bars.
    r = await conn.runAndReadAll(`select distinct trade_date from daily_bars where trade_date between $1 and $2 order by 1`, [start, end]);
  }
  const rows = r.getRows();
  const dates = new Int32Array(buffers(rows.length * 4));
  for (let i = 0; i < rows.length; i++) dates[i] = Number(rows[i][0]);
  return dates;
}

async function loadUniverse(conn: DuckDBConnection, req: PanelRequest): Promise<PanelStock[]> {
  if (req.codes?.length) {
    const codes = [...new Set(req.codes)].sort();
    const r = await conn.runAndReadAll(`select ts_code, list_date, delist_date from stocks where list_contains($1, ts_code)`, [listValue(codes)]);
    const known = new Map(r.getRows().map((row) => [String(row[0]), row]));
    return codes.map((code) => {
      const row = known.get(code);
      return {
        code,
        board: boardOf(code),
        listDate: row ? ((row[1] as number | null) ?? 0) : null,
        delistDate: row ? ((row[2] as number | null) ?? null) : null,
      };
    });
  }
  const boards = req.universe?.boards?.length ? [...req.universe.boards] : null;
  const r = await conn.runAndReadAll(
    `select ts_code, list_date, delist_date from stocks
     where coalesce(list_date, 0) <= $2 and (delist_date is null or delist_date > $1)
       and ($3::varchar[] is null or list_contains($3::varchar[], board))
     order by ts_code`,
    [req.start, req.end, boards ? listValue(boards) : null],
  );
  return r.getRows().map((row) => ({
    code: String(row[0]),
    board: boardOf(String(row[0])),
    listDate: (row[1] as number | null) ?? 0,
    delistDate: (row[2] as number | null) ?? null,
  }));
}

/** An index's closes aligned to the panel's dates (NaN where missing). */
export async function loadBenchmark(market: MarketStore, code: string, dates: Int32Array): Promise<BenchmarkSeries> {
  const close = new Float64Array(dates.length).fill(NaN);
  if (dates.length === 0) return { code, close };
  const r = await market.read((conn) =>
    conn.runAndReadAll(`select trade_date, close from index_daily where ts_code = $1 and trade_date between $2 and $3`, [code, dates[0], dates[dates.length - 1]]),
  );
  const at = new Map<number, number>();
  dates.forEach((d, i) => at.set(d, i));
  for (const [d, c] of r.getRows() as [number, number | null][]) {
    const i = at.get(d);
    if (i !== undefined && c !== null) close[i] = c;
  }
  return { code, close };
}

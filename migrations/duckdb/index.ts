/**
 * DuckDB (market store) schema versions, applied in order inside one transaction each and
 * recorded in `schema_migrations`. Frozen once landed: add a new entry, never edit an old one.
 */
export interface DuckMigration {
  readonly id: string;
  readonly statements: readonly string[];
}

export const duckMigrations: readonly DuckMigration[] = [
  {
    id: '2026-11-28-001-market-meta',
    statements: [
      `create table market_meta (key varchar primary key, value varchar not null, updated_at timestamptz not null default now())`,
    ],
  },
  {
    // Market datasets. Dates are INTEGER YYYYMMDD, not DATE: the engine's Panel.dates is an Int32Array of
    // YYYYMMDD, Tushare speaks YYYYMMDD strings, and an int32 vector copies straight into typed arrays with
    // no per-row conversion on panel loads (the hot path). No PRIMARY KEY: an ART index makes bulk
    // appends several times slower and costs memory at 12M rows; keys stay unique because every write
    // goes through one staging-table merge (src/market/store/merge.ts) on the single writer connection.
    // Writers append in sorted batches (trade_date, ts_code), so zonemaps prune date-range scans.
    id: '2026-11-28-200-market-datasets',
    statements: [
      `create table stocks (ts_code varchar not null, symbol varchar, name varchar, area varchar, industry varchar,
        market varchar, exchange varchar, list_status varchar, list_date integer, delist_date integer, is_hs varchar,
        board varchar not null)`,
      `create table trade_calendar (exchange varchar not null, cal_date integer not null, is_open integer not null, pretrade_date integer)`,
      `create table daily_bars (ts_code varchar not null, trade_date integer not null, open double, high double, low double,
        close double, pre_close double, change double, pct_chg double, vol double, amount double)`,
      `create table daily_basic (ts_code varchar not null, trade_date integer not null, close double, turnover_rate double,
        turnover_rate_f double, volume_ratio double, pe double, pe_ttm double, pb double, ps double, ps_ttm double,
        dv_ratio double, dv_ttm double, total_share double, float_share double, free_share double, total_mv double, circ_mv double)`,
      `create table adj_factors (ts_code varchar not null, trade_date integer not null, adj_factor double)`,
      `create table index_daily (ts_code varchar not null, trade_date integer not null, close double, open double, high double,
        low double, pre_close double, change double, pct_chg double, vol double, amount double)`,
      `create table limit_prices (ts_code varchar not null, trade_date integer not null, up_limit double, down_limit double)`,
      `create table suspensions (ts_code varchar not null, trade_date integer not null, suspend_timing varchar, suspend_type varchar)`,
      // ST periods (from Tushare namechange: names starting ST or *ST); end_date null while still ST.
      `create table st_periods (ts_code varchar not null, start_date integer not null, end_date integer)`,
    ],
  },
  {
    // Factor values computed by the `factor` executor (src/factors): one row per factor, stock and day.
    id: '2026-11-28-500-factor-values',
    statements: [`create table factor_values (factor varchar not null, ts_code varchar not null, trade_date integer not null, value double)`],
  },
  {
    // The store's write generation: one row, a fresh random id each write transaction commits
    // (MarketStore.write). A single process's runs record it as the version of the data they read
    // (src/snapshots/live-data.ts), which costs one row to read, where a content fingerprint reads
    // every row; the snapshot publisher's content versions leave this table out.
    id: '2026-12-06-990-market-generation',
    statements: [
      `create table market_generation (id integer primary key, generation varchar not null, updated_at timestamptz not null default now())`,
      `insert into market_generation (id, generation) values (1, uuid()::varchar)`,
    ],
  },
  {
    // Factor values as four numbers a row (src/factors/factors.repository.ts): the key becomes a row
    // of factor_keys and the stock an integer, six digits × 4 + exchange (BJ 1, SH 2, SZ 3; sorts as
    // the ts_codes do). Writing a full market's 10 M values cost 1.5 s for the constant key string
    // and 1.3 s for the codes, against 0.45 s for the numbers (issue 21: compute ≤ 3 s).
    id: '2026-12-06-995-factor-values-integer-keys',
    statements: [
      `create table factor_keys (id integer primary key, key varchar not null unique)`,
      `insert into factor_keys select (row_number() over (order by factor))::integer, factor from (select distinct factor from factor_values)`,
      // Values stored uncompressed: DuckDB's float compression (ALPRD) saved no space on factor values
      // (as many segments as uncompressed) and cost 0.15–0.2 s per 10 M values written.
      `create table factor_values_2 (factor_id integer not null, code integer not null, trade_date integer not null, value double using compression uncompressed)`,
      `insert into factor_values_2
        select k.id, (left(f.ts_code, 6)::integer * 4 + case right(f.ts_code, 3) when '.BJ' then 1 when '.SH' then 2 when '.SZ' then 3 else error('not an A-share code: ' || f.ts_code) end)::integer,
          f.trade_date, f.value
        from factor_values f join factor_keys k on k.key = f.factor order by k.id, f.trade_date, f.ts_code`,
      `drop table factor_values`,
      `alter table factor_values_2 rename to factor_values`,
    ],
  },
];

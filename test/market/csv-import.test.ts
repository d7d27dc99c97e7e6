import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.tsx';
import { boardOf } from '../../src/market/datasets.ts';
import { openMarketStore, type MarketStore } from '../../src/market/duckdb.ts';
import { importCsvFiles, type CsvFile } from '../../src/market/csv/csv-import.ts';
import { actingAs, principal } from '../helpers/auth.ts';
import { makeTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.ts';

let db: TestDatabase;
let market: MarketStore;
beforeAll(async () => {
  db = await createTestDatabase();
  market = await openMarketStore(':memory:');
});
afterAll(async () => {
  await market?.close();
  await db?.drop();
});

const good = `ts_code,trade_date,open,high,low,close,pre_close,change,pct_chg,vol,amount
600000.SH,20240103,10.1,10.3,10.0,10.2,10.0,0.2,2.0,1200,1224.5
600000.SH,20240102,10.0,10.5,9.9,10.0,9.8,0.2,2.04,1000,1000
`;

describe('CSV import', () => {
  it('imports a file with Tushare columns, and a re-import counts unchanged rows', async () => {
    const [r] = await importCsvFiles({ market, pg: db.store }, 'daily_bars', [{ name: 'bars.csv', text: good }]);
    expect(r.ok).toBe(true);
    expect(r.counts).toEqual({ inserted: 2, updated: 0, unchanged: 0, deleted: 0 });
    const rows = await market.query(`select trade_date, close, amount from daily_bars order by trade_date`);
    expect(rows).toEqual([
      { trade_date: 20240102, close: 10, amount: 1000 },
      { trade_date: 20240103, close: 10.2, amount: 1224.5 },
    ]);
    const [again] = await importCsvFiles({ market, pg: db.store }, 'daily_bars', [{ name: 'bars.csv', text: good }]);
    expect(again.counts).toEqual({ inserted: 0, updated: 0, unchanged: 2, deleted: 0 });
  });

  it('reports bad rows with file and line, and writes nothing from a failing file', async () => {
    const bad = `ts_code,trade_date,close
000001.SZ,20240102,11.5
000001.SZ,2024-13-01,11.6
000001.SZ,20240104,eleven
,20240105,1
000001.SZ,20240102,11.7
`;
    const results = await importCsvFiles({ market, pg: db.store }, 'daily_bars', [
      { name: 'bad.csv', text: bad },
      { name: 'short.csv', text: 'ts_code,close\n000001.SZ,1\n' },
      { name: 'ragged.csv', text: 'ts_code,trade_date,close\n000001.SZ,20240102\n' },
    ]);
    expect(results[0].ok).toBe(false);
    expect(results[0].errors).toEqual([
      'bad.csv:3: trade_date: "2024-13-01" is not a date; write YYYYMMDD',
      'bad.csv:4: close: "eleven" is not a number',
      'bad.csv:5: ts_code: is empty; it is required',
      'bad.csv:6: duplicate key ts_code+trade_date = 000001.SZ 20240102 (first on line 2)',
    ]);
    expect(results[1].errors[0]).toMatch(/^short\.csv:1: the header lacks trade_date/);
    expect(results[2].errors[0]).toMatch(/^ragged\.csv:2: /);
    // Line 2 of bad.csv was fine, yet nothing of the file was written.
    expect(await market.query(`select * from daily_bars where ts_code = '000001.SZ'`)).toEqual([]);
    const log = await db.store.db.selectFrom('sync_log').select(['endpoint', 'result', 'error']).where('endpoint', '=', 'bad.csv').executeTakeFirstOrThrow();
    expect(log.result).toBe('failed');
    expect(log.error).toContain('bad.csv:4: close');
  });
});

type Dataset = 'adj_factors' | 'daily_bars' | 'trade_calendar' | 'stocks' | 'suspensions';

/** Imports one file (adj_factors unless told: ts_code, trade_date, adj_factor) and answers its errors. */
async function errorsOf(text: string | Uint8Array, dataset: Dataset = 'adj_factors'): Promise<string[]> {
  const file: CsvFile = typeof text === 'string' ? { name: 'f.csv', text } : { name: 'f.csv', bytes: text };
  const [r] = await importCsvFiles({ market, pg: db.store }, dataset, [file]);
  return r.errors;
}

/** Every row of a table in key order, to compare a store before and after a refused file. */
const snapshot = (table: string) => market.query(`select * from ${table} order by all`);

describe('CSV import, read by DuckDB', () => {
  it('names the line and field of each bad value: dates, numbers, whole numbers, empty keys', async () => {
    expect(await errorsOf('ts_code,trade_date,adj_factor\n600001.SH,20240230x,1\n600001.SH,2024-00-10,1\n600001.SH,20240102,1.2.3\n600001.SH,20240103,nan\n600001.SH,20240104,inf\n600001.SH,20240105,0x10\n')).toEqual([
      'f.csv:2: trade_date: "20240230x" is not a date; write YYYYMMDD',
      'f.csv:3: trade_date: "2024-00-10" is not a date; write YYYYMMDD',
      'f.csv:4: adj_factor: "1.2.3" is not a number',
      'f.csv:5: adj_factor: "nan" is not a number',
      'f.csv:6: adj_factor: "inf" is not a number',
      'f.csv:7: adj_factor: "0x10" is not a number',
    ]);
    expect(await errorsOf('exchange,cal_date,is_open\nSSE,20240102,1.5\nSSE,20240103,\nSSE,20240104,99999999999\n', 'trade_calendar')).toEqual([
      'f.csv:2: is_open: "1.5" is not a whole number',
      'f.csv:3: is_open: is empty; it is required',
      'f.csv:4: is_open: "99999999999" is not a whole number',
    ]);
  });

  it('says what the header lacks, and that an empty file is empty', async () => {
    expect(await errorsOf('ts_code,adj_factor\n600001.SH,1\n')).toEqual([
      'f.csv:1: the header lacks trade_date; adj_factors needs columns named ts_code,trade_date,adj_factor',
    ]);
    const empty = 'f.csv:1: the file is empty; expected a header of Tushare field names';
    expect(await errorsOf('')).toEqual([empty]);
    expect(await errorsOf('\n\r\n  \n')).toEqual([empty]);
  });

  it('finds a duplicate key however the date is written, and names the first line', async () => {
    expect(await errorsOf('ts_code,trade_date,adj_factor\n600001.SH,20240102,1\n600001.SH,20240103,1\n600001.SH,2024-01-02,1\n 600001.SH ,20240103,2\n')).toEqual([
      'f.csv:4: duplicate key ts_code+trade_date = 600001.SH 20240102 (first on line 2)',
      'f.csv:5: duplicate key ts_code+trade_date = 600001.SH 20240103 (first on line 3)',
    ]);
  });

  it('imports through the checked reading what only it takes (blank-only fields), the same rows', async () => {
    const [r] = await importCsvFiles({ market, pg: db.store }, 'daily_bars', [{ name: 'ws.csv', text: 'ts_code,trade_date,close,vol\n600005.SH,20240102, 10.5 ,   \n' }]);
    expect(r).toMatchObject({ ok: true, checked: true, rows: 1 });
    expect(await market.query(`select close, vol from daily_bars where ts_code = '600005.SH'`)).toEqual([{ close: 10.5, vol: null }]);
  });

  it('reads a BOM, CRLF line ends, quoted fields and ISO dates like plain files', async () => {
    const text = '\uFEFFts_code,trade_date,suspend_timing,suspend_type\r\n"600002.SH","2024-01-02","09:30-10:30, then all day",S\r\n600002.SH,20240103,"say ""hi""",R\r\n';
    const [r] = await importCsvFiles({ market, pg: db.store }, 'suspensions', [{ name: 's.csv', text }]);
    expect(r.errors).toEqual([]);
    expect(r.checked).toBe(false);
    expect(r.counts).toEqual({ inserted: 2, updated: 0, unchanged: 0, deleted: 0 });
    expect(await market.query(`select * from suspensions where ts_code = '600002.SH' order by trade_date`)).toEqual([
      { ts_code: '600002.SH', trade_date: 20240102, suspend_timing: '09:30-10:30, then all day', suspend_type: 'S' },
      { ts_code: '600002.SH', trade_date: 20240103, suspend_timing: 'say "hi"', suspend_type: 'R' },
    ]);
  });

  it('counts lines as an editor does: CRLF, blank lines, a quoted line break, a BOM', async () => {
    const text = '\uFEFF\r\nts_code,trade_date,suspend_timing,suspend_type\r\n600003.SH,20240102,"two\r\nlines",S\r\n\r\n600003.SH,2024013,x,S\r\n600003.SH,20240102,x,S\r\n';
    expect(await errorsOf(text, 'suspensions')).toEqual([
      'f.csv:6: trade_date: "2024013" is not a date; write YYYYMMDD',
      'f.csv:7: duplicate key ts_code+trade_date = 600003.SH 20240102 (first on line 3)',
    ]);
  });

  it('explains rows the reader cannot split or decode, with their lines', async () => {
    expect(await errorsOf('ts_code,trade_date,adj_factor\n600001.SH,20240102\n600001.SH,20240103,1,2\n')).toEqual([
      'f.csv:2: the row has 2 fields where the header has 3; quote a field that contains a comma ("a,b")',
      'f.csv:3: the row has 4 fields where the header has 3; quote a field that contains a comma ("a,b")',
    ]);
    const unclosed = await errorsOf('ts_code,trade_date,adj_factor\n600001.SH,20240102,1\n600001.SH,"20240103,1\n');
    expect(unclosed).toHaveLength(1);
    expect(unclosed[0]).toMatch(/^f\.csv:3: .*quote is not closed/);
    const gbk = Buffer.concat([Buffer.from('ts_code,name\n600004.SH,'), Buffer.from([0xc6, 0xd6, 0xb7, 0xa2]), Buffer.from('\n')]);
    expect(await errorsOf(gbk, 'stocks')).toEqual(['f.csv:2: name: not UTF-8; save the file as UTF-8 (a GBK export converts with iconv -f GBK -t UTF-8)']);
  });

  it('shows the first 20 problems and says there are more', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `600001.SH,${20240101 + i},x`).join('\n');
    const errors = await errorsOf(`ts_code,trade_date,adj_factor\n${rows}\n`);
    expect(errors).toHaveLength(21);
    expect(errors[19]).toBe('f.csv:21: adj_factor: "x" is not a number');
    expect(errors[20]).toBe('f.csv: more errors not shown');
  });

  it('leaves the store exactly as it was when the last row of a large file is bad, and numbers its line right', async () => {
    await importCsvFiles({ market, pg: db.store }, 'adj_factors', [{ name: 'seed.csv', text: 'ts_code,trade_date,adj_factor\n600009.SH,20200102,1\n600009.SH,20200103,2\n' }]);
    const before = await snapshot('adj_factors');
    expect(before.length).toBeGreaterThan(0);
    // 300,000 rows (~10 MB), which DuckDB reads in parallel; the good rows would also change a stored
    // one (600009.SH on 20200103), and the only bad row is the very last line.
    const n = 300_000;
    const lines = ['ts_code,trade_date,adj_factor', '600009.SH,20200103,9'];
    for (let i = 0; i < n - 2; i++) lines.push(`${600100 + (i % 30_000)}.SH,${20100101 + Math.floor(i / 30_000)},${(1 + i / n).toFixed(6)}`);
    lines.push('600009.SH,20200102,oops');
    expect(await errorsOf(lines.join('\n') + '\n')).toEqual([`f.csv:${n + 1}: adj_factor: "oops" is not a number`]);
    expect(await snapshot('adj_factors')).toEqual(before);
  }, 60_000);

  it('imports a clean large file whole, then counts a changed re-import as updated', async () => {
    const lines = ['ts_code,trade_date,adj_factor'];
    for (let i = 0; i < 100_000; i++) lines.push(`${300000 + (i % 10_000)}.SZ,${20000101 + Math.floor(i / 10_000)},${i}`);
    const [r] = await importCsvFiles({ market, pg: db.store }, 'adj_factors', [{ name: 'big.csv', text: lines.join('\n') }]);
    // Clean: DuckDB's typed read took it in one pass (a bug there would fall back to the slower checked path unseen).
    expect(r).toMatchObject({ ok: true, rows: 100_000, checked: false, counts: { inserted: 100_000, updated: 0, unchanged: 0, deleted: 0 } });
    lines[1] = lines[1].replace(/,0$/, ',0.5');
    const [again] = await importCsvFiles({ market, pg: db.store }, 'adj_factors', [{ name: 'big.csv', text: lines.join('\n') }]);
    expect(again.counts).toEqual({ inserted: 0, updated: 1, unchanged: 99_999, deleted: 0 });
    expect(await market.query(`select adj_factor from adj_factors where ts_code = '300000.SZ' and trade_date = 20000101`)).toEqual([{ adj_factor: 0.5 }]);
  }, 60_000);

  it('writes new days into a filled table straight, and still finds a key repeated there (nothing lands)', async () => {
    const before = await snapshot('limit_prices');
    await importCsvFiles({ market, pg: db.store }, 'limit_prices', [{ name: 'a.csv', text: 'ts_code,trade_date,up_limit,down_limit\n600000.SH,20240102,11,9\n' }]);
    const filled = await snapshot('limit_prices');
    expect(filled.length).toBe(before.length + 1);
    const [dup] = await importCsvFiles({ market, pg: db.store }, 'limit_prices', [
      { name: 'b.csv', text: 'ts_code,trade_date,up_limit,down_limit\n600000.SH,20240103,11,9\n600001.SH,20240103,5,4\n600000.SH,2024-01-03,12,9\n' },
    ]);
    expect(dup.errors).toEqual(['b.csv:4: duplicate key ts_code+trade_date = 600000.SH 20240103 (first on line 2)']);
    expect(await snapshot('limit_prices')).toEqual(filled);
    const [ok] = await importCsvFiles({ market, pg: db.store }, 'limit_prices', [{ name: 'c.csv', text: 'ts_code,trade_date,up_limit,down_limit\n600000.SH,20240103,11,9\n600000.SH,20240102,11,9\n' }]);
    // One new day and one stored day unchanged: the staged merge counts both.
    expect(ok).toMatchObject({ ok: true, checked: false, counts: { inserted: 1, updated: 0, unchanged: 1, deleted: 0 } });
  });

  it('derives the board of imported stocks as boardOf does, and refuses a malformed code', async () => {
    const codes = ['600000.SH', '000001.SZ', '300750.SZ', '301001.SZ', '688981.SH', '689009.SH', '830799.BJ', '002594.SZ'];
    const [r] = await importCsvFiles({ market, pg: db.store }, 'stocks', [{ name: 'stocks.csv', text: `ts_code,name,list_date\n${codes.map((c) => `${c},n${c},20100101`).join('\n')}\n` }]);
    expect(r).toMatchObject({ errors: [], checked: false });
    const rows = await market.query(`select ts_code, board from stocks where list_date = 20100101`);
    expect(Object.fromEntries(rows.map((x) => [x.ts_code, x.board]))).toEqual(Object.fromEntries(codes.map((c) => [c, boardOf(c)])));
    expect(await errorsOf('ts_code,name\n60000.SH,short\n', 'stocks')).toEqual(['f.csv:2: ts_code: "60000.SH" is not a code like 600000.SH']);
  });
});

describe('CSV entry points', () => {
  it('imports an upload from the coverage page through a temp file in the data directory, removed afterwards', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zq-csv-upload-'));
    const t = await makeTestApp({}, { authenticate: actingAs(principal('admin')) });
    const fileMarket = await openMarketStore(join(dir, 'market.duckdb'));
    try {
      const app = createApp({ ...t.deps, market: fileMarket });
      const form = new FormData();
      form.set('dataset', 'adj_factors');
      form.append('files', new File(['ts_code,trade_date,adj_factor\n600000.SH,20240102,1.5\n'], 'up.csv', { type: 'text/csv' }));
      form.append('files', new File(['ts_code,trade_date,adj_factor\n600000.SH,20240103,x\n'], 'bad.csv', { type: 'text/csv' }));
      const res = await app.request('/market/import', { method: 'POST', body: form });
      const html = await res.text();
      expect(html).toContain('up.csv: 1 rows: 1 inserted, 0 updated, 0 unchanged');
      expect(html).toContain('bad.csv:2: adj_factor: &quot;x&quot; is not a number');
      expect(await fileMarket.query('select trade_date, adj_factor from adj_factors')).toEqual([{ trade_date: 20240102, adj_factor: 1.5 }]);
      expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
    } finally {
      await fileMarket.close();
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a path in place (the CLI), and says so when a path cannot be read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zq-csv-path-'));
    try {
      const path = join(dir, "it's.csv");
      writeFileSync(path, 'ts_code,trade_date,adj_factor\n600000.SH,20240104,2\n');
      const [r] = await importCsvFiles({ market, pg: db.store }, 'adj_factors', [{ name: "it's.csv", path }]);
      expect(r).toMatchObject({ ok: true, rows: 1 });
      // A name DuckDB would take for a glob (and read bars1.csv instead, or both): this file, and only it.
      writeFileSync(join(dir, 'bars1.csv'), 'ts_code,trade_date,adj_factor\n600000.SH,20240105,3\n');
      writeFileSync(join(dir, 'bars[1]*.csv'), 'ts_code,trade_date,adj_factor\n600000.SH,20240108,4\n');
      const [glob] = await importCsvFiles({ market, pg: db.store }, 'adj_factors', [{ name: 'bars[1]*.csv', path: join(dir, 'bars[1]*.csv') }]);
      expect(glob).toMatchObject({ ok: true, rows: 1 });
      expect(await market.query(`select trade_date from adj_factors where ts_code = '600000.SH' and trade_date >= 20240105`)).toEqual([{ trade_date: 20240108 }]);
      const [gone] = await importCsvFiles({ market, pg: db.store }, 'adj_factors', [{ name: 'gone.csv', path: join(dir, 'gone.csv') }]);
      expect(gone.ok).toBe(false);
      expect(gone.errors[0]).toMatch(/^gone\.csv: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

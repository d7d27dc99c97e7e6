/**
 * The house (issue 19): repositories are the only holders of SQL. A source scan over src/: a file
 * not named *.repository.ts, and not one of the store modules below, must not build a Kysely query
 * (selectFrom/insertInto/updateTable/deleteFrom), write raw SQL (sql`…`, sql<T>`…`) or send a query
 * to a store (.query(…); a Hono request's c.req.query(…) is not one; a DuckDB connection's .run('…')).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const src = join(root, 'src');

/**
 * Modules that are the stores themselves, or the machinery that fills them, rather than callers of
 * them. Each holds SQL for a reason a repository could not serve:
 */
const allowed: Record<string, string> = {
  // The Postgres store: opens the connection (select 1 at start, the readiness ping) and NOTIFYs.
  'src/db/database.ts': 'the Postgres store itself',
  // The PGlite driver adapter under Kysely (the embedded Postgres): it is where compiled queries are sent.
  'src/db/pglite-dialect.ts': 'the embedded-Postgres driver adapter',
  // The DuckDB store: opens, migrates, and answers the readiness ping.
  'src/market/duckdb.ts': 'the DuckDB store itself',
  // The sync machinery's source choice reads back the demo parameters it stored in market_meta (it writes them beside, via the store's writer).
  'src/market/sync/make-source.ts': 'sync machinery internals (the demo source remembers its parameters)',
  // The backtest panel loader: columnar bulk reads of the market store, temp tables and streams on the
  // store's parallel read connections, sliced by date; a hot path (bench: full market in ~5 s) shaped around DuckDB itself.
  'src/market/panel.ts': 'the panel loader, a columnar bulk reader of the market store',
  // Market snapshots (issue 23): the publisher copies every table of the store to Parquet inside one read
  // transaction (COPY … TO, DuckDB's own writer), and a worker's replica is filled from those files
  // (INSERT … SELECT FROM read_parquet, counts checked) and answers queries as the store it stands in for.
  'src/snapshots/publish.ts': 'the snapshot publisher, a bulk copy of the market store to Parquet',
  'src/snapshots/replicas.service.ts': 'the replica loader, a market store filled from Parquet, and its store facade',
  // The demo generator bulk-appends the empty store on first start and checks that it is empty first.
  'src/market/demo/seed.ts': 'the demo-market generator that fills the store',
};
/** Folders of store internals, allowed as a whole: the market store's batched merges and appends. (Migrations live outside src/, in migrations/.) */
const allowedDirs = ['src/market/store/'];

const patterns: Array<[string, RegExp]> = [
  ['selectFrom(', /\bselectFrom\(/],
  ['insertInto(', /\binsertInto\(/],
  ['updateTable(', /\bupdateTable\(/],
  ['deleteFrom(', /\bdeleteFrom\(/],
  ['sql`', /\bsql(<[^`;]*>)?`/],
  ['.query(', /(?<!\breq)\.query(<[^;]*>)?\(/],
  // A DuckDB connection handed out by the store's write/read (conn.run(`delete …`), c.runAndReadAll('select …')).
  ['.run(sql', /\.(run|runAndReadAll|runAndRead|stream|streamAndReadAll|prepare)\(\s*[`'"]/],
];

function* sources(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* sources(p);
    else if (/\.tsx?$/.test(e.name)) yield p;
  }
}

/** Comments dropped (a doc comment may name a query), strings kept: SQL lives in strings. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

describe('SQL only in repositories', () => {
  it('finds no query outside *.repository.ts and the allowed store modules', () => {
    const found: string[] = [];
    for (const file of sources(src)) {
      const rel = relative(root, file).split('\\').join('/');
      if (rel.endsWith('.repository.ts') || rel in allowed || allowedDirs.some((d) => rel.startsWith(d))) continue;
      const lines = code(readFileSync(file, 'utf8')).split('\n');
      lines.forEach((line, i) => {
        for (const [name, re] of patterns) if (re.test(line)) found.push(`${rel}:${i + 1} ${name}  ${line.trim().slice(0, 100)}`);
      });
    }
    expect(found, 'move these into a repository (or, for a store module, into the allow-list with the reason)').toEqual([]);
  });

  it('catches what it is meant to (the scan itself works)', () => {
    const hits = (line: string) => patterns.filter(([, re]) => re.test(code(line))).map(([n]) => n);
    expect(hits("await db.selectFrom('runs').selectAll()")).toEqual(['selectFrom(']);
    expect(hits('await sql<{ n: number }>`select 1`.execute(db)')).toEqual(['sql`']);
    expect(hits("await market.query('select 1')")).toEqual(['.query(']);
    expect(hits('await this.pg.query<R>(compiled.sql)')).toEqual(['.query(']);
    expect(hits("const q = c.req.query('q')")).toEqual([]);
    expect(hits('await conn.run(`delete from factor_values where factor = $1`, [name])')).toEqual(['.run(sql']);
    expect(hits('await ctx.stores.runs.run(id)')).toEqual([]);
    expect(hits("// db.selectFrom('runs') in a comment")).toEqual([]);
  });

  it('names only files that exist in its allow-list', () => {
    const all = new Set([...sources(src)].map((f) => relative(root, f).split('\\').join('/')));
    expect(Object.keys(allowed).filter((f) => !all.has(f))).toEqual([]);
  });
});

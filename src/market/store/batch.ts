import { DuckDBDataChunk, DOUBLE, INTEGER, VARCHAR, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import type { ColumnKind, DatasetDef } from '../datasets.ts';

/** A column of a batch: doubles (NaN = null), ints (INT_NULL = null) or strings. */
export type ColumnData = Float64Array | Int32Array | (string | null)[];

/** The null of int and date columns in a batch (a valid YYYYMMDD is never negative). */
export const INT_NULL = -2147483648;

/**
 * Rows of one dataset held column by column, in the dataset's column order. Sources fill these with
 * plain loops; the writer hands them to DuckDB a vector at a time, never as row objects.
 */
export interface Batch {
  readonly def: DatasetDef;
  length: number;
  readonly columns: ColumnData[];
}

export function allocColumn(kind: ColumnKind, n: number): ColumnData {
  switch (kind) {
    case 'num':
      return new Float64Array(n).fill(NaN);
    case 'int':
    case 'date':
      return new Int32Array(n).fill(INT_NULL);
    case 'str':
      return new Array<string | null>(n).fill(null);
  }
}

export function makeBatch(def: DatasetDef, n: number): Batch {
  return { def, length: n, columns: def.columns.map((c) => allocColumn(c.kind, n)) };
}

export function columnIndex(def: DatasetDef, name: string): number {
  const i = def.columns.findIndex((c) => c.name === name);
  if (i < 0) throw new Error(`dataset ${def.name} has no column ${name}`);
  return i;
}

function duckType(kind: ColumnKind): DuckDBType {
  return kind === 'num' ? DOUBLE : kind === 'str' ? VARCHAR : INTEGER;
}

const VECTOR_SIZE = 2048;

/** ts_code → small integer, so the hot staging path writes an int per row instead of a string. */
export interface CodeDictionary {
  readonly ids: Map<string, number>;
  /** Codes added since the dictionary table was last written. */
  readonly pending: string[];
}

export function makeCodeDictionary(): CodeDictionary {
  return { ids: new Map(), pending: [] };
}

export function codeId(dict: CodeDictionary, code: string): number {
  let id = dict.ids.get(code);
  if (id === undefined) {
    id = dict.ids.size + 1;
    dict.ids.set(code, id);
    dict.pending.push(code);
  }
  return id;
}

/**
 * Appends a batch to a table whose columns are the dataset's, in order (or, with `codes`, the same
 * with ts_code replaced by its integer id). Data chunks are created once and reused: creating one
 * costs about as much as filling it. Numeric columns are written straight into the vector's
 * Float64Array/Int32Array (the setItem path is 8× slower); validity is touched only where a null is.
 */
export async function appendBatch(conn: DuckDBConnection, table: string, batch: Batch, codes?: CodeDictionary): Promise<void> {
  const defs = batch.def.columns;
  const kinds: ColumnKind[] = defs.map((c, i) => (codes && i === 0 && c.name === 'ts_code' ? 'int' : c.kind));
  const types = kinds.map(duckType);
  const appender = await conn.createAppender(table);
  const n0 = Math.min(VECTOR_SIZE, batch.length);
  if (n0 === 0) {
    appender.closeSync();
    return;
  }
  const chunk = DuckDBDataChunk.create(types, VECTOR_SIZE);
  const hadNull = new Uint8Array(kinds.length);
  let ids: Int32Array | null = null;
  if (kinds[0] !== defs[0].kind) {
    const src = batch.columns[0] as (string | null)[];
    ids = new Int32Array(batch.length);
    for (let i = 0; i < batch.length; i++) ids[i] = codeId(codes!, src[i]!);
  }
  try {
    for (let start = 0; start < batch.length; start += VECTOR_SIZE) {
      const n = Math.min(VECTOR_SIZE, batch.length - start);
      if (n !== chunk.rowCount) {
        // Resizing drops the chunk's cached vectors (and their validity state): only the last chunk does.
        chunk.rowCount = n;
        hadNull.fill(1);
      }
      for (let c = 0; c < kinds.length; c++) {
        const vector = chunk.getColumnVector(c);
        const data = c === 0 && ids ? ids : batch.columns[c];
        if (kinds[c] === 'str') {
          const d = data as (string | null)[];
          for (let i = 0; i < n; i++) vector.setItem(i, d[start + i]);
        } else {
          // The vector's own typed array (private in the typings, public in fact).
          const items = (vector as unknown as { items: Float64Array | Int32Array }).items;
          const d = data as Float64Array | Int32Array;
          const isNum = kinds[c] === 'num';
          let nulls = false;
          for (let i = 0; i < n; i++) {
            const v = d[start + i];
            if (isNum ? v !== v : v === INT_NULL) nulls = true;
            items[i] = v;
          }
          if (nulls || hadNull[c]) {
            for (let i = 0; i < n; i++) {
              const v = d[start + i];
              vector.setItem(i, (isNum ? v !== v : v === INT_NULL) ? null : v);
            }
            hadNull[c] = nulls ? 1 : 0;
          }
        }
        vector.flush();
      }
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

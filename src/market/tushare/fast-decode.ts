import type { DatasetDef } from '../datasets.ts';
import { makeBatch, type Batch } from '../store/batch.ts';
import { BAIL, COMMA, JsonBytes, LBRACKET, NINE, QUOTE, RBRACKET, ZERO } from './json-bytes.ts';

/**
 * Decodes a successful Tushare answer straight from its UTF-8 bytes into a column batch, without
 * JSON.parse (through json-bytes.ts): no row arrays, no boxed numbers, and ts_code strings interned
 * (the same few thousand codes come back every day). Measured on a full-market sync, JSON.parse plus
 * the row walk and the garbage they leave were most of the client's CPU.
 *
 * It accepts a strict subset of JSON and returns null for anything else: another answer code, a
 * null value in a required column, a value of the wrong kind, a row of the wrong length, a string
 * with an escape, items before fields, a duplicate key, anything malformed. The caller then takes the
 * general path (JSON.parse, envelope schema, decodeRows), which gives the same batch or the exact
 * error; so where this returns a batch it is the batch that path would have produced.
 */
export function fastDecode(def: DatasetDef, bytes: Uint8Array, capacity: number, interned: Map<number, string>): Decoded | null {
  const p = new JsonBytes(bytes, interned);
  try {
    return envelope(p, def, capacity);
  } catch (err) {
    if (err === BAIL) return null;
    throw err;
  }
}

type Decoded = { batch: Batch; hasMore: boolean };

/** The envelope, `{"code": 0, "msg": …, "data": …}`: bails on another code or no data. */
function envelope(p: JsonBytes, def: DatasetDef, capacity: number): Decoded {
  let out = null as Decoded | null;
  let code = null as number | null;
  p.members((key) => {
    if (key === 'code') {
      code = p.number();
      if (code !== 0) throw BAIL;
    } else if (key === 'msg') {
      if (!p.isNull()) p.string();
    } else if (key === 'data') {
      if (p.isNull()) throw BAIL;
      out = data(p, def, capacity);
    } else {
      p.skip();
    }
  });
  if (p.ws() !== undefined) throw BAIL; // trailing bytes
  if (code !== 0 || out === null) throw BAIL;
  return out;
}

/** `data`, `{"fields": […], "items": [[…], …], "has_more": …}`: the fields before the items. */
function data(p: JsonBytes, def: DatasetDef, capacity: number): Decoded {
  let fields = null as string[] | null;
  let batch = null as Batch | null;
  let hasMore = false;
  p.members((key) => {
    if (key === 'fields') {
      fields = [];
      p.expect(LBRACKET);
      if (p.ws() === RBRACKET) p.i++;
      else do fields.push(p.string());
      while (p.more(RBRACKET));
    } else if (key === 'items') {
      if (!fields) throw BAIL;
      batch = items(p, def, fields, capacity);
    } else if (key === 'has_more') {
      if (p.literal('true')) hasMore = true;
      else if (p.literal('false')) hasMore = false;
      else throw BAIL;
    } else {
      p.skip();
    }
  });
  if (!fields || !batch) throw BAIL;
  return { batch, hasMore };
}

/** The rows into a batch of `def`'s columns, grown as needed. */
function items(p: JsonBytes, def: DatasetDef, fields: string[], capacity: number): Batch {
  const cols = def.columns;
  // For each field of a row: the column it fills (-1: not ours, skipped).
  const target = fields.map((f) => cols.findIndex((c) => c.name === f));
  // A field named like a derived column is read (and checked) by the general path: leave it to that.
  if (target.some((k) => k >= 0 && cols[k].derived)) throw BAIL;
  for (let k = 0; k < cols.length; k++) {
    if (cols[k].derived) continue;
    if (!target.includes(k) && cols[k].required) throw BAIL;
    // A column named twice: JSON.parse's path reads the first; keep it simple and bail.
    if (target.indexOf(k) !== target.lastIndexOf(k)) throw BAIL;
  }
  const kinds = target.map((k) => (k < 0 ? 0 : cols[k].kind === 'num' ? 1 : cols[k].kind === 'int' ? 2 : cols[k].kind === 'date' ? 3 : 4));
  const required = target.map((k) => k >= 0 && cols[k].required);
  let batch = makeBatch(def, Math.max(16, capacity));
  let cap = batch.length;
  let n = 0;
  const F = fields.length;
  p.expect(LBRACKET);
  if (p.ws() === RBRACKET) {
    p.i++;
    return trim(batch, 0);
  }
  const b = p.b;
  do {
    if (n === cap) {
      batch = grow(batch, cap * 2);
      cap *= 2;
    }
    const columns = batch.columns;
    p.expect(LBRACKET);
    for (let j = 0; j < F; j++) {
      if (j > 0) p.expect(COMMA);
      const c = p.ws();
      const kind = kinds[j];
      if (c === 110) {
        if (!p.isNull()) throw BAIL;
        if (required[j]) throw BAIL;
        continue;
      }
      switch (kind) {
        case 0:
          p.skip();
          break;
        case 1: {
          if (c === QUOTE) throw BAIL; // '' is null, anything else a bad value: the general path decides
          (columns[target[j]] as Float64Array)[n] = p.number();
          break;
        }
        case 2: {
          if (c === QUOTE) throw BAIL;
          const v = p.number();
          if (!Number.isInteger(v)) throw BAIL;
          (columns[target[j]] as Int32Array)[n] = v;
          break;
        }
        case 3: {
          if (c !== QUOTE) throw BAIL;
          const i = p.i;
          let v = 0;
          for (let k = 1; k <= 8; k++) {
            const d = b[i + k];
            if (!(d >= ZERO && d <= NINE)) throw BAIL;
            v = v * 10 + (d - ZERO);
          }
          if (b[i + 9] !== QUOTE || !(v >= 19000101 && v <= 29991231)) throw BAIL;
          p.i = i + 10;
          (columns[target[j]] as Int32Array)[n] = v;
          break;
        }
        default: {
          if (c !== QUOTE) throw BAIL;
          const s = p.internedString();
          if (s === '') {
            if (required[j]) throw BAIL;
            break;
          }
          (columns[target[j]] as (string | null)[])[n] = s;
        }
      }
    }
    p.expect(RBRACKET);
    n++;
  } while (p.more(RBRACKET));
  return trim(batch, n);
}

/** The batch cut to its first n rows (typed columns as views, no copy). */
function trim(batch: Batch, n: number): Batch {
  const columns = batch.columns.map((c) => {
    if (Array.isArray(c)) {
      c.length = n;
      return c;
    }
    return c.subarray(0, n);
  });
  return { def: batch.def, length: n, columns };
}

function grow(batch: Batch, cap: number): Batch {
  const bigger = makeBatch(batch.def, cap);
  for (let k = 0; k < batch.columns.length; k++) {
    const src = batch.columns[k];
    const dst = bigger.columns[k];
    if (Array.isArray(src)) for (let i = 0; i < src.length; i++) (dst as (string | null)[])[i] = src[i];
    else (dst as Float64Array).set(src as Float64Array);
  }
  return bigger;
}

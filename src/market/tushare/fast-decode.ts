import type { DatasetDef } from '../datasets.ts';
import { makeBatch, type Batch } from '../store/batch.ts';

/**
 * Decodes a successful Tushare answer straight from its UTF-8 bytes into a column batch, without
 * JSON.parse: no row arrays, no boxed numbers, and ts_code strings interned (the same few thousand
 * codes come back every day). Measured on a full-market sync, JSON.parse plus the row walk and the
 * garbage they leave were most of the client's CPU.
 *
 * It accepts a strict subset of JSON and returns null for anything else: another answer code, a
 * null value in a required column, a value of the wrong kind, a row of the wrong length, a string
 * with an escape, items before fields, a duplicate key, anything malformed. The caller then takes the
 * general path (JSON.parse, envelope schema, decodeRows), which gives the same batch or the exact
 * error; so where this returns a batch it is the batch that path would have produced.
 *
 * Numbers: a plain decimal of at most 15 significant digits and at most 22 fraction digits is
 * mantissa / 10^k, both exact doubles, so the division is the correctly rounded value that
 * JSON.parse gives; any other number is handed to Number().
 */
export function fastDecode(def: DatasetDef, bytes: Uint8Array, capacity: number, interned: Map<number, string>): { batch: Batch; hasMore: boolean } | null {
  const p = new Parser(bytes, interned);
  try {
    return p.envelope(def, capacity);
  } catch (err) {
    if (err === BAIL) return null;
    throw err;
  }
}

const BAIL = Symbol('bail');
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8', { fatal: true });

// Byte codes.
const QUOTE = 34, COMMA = 44, MINUS = 45, DOT = 46, ZERO = 48, NINE = 57, COLON = 58;
const LBRACKET = 91, BACKSLASH = 92, RBRACKET = 93, LBRACE = 123, RBRACE = 125;

class Parser {
  i = 0;
  /** Last string's bounds (set by rawString). */
  s0 = 0;
  s1 = 0;
  constructor(
    readonly b: Uint8Array,
    readonly interned: Map<number, string>,
  ) {}

  ws(): number {
    const b = this.b;
    let i = this.i;
    let c = b[i];
    while (c === 32 || c === 10 || c === 13 || c === 9) c = b[++i];
    this.i = i;
    return c;
  }

  expect(c: number): void {
    if (this.ws() !== c) throw BAIL;
    this.i++;
  }

  /** After a member or element: true for ',', false for the closing byte. */
  more(close: number): boolean {
    const c = this.ws();
    this.i++;
    if (c === COMMA) return true;
    if (c === close) return false;
    throw BAIL;
  }

  /** A string without escapes: sets s0/s1 to its bytes. */
  rawString(): void {
    if (this.ws() !== QUOTE) throw BAIL;
    const b = this.b;
    let i = this.i + 1;
    const s0 = i;
    for (;;) {
      const c = b[i];
      if (c === QUOTE) break;
      if (c === BACKSLASH || c < 32 || c === undefined) throw BAIL;
      i++;
    }
    this.s0 = s0;
    this.s1 = i;
    this.i = i + 1;
  }

  string(): string {
    this.rawString();
    return this.text(this.s0, this.s1);
  }

  text(a: number, z: number): string {
    const b = this.b;
    for (let k = a; k < z; k++) if (b[k] >= 128) return decodeUtf8(b.subarray(a, z));
    return latin1.decode(b.subarray(a, z));
  }

  /** A short ASCII string through the intern table (hash of its bytes, checked byte by byte). */
  internedString(): string {
    this.rawString();
    const b = this.b;
    const a = this.s0;
    const z = this.s1;
    if (z - a > 24) return this.text(a, z);
    let h = z - a;
    for (let k = a; k < z; k++) {
      const c = b[k];
      if (c >= 128) return this.text(a, z);
      h = (Math.imul(h, 31) + c) | 0;
    }
    const hit = this.interned.get(h);
    if (hit !== undefined && hit.length === z - a) {
      let same = true;
      for (let k = a; k < z; k++) if (hit.charCodeAt(k - a) !== b[k]) { same = false; break; }
      if (same) return hit;
    }
    const s = latin1.decode(b.subarray(a, z));
    if (hit === undefined && this.interned.size < 100_000) this.interned.set(h, s);
    return s;
  }

  /** A JSON number token; NaN-free. Bails on anything JSON does not allow. */
  number(): number {
    const b = this.b;
    let i = this.i;
    const start = i;
    let neg = false;
    if (b[i] === MINUS) {
      neg = true;
      i++;
    }
    let c = b[i];
    if (!(c >= ZERO && c <= NINE)) throw BAIL;
    if (c === ZERO && b[i + 1] >= ZERO && b[i + 1] <= NINE) throw BAIL; // leading zero
    let m = 0;
    let digits = 0;
    let frac = 0;
    while (c >= ZERO && c <= NINE) {
      m = m * 10 + (c - ZERO);
      if (m !== 0) digits++;
      c = b[++i];
    }
    if (c === DOT) {
      c = b[++i];
      if (!(c >= ZERO && c <= NINE)) throw BAIL;
      while (c >= ZERO && c <= NINE) {
        m = m * 10 + (c - ZERO);
        if (m !== 0) digits++;
        frac++;
        c = b[++i];
      }
    }
    if (c === 101 || c === 69) {
      // Exponent: rare; let Number() read the whole token.
      c = b[++i];
      if (c === 43 || c === MINUS) c = b[++i];
      if (!(c >= ZERO && c <= NINE)) throw BAIL;
      while (c >= ZERO && c <= NINE) c = b[++i];
      this.i = i;
      return Number(latin1.decode(b.subarray(start, i)));
    }
    this.i = i;
    if (digits <= 15 && frac <= 22) {
      const v = frac ? m / POW10[frac] : m;
      return neg ? -v : v;
    }
    return Number(latin1.decode(b.subarray(start, i)));
  }

  /** true for null; the position is after the literal. */
  isNull(): boolean {
    const b = this.b;
    const i = this.i;
    if (b[i] === 110 && b[i + 1] === 117 && b[i + 2] === 108 && b[i + 3] === 108) {
      this.i = i + 4;
      return true;
    }
    return false;
  }

  literal(word: string): boolean {
    const b = this.b;
    for (let k = 0; k < word.length; k++) if (b[this.i + k] !== word.charCodeAt(k)) return false;
    this.i += word.length;
    return true;
  }

  /** Skips any JSON value (unknown members such as Tushare's request_id). */
  skip(depth = 0): void {
    if (depth > 64) throw BAIL;
    const c = this.ws();
    if (c === QUOTE) {
      // Escapes allowed here: \" and \\ never end the string; JSON.parse would refuse bad ones, so check them.
      const b = this.b;
      let i = this.i + 1;
      for (;;) {
        const d = b[i];
        if (d === undefined || d < 32) throw BAIL;
        if (d === QUOTE) break;
        if (d === BACKSLASH) {
          const e = b[i + 1];
          if (e === 117) {
            for (let k = 2; k < 6; k++) if (!isHex(b[i + k])) throw BAIL;
            i += 6;
            continue;
          }
          if (!(e === QUOTE || e === BACKSLASH || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116)) throw BAIL;
          i += 2;
          continue;
        }
        i++;
      }
      this.i = i + 1;
    } else if (c === LBRACE) {
      this.i++;
      if (this.ws() === RBRACE) {
        this.i++;
        return;
      }
      do {
        this.skip(depth + 1); // the key (any string)
        this.expect(COLON);
        this.skip(depth + 1);
      } while (this.more(RBRACE));
    } else if (c === LBRACKET) {
      this.i++;
      if (this.ws() === RBRACKET) {
        this.i++;
        return;
      }
      do this.skip(depth + 1);
      while (this.more(RBRACKET));
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      this.number();
    } else if (!(this.literal('null') || this.literal('true') || this.literal('false'))) {
      throw BAIL;
    }
  }

  /**
   * Walks an object: `member(key)` is called with the cursor at each value and must consume it.
   * Bails on an empty object and on a key given twice (JSON.parse would keep the last one).
   */
  members(member: (key: string) => void): void {
    const seen = new Set<string>();
    this.expect(LBRACE);
    if (this.ws() === RBRACE) throw BAIL;
    do {
      const key = this.string();
      if (seen.has(key)) throw BAIL;
      seen.add(key);
      this.expect(COLON);
      this.ws();
      member(key);
    } while (this.more(RBRACE));
  }

  envelope(def: DatasetDef, capacity: number): { batch: Batch; hasMore: boolean } {
    let out = null as { batch: Batch; hasMore: boolean } | null;
    let code = null as number | null;
    this.members((key) => {
      if (key === 'code') {
        code = this.number();
        if (code !== 0) throw BAIL;
      } else if (key === 'msg') {
        if (!this.isNull()) this.string();
      } else if (key === 'data') {
        if (this.isNull()) throw BAIL;
        out = this.data(def, capacity);
      } else {
        this.skip();
      }
    });
    if (this.ws() !== undefined) throw BAIL; // trailing bytes
    if (code !== 0 || out === null) throw BAIL;
    return out;
  }

  data(def: DatasetDef, capacity: number): { batch: Batch; hasMore: boolean } {
    let fields = null as string[] | null;
    let batch = null as Batch | null;
    let hasMore = false;
    this.members((key) => {
      if (key === 'fields') {
        fields = [];
        this.expect(LBRACKET);
        if (this.ws() === RBRACKET) this.i++;
        else do fields.push(this.string());
        while (this.more(RBRACKET));
      } else if (key === 'items') {
        if (!fields) throw BAIL;
        batch = this.items(def, fields, capacity);
      } else if (key === 'has_more') {
        if (this.literal('true')) hasMore = true;
        else if (this.literal('false')) hasMore = false;
        else throw BAIL;
      } else {
        this.skip();
      }
    });
    if (!fields || !batch) throw BAIL;
    return { batch, hasMore };
  }

  items(def: DatasetDef, fields: string[], capacity: number): Batch {
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
    this.expect(LBRACKET);
    if (this.ws() === RBRACKET) {
      this.i++;
      return trim(batch, 0);
    }
    const b = this.b;
    do {
      if (n === cap) {
        batch = grow(batch, cap * 2);
        cap *= 2;
      }
      const columns = batch.columns;
      this.expect(LBRACKET);
      for (let j = 0; j < F; j++) {
        if (j > 0) this.expect(COMMA);
        const c = this.ws();
        const kind = kinds[j];
        if (c === 110) {
          if (!this.isNull()) throw BAIL;
          if (required[j]) throw BAIL;
          continue;
        }
        switch (kind) {
          case 0:
            this.skip();
            break;
          case 1: {
            if (c === QUOTE) throw BAIL; // '' is null, anything else a bad value: the general path decides
            (columns[target[j]] as Float64Array)[n] = this.number();
            break;
          }
          case 2: {
            if (c === QUOTE) throw BAIL;
            const v = this.number();
            if (!Number.isInteger(v)) throw BAIL;
            (columns[target[j]] as Int32Array)[n] = v;
            break;
          }
          case 3: {
            if (c !== QUOTE) throw BAIL;
            const i = this.i;
            let v = 0;
            for (let k = 1; k <= 8; k++) {
              const d = b[i + k];
              if (!(d >= ZERO && d <= NINE)) throw BAIL;
              v = v * 10 + (d - ZERO);
            }
            if (b[i + 9] !== QUOTE || !(v >= 19000101 && v <= 29991231)) throw BAIL;
            this.i = i + 10;
            (columns[target[j]] as Int32Array)[n] = v;
            break;
          }
          default: {
            if (c !== QUOTE) throw BAIL;
            const s = this.internedString();
            if (s === '') {
              if (required[j]) throw BAIL;
              break;
            }
            (columns[target[j]] as (string | null)[])[n] = s;
          }
        }
      }
      this.expect(RBRACKET);
      n++;
    } while (this.more(RBRACKET));
    return trim(batch, n);
  }
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

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= ZERO && c <= NINE) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102));
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw BAIL;
  }
}

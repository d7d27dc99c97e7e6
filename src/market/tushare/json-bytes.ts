/**
 * A byte-level reader of JSON for the Tushare client's fast path (fast-decode.ts): it reads a strict
 * subset straight from UTF-8 bytes, without JSON.parse, and throws BAIL at anything outside it so the
 * caller can fall back to the general path.
 *
 * Numbers: a plain decimal of at most 15 significant digits and at most 22 fraction digits is
 * mantissa / 10^k, both exact doubles, so the division is the correctly rounded value that
 * JSON.parse gives; any other number is handed to Number().
 */

/** Thrown by the scanner on anything outside the subset it reads; the caller gives up and takes the general path. */
export const BAIL = Symbol('bail');
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8', { fatal: true });

// Byte codes.
export const QUOTE = 34, COMMA = 44, MINUS = 45, DOT = 46, ZERO = 48, NINE = 57, COLON = 58;
export const LBRACKET = 91, BACKSLASH = 92, RBRACKET = 93, LBRACE = 123, RBRACE = 125;

/**
 * A cursor over JSON text as UTF-8 bytes, reading a strict subset of JSON: strings without escapes
 * (skipped values may have them), plain numbers, literals. Anything else throws BAIL. Values are read
 * where they stand, without building a tree; the caller walks the document with `members` and the
 * typed readers.
 */
export class JsonBytes {
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

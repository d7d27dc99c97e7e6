import { closeSync, openSync, readSync } from 'node:fs';

/**
 * The two things of a CSV file read in JavaScript: its header (a few bytes at the start, before
 * DuckDB is told the columns) and, for error messages only, the line each reported record starts
 * on. The rows themselves are DuckDB's (src/market/store/csv-stage.ts).
 */

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const CHUNK = 1 << 20;
/** A header longer than this is not a header of field names. */
const MAX_HEADER_BYTES = 1 << 20;

export interface CsvHeader {
  /** Field names, trimmed and lowercased (a BOM dropped). */
  readonly names: string[];
  /** Blank lines before the header. */
  readonly skip: number;
}

/** Reads the header: the first line with anything on it. Null when the file holds nothing but blank lines. */
export function readCsvHeader(path: string): CsvHeader | null {
  const fd = openSync(path, 'r');
  let text: string;
  try {
    const buf = Buffer.alloc(MAX_HEADER_BYTES);
    let n = 0;
    for (let got = 1; got > 0 && n < buf.length; n += got) got = readSync(fd, buf, n, buf.length - n, n);
    text = buf.toString('utf8', 0, n).replace(/^\uFEFF/, '');
  } finally {
    closeSync(fd);
  }
  const lines = text.split(/\r\n|\n|\r/);
  let skip = 0;
  while (skip < lines.length && lines[skip].trim() === '') skip++;
  if (skip === lines.length) return null;
  return { names: splitHeader(lines[skip]).map((s) => s.trim().toLowerCase()), skip };
}

/** Splits one CSV line on commas outside quotes ("a ""b""" is a "b"). */
function splitHeader(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

export interface LineLookup {
  /** DuckDB line number (a record with a quoted line break counts once) → the line it starts on. */
  readonly units: Map<number, number>;
  /** Record index after the header (0-based, blank lines not counted) → the line it starts on. */
  readonly records: Map<number, number>;
}

/**
 * Finds the lines an editor shows for some records: counts every line break (one for \r\n, also
 * inside a quoted field), knows which breaks end a record (outside quotes) and skips blank lines as
 * DuckDB's reader does. Reads only as far as the last record asked for; error paths only.
 */
export function locateLines(path: string, header: CsvHeader, units: readonly number[], records: readonly number[]): LineLookup {
  const out: LineLookup = { units: new Map(), records: new Map() };
  const wantUnits = new Set(units);
  const wantRecords = new Set(records);
  const lastUnit = Math.max(0, ...units);
  const lastRecord = Math.max(-1, ...records);
  const headerUnit = header.skip + 1;
  let line = 1;
  let unit = 1;
  let unitStart = 1;
  let unitBytes = 0;
  let record = -1;
  let inQuote = false;
  let quoteEnds = false;
  let fieldStart = true;
  let afterCr = false;
  const endUnit = () => {
    if (wantUnits.has(unit)) out.units.set(unit, unitStart);
    if (unitBytes > 0 && unit > headerUnit) {
      record++;
      if (wantRecords.has(record)) out.records.set(record, unitStart);
    }
    unit++;
    unitStart = line;
    unitBytes = 0;
    fieldStart = true;
  };
  const finished = () => unit > lastUnit && record >= lastRecord;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(CHUNK);
    let offset = 0;
    for (let n = readSync(fd, buf, 0, CHUNK, offset); n > 0 && !finished(); n = readSync(fd, buf, 0, CHUNK, offset)) {
      offset += n;
      for (let i = 0; i < n; i++) {
        const b = buf[i];
        if (afterCr) {
          afterCr = false;
          if (b === LF) continue;
        }
        if (quoteEnds) {
          quoteEnds = false;
          if (b === QUOTE) {
            unitBytes++;
            continue;
          }
          inQuote = false;
        }
        if (b === LF || b === CR) {
          line++;
          afterCr = b === CR;
          if (inQuote) unitBytes++;
          else endUnit();
          continue;
        }
        unitBytes++;
        if (inQuote) {
          if (b === QUOTE) quoteEnds = true;
        } else if (b === QUOTE && fieldStart) {
          inQuote = true;
          fieldStart = false;
        } else fieldStart = b === COMMA;
      }
    }
    if (unitBytes > 0) endUnit();
  } finally {
    closeSync(fd);
  }
  return out;
}

import { datasets } from './datasets.ts';
import { addDays } from './days.ts';
import { INT_NULL, makeBatch, type Batch } from './store/batch.ts';

/** The risk-warning tag at the start of a name (below; the fake Tushare strips it for the plain name). */
export const stPrefix = /^(S?\*?ST)/;

/**
 * A name that carries the risk-warning tag: ST, *ST, and the pre-2007 share-reform forms SST and
 * S*ST (S marked a company that had not finished the reform). `ST` elsewhere in a name (a company
 * whose name happens to contain the letters) does not count: the tag is always the prefix.
 */
export function isStName(name: string): boolean {
  return stPrefix.test(name.trim());
}

export interface NameRecord {
  code: string;
  name: string;
  /** YYYYMMDD, first day with this name. */
  start: number;
  /** YYYYMMDD, last day with this name (inclusive), or null while it is still the name. */
  end: number | null;
}

/**
 * ST periods (st_periods rows: end_date = the first day without the tag, null while the stock still
 * has it) from a name history such as Tushare's namechange. Per stock, names in start order; ST and
 * *ST names in a row (ST → *ST → ST) are one period, which ends where the next untagged name
 * starts, or the day after the last tagged name's end date when the history stops there. Repeated
 * records (namechange lists some changes twice, once per announcement) count once.
 */
export function stPeriodsFromNames(records: readonly NameRecord[]): Batch {
  const byCode = new Map<string, NameRecord[]>();
  for (const r of records) {
    const list = byCode.get(r.code);
    if (list) list.push(r);
    else byCode.set(r.code, [r]);
  }
  const out: [string, number, number | null][] = [];
  for (const code of [...byCode.keys()].sort()) {
    const names = byCode.get(code)!.sort((a, b) => a.start - b.start || (a.end ?? Infinity) - (b.end ?? Infinity));
    let open: number | null = null; // start of the period being built
    let lastEnd: number | null = null; // end of its latest tagged name
    for (const r of names) {
      if (isStName(r.name)) {
        if (open === null) open = r.start;
        lastEnd = r.end;
      } else if (open !== null && r.start > open) {
        out.push([code, open, r.start]);
        open = null;
      }
    }
    if (open !== null) out.push([code, open, lastEnd === null ? null : addDays(lastEnd, 1)]);
  }
  const b = makeBatch(datasets.st_periods, out.length);
  const [codes, starts, ends] = b.columns as [(string | null)[], Int32Array, Int32Array];
  out.forEach(([code, start, end], i) => {
    codes[i] = code;
    starts[i] = start;
    ends[i] = end ?? INT_NULL;
  });
  return b;
}

import type { ColumnData, Batch } from './batch.ts';
import { allocColumn } from './batch.ts';

/** Joins batches of one dataset into one (sync writes several trade dates per transaction). */
export function concatBatches(parts: readonly Batch[]): Batch {
  const def = parts[0].def;
  const total = parts.reduce((n, p) => n + p.length, 0);
  const columns: ColumnData[] = def.columns.map((c) => allocColumn(c.kind, total));
  let at = 0;
  for (const p of parts) {
    for (let c = 0; c < columns.length; c++) {
      const dst = columns[c];
      const src = p.columns[c];
      if (Array.isArray(dst)) {
        for (let i = 0; i < p.length; i++) dst[at + i] = (src as (string | null)[])[i];
      } else {
        (dst as Float64Array).set((src as Float64Array).subarray(0, p.length), at);
      }
    }
    at += p.length;
  }
  return { def, length: total, columns };
}

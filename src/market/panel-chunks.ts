/**
 * Reading DuckDB result streams as typed arrays, for the panel loader (panel.ts): no row objects,
 * no per-value wrappers. Nothing here sends a query; the loader streams its queries and hands the
 * results over.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { DuckDBDataChunk, DuckDBResult } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';

/**
 * Reads a stream whose columns are (slot, v1, v2, …) and writes v_j into out[j][slot] (times
 * scale[j]) and 1 into present[slot]. Vectors are read through their typed arrays: DuckDB's own
 * memory, valid until the next chunk is fetched.
 */
export async function scatter(
  result: DuckDBResult,
  out: Float64Array[],
  scale: readonly number[] | null,
  present: Uint8Array,
): Promise<void> {
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const n = chunk.rowCount;
    const slots = int32s(chunk, 0, n);
    for (let r = 0; r < n; r++) present[slots[r]] = 1;
    for (let j = 0; j < out.length; j++) {
      const src = float64s(chunk, j + 1, n);
      const dst = out[j];
      const f = scale ? scale[j] : 1;
      if (f === 1) for (let r = 0; r < n; r++) dst[slots[r]] = src[r];
      else for (let r = 0; r < n; r++) dst[slots[r]] = src[r] * f;
    }
    if (++chunksRead % chunksPerCollection === 0) collectChunks();
  }
}

/**
 * A fetched chunk's memory (~150 KB of DuckDB's) is freed only by the finalizer of its JS handle,
 * and V8 rarely collects while a stream allocates almost nothing on the JS heap: a full-market load
 * left ~5,000 chunks (0.7 GB) waiting, so DuckDB kept taking fresh pages instead of reusing warm
 * ones. A young-generation collection every 64 chunks read (over all streams) lets the finalizers
 * run (measured on the 5,000 × 2,440 bench market: the bars query 2.0–2.9 s → 1.4–2.2 s, system
 * time halved); it costs well under a millisecond as the young generation is almost all garbage.
 */
const chunksPerCollection = 64;
let chunksRead = 0;
let gc: ((options: { type: 'minor' }) => void) | null | undefined;

function collectChunks(): void {
  if (gc === undefined) {
    // V8's gc(), as --expose-gc would give it, without asking every launcher for the flag. The flag
    // is process-wide and puts a `gc` global into every context made while it is on, user-code
    // isolates included: it is on just long enough for one context to hand the function over.
    setFlagsFromString('--expose-gc');
    try {
      gc = (runInNewContext('gc') as typeof gc) ?? null;
    } finally {
      setFlagsFromString('--no-expose-gc');
    }
  }
  gc?.({ type: 'minor' });
}

/**
 * Column j of a chunk as a typed array over DuckDB's own memory (valid while the chunk is), for
 * columns with no NULLs (the panel's queries coalesce or filter them out): read through the C API's
 * vector data directly, as the node-api vector classes (getColumnVector) also build a validity mask
 * and a wrapper object per column, ~0.2 s over the 5,000 chunks of a full-market load.
 */
export function int32s(chunk: DuckDBDataChunk, j: number, n: number): Int32Array {
  const bytes = duckdb.vector_get_data(duckdb.data_chunk_get_vector(chunk.chunk, j), n * 4);
  return new Int32Array(bytes.buffer, bytes.byteOffset, n);
}

export function float64s(chunk: DuckDBDataChunk, j: number, n: number): Float64Array {
  const bytes = duckdb.vector_get_data(duckdb.data_chunk_get_vector(chunk.chunk, j), n * 8);
  return new Float64Array(bytes.buffer, bytes.byteOffset, n);
}

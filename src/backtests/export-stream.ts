/**
 * Streamed export bodies. A stored result can hold hundreds of thousands of orders; building the
 * file as one string (JSON.parse of the whole column, then JSON.stringify or CSV of all of it) held
 * the event loop for seconds and the memory several times over — two concurrent downloads of a
 * 110 MB JSON export stalled /healthz for 9.5 s. Instead a body is made of chunks read from Postgres
 * a slice at a time (each slice one short query), produced only when the client takes the previous
 * one (pull: a slow client holds no more than a chunk), with a turn of the event loop between.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import * as repo from './backtests.service.ts';
import { csvHeader, csvRows, formatsOf, type CsvFormats } from './csv.ts';

/** Items per slice: ~1–2 MB of JSON for orders; each slice is a query that reads the stored array. */
export const exportChunkItems = 5000;

/** A body from string chunks; a failure mid-way errors the stream (the client sees a broken transfer, not a silently short file). */
export function streamedBody(chunks: AsyncIterable<string>): ReadableStream<Uint8Array> {
  const it = chunks[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await it.next();
          if (next.done) controller.close();
          else controller.enqueue(encoder.encode(next.value));
        } catch (err) {
          controller.error(err);
        }
      },
      async cancel() {
        await it.return?.();
      },
    },
    { highWaterMark: 1 },
  );
}

/** A stored array (fills, orders) as CSV, header first, `exportChunkItems` rows per chunk; numbers written by the part's formats (csv.ts). */
export async function* csvChunks(db: Kysely<Database>, backtestId: number, part: repo.ListPart, columns: readonly string[], dateColumns: readonly string[], formats: CsvFormats = formatsOf(part)): AsyncGenerator<string> {
  yield csvHeader(columns);
  for (let offset = 0; ; offset += exportChunkItems) {
    const page = await repo.sliceResultArray(db, backtestId, part, offset, exportChunkItems);
    const items = (page?.items ?? []) as Record<string, unknown>[];
    if (items.length) yield csvRows(columns, items, dateColumns, formats);
    if (!page || offset + items.length >= page.total || items.length === 0) return;
    await yieldToLoop();
  }
}

/**
 * A stored array as the elements of a JSON array (`[` … `]` included), one slice per chunk. With
 * `map`, each stored item is written as the API names it (backtests.contract.ts); without, the
 * stored text is passed through.
 */
export async function* jsonArrayChunks(db: Kysely<Database>, backtestId: number, part: repo.ListPart, map?: (item: never) => unknown): AsyncGenerator<string> {
  yield '[';
  if (map) {
    for (let offset = 0; ; offset += exportChunkItems) {
      const page = await repo.sliceResultArray(db, backtestId, part, offset, exportChunkItems);
      const items = (page?.items ?? []) as never[];
      if (items.length) yield (offset === 0 ? '' : ',') + JSON.stringify(items.map(map)).slice(1, -1);
      if (!page || offset + items.length >= page.total || items.length === 0) break;
      await yieldToLoop();
    }
    yield ']';
    return;
  }
  for (let offset = 0; ; offset += exportChunkItems) {
    const text = await repo.resultArrayChunkText(db, backtestId, part, offset, exportChunkItems);
    if (!text) break;
    yield offset === 0 ? text : `,${text}`;
    await yieldToLoop();
  }
  yield ']';
}

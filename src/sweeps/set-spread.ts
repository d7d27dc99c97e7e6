/** The seam between a sweep pass and a sweep spread over processes (sweep-spread.service.ts), kept apart so neither imports the other. */
import type { SweepThreadSet } from './sweep.thread.ts';

/** How a pass runs its sets when the sweep is spread: in the batches this run claims (sweep-pass.ts runAndStore asks for it). */
export interface SetSpread {
  run(sets: SweepThreadSet[], runBatch: (batch: SweepThreadSet[]) => Promise<void>, signal: AbortSignal): Promise<void>;
}

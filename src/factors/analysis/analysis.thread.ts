/**
 * Worker-thread side of the `factor-analysis` executor: the daily pass (analyse.ts) and the summary
 * over a panel and factor matrix shared with the main thread (SharedArrayBuffers, never copied), so
 * the event loop keeps serving while ~2 s of ranking runs. Hosted by src/runs/thread-host.ts.
 */
import { isoDay } from '../../market/days.ts';
import { serveThreadTask } from '../../runs/thread-task.ts';
import { analyseFactor, type AnalysisInput, type AnalysisOptions } from './analyse.ts';
import { storedSeriesOf, storedSummaryOf, type StoredSeries, type StoredSummary } from './analysis.types.ts';
import { summarise } from './summary.ts';

export type AnalysisThreadInput = Omit<AnalysisInput, 'onProgress' | 'signal'> & { options: AnalysisOptions };
export interface AnalysisThreadOutput {
  summary: StoredSummary;
  series: StoredSeries;
  ms: number;
}

serveThreadTask<AnalysisThreadInput, AnalysisThreadOutput>((ctx) => {
  const { options, ...input } = ctx.input;
  const t0 = performance.now();
  const series = analyseFactor(
    {
      ...input,
      signal: ctx.signal,
      onProgress: (done, total) => ctx.progress({ processed: done, total, current: done < total ? isoDay(input.market.dates[input.from + done]) : 'summary' }),
    },
    options,
  );
  return { summary: storedSummaryOf(summarise(series)), series: storedSeriesOf(series), ms: performance.now() - t0 };
});

/**
 * Worker-thread side of the `factor-analysis` executor: the daily pass (analyse.ts) over some of the
 * days (split.ts), on a panel and factor matrix shared with the main thread (SharedArrayBuffers, never
 * copied), so the event loop keeps serving while the ranking runs on every core. Hosted by
 * src/runs/thread-host.ts on threads kept between analyses (analysis-threads.ts).
 */
import { isoDay } from '../../market/days.ts';
import { serveThreadTask } from '../../runs/thread-task.ts';
import { analyseFactor, type AnalysisInput, type AnalysisOptions, type AnalysisSeries } from './analyse.ts';

export type AnalysisThreadInput = Omit<AnalysisInput, 'onProgress' | 'signal'> & { options: AnalysisOptions };
/** The part's daily series (typed arrays: copied once to the main thread) and its time. */
export interface AnalysisThreadOutput {
  series: AnalysisSeries;
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
  return { series, ms: performance.now() - t0 };
});

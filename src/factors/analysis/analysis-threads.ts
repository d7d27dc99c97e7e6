/**
 * The daily pass on worker threads: the days split between up to `threads` threads (split.ts),
 * each reading the same shared panel and matrix, their series joined in order. Progress is the sum
 * of the days each has done; aborting `signal` stops them all.
 *
 * The threads are kept between analyses (keptThreadPool, src/runs/thread-host.ts): a new one loads its modules and runs
 * its first days on cold code, a few hundred ms of the ~1.5 s a full-market analysis takes on two
 * threads. They run no user code (only the analysis of stored values), so nothing of one user's
 * stays around for the next.
 */
import { keptThreadPool } from '../../runs/thread-host.ts';
import type { ProgressUpdate } from '../../runs/executor-registry.ts';
import type { AnalysisSeries } from './analyse.ts';
import { analysisExecutorName } from './analysis.types.ts';
import type { AnalysisThreadInput, AnalysisThreadOutput } from './analysis.thread.ts';
import { joinSeries, splitDays } from './split.ts';

/** Analysis threads idle now, waiting for the next analysis (tests). */
export function analysisThreadsIdle(): number {
  return keptThreadPool(analysisExecutorName).idle();
}

export async function analyseOnThreads(input: AnalysisThreadInput, threads: number, hooks: { signal: AbortSignal; onProgress?: (u: ProgressUpdate) => void }): Promise<{ series: AnalysisSeries; ms: number }> {
  const parts = splitDays(input.from, input.to, threads);
  const total = input.to - input.from + 1;
  const done = parts.map(() => 0);
  const t0 = performance.now();
  const pool = keptThreadPool(analysisExecutorName);
  const outs = await Promise.all(
    parts.map((part, k) =>
      pool.run<AnalysisThreadInput, AnalysisThreadOutput>({ ...input, from: part.from, to: part.to }, {
        signal: hooks.signal,
        graceMs: 1000,
        onProgress: (u) => {
          done[k] = Math.max(0, (u.processed ?? 0) - part.skip);
          const processed = done.reduce((a, b) => a + b, 0);
          hooks.onProgress?.({ processed, total, current: u.current ?? null });
        },
      }),
    ),
  );
  return { series: joinSeries(outs.map((o) => o.series), parts.map((p) => p.skip)), ms: performance.now() - t0 };
}

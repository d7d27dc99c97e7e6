/**
 * Factor analyses read pinned data like backtests and sweeps (issue 23): the `factor-analysis`
 * executor, run on the version its analysis recorded, else the latest (recorded as it starts), so
 * on a worker it reads a replica that does not change under it. The factors feature's executor is
 * used as is, built per run over that version's store and panel cache.
 */
import { makeFactorAnalysisExecutor, type AnalysisExecutorDeps } from '../factors/analysis/analysis.executor.ts';
import type { ExecutorDefinition, RunContext } from '../runs/executor-registry.ts';
import type { DataVersions } from './data-versions.ts';
import { analysisDataVersion, setAnalysisDataVersion } from './snapshots.repository.ts';

export function makePinnedAnalysisExecutor(deps: AnalysisExecutorDeps & { data: DataVersions }): ExecutorDefinition {
  const base = makeFactorAnalysisExecutor(deps);
  const run = async (p: { analysis_id: number }, ctx: RunContext): Promise<unknown> => {
    const pinned = await analysisDataVersion(deps.db, p.analysis_id);
    const data = await deps.data.acquire(pinned, (m) => ctx.log('warn', m));
    try {
      if (pinned !== data.version) await setAnalysisDataVersion(deps.db, p.analysis_id, data.version);
      ctx.log('info', `market data version ${data.version}${pinned === data.version ? ' (pinned)' : ''}`);
      return await makeFactorAnalysisExecutor({ ...deps, market: data.market, panels: data.panels }).run(p, ctx);
    } finally {
      data.release();
    }
  };
  return { ...base, run } as ExecutorDefinition;
}

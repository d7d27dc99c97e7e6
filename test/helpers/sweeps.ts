import { sql, type Kysely } from 'kysely';
import type { BacktestSpec } from '../../src/backtests/backtest-request.ts';
import type { Database } from '../../src/db/schema.ts';
import * as repo from '../../src/sweeps/sweeps.repository.ts';
import { storeSets } from '../../src/sweeps/sweep-sets.service.ts';

/**
 * A sweep row owned by `ownerId` without a worker: a dual_ma grid of short {3, 5} × long {10, 20}
 * over `spec`'s universe and period; 'succeeded' ones get four stored sets (made-up metrics and
 * returns, so reads, heatmaps and "run a set as a backtest" have something), 'queued' ones a queued
 * run (cancel, pause and delete act on it), 'paused' ones a paused run (resume acts on it).
 */
export async function insertSweepFixture(db: Kysely<Database>, ownerId: number, status: 'succeeded' | 'queued' | 'paused', spec: Pick<BacktestSpec, 'universe' | 'startDate' | 'endDate'>): Promise<number> {
  const now = new Date();
  const run = await db
    .insertInto('runs')
    .values({ executor: 'sweep', params: sql`'{}'::jsonb` as never, status, queued_by: ownerId, started_at: status === 'succeeded' ? now : null, finished_at: status === 'succeeded' ? now : null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const full: BacktestSpec = {
    strategy: { kind: 'builtin', name: 'dual_ma', strategyId: null, versionId: null, version: null }, params: {},
    capital: 1_000_000, benchmark: null, adjust: 'hfq', fillTiming: 'next_open', costs: {}, ...spec,
  };
  const space = { short_window: { values: [3, 5] }, long_window: { values: [10, 20] } };
  const id = await repo.insertSweep(db, {
    owner_id: ownerId, name: 'fixture sweep', kind: 'sweep', strategy_kind: 'builtin', strategy_name: 'dual_ma', strategy_id: null, strategy_version_id: null,
    spec: JSON.stringify(full), space: JSON.stringify(Object.entries(space)), mode: 'grid', budget: null, seed: 0, objective: 'sharpe', windows: null, grid_count: '4', planned_sets: 4,
  });
  await repo.setSweepRun(db, id, Number(run.id));
  if (status === 'succeeded') {
    const sets = [[3, 10], [3, 20], [5, 10], [5, 20]].map(([s, l], k) => ({
      ordinal: k, windowIndex: null, gridIndex: k, params: { short_window: s, long_window: l },
      metrics: { total_return: 0.01 * k, annualized_return: 0.02 * k, sharpe: 0.1 * k, sortino: null, calmar: null, max_drawdown: -0.1, volatility: 0.2, excess_return: null, win_rate: null, final_value: 1e6, trade_count: k },
      metricsJson: '{}', error: null, returns: new Float64Array([0.001 * k, -0.002, 0.003]),
    }));
    await storeSets(db, id, sets);
    await repo.updateSweep(db, id, { sets_done: 4, best_ordinal: 3, best_value: 0.3 });
  }
  return id;
}

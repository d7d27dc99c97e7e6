/**
 * The sweeps API's contract (conventions in src/http/contract.ts): the submission (a backtest
 * submission plus the parameter space, search mode, objective and, for a walk-forward, windows),
 * the count of a space, and every answer — the sweep, its sets, its heatmap.
 */
import { z } from '@hono/zod-openapi';
import { instant, instantSchema, isoDaySchema } from '../http/contract.ts';
import { boundedInt, pageQuery } from '../http/input.ts';
import { isoDay } from '../market/days.ts';
import { SubmitBacktestSchema } from '../backtests/backtests.contract.ts';
import { progressJson, RunErrorSchema, RunProgressSchema, runErrorJson } from '../runs/runs.contract.ts';
import { runStatuses, type RunStatus } from '../runs/run.types.ts';
import { setMetricNames, sweepObjectives, type SetMetrics, type Sweep, type SweepSet } from './sweep.types.ts';

const paramValue = z.union([z.number(), z.string(), z.boolean()]);

export const AxisSchema = z
  .union([
    z.object({ values: z.array(paramValue).min(1).max(1_000_000) }).strict(),
    z.object({ from: z.number(), to: z.number(), step: z.number() }).strict(),
  ])
  .describe('One swept parameter: a list of values, or a range from…to by step (both ends included when on the step)')
  .openapi('SweepAxis');

export const SpaceSchema = z
  .record(z.string(), AxisSchema)
  .describe('Swept parameters by name, in grid order (the first is the outermost loop); the others keep `params` or their defaults');

export const WindowsSchema = z
  .object({
    kind: z.enum(['rolling', 'anchored']).default('rolling'),
    in_sample_days: z.number().int().min(1).max(100_000),
    out_of_sample_days: z.number().int().min(1).max(100_000),
    step_days: z.number().int().min(1).max(100_000).optional().describe('Trading days between windows; default out_of_sample_days (contiguous out-of-sample segments)'),
  })
  .strict()
  .openapi('WalkForwardWindows');

const searchFields = {
  space: SpaceSchema,
  mode: z.enum(['grid', 'random', 'lhs']).default('grid').describe('grid: every point; random: `budget` distinct valid points; lhs: a Latin hypercube of `budget` points'),
  budget: z.number().int().min(1).optional().describe('Sets to run in random and lhs modes'),
  seed: z.number().int().min(0).max(2_147_483_647).default(0).describe('Seed of random and lhs sampling'),
};

export const SubmitSweepSchema = SubmitBacktestSchema.extend({
  ...searchFields,
  objective: z.enum(sweepObjectives).default('sharpe').describe('The metric the best set maximises'),
  windows: WindowsSchema.optional().describe('Makes it a walk-forward: optimise on each in-sample window, run the winner out of sample'),
})
  .strict()
  .openapi('SweepSubmit');
export type SubmitSweep = z.output<typeof SubmitSweepSchema>;

export const CountSweepSchema = z
  .object({
    strategy: z.string().min(1).max(100).optional(),
    strategy_id: z.number().int().positive().optional(),
    params: z.record(z.string(), z.unknown()).default({}),
    ...searchFields,
  })
  .strict()
  .openapi('SweepCountRequest');
export type CountSweep = z.output<typeof CountSweepSchema>;

export const SweepCountSchema = z
  .object({
    total: z.string().describe('Grid points (decimal text: it may exceed 2^53)'),
    estimated_valid: z.string().describe('Grid points the strategy accepts: exact when `exact`, else estimated from a sample'),
    exact: z.boolean(),
    planned_sets: z.number().int().nullable().describe('Sets the sweep would run at most (the grid, or the budget); null when refused'),
    max_sets: z.number().int().describe('SWEEP_MAX_SETS'),
    refused: z.string().nullable().describe('Why this sweep would be refused (e.g. over the maximum, with the count named), or null'),
  })
  .openapi('SweepCount');

const ratio = z.number().nullable();
export const SetMetricsSchema = z.object(Object.fromEntries(setMetricNames.map((m) => [m, ratio])) as Record<(typeof setMetricNames)[number], typeof ratio>).openapi('SweepSetMetrics');

const DsrSchema = z.object({
  dsr: z.number(), trials: z.number().int(), expected_max_sharpe: z.number(), observed_sharpe: z.number(), skewness: z.number(), kurtosis: z.number(), periods: z.number().int(),
});
const PboSchema = z.object({ pbo: z.number(), partitions: z.number().int(), combinations: z.number().int(), configurations: z.number().int(), periods: z.number().int() });

const WindowResultSchema = z.object({
  index: z.number().int(),
  in_sample: z.object({ start_date: isoDaySchema, end_date: isoDaySchema }),
  out_of_sample: z.object({ start_date: isoDaySchema, end_date: isoDaySchema }),
  params: z.record(z.string(), z.unknown()).nullable().describe('The in-sample winner'),
  in_sample_metrics: SetMetricsSchema.nullable(),
  out_of_sample_metrics: SetMetricsSchema.nullable(),
});

export const SweepSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    kind: z.enum(['sweep', 'walk_forward']),
    status: z.enum(runStatuses as [RunStatus, ...RunStatus[]]),
    progress: RunProgressSchema.nullable(),
    owner: z.object({ id: z.number().int(), username: z.string().nullable() }),
    strategy: z.object({ kind: z.enum(['builtin', 'user']), name: z.string() }),
    params: z.record(z.string(), z.unknown()).describe('Base values of the parameters not swept'),
    space: SpaceSchema,
    mode: z.enum(['grid', 'random', 'lhs']),
    budget: z.number().int().nullable(),
    seed: z.number().int(),
    objective: z.enum(sweepObjectives),
    windows: z.object({ kind: z.enum(['rolling', 'anchored']), in_sample_days: z.number().int(), out_of_sample_days: z.number().int(), step_days: z.number().int() }).nullable(),
    start_date: isoDaySchema,
    end_date: isoDaySchema,
    counts: z.object({
      grid: z.string().describe('Grid points (decimal text)'),
      planned: z.number().int().describe('Sets at most (grid points or budget; per window for a walk-forward)'),
      done: z.number().int(),
      failed: z.number().int(),
      skipped: z.number().int().describe('Points the strategy refused (e.g. short_window ≥ long_window)'),
      skip_reasons: z.array(z.object({ message: z.string(), count: z.number().int() })),
    }),
    best: z.object({ ordinal: z.number().int(), value: z.number(), params: z.record(z.string(), z.unknown()).nullable(), metrics: SetMetricsSchema.nullable() }).nullable(),
    dsr: DsrSchema.nullable().describe('Deflated Sharpe Ratio of the best set (Bailey and López de Prado, 2014)'),
    pbo: PboSchema.nullable().describe('Probability of Backtest Overfitting by CSCV (Bailey, Borwein, López de Prado and Zhu, 2015)'),
    notes: z.array(z.string()),
    walk_forward: z
      .object({ windows: z.array(WindowResultSchema), curve: z.object({ dates: z.array(isoDaySchema), values: z.array(z.number()) }), metrics: SetMetricsSchema.nullable() })
      .nullable(),
    error: RunErrorSchema.nullable(),
    run_id: z.number().int().nullable(),
    data_version: z.string().nullable().describe('The market data snapshot version its sets ran on; null before its run starts'),
    created_at: instantSchema,
    started_at: instantSchema.nullable(),
    finished_at: instantSchema.nullable(),
    links: z.object({ self: z.string(), events: z.string().nullable().describe('SSE of the sweep’s run: progress until done'), results: z.string(), heatmap: z.string(), page: z.string() }),
  })
  .openapi('Sweep');

export const SweepListSchema = z.object({ sweeps: z.array(SweepSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }).openapi('SweepList');
export const SweepListQuery = z
  .object({ status: z.enum(runStatuses as [RunStatus, ...RunStatus[]]).optional(), kind: z.enum(['sweep', 'walk_forward']).optional(), ...pageQuery(500, 50).shape })
  .strict();

export const SetSchema = z
  .object({
    ordinal: z.number().int(),
    window_index: z.number().int().nullable(),
    grid_index: z.number().int(),
    params: z.record(z.string(), z.unknown()),
    status: z.enum(['succeeded', 'failed']),
    error: z.string().nullable(),
    metrics: SetMetricsSchema,
  })
  .openapi('SweepSet');

const metricFilters = Object.fromEntries(
  setMetricNames.flatMap((m) => [[`min_${m}`, z.coerce.number().finite().optional()], [`max_${m}`, z.coerce.number().finite().optional()]]),
) as Record<string, z.ZodOptional<z.ZodCoercedNumber>>;

export const ResultsQuery = z
  .object({
    sort: z.enum(['ordinal', ...setMetricNames]).default('ordinal'),
    dir: z.enum(['asc', 'desc']).default('asc'),
    status: z.enum(['succeeded', 'failed']).optional(),
    window: boundedInt(0, 100_000).optional().describe('Walk-forward: the sets of this window’s in-sample optimisation'),
    format: z.enum(['json', 'csv']).default('json').describe('csv: every matching set (paging ignored)'),
    ...metricFilters,
    ...pageQuery(5000, 100).shape,
  })
  .strict();

export const SetPageSchema = z.object({ id: z.number().int(), sets: z.array(SetSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }).openapi('SweepSetPage');

export const HeatmapQuery = z
  .object({
    x: z.string().min(1).max(100).optional().describe('A swept parameter for the columns; default the first'),
    y: z.string().min(1).max(100).optional().describe('Another swept parameter for the rows; default the second'),
    metric: z.enum(setMetricNames).default('sharpe'),
    agg: z.enum(['max', 'mean', 'min', 'fixed']).default('max').describe('How sets that share (x, y) are combined; fixed: only those whose other parameters equal `fixed`'),
    fixed: z.string().max(2000).optional().describe('With agg=fixed: JSON object of the other parameters’ values, e.g. {"stop":0.05}'),
  })
  .strict();

export const HeatmapSchema = z
  .object({
    x: z.object({ name: z.string(), values: z.array(z.union([z.number(), z.string(), z.boolean()])) }),
    y: z.object({ name: z.string(), values: z.array(z.union([z.number(), z.string(), z.boolean()])) }),
    metric: z.string(),
    agg: z.string(),
    cells: z.array(z.array(z.number().nullable())).describe('cells[j][i]: the metric at y.values[j], x.values[i]; null where no set ran'),
    counts: z.array(z.array(z.number().int())).describe('Sets combined into each cell'),
  })
  .openapi('SweepHeatmap');

export const OrdinalParams = z.object({
  id: boundedInt(1, Number.MAX_SAFE_INTEGER).openapi({ param: { name: 'id', in: 'path' }, type: 'integer' }),
  ordinal: boundedInt(0, 10_000_000).openapi({ param: { name: 'ordinal', in: 'path' }, type: 'integer' }),
});

export const setMetricsJson = (m: SetMetrics): z.infer<typeof SetMetricsSchema> => ({ ...m });

export const setJson = (s: SweepSet): z.infer<typeof SetSchema> => ({
  ordinal: s.ordinal, window_index: s.windowIndex, grid_index: s.gridIndex, params: s.params, status: s.status, error: s.error, metrics: setMetricsJson(s.metrics),
});

export function sweepLinks(id: number, runId: number | null) {
  return {
    self: `/api/v1/sweeps/${id}`,
    events: runId ? `/api/v1/runs/${runId}/events` : null,
    results: `/api/v1/sweeps/${id}/results`,
    heatmap: `/api/v1/sweeps/${id}/heatmap`,
    page: `/sweeps/${id}`,
  };
}

/** The sweep as the API answers it; `best` is the best set's row when the caller read it. */
export function sweepJson(s: Sweep, best: SweepSet | null = null): z.infer<typeof SweepSchema> {
  const st = s.stats ?? {};
  const wf = st.walkForward;
  const day = (n: number) => isoDay(n);
  return {
    id: s.id,
    name: s.name,
    kind: s.kind,
    status: s.status,
    progress: s.progress ? progressJson(s.progress) : null,
    owner: { id: s.ownerId, username: s.ownerName },
    strategy: { kind: s.spec.strategy.kind, name: s.spec.strategy.name },
    params: s.spec.params,
    space: s.space as z.infer<typeof SpaceSchema>,
    mode: s.mode,
    budget: s.budget,
    seed: s.seed,
    objective: s.objective,
    windows: s.windows ? { kind: s.windows.kind, in_sample_days: s.windows.inSampleDays, out_of_sample_days: s.windows.outOfSampleDays, step_days: s.windows.stepDays } : null,
    start_date: day(s.spec.startDate),
    end_date: day(s.spec.endDate),
    counts: { grid: s.gridCount, planned: s.plannedSets, done: s.setsDone, failed: s.setsFailed, skipped: s.skipped, skip_reasons: s.skipReasons },
    best: s.best ? { ordinal: s.best.ordinal, value: s.best.value, params: best?.params ?? null, metrics: best ? setMetricsJson(best.metrics) : null } : null,
    dsr: st.dsr
      ? { dsr: st.dsr.dsr, trials: st.dsr.trials, expected_max_sharpe: st.dsr.expectedMaxSharpe, observed_sharpe: st.dsr.observedSharpe, skewness: st.dsr.skewness, kurtosis: st.dsr.kurtosis, periods: st.dsr.periods }
      : null,
    pbo: st.pbo ? { pbo: st.pbo.pbo, partitions: st.pbo.partitions, combinations: st.pbo.combinations, configurations: st.pbo.configurations, periods: st.pbo.periods } : null,
    notes: st.notes ?? [],
    walk_forward: wf
      ? {
          windows: wf.windows.map((w) => ({
            index: w.index,
            in_sample: { start_date: day(w.isStart), end_date: day(w.isEnd) },
            out_of_sample: { start_date: day(w.oosStart), end_date: day(w.oosEnd) },
            params: w.params,
            in_sample_metrics: w.inSample,
            out_of_sample_metrics: w.outOfSample,
          })),
          curve: { dates: wf.curve.dates.map(day), values: wf.curve.values },
          metrics: wf.metrics,
        }
      : null,
    error: s.error ? runErrorJson(s.error) : null,
    run_id: s.runId,
    data_version: s.dataVersion,
    created_at: instant(s.createdAt),
    started_at: instant(s.startedAt),
    finished_at: instant(s.finishedAt),
    links: sweepLinks(s.id, s.runId),
  };
}

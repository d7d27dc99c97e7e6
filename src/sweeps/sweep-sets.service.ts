/**
 * A sweep's parameter sets: the table (sorted, filtered, paged; CSV), the heatmap of a metric over
 * two parameters, and the writes of the `sweep` executor (sets as they finish, counts and best so
 * far, the statistics at the end). The executor reaches the repository only through here.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { AppError } from '../http/errors.ts';
import { buildSpace } from './space.ts';
import { strategyOfSweep } from './sweep-strategy.service.ts';
import { setMetricNames, type SetMetricName, type SetMetrics, type Sweep, type SweepObjective, type SweepSet, type SweepStats } from './sweep.types.ts';
import * as repo from './sweeps.repository.ts';

type Db = Kysely<Database>;

const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

function toSet(r: repo.SetRow): SweepSet {
  const metrics = {} as SetMetrics;
  for (const m of setMetricNames) metrics[m] = r[m] ?? null;
  return {
    ordinal: r.ordinal, windowIndex: r.window_index, gridIndex: Number(r.grid_index), params: parse(r.params) as Record<string, unknown>,
    status: r.status, error: r.error, metrics,
  };
}

export async function findSweepSet(db: Db, sweepId: number, ordinal: number): Promise<SweepSet | null> {
  const r = await repo.findSet(db, sweepId, ordinal);
  return r ? toSet(r) : null;
}

export interface SetListQuery {
  sort: SetMetricName | 'ordinal';
  dir: 'asc' | 'desc';
  limit: number;
  offset: number;
  status?: 'succeeded' | 'failed';
  window?: number;
  min?: Partial<Record<SetMetricName, number>>;
  max?: Partial<Record<SetMetricName, number>>;
}

/** A page of the sweep's sets; a walk-forward's in-sample sets by window (`window`), a sweep's otherwise. */
export async function listSweepSets(db: Db, s: Sweep, q: SetListQuery): Promise<{ sets: SweepSet[]; total: number }> {
  const { rows, total } = await repo.listSets(db, s.id, {
    sort: q.sort, dir: q.dir, limit: q.limit, offset: q.offset, status: q.status, min: q.min, max: q.max,
    windowIndex: s.kind === 'walk_forward' ? q.window : null,
  });
  return { sets: rows.map(toSet), total };
}

const csvCell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  const t = typeof v === 'string' ? v : typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
};

/** Every matching set as CSV: ordinal, the swept parameters, status, the metrics (full precision). */
export async function sweepSetsCsv(db: Db, s: Sweep, q: Omit<SetListQuery, 'limit' | 'offset'>): Promise<string> {
  const params = Object.keys(s.space);
  const lines = [['ordinal', ...(s.kind === 'walk_forward' ? ['window'] : []), ...params, 'status', ...setMetricNames, 'error'].join(',')];
  for (let offset = 0; ; offset += 5000) {
    const { sets } = await listSweepSets(db, s, { ...q, limit: 5000, offset });
    for (const set of sets) {
      lines.push([
        set.ordinal, ...(s.kind === 'walk_forward' ? [set.windowIndex] : []), ...params.map((p) => set.params[p]), set.status,
        ...setMetricNames.map((m) => set.metrics[m]), set.error,
      ].map(csvCell).join(','));
    }
    if (sets.length < 5000) break;
  }
  return lines.join('\n') + '\n';
}

export interface HeatmapQuery {
  /** Default: the first and second swept parameters. */
  x?: string;
  y?: string;
  metric: SetMetricName;
  agg: 'max' | 'mean' | 'min' | 'fixed';
  /** With agg fixed: the other parameters' values. */
  fixed?: Record<string, unknown>;
}

/** The metric over two swept parameters, on the axes' values in order; cells where no set ran are null. */
export async function sweepHeatmap(db: Db, s: Sweep, query: HeatmapQuery) {
  const names = Object.keys(s.space);
  if ((query.x === undefined || query.y === undefined) && names.length < 2) {
    throw new AppError(400, 'invalid_request', `${query.x === undefined ? 'x' : 'y'}: sweep ${s.id} sweeps ${names.length ? `only ${names[0]}` : 'no parameter'}; a heatmap needs two (see /results for the table)`, { field: query.x === undefined ? 'x' : 'y' });
  }
  const x = query.x ?? names.find((n) => n !== query.y)!;
  const q = { ...query, x, y: query.y ?? names.find((n) => n !== x)! };
  for (const [field, name] of [['x', q.x], ['y', q.y]] as const) {
    if (!names.includes(name)) throw new AppError(400, 'invalid_request', `${field}: ${name} is not a swept parameter of sweep ${s.id}; swept: ${names.join(', ') || 'none'}`, { field });
  }
  if (q.x === q.y) throw new AppError(400, 'invalid_request', 'y: give a parameter other than x', { field: 'y' });
  const { schema } = await strategyOfSweep(db, s);
  const space = buildSpace(s.space, schema);
  const axis = (name: string) => space.axes.find((a) => a.name === name)!;
  const xs = Array.from({ length: axis(q.x).length }, (_, k) => axis(q.x).valueAt(k));
  const ys = Array.from({ length: axis(q.y).length }, (_, k) => axis(q.y).valueAt(k));
  const xi = new Map(xs.map((v, i) => [v, i]));
  const yi = new Map(ys.map((v, i) => [v, i]));
  const fixed = q.agg === 'fixed' ? (q.fixed ?? {}) : null;
  if (fixed) {
    const others = names.filter((n) => n !== q.x && n !== q.y);
    const missing = others.filter((n) => !(n in fixed));
    if (missing.length) throw new AppError(400, 'invalid_request', `fixed: give the value of ${missing.join(', ')} (e.g. fixed={"${missing[0]}":…}), or use agg=max or mean`, { field: 'fixed' });
  }
  const sums = ys.map(() => xs.map(() => 0));
  const counts = ys.map(() => xs.map(() => 0));
  const best: (number | null)[][] = ys.map(() => xs.map(() => null));
  for (const r of await repo.setParamsAndMetric(db, s.id, q.metric)) {
    if (r.value === null) continue;
    const params = parse(r.params) as Record<string, unknown>;
    if (fixed && Object.entries(fixed).some(([k, v]) => k !== q.x && k !== q.y && params[k] !== v)) continue;
    const i = xi.get(params[q.x] as never);
    const j = yi.get(params[q.y] as never);
    if (i === undefined || j === undefined) continue;
    counts[j][i]++;
    sums[j][i] += r.value;
    const cur = best[j][i];
    best[j][i] = cur === null ? r.value : q.agg === 'min' ? Math.min(cur, r.value) : Math.max(cur, r.value);
  }
  const cells = ys.map((_, j) => xs.map((_, i) => (counts[j][i] === 0 ? null : q.agg === 'mean' ? sums[j][i] / counts[j][i] : best[j][i])));
  return { x: { name: q.x, values: xs }, y: { name: q.y, values: ys }, metric: q.metric, agg: q.agg, cells, counts };
}

// ——— the executor's side ———

/** The ordinals a sweep has stored (what a resumed attempt skips). */
export const storedOrdinals = (db: Db, sweepId: number): Promise<number[]> => repo.storedOrdinals(db, sweepId);

/** One set's outcome as the executor hands it over. */
export interface SetOutcome {
  ordinal: number;
  windowIndex: number | null;
  gridIndex: number;
  params: Record<string, unknown>;
  /** null when the set failed (error says why). */
  metrics: SetMetrics | null;
  /** The full metrics object as JSON text. */
  metricsJson: string | null;
  error: string | null;
  /** Daily simple returns. */
  returns: Float64Array | null;
}

const bytesOf = (r: Float64Array): Uint8Array => new Uint8Array(r.buffer.slice(r.byteOffset, r.byteOffset + r.byteLength));

/** Daily returns stored as bytes, back as a Float64Array (copied: the driver's buffer may be unaligned). */
export function returnsOf(bytes: Uint8Array | null): Float64Array {
  if (!bytes) return new Float64Array(0);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float64Array(copy.buffer);
}

/** Stores finished sets (a set stored by an earlier attempt stays as it was). */
export async function storeSets(db: Db, sweepId: number, sets: readonly SetOutcome[]): Promise<void> {
  await repo.insertSets(db, sets.map((s) => {
    const m = s.metrics;
    return {
      sweep_id: sweepId, ordinal: s.ordinal, window_index: s.windowIndex, grid_index: s.gridIndex, params: JSON.stringify(s.params),
      status: m ? 'succeeded' : 'failed', error: s.error,
      total_return: m?.total_return ?? null, annualized_return: m?.annualized_return ?? null, sharpe: m?.sharpe ?? null, sortino: m?.sortino ?? null,
      calmar: m?.calmar ?? null, max_drawdown: m?.max_drawdown ?? null, volatility: m?.volatility ?? null, excess_return: m?.excess_return ?? null,
      win_rate: m?.win_rate ?? null, final_value: m?.final_value ?? null, trade_count: m?.trade_count ?? null,
      metrics: s.metricsJson, returns: s.returns ? bytesOf(s.returns) : null,
    };
  }));
}

/** Counts and best so far from what is stored (so a resumed attempt's counts include the earlier one's sets). */
export async function refreshCounts(db: Db, sweepId: number, objective: SweepObjective, extra: { skipped?: number; skipReasons?: unknown; plannedSets?: number; allWindows?: boolean } = {}) {
  const sum = await repo.setSummary(db, sweepId, objective, extra.allWindows ? 'all' : null);
  await repo.updateSweep(db, sweepId, {
    sets_done: sum.done, sets_failed: sum.failed, best_ordinal: sum.best?.ordinal ?? null, best_value: sum.best?.value ?? null,
    ...(extra.skipped !== undefined ? { skipped: extra.skipped } : {}),
    ...(extra.skipReasons !== undefined ? { skip_reasons: JSON.stringify(extra.skipReasons) } : {}),
    ...(extra.plannedSets !== undefined ? { planned_sets: extra.plannedSets } : {}),
  });
  return sum;
}

/** The succeeded sets' daily returns and objective values (of one walk-forward window, or the sweep's). */
export async function setReturnsOf(db: Db, sweepId: number, objective: SweepObjective, windowIndex: number | null = null) {
  const rows = await repo.setReturns(db, sweepId, objective, windowIndex);
  return rows.map((r) => ({ ordinal: r.ordinal, value: r.value, returns: returnsOf(r.returns) }));
}

/** The best stored set of a walk-forward window (highest objective, lowest ordinal on ties). */
export async function bestOfWindow(db: Db, sweepId: number, objective: SweepObjective, windowIndex: number) {
  return (await repo.setSummary(db, sweepId, objective, windowIndex)).best;
}

/** The statistics and finish time, once every set has run. */
export async function finishSweep(db: Db, sweepId: number, stats: SweepStats): Promise<void> {
  await repo.updateSweep(db, sweepId, { dsr: stats.dsr?.dsr ?? null, pbo: stats.pbo?.pbo ?? null, stats: JSON.stringify(stats), finished_at: new Date() });
}

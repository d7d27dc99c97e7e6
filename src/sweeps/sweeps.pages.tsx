/**
 * Sweep pages: the list, the new-sweep form with its live count and parameter part, the sweep page
 * (live progress polled as a fragment, then the results: table, heatmap, robustness, overfitting
 * statistics, walk-forward), its fragments and exports, cancel, delete, and a set as a backtest.
 */
import { Hono, type Context } from 'hono';
import { canChangeOwned, principalOf, requireRole, type Principal } from '../auth/access.ts';
import { auditActor } from '../audit/audit.service.ts';
import type { Config } from '../config.ts';
import type { AppEnv } from '../http/env.ts';
import type { PageChromeFn } from '../http/chrome.ts';
import { AppError } from '../http/errors.ts';
import { parseInput } from '../http/contract.ts';
import { offsetQuery, pathId } from '../http/input.ts';
import type { MarketStore } from '../market/duckdb.ts';
import { barRange, indexCodes } from '../market/market.service.ts';
import { isoDay } from '../market/days.ts';
import type { RunsService } from '../runs/runs.service.ts';
import { isTerminal } from '../runs/run.types.ts';
import type { BacktestSubmitLimits, BacktestsDeps } from '../backtests/backtests.service.ts';
import { defaultSpecValues, formOne, specBody, specValuesFromForm, type FormFields } from '../backtests/spec-form.ts';
import { builtinList, listUserStrategies } from '../strategies/strategies.service.ts';
import { strategyOfSweep, sweepStrategy } from './sweep-strategy.service.ts';
import type { ParamsJsonSchema } from './space.ts';
import { builtinSweepSchema } from './checks.ts';
import { CountSweepSchema, SubmitSweepSchema } from './sweeps.contract.ts';
import { confirmFirst, afterAction } from '../http/confirm.pages.tsx';
import { backtestOfSet, cancelSweep, controlSweep, changeableSweep, countSweep, deleteSweep, listSweeps, submitSweep, sweepSubmitLimitsOf, visibleSweep, type SweepsDeps } from './sweeps.service.ts';
import { listSweepSets, sweepHeatmap, sweepSetsCsv, type SetListQuery } from './sweep-sets.service.ts';
import { setMetricNames, sweepObjectives, type SetMetricName, type Sweep } from './sweep.types.ts';
import { allSets, axesFromForm, axisValues, defaultAxes, pboLambdas, robustness, spaceOfAxes, spaceOfSweep, type LambdaHistogram } from './sweeps.view-model.ts';
import { CountLine, NewSweepPage, ParamsPart, type CountView, type SweepFormValues } from '../../views/sweeps/form-page.tsx';
import { SweepListPage, SweepRows } from '../../views/sweeps/list-page.tsx';
import { SweepBody, SweepPage, type SweepBodyModel } from '../../views/sweeps/sweep-page.tsx';
import { HeatmapSection, SetsTable, type HeatmapModel, type SetsQuery, type SetsTableModel } from '../../views/sweeps/results.tsx';

export interface SweepPagesDeps {
  db: SweepsDeps['db'];
  runs: RunsService;
  market: MarketStore;
  /** SWEEP_MAX_SETS and the queue bound come from here. */
  config: Pick<Config, 'backtestMaxQueuedPerUser' | 'sweepMaxSets'>;
  backtestLimits?: BacktestSubmitLimits;
  chrome: PageChromeFn;
  trustProxy: boolean;
}

/** The metrics the table shows, in this order. */
const tableMetrics: readonly SetMetricName[] = ['sharpe', 'total_return', 'annualized_return', 'max_drawdown', 'volatility', 'sortino', 'calmar', 'win_rate', 'trade_count'];
const idOf = (raw: string) => pathId(raw, 'sweep');
const isMetric = (v: string | undefined): v is SetMetricName => !!v && (setMetricNames as readonly string[]).includes(v);

export function sweepsPages(deps: SweepPagesDeps) {
  const { db, runs, market, chrome } = deps;
  const limits = sweepSubmitLimitsOf(deps.config);
  const sweeps: SweepsDeps = { db, runs, market, limits };
  const backtests: BacktestsDeps = { db, runs, market, limits: deps.backtestLimits };
  const app = new Hono<AppEnv>();

  // ——— the list ———
  const listed = async (p: Principal) => {
    const { sweeps: rows, total } = await listSweeps(db, p, { limit: 100, offset: 0 });
    return { rows, total, live: rows.some((s) => !isTerminal(s.status)) };
  };
  app.get('/sweeps', requireRole('viewer'), async (c) => {
    const p = principalOf(c);
    const l = await listed(p);
    return c.html(<SweepListPage chrome={chrome(c)} sweeps={l.rows} total={l.total} live={l.live} canCreate={p.role !== 'viewer'} />);
  });
  app.get('/sweeps/rows', requireRole('viewer'), async (c) => {
    const l = await listed(principalOf(c));
    return c.html(<SweepRows t={deps.chrome(c).t} sweeps={l.rows} live={l.live} timeZone={deps.chrome(c).timeZone} />);
  });

  // ——— the form ———
  /** The chosen strategy's params schema: a built-in's, or (user:<id>) the caller's own strategy's current one; null when none is visible. */
  const schemaOf = async (p: Principal, strategy: string): Promise<ParamsJsonSchema | null> => {
    const user = /^user:(\d+)$/.exec(strategy);
    if (!user) return builtinSweepSchema(strategy)?.schema ?? null;
    return (await sweepStrategy(db, p, { strategy_id: Number(user[1]) }).catch(() => null))?.schema ?? null;
  };
  /** A stored sweep's space (its strategy's schema: a user strategy's from the version it ran); null when that is gone. */
  const sweepSpace = async (s: Sweep) => spaceOfSweep(s, (await strategyOfSweep(db, s).catch(() => null))?.schema ?? null);
  const dataRange = async () => {
    const r = await barRange(market);
    return { first: r ? isoDay(r.first) : null, last: r ? isoDay(r.last) : null };
  };
  const formContext = async (p: Principal, strategy: string, schema: ParamsJsonSchema | null) => {
    const [indexes, range, mine] = await Promise.all([indexCodes(market), dataRange(), listUserStrategies(db, p)]);
    return { builtins: builtinList(), mine: mine.map((m) => ({ id: m.id, name: m.name, version: m.version })), schema, indexes, dataRange: range, objectives: sweepObjectives, maxSets: limits.maxSets };
  };
  /** The strategy field: a built-in's name, `user:<id>` (visibility is checked where it is read), else dual_ma. */
  const strategyOf = (raw: string) => {
    const name = raw.replace(/^builtin:/, '');
    return builtinSweepSchema(name) || /^user:\d+$/.test(name) ? name : 'dual_ma';
  };
  /** The form's values from its posted fields (or the count's query). */
  const valuesOf = (form: FormFields, strategy: string, schema: ParamsJsonSchema | null): SweepFormValues => ({
    ...specValuesFromForm(form), strategy, name: formOne(form, 'name'), axes: axesFromForm(schema, form),
    mode: formOne(form, 'mode') || 'grid', budget: formOne(form, 'budget'), seed: formOne(form, 'seed') || '0', objective: formOne(form, 'objective') || 'sharpe',
    wf_kind: formOne(form, 'wf_kind') || 'none', wf_in: formOne(form, 'wf_in'), wf_out: formOne(form, 'wf_out'), wf_step: formOne(form, 'wf_step'),
  });
  /** The walk-forward windows of the form, when asked for (numbers as typed: the contract names a bad one). */
  const windowsOf = (v: SweepFormValues) => {
    if (v.wf_kind !== 'rolling' && v.wf_kind !== 'anchored') return {};
    const n = (t: string) => (t.trim() === '' ? undefined : Number(t));
    return { windows: { kind: v.wf_kind, in_sample_days: n(v.wf_in), out_of_sample_days: n(v.wf_out), ...(n(v.wf_step) !== undefined ? { step_days: n(v.wf_step) } : {}) } };
  };
  /** The search part of a submission (space, params, mode, budget, seed), or a field problem. */
  const searchOf = (v: SweepFormValues, schema: ParamsJsonSchema | null) => {
    const sp = spaceOfAxes(schema, v.axes);
    if ('field' in sp) return sp;
    const budget = v.budget.trim() === '' ? undefined : Number(v.budget);
    const user = /^user:(\d+)$/.exec(v.strategy);
    return { ...(user ? { strategy_id: Number(user[1]) } : { strategy: v.strategy }), params: sp.params, space: sp.space, mode: v.mode, ...(budget !== undefined && v.mode !== 'grid' ? { budget } : {}), seed: Number(v.seed || 0) };
  };
  const count = async (p: Principal, v: SweepFormValues, schema: ParamsJsonSchema | null): Promise<CountView> => {
    const search = searchOf(v, schema);
    if ('field' in search) return { ok: false, message: search.message };
    try {
      const r = await countSweep(db, p, limits, parseInput(CountSweepSchema, search));
      const skipped = (BigInt(r.total) - BigInt(r.estimated_valid)).toString();
      return { ok: true, total: r.total, valid: r.estimated_valid, exact: r.exact, skipped, planned: r.planned_sets, mode: v.mode, refused: r.refused };
    } catch (err) {
      if (err instanceof AppError && err.status === 400) return { ok: false, message: err.message };
      throw err;
    }
  };

  // ?strategy= picks the strategy (the no-JavaScript way to switch: its own small GET form).
  app.get('/sweeps/new', requireRole('analyst'), async (c) => {
    const p = principalOf(c);
    const strategy = strategyOf(c.req.query('strategy') ?? 'dual_ma');
    const ctx = await formContext(p, strategy, await schemaOf(p, strategy));
    const v: SweepFormValues = { ...defaultSpecValues(ctx.dataRange), strategy, name: '', axes: defaultAxes(ctx.schema), mode: 'grid', budget: '', seed: '0', objective: 'sharpe', wf_kind: 'none', wf_in: '', wf_out: '', wf_step: '' };
    return c.html(<NewSweepPage chrome={chrome(c)} v={v} ctx={ctx} count={await count(p, v, ctx.schema)} error={null} />);
  });

  app.get('/sweeps/new/params', requireRole('analyst'), async (c) => {
    const strategy = strategyOf(c.req.query('strategy') ?? '');
    const schema = await schemaOf(principalOf(c), strategy);
    return c.html(<ParamsPart t={chrome(c).t} schema={schema} axes={defaultAxes(schema)} error={null} />);
  });

  app.get('/sweeps/new/count', requireRole('analyst'), async (c) => {
    const p = principalOf(c);
    const q = c.req.queries() as FormFields;
    const strategy = strategyOf(formOne(q, 'strategy'));
    const schema = await schemaOf(p, strategy);
    return c.html(<CountLine t={chrome(c).t} count={await count(p, valuesOf(q, strategy, schema), schema)} />);
  });

  app.post('/sweeps', requireRole('analyst'), async (c) => {
    const p = principalOf(c);
    const form = (await c.req.parseBody({ all: true })) as FormFields;
    const strategy = strategyOf(formOne(form, 'strategy'));
    const schema = await schemaOf(p, strategy);
    const v = valuesOf(form, strategy, schema);
    const again = async (error: { field: string; message: string }, status: 400 | 429) =>
      c.html(<NewSweepPage chrome={chrome(c)} v={v} ctx={await formContext(p, strategy, schema)} count={await count(p, v, schema)} error={error} />, status);
    const search = searchOf(v, schema);
    if ('field' in search) return again(search, 400);
    const objective = (sweepObjectives as readonly string[]).includes(v.objective) ? v.objective : 'sharpe';
    const body = { ...search, ...specBody(v), objective, ...windowsOf(v), ...(v.name.trim() ? { name: v.name.trim() } : {}) };
    try {
      const s = await submitSweep(sweeps, p, parseInput(SubmitSweepSchema, body));
      return c.redirect(`/sweeps/${s.id}`, 303);
    } catch (err) {
      if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 429)) throw err;
      return again({ field: String(err.details?.field ?? ''), message: err.message }, err.status as 400 | 429);
    }
  });

  // ——— one sweep ———
  const setsQueryOf = (c: Context<AppEnv>): SetsQuery => {
    const sort = c.req.query('sort');
    const fm = c.req.query('fm');
    const status = c.req.query('status');
    const finite = (raw: string | undefined, field: string) => {
      const t = (raw ?? '').trim();
      if (t !== '' && !Number.isFinite(Number(t))) throw new AppError(400, 'invalid_request', `${field}: expected a number, got ${JSON.stringify(t.slice(0, 40))}`, { field });
      return t;
    };
    return {
      sort: sort === 'ordinal' || isMetric(sort) ? sort : 'ordinal',
      dir: c.req.query('dir') === 'desc' ? 'desc' : 'asc',
      status: status === 'succeeded' || status === 'failed' ? status : '',
      fm: isMetric(fm) ? fm : 'sharpe',
      fmin: finite(c.req.query('fmin'), 'fmin'),
      fmax: finite(c.req.query('fmax'), 'fmax'),
      offset: offsetQuery(c.req.query('offset')),
      limit: 50,
    };
  };
  const listQuery = (q: SetsQuery): SetListQuery => ({
    sort: q.sort, dir: q.dir, limit: q.limit, offset: q.offset, ...(q.status ? { status: q.status } : {}),
    ...(q.fmin !== '' ? { min: { [q.fm]: Number(q.fmin) } } : {}), ...(q.fmax !== '' ? { max: { [q.fm]: Number(q.fmax) } } : {}),
  });
  const tableOf = async (p: Principal, s: Sweep, q: SetsQuery): Promise<SetsTableModel> => {
    const { sets, total } = await listSweepSets(db, s, listQuery(q));
    return { sweepId: s.id, params: Object.keys(s.space), sets, total, q, metrics: tableMetrics, bestOrdinal: s.best?.ordinal ?? null, canRun: p.role !== 'viewer' && s.kind === 'sweep', windowed: s.kind === 'walk_forward' };
  };
  const heatmapOf = async (c: Context<AppEnv>, s: Sweep): Promise<HeatmapModel | null> => {
    const space = await sweepSpace(s);
    if (!space || s.kind !== 'sweep') return null;
    const axes = axisValues(space);
    const names = axes.map((a) => a.name);
    const metric = isMetric(c.req.query('metric')) ? (c.req.query('metric') as SetMetricName) : (s.objective as SetMetricName);
    const pickName = (raw: string | undefined, fallback: number) => (raw && names.includes(raw) ? raw : names[fallback] ?? '');
    const x = pickName(c.req.query('x'), names.length > 1 ? 1 : 0);
    const y = pickName(c.req.query('y'), 0);
    const aggRaw = c.req.query('agg');
    const agg = aggRaw === 'mean' || aggRaw === 'fixed' ? aggRaw : 'max';
    const fixedText: Record<string, string> = {};
    const fixed: Record<string, unknown> = {};
    for (const a of axes) {
      if (a.name === x || a.name === y) continue;
      const raw = c.req.query(`fix.${a.name}`);
      const v = a.values.find((val) => String(val) === raw) ?? a.values[0];
      fixedText[a.name] = String(v);
      fixed[a.name] = v;
    }
    const m: HeatmapModel = { sweepId: s.id, axes, x, y, metric, agg, fixed: fixedText, metrics: setMetricNames, data: null, problem: null };
    if (names.length < 2) return { ...m, problem: 'oneParameter' };
    if (x === y) return { ...m, problem: 'sameAxes' };
    m.data = await sweepHeatmap(db, s, { x, y, metric, agg, ...(agg === 'fixed' ? { fixed } : {}) });
    return m;
  };
  // The λ distribution is recomputed from stored returns (up to ~0.2 s at 500 sets): kept for the
  // last few finished sweeps viewed, so a reload or a second reader does not pay it again.
  const lambdaCache = new Map<string, Promise<LambdaHistogram | null>>();
  const lambdasOf = (s: Sweep) => {
    const key = `${s.id}:${s.finishedAt?.getTime() ?? ''}`;
    let h = lambdaCache.get(key);
    if (!h) {
      h = pboLambdas(db, s).catch((err) => {
        lambdaCache.delete(key);
        throw err;
      });
      lambdaCache.set(key, h);
      if (lambdaCache.size > 16) lambdaCache.delete(lambdaCache.keys().next().value!);
    }
    return h;
  };
  const bodyOf = async (c: Context<AppEnv>, s: Sweep): Promise<SweepBodyModel> => {
    const p = principalOf(c);
    const terminal = isTerminal(s.status);
    const base = { s, terminal, canChange: canChangeOwned(p, s.ownerId), now: Date.now(), results: null };
    if (!terminal || (s.setsDone + s.setsFailed === 0 && s.kind === 'sweep')) return base;
    const space = await sweepSpace(s);
    const metric = s.objective as SetMetricName;
    const [table, heatmap, lambdas, sets] = await Promise.all([
      tableOf(p, s, setsQueryOf(c)),
      heatmapOf(c, s),
      s.status === 'succeeded' ? lambdasOf(s) : Promise.resolve(null),
      space && s.kind === 'sweep' ? allSets(db, s, metric) : Promise.resolve([]),
    ]);
    const robust = space && sets.length ? { ...robustness(space, sets, metric), metric, params: Object.keys(s.space) } : null;
    return { ...base, results: { table, heatmap, robust, lambdas } };
  };

  app.get('/sweeps/:id{[0-9]+}', requireRole('viewer'), async (c) => {
    const s = await visibleSweep(db, principalOf(c), idOf(c.req.param('id')));
    return c.html(<SweepPage chrome={chrome(c)} m={await bodyOf(c, s)} />);
  });

  app.get('/sweeps/:id{[0-9]+}/live', requireRole('viewer'), async (c) => {
    const s = await visibleSweep(db, principalOf(c), idOf(c.req.param('id')));
    return c.html(<SweepBody chrome={chrome(c)} m={await bodyOf(c, s)} />);
  });

  app.get('/sweeps/:id{[0-9]+}/sets', requireRole('viewer'), async (c) => {
    const p = principalOf(c);
    const s = await visibleSweep(db, p, idOf(c.req.param('id')));
    return c.html(<SetsTable chrome={chrome(c)} m={await tableOf(p, s, setsQueryOf(c))} />);
  });

  app.get('/sweeps/:id{[0-9]+}/heatmap', requireRole('viewer'), async (c) => {
    const s = await visibleSweep(db, principalOf(c), idOf(c.req.param('id')));
    const m = await heatmapOf(c, s);
    return m ? c.html(<HeatmapSection t={chrome(c).t} m={m} />) : c.html(<p class="muted">{chrome(c).t('sweeps.noHeatmap')}</p>);
  });

  app.get('/sweeps/:id{[0-9]+}/export/sets.csv', requireRole('viewer'), async (c) => {
    const s = await visibleSweep(db, principalOf(c), idOf(c.req.param('id')));
    const { limit: _l, offset: _o, ...q } = listQuery(setsQueryOf(c));
    c.header('content-disposition', `attachment; filename="sweep-${s.id}-sets.csv"`);
    return c.body(await sweepSetsCsv(db, s, q), 200, { 'content-type': 'text/csv; charset=utf-8' });
  });

  app.get('/sweeps/:id{[0-9]+}/export/sets.json', requireRole('viewer'), async (c) => {
    const s = await visibleSweep(db, principalOf(c), idOf(c.req.param('id')));
    const metric = s.objective as SetMetricName;
    const sets = [];
    for (let offset = 0; ; offset += 5000) {
      const page = await listSweepSets(db, s, { sort: 'ordinal', dir: 'asc', limit: 5000, offset });
      sets.push(...page.sets.map((x) => ({ ordinal: x.ordinal, window_index: x.windowIndex, grid_index: x.gridIndex, params: x.params, status: x.status, error: x.error, metrics: x.metrics })));
      if (page.sets.length < 5000) break;
    }
    c.header('content-disposition', `attachment; filename="sweep-${s.id}-sets.json"`);
    return c.json({ id: s.id, name: s.name, strategy: s.spec.strategy.name, objective: metric, space: s.space, sets });
  });

  app.post('/sweeps/:id{[0-9]+}/cancel', requireRole('analyst'), async (c) => {
    const id = idOf(c.req.param('id'));
    await cancelSweep(sweeps, principalOf(c), auditActor(c, deps.trustProxy), id);
    return c.redirect(`/sweeps/${id}`, 303);
  });

  for (const action of ['pause', 'resume'] as const) {
    app.post(`/sweeps/:id{[0-9]+}/${action}`, requireRole('analyst'), async (c) => {
      const id = idOf(c.req.param('id'));
      await controlSweep(sweeps, principalOf(c), auditActor(c, deps.trustProxy), id, action);
      return c.redirect(`/sweeps/${id}`, 303);
    });
  }

  app.post('/sweeps/:id{[0-9]+}/delete', requireRole('analyst'), async (c) => {
    const id = idOf(c.req.param('id'));
    const s = await changeableSweep(db, principalOf(c), id);
    const ask = await confirmFirst(c, chrome, (t) => ({
      title: t('confirm.sweep.title', { name: s.name }),
      what: [
        t('confirm.sweep.what'),
        ...(isTerminal(s.status) ? [] : [t('confirm.unfinished')]),
        t('confirm.sweep.backtestsStay'),
      ],
      action: `/sweeps/${id}/delete`, cancel: `/sweeps/${id}`, label: t('confirm.sweep.label'), section: 'sweeps',
    }));
    if (ask) return ask;
    await deleteSweep(sweeps, principalOf(c), auditActor(c, deps.trustProxy), id);
    return afterAction(c, '/sweeps');
  });

  app.post('/sweeps/:id{[0-9]+}/sets/:ordinal{[0-9]+}/backtest', requireRole('analyst'), async (c) => {
    const ordinal = Number(c.req.param('ordinal'));
    if (!Number.isSafeInteger(ordinal)) throw new AppError(404, 'not_found', `no set ${c.req.param('ordinal').slice(0, 20)}`);
    const b = await backtestOfSet(backtests, principalOf(c), idOf(c.req.param('id')), ordinal);
    return c.redirect(`/backtests/${b.id}`, 303);
  });

  return app;
}

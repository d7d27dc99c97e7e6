/** GET /backtests/new (the form, optionally prefilled from a strategy or an earlier backtest), its fragments, and POST /backtests. */
import { Hono, type Context } from 'hono';
import { pathId } from '../http/input.ts';
import { principalOf, requireRole, type Principal } from '../auth/access.ts';
import type { AppEnv } from '../http/env.ts';
import { AppError } from '../http/errors.ts';
import { parseInput } from '../http/contract.ts';
import { SubmitBacktestSchema } from './backtests.contract.ts';
import { builtinByName, builtinList, listUserStrategies, visibleStrategy } from '../strategies/strategies.service.ts';
import { CreatePage, type CreateContext, type CreateValues } from '../../views/backtests/create-page.tsx';
import { ParamsFields, paramsFromForm } from '../../views/backtests/params-form.tsx';
import { barRange, indexCodes, stockPicks } from '../market/market.service.ts';
import { isoDay } from '../market/days.ts';
import type { BacktestPagesDeps } from './pages.deps.ts';
import { defaultSpecValues, formOne, specBody, specValuesFromForm, type FormFields } from './spec-form.ts';
import { backtestSubmitLimitsOf, submitBacktest, visibleBacktest } from './backtests.service.ts';

type Form = FormFields;

export function createRoutes(deps: BacktestPagesDeps) {
  const { db, chrome, market } = deps;
  const app = new Hono<AppEnv>();

  // The coverage the submit path checks against (plan.ts answerableSpec), so the form offers what it accepts.
  // No .catch: the store creates its tables on open, so an empty store answers null / [] (the form then
  // offers no dates or benchmarks); a failing query is a fault of the store, answered 500 and logged by the
  // error handler, not hidden behind a form that silently offers nothing (as the submit itself would fail).
  const dataRange = async () => {
    const r = await barRange(market);
    return { first: r ? isoDay(r.first) : null, last: r ? isoDay(r.last) : null };
  };
  const indexes = () => indexCodes(market);
  const schemaOf = async (p: Principal, strategy: string): Promise<unknown> => {
    if (strategy.startsWith('user:')) return (await visibleStrategy(db, p, Number(strategy.slice(5)))).paramsSchema;
    return builtinByName(strategy.replace(/^builtin:/, ''))?.paramsSchema ?? null;
  };
  const context = async (c: Context<AppEnv>, strategy: string): Promise<CreateContext> => {
    const p = principalOf(c);
    const [mine, idx, range, schema] = await Promise.all([listUserStrategies(db, p, {}).then((l) => l.filter((s) => s.ownerId === p.userId)), indexes(), dataRange(), schemaOf(p, strategy).catch(() => null)]);
    return { builtins: builtinList(), mine, indexes: idx, dataRange: range, schema, limits: deps.limits ?? backtestSubmitLimitsOf() };
  };

  const defaults = (range: { first: string | null; last: string | null }): CreateValues => ({ strategy: 'builtin:dual_ma', params: {}, name: '', ...defaultSpecValues(range) });

  app.get('/backtests/new', requireRole('analyst'), async (c) => {
    const p = principalOf(c);
    const range = await dataRange();
    let v = defaults(range);
    let rerunOf: number | null = null;
    const fromRaw = c.req.query('from');
    const from = fromRaw ? pathId(fromRaw, 'backtest') : 0;
    if (from > 0) {
      const b = await visibleBacktest(db, p, from);
      const s = b.spec;
      rerunOf = b.id;
      v = {
        ...v, strategy: s.strategy.kind === 'user' ? `user:${s.strategy.strategyId}` : `builtin:${s.strategy.name}`, params: s.params, universe: s.universe.kind,
        codes: s.universe.kind === 'codes' ? s.universe.codes.join(', ') : '', boards: s.universe.kind === 'all' ? (s.universe.boards ?? []) : [],
        exclude_st: s.universe.kind === 'all' && s.universe.excludeSt, start_date: isoDay(s.startDate), end_date: isoDay(s.endDate), capital: String(s.capital),
        benchmark: s.benchmark ?? '', adjust: s.adjust, fill_timing: s.fillTiming,
        commission_pct: s.costs.commissionRate !== undefined ? String(s.costs.commissionRate * 100) : v.commission_pct,
        min_commission: s.costs.minCommission !== undefined ? String(s.costs.minCommission) : v.min_commission,
        stamp_duty_pct: typeof s.costs.stampDuty === 'number' ? String(s.costs.stampDuty * 100) : '',
        transfer_fee_pct: typeof s.costs.transferFee === 'number' ? String(s.costs.transferFee * 100) : '',
        slippage_bps: s.costs.slippageBps !== undefined ? String(s.costs.slippageBps) : v.slippage_bps, on_error: s.onError ?? 'fail', name: '',
      };
    }
    const st = c.req.query('strategy');
    if (st && /^(builtin:[a-z_]+|user:\d+)$/.test(st)) v.strategy = st;
    // The form itself, sent back by its no-JavaScript "show parameters" button: keep what was typed.
    if (c.req.query('params_for') !== undefined) v = { ...v, ...specValuesFromForm(c.req.queries() as Form), name: c.req.query('name') ?? '' };
    return c.html(<CreatePage chrome={chrome(c)} v={v} ctx={await context(c, v.strategy)} error={null} rerunOf={rerunOf} />);
  });

  app.get('/backtests/new/params', requireRole('analyst'), async (c) => {
    const schema = await schemaOf(principalOf(c), c.req.query('strategy') ?? '').catch(() => null);
    return c.html(<ParamsFields t={chrome(c).t} schema={schema} strategy={c.req.query('strategy') ?? ''} />);
  });

  app.get('/backtests/new/stocks', requireRole('analyst'), async (c) => {
    const q = (c.req.query('stock_q') ?? c.req.query('q') ?? '').trim().slice(0, 40);
    if (!q) return c.html('');
    // No .catch, as for the form's coverage above: a store fault is a logged 500, not an empty list of picks.
    const rows = await stockPicks(market, q);
    return c.html(<>{rows.map((r) => <option value={r.tsCode}>{`${r.tsCode} ${r.name ?? ''}`}</option>)}</>);
  });

  app.post('/backtests', requireRole('analyst'), async (c) => {
    const p = principalOf(c);
    const form = (await c.req.parseBody({ all: true })) as Form;
    const strategy = formOne(form, 'strategy');
    const schema = await schemaOf(p, strategy).catch(() => null);
    const paramsFor = formOne(form, 'params_for');
    // Another strategy was chosen but its fields never loaded (JavaScript off): show them, run nothing.
    if (paramsFor && paramsFor !== strategy) {
      const v: CreateValues = { strategy, params: {}, name: formOne(form, 'name'), ...specValuesFromForm(form) };
      const notice = 'You chose another strategy: its parameters are below, at their defaults. Check them, then run the backtest.';
      return c.html(<CreatePage chrome={chrome(c)} v={v} ctx={await context(c, strategy)} error={null} notice={notice} />);
    }
    const v: CreateValues = { strategy, params: paramsFromForm(schema, form), name: formOne(form, 'name'), ...specValuesFromForm(form) };
    const body: Record<string, unknown> = {
      ...(strategy.startsWith('user:') ? { strategy_id: Number(strategy.slice(5)) } : { strategy: strategy.replace(/^builtin:/, '') }),
      params: v.params,
      ...specBody(v),
      ...(v.name.trim() ? { name: v.name.trim() } : {}),
    };
    try {
      const b = await submitBacktest(deps, p, parseInput(SubmitBacktestSchema, body));
      return c.redirect(`/backtests/${b.id}`, 303);
    } catch (err) {
      // A field problem, or too many backtests waiting (429): the form again, filled in, with the reason.
      if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 429)) throw err;
      const field = String(err.details?.field ?? '');
      return c.html(<CreatePage chrome={chrome(c)} v={v} ctx={await context(c, strategy)} error={{ field, message: err.message }} />, err.status);
    }
  });
  return app;
}

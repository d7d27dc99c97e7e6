/**
 * Factor analysis pages: the form (/factors/{id}/analyses/new, with the factor's earlier analyses),
 * its POST (a 303 to the analysis, or the form again naming the field), the analysis page with its
 * live fragment (polled while the run is live, the results once it has ended), delete.
 */
import { Hono } from 'hono';
import { canChangeOwned, principalOf, requireRole } from '../../auth/access.ts';
import { auditActor } from '../../audit/audit.service.ts';
import type { AppEnv } from '../../http/env.ts';
import type { PageChromeFn } from '../../http/chrome.ts';
import { AppError } from '../../http/errors.ts';
import { parseInput } from '../../http/contract.ts';
import { pathId } from '../../http/input.ts';
import type { MarketStore } from '../../market/duckdb.ts';
import { isoDay } from '../../market/days.ts';
import type { RunsService } from '../../runs/runs.service.ts';
import { isTerminal } from '../../runs/run.types.ts';
import { afterAction, confirmFirst } from '../../http/confirm.pages.tsx';
import { SubmitAnalysisSchema } from './analyses.contract.ts';
import { analysisFormContext, analysisSeries, deleteAnalysis, submitAnalysis, visibleAnalysis, type AnalysesDeps } from './analyses.service.ts';
import { analysisCharts } from './analysis.view-model.ts';
import type { FactorAnalysis } from './analysis.types.ts';
import type { FactorRef } from '../factors.service.ts';
import { NewAnalysisPage, type AnalysisFormValues } from '../../../views/factors/analysis-form.tsx';
import { AnalysisBody, AnalysisPage, type AnalysisPageModel } from '../../../views/factors/analysis-page.tsx';

export interface AnalysisPagesDeps {
  db: AnalysesDeps['db'];
  runs: RunsService;
  market: MarketStore;
  maxQueuedPerUser?: number;
  chrome: PageChromeFn;
  trustProxy: boolean;
}

type Form = Record<string, string | File | (string | File)[]>;
const one = (f: Form, k: string): string => {
  const v = f[k];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s : '';
};

function valuesOf(f: Form): AnalysisFormValues {
  return {
    universe: one(f, 'universe') === 'codes' ? 'codes' : 'all', codes: one(f, 'codes'), start_date: one(f, 'start_date'), end_date: one(f, 'end_date'),
    horizons: one(f, 'horizons'), quantiles: one(f, 'quantiles'), industry_neutral: one(f, 'industry_neutral') !== '', size_neutral: one(f, 'size_neutral') !== '',
    exclude_st: one(f, 'exclude_st') !== '', exclude_new_listings: one(f, 'exclude_new_listings') !== '', new_listing_days: one(f, 'new_listing_days'),
  };
}

/** The API's submission from the form's text; a 400 naming the field for what is not a number. */
function bodyOf(v: AnalysisFormValues): unknown {
  const int = (s: string, field: string): number => {
    const t = s.trim();
    if (!/^\d+$/.test(t)) throw new AppError(400, 'invalid_request', `${field}: expected a whole number, got ${JSON.stringify(t.slice(0, 40))}`, { field });
    return Number(t);
  };
  const horizons = v.horizons.split(/[\s,;]+/).filter(Boolean).map((h) => int(h, 'horizons'));
  const codes = v.codes.split(/[\s,;]+/).filter(Boolean);
  return {
    universe: v.universe, ...(v.universe === 'codes' ? { codes } : {}), start_date: v.start_date, end_date: v.end_date,
    ...(horizons.length ? { horizons } : {}), quantiles: v.quantiles.trim() === '' ? 5 : int(v.quantiles, 'quantiles'),
    industry_neutral: v.industry_neutral, size_neutral: v.size_neutral, exclude_st: v.exclude_st, exclude_new_listings: v.exclude_new_listings,
    new_listing_days: v.new_listing_days.trim() === '' ? 60 : int(v.new_listing_days, 'new_listing_days'),
  };
}

export function analysesPages(deps: AnalysisPagesDeps) {
  const { db, market, chrome } = deps;
  const service: AnalysesDeps = { db, runs: deps.runs, market, maxQueuedPerUser: deps.maxQueuedPerUser };
  const app = new Hono<AppEnv>();

  const defaults = (stored: { first: number; last: number } | null): AnalysisFormValues => ({
    universe: 'all', codes: '', start_date: stored ? isoDay(stored.first) : '', end_date: stored ? isoDay(stored.last) : '', horizons: '1, 5, 20', quantiles: '5',
    industry_neutral: false, size_neutral: false, exclude_st: false, exclude_new_listings: false, new_listing_days: '60',
  });

  app.get('/factors/:id/analyses/new', requireRole('analyst'), async (c) => {
    const ctx = await analysisFormContext(db, market, principalOf(c), c.req.param('id'));
    return c.html(<NewAnalysisPage chrome={chrome(c)} m={{ factorId: ctx.ref.id, factorTitle: ctx.ref.title, v: defaults(ctx.stored), stored: ctx.stored, error: null, earlier: ctx.earlier }} />);
  });

  app.post('/factors/:id/analyses', requireRole('analyst'), async (c) => {
    const p = principalOf(c);
    const id = c.req.param('id');
    const ctx = await analysisFormContext(db, market, p, id);
    const v = valuesOf((await c.req.parseBody({ all: true })) as Form);
    try {
      const a = await submitAnalysis(service, p, id, parseInput(SubmitAnalysisSchema, bodyOf(v)));
      return c.redirect(`/factors/${encodeURIComponent(a.factorId)}/analyses/${a.id}`, 303);
    } catch (err) {
      if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 409 && err.status !== 429)) throw err;
      const error = { field: String(err.details?.field ?? ''), message: err.message };
      return c.html(<NewAnalysisPage chrome={chrome(c)} m={{ factorId: ctx.ref.id, factorTitle: ctx.ref.title, v, stored: ctx.stored, error, earlier: ctx.earlier }} />, err.status as 400 | 409 | 429);
    }
  });

  const modelOf = async (ref: FactorRef, a: FactorAnalysis, canChange: boolean, h: number): Promise<AnalysisPageModel> => {
    const terminal = isTerminal(a.status);
    const series = terminal && a.summary ? await analysisSeries(db, a) : null;
    return { a, factorTitle: ref.title, terminal, canChange, charts: series && a.summary ? analysisCharts(series, a.summary, h) : null };
  };
  const horizonOf = (raw: string | undefined) => (raw && /^\d{1,3}$/.test(raw) ? Number(raw) : 0);

  app.get('/factors/:id/analyses/:aid{[0-9]+}', requireRole('viewer'), async (c) => {
    const p = principalOf(c);
    const { ref, analysis } = await visibleAnalysis(db, p, c.req.param('id'), pathId(c.req.param('aid'), 'analysis'));
    return c.html(<AnalysisPage chrome={chrome(c)} m={await modelOf(ref, analysis, canChangeOwned(p, analysis.ownerId), horizonOf(c.req.query('h')))} />);
  });

  app.get('/factors/:id/analyses/:aid{[0-9]+}/live', requireRole('viewer'), async (c) => {
    const p = principalOf(c);
    const { ref, analysis } = await visibleAnalysis(db, p, c.req.param('id'), pathId(c.req.param('aid'), 'analysis'));
    return c.html(<AnalysisBody chrome={chrome(c)} m={await modelOf(ref, analysis, canChangeOwned(p, analysis.ownerId), 0)} />);
  });

  app.post('/factors/:id/analyses/:aid{[0-9]+}/delete', requireRole('analyst'), async (c) => {
    const p = principalOf(c);
    const factorId = c.req.param('id');
    const aid = pathId(c.req.param('aid'), 'analysis');
    const { ref, analysis } = await visibleAnalysis(db, p, factorId, aid);
    const page = `/factors/${encodeURIComponent(ref.id)}/analyses/${analysis.id}`;
    const t = chrome(c).t;
    const asked = await confirmFirst(c, chrome, () => ({
      title: t('factorAnalysis.deleteTitle', { id: analysis.id, factor: ref.title }), what: [t('factorAnalysis.deleteWhat')], action: `${page}/delete`, cancel: page, label: t('factorAnalysis.deleteLabel'), section: 'factors',
    }));
    if (asked) return asked;
    await deleteAnalysis(service, p, auditActor(c, deps.trustProxy), factorId, aid);
    return afterAction(c, `/factors/${encodeURIComponent(ref.id)}/analyses/new`);
  });

  return app;
}

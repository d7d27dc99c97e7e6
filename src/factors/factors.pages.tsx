/** Factor pages: /factors (definitions, stored values), /factors/{id} (coverage, the compute form, versions), the editor, delete. */
import { Hono, type Context } from 'hono';
import type { Kysely } from 'kysely';
import { canChangeOwned, principalOf, requireRole, roleAtLeast } from '../auth/access.ts';
import { auditActor } from '../audit/audit.service.ts';
import type { Database } from '../db/schema.ts';
import type { PageChromeFn } from '../http/chrome.ts';
import { afterAction, confirmFirst } from '../http/confirm.pages.tsx';
import { parseInput } from '../http/contract.ts';
import type { AppEnv } from '../http/env.ts';
import { AppError } from '../http/errors.ts';
import type { MarketStore } from '../market/duckdb.ts';
import type { RunsService } from '../runs/runs.service.ts';
import { FactorEditorPage, FactorPage, FactorsPage, type ComputeFormValues, type FactorEditorValues } from '../../views/factors/factors.tsx';
import { builtinFactorId, builtinFactors, parseBuiltinFactorId } from './builtin-factors.ts';
import { factorDetail, factorList, queueFactorComputation } from './factor-catalogue.service.ts';
import { ComputeFactorSchema, FactorInputSchema } from './factors.contract.ts';
import { factorTemplate } from './factor.types.ts';
import { changeableUserFactor, createUserFactor, deleteUserFactor, updateUserFactor } from './user-factors.service.ts';

// Built-in ids and user factor ids (u12, u12v3): what a factor page's path may hold.
const factorPath = ':id{[a-z][a-z0-9_]+}';
const userPath = ':id{u[0-9]+}';

export function factorsPages(deps: { db: Kysely<Database>; market: MarketStore; runs: RunsService; chrome: PageChromeFn; trustProxy: boolean }) {
  const { db, market, runs, chrome } = deps;
  const app = new Hono<AppEnv>();
  const userNumber = (c: Context<AppEnv>) => Number(c.req.param('id')!.slice(1));

  app.get('/factors', requireRole('viewer'), async (c) => {
    const p = principalOf(c);
    return c.html(<FactorsPage chrome={chrome(c)} list={await factorList(db, market, p)} canCreate={roleAtLeast(p.role, 'analyst')} />);
  });

  const editorValues = async (c: Context<AppEnv>): Promise<FactorEditorValues> => {
    const f = await c.req.parseBody();
    const s = (k: string) => (typeof f[k] === 'string' ? (f[k] as string) : '');
    return { name: s('name'), description: s('description'), language: s('language') === 'ts' ? 'ts' : 'js', code: s('code').replace(/\r\n/g, '\n') };
  };
  const editorError = (err: unknown) => {
    if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 409)) throw err;
    const d = err.details ?? {};
    return { status: err.status as 400 | 409, error: { field: String(d.field ?? ''), message: err.message, line: (d.line as number | null) ?? null } };
  };

  app.get('/factors/new', requireRole('analyst'), (c) =>
    c.html(<FactorEditorPage chrome={chrome(c)} factor={null} v={{ name: '', description: '', language: 'js', code: factorTemplate }} error={null} />),
  );

  app.post('/factors/new', requireRole('analyst'), async (c) => {
    const v = await editorValues(c);
    try {
      const f = await createUserFactor(db, principalOf(c), parseInput(FactorInputSchema, v));
      return c.redirect(`/factors/u${f.id}`, 303);
    } catch (err) {
      const e = editorError(err);
      return c.html(<FactorEditorPage chrome={chrome(c)} factor={null} v={v} error={e.error} />, e.status);
    }
  });

  app.get(`/factors/${userPath}/edit`, requireRole('analyst'), async (c) => {
    const f = await changeableUserFactor(db, principalOf(c), userNumber(c));
    return c.html(<FactorEditorPage chrome={chrome(c)} factor={f} v={{ name: f.name, description: f.description, language: f.language, code: f.code }} error={null} />);
  });

  app.post(`/factors/${userPath}/edit`, requireRole('analyst'), async (c) => {
    const f = await changeableUserFactor(db, principalOf(c), userNumber(c));
    const v = await editorValues(c);
    try {
      await updateUserFactor(db, principalOf(c), f.id, parseInput(FactorInputSchema, v));
      return c.redirect(`/factors/u${f.id}`, 303);
    } catch (err) {
      const e = editorError(err);
      return c.html(<FactorEditorPage chrome={chrome(c)} factor={f} v={v} error={e.error} />, e.status);
    }
  });

  app.post(`/factors/${userPath}/delete`, requireRole('analyst'), async (c) => {
    const f = await changeableUserFactor(db, principalOf(c), userNumber(c));
    const { t } = chrome(c);
    const ask = await confirmFirst(c, chrome, () => ({
      title: t('factors.deleteTitle', { name: f.name }),
      what: [t('factors.deleteWhat1'), t('factors.deleteWhat2')],
      action: `/factors/u${f.id}/delete`, cancel: `/factors/u${f.id}`, label: t('factors.delete'), section: 'factors',
    }));
    if (ask) return ask;
    await deleteUserFactor(db, market, principalOf(c), f.id, auditActor(c, deps.trustProxy));
    return afterAction(c, '/factors');
  });

  /** The factor's page, with the compute form as given (after a refusal) or its defaults. */
  const factorPage = async (c: Context<AppEnv>, id: string, form: ComputeFormValues | null, error: { field: string; message: string } | null, status: 200 | 400 = 200) => {
    const p = principalOf(c);
    const d = await factorDetail(db, market, p, id);
    const b = d.ref.kind === 'builtin' ? parseBuiltinFactorId(d.ref.id) : null;
    const w = b ? builtinFactors[b.kind].window : null;
    const run = Number(c.req.query('run'));
    return c.html(
      <FactorPage
        chrome={chrome(c)} d={d} window={w && b ? { min: w.min, max: w.max, n: b.n } : null}
        canCompute={roleAtLeast(p.role, 'analyst')} canChange={d.user !== null && canChangeOwned(p, d.user.factor.ownerId)}
        form={form ?? { n: b && w ? String(b.n) : '', start: '', end: '', codes: '' }} error={error}
        queuedRun={Number.isSafeInteger(run) && run > 0 ? run : null}
      />,
      status,
    );
  };

  app.get(`/factors/${factorPath}`, requireRole('viewer'), (c) => factorPage(c, c.req.param('id'), null, null));

  app.post(`/factors/${factorPath}/compute`, requireRole('analyst'), async (c) => {
    const f = await c.req.parseBody();
    const s = (k: string) => (typeof f[k] === 'string' ? (f[k] as string).trim() : '');
    const form: ComputeFormValues = { n: s('n'), start: s('start_date'), end: s('end_date'), codes: s('codes') };
    let id = c.req.param('id');
    try {
      // A built-in's window chosen on the form names another id of the same kind (momentum_20 → momentum_60).
      const b = parseBuiltinFactorId(id);
      if (b && builtinFactors[b.kind].window && form.n) {
        const n = Number(form.n);
        const w = builtinFactors[b.kind].window!;
        if (!Number.isInteger(n) || n < w.min || n > w.max) throw new AppError(400, 'invalid_request', `n: the window is a whole number of days from ${w.min} to ${w.max}`, { field: 'n' });
        id = builtinFactorId(b.kind, n);
      }
      const codes = form.codes ? form.codes.split(/[\s,;]+/).filter(Boolean).map((x) => x.toUpperCase()) : undefined;
      const body = parseInput(ComputeFactorSchema, { ...(form.start ? { start_date: form.start } : {}), ...(form.end ? { end_date: form.end } : {}), ...(codes?.length ? { codes } : {}) });
      const { run } = await queueFactorComputation({ db, market, runs }, principalOf(c), id, body);
      return afterAction(c, `/factors/${id}?run=${run.id}`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      return factorPage(c, c.req.param('id'), form, { field: String(err.details?.field ?? ''), message: err.message }, 400);
    }
  });

  return app;
}

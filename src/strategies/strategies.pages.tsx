/** Strategy pages: list with search and category, built-in view, user strategy view, create/edit with the code editor, delete. */
import { Hono, type Context } from 'hono';
import { pathId, maxInt4Id } from '../http/input.ts';
import { canChangeOwned, principalOf, requireRole, roleAtLeast } from '../auth/access.ts';
import { auditActor } from '../audit/audit.service.ts';
import type { PageChromeFn } from '../http/chrome.ts';
import type { AppEnv } from '../http/env.ts';
import { AppError } from '../http/errors.ts';
import { parseInput } from '../http/contract.ts';
import { StrategyInputSchema } from './strategies.contract.ts';
import { strategyCategories } from './strategy.types.ts';
import type { Database } from '../db/schema.ts';
import type { Kysely } from 'kysely';
import { BuiltinPage, EditorPage, StrategiesPage, StrategyPage, type EditorValues } from '../../views/strategies/strategies.tsx';
import { builtinByName, builtinList, changeableStrategy, createStrategy, deleteStrategy, listUserStrategies, strategyVersions, updateStrategy, visibleStrategy } from './strategies.service.ts';
import { strategyTemplate } from './template.ts';
import { afterAction, confirmFirst } from '../http/confirm.pages.tsx';
import { ctxReference, exampleStrategy } from './ctx-reference.ts';
import { dryRunStrategyCode } from './dry-run.ts';
import { DryRunPage, DryRunResult } from '../../views/strategies/ctx-reference.tsx';

const idOf = (raw: string) => pathId(raw, 'strategy', maxInt4Id);

export function strategiesPages(deps: { db: Kysely<Database>; chrome: PageChromeFn; trustProxy: boolean }) {
  const { db, chrome } = deps;
  const app = new Hono<AppEnv>();

  app.get('/strategies', requireRole('viewer'), async (c) => {
    const p = principalOf(c);
    const q = (c.req.query('q') ?? '').trim().slice(0, 100);
    const category = (c.req.query('category') ?? '').slice(0, 40);
    const lq = q.toLowerCase();
    const builtins = builtinList().filter((b) => (!category || b.category === category) && (!lq || `${b.name} ${b.title} ${b.description}`.toLowerCase().includes(lq)));
    const mine = await listUserStrategies(db, p, { q: q || undefined, category: category || undefined });
    return c.html(<StrategiesPage chrome={chrome(c)} builtins={builtins} mine={mine} q={q} category={category} categories={strategyCategories} canCreate={roleAtLeast(p.role, 'analyst')} />);
  });

  app.get('/strategies/builtin/:name', requireRole('viewer'), async (c) => {
    const b = builtinByName(c.req.param('name'));
    if (!b) throw new AppError(404, 'not_found', `no built-in strategy ${c.req.param('name')}; see /strategies`);
    return c.html(<BuiltinPage chrome={chrome(c)} b={b} canCreate={roleAtLeast(principalOf(c).role, 'analyst')} />);
  });

  app.get('/strategies/new', requireRole('analyst'), (c) =>
    c.html(<EditorPage chrome={chrome(c)} id={null} v={{ name: '', description: '', category: 'custom', language: 'js', code: strategyTemplate }} categories={strategyCategories} template={strategyTemplate} error={null} reference={ctxReference} />),
  );

  const formValues = async (c: Context<AppEnv>): Promise<EditorValues> => {
    const f = await c.req.parseBody();
    const s = (k: string) => (typeof f[k] === 'string' ? (f[k] as string) : '');
    return { name: s('name'), description: s('description'), category: s('category') || 'custom', language: s('language') === 'ts' ? 'ts' : 'js', code: s('code').replace(/\r\n/g, '\n') };
  };
  const rerender = (c: Context<AppEnv>, id: number | null, v: EditorValues, err: unknown) => {
    if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 409)) throw err;
    const d = err.details ?? {};
    return c.html(<EditorPage chrome={chrome(c)} id={id} v={v} categories={strategyCategories} template={strategyTemplate} error={{ field: String(d.field ?? ''), message: err.message, line: (d.line as number | null) ?? null }} reference={ctxReference} />, err.status);
  };

  app.post('/strategies', requireRole('analyst'), async (c) => {
    const v = await formValues(c);
    try {
      const s = await createStrategy(db, principalOf(c), parseInput(StrategyInputSchema, v));
      return c.redirect(`/strategies/${s.id}`, 303);
    } catch (err) {
      return rerender(c, null, v, err);
    }
  });

  app.get('/strategies/:id{[0-9]+}', requireRole('viewer'), async (c) => {
    const p = principalOf(c);
    const s = await visibleStrategy(db, p, idOf(c.req.param('id')));
    return c.html(<StrategyPage chrome={chrome(c)} s={s} versions={await strategyVersions(db, s.id)} canChange={canChangeOwned(p, s.ownerId)} />);
  });

  app.get('/strategies/:id{[0-9]+}/edit', requireRole('analyst'), async (c) => {
    const s = await changeableStrategy(db, principalOf(c), idOf(c.req.param('id')));
    return c.html(<EditorPage chrome={chrome(c)} id={s.id} v={{ name: s.name, description: s.description, category: s.category, language: s.language, code: s.code }} categories={strategyCategories} template={strategyTemplate} error={null} reference={ctxReference} />);
  });

  app.post('/strategies/:id{[0-9]+}', requireRole('analyst'), async (c) => {
    const id = idOf(c.req.param('id'));
    await changeableStrategy(db, principalOf(c), id);
    const v = await formValues(c);
    try {
      await updateStrategy(db, principalOf(c), id, parseInput(StrategyInputSchema, v));
      return c.redirect(`/strategies/${id}`, 303);
    } catch (err) {
      return rerender(c, id, v, err);
    }
  });

  // One example of the ctx reference through the dry run: a fragment for htmx, a page without JavaScript.
  app.post('/strategies/try', requireRole('analyst'), async (c) => {
    const f = await c.req.parseBody();
    const name = typeof f.example === 'string' ? f.example : '';
    const entry = ctxReference.flatMap((s) => s.entries).find((e) => e.name === name && e.example);
    if (!entry) throw new AppError(400, 'invalid_request', `example: no example named ${JSON.stringify(name.slice(0, 60))} in the ctx reference; pick one on the strategy editor`, { field: 'example' });
    const code = exampleStrategy(entry.example!);
    const outcome = await dryRunStrategyCode(code, 'js');
    c.header('Vary', 'HX-Request');
    if (c.req.header('HX-Request') === 'true') return c.html(<DryRunResult t={chrome(c).t} outcome={outcome} />);
    const back = c.req.header('Referer')?.startsWith(new URL(c.req.url).origin) ? new URL(c.req.header('Referer')!).pathname : '/strategies/new';
    return c.html(<DryRunPage chrome={chrome(c)} name={entry.name} code={code} outcome={outcome} back={`${back}#ref-${entry.name.replace(/[^A-Za-z0-9]+/g, '-')}`} />);
  });

  app.post('/strategies/:id{[0-9]+}/delete', requireRole('analyst'), async (c) => {
    const id = idOf(c.req.param('id'));
    const s = await changeableStrategy(db, principalOf(c), id);
    const ask = await confirmFirst(c, chrome, (t) => ({
      title: t('confirm.strategy.title', { name: s.name }),
      what: [t('confirm.strategy.what'), t('confirm.strategy.inUse')],
      action: `/strategies/${id}/delete`, cancel: `/strategies/${id}`, label: t('confirm.strategy.label'), section: 'strategies',
    }));
    if (ask) return ask;
    await deleteStrategy(db, principalOf(c), id, auditActor(c, deps.trustProxy));
    return afterAction(c, '/strategies');
  });
  return app;
}

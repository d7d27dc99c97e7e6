import { Hono, type Context } from 'hono';
import { auditActor } from '../audit/audit.service.ts';
import { pathId } from '../http/input.ts';
import { principalOf, requireRole } from '../auth/access.ts';
import { i18nOf } from '../i18n/request.ts';
import type { PageChromeFn } from '../http/chrome.ts';
import type { AppEnv } from '../http/env.ts';
import { parseInput } from '../http/contract.ts';
import { AppError } from '../http/errors.ts';
import { sleepUnlessAborted, streamSSEWhileAllowed } from '../http/sse.ts';
import { CronPreview, ConfigFields, TaskForm, type CronPreviewModel, type ExecutorInfo } from '../../views/scheduler/form.tsx';
import { RunHistory, StatsPage, TaskPage, TasksPage } from '../../views/scheduler/pages.tsx';
import { DagSvg, TasksBody } from '../../views/scheduler/parts.tsx';
import { redactSecrets, secretMask } from '../secrets/secret-box.ts';
import { cronPreview, executorSchemas, taskViewOf } from './scheduler.api.ts';
import { TaskInputSchema, TaskPatchSchema, TriggerInputSchema } from './scheduler.contract.ts';
import * as svc from './tasks.service.ts';
import { afterAction, confirmFirst } from '../http/confirm.pages.tsx';
import type { Task } from './task.types.ts';
import { exchanges, type Exchange } from './trading-days.ts';

/** How many recorded slot decisions the task page shows beside its runs. */
const notesShown = 50;
const exchangeOf = (v: unknown): Exchange | null => ((exchanges as readonly unknown[]).includes(v) ? (v as Exchange) : null);

/**
 * Scheduler pages: the live task list, a task with its runs (and its workflow's DAG), the create
 * and edit form with a live cron preview and a config form from the executor's schema, and stats.
 * Viewers read; admins change.
 */
export function schedulerPages(deps: svc.TasksDeps & { trustProxy: boolean; chrome: PageChromeFn }) {
  const { chrome } = deps;
  const app = new Hono<AppEnv>();
  const isAdmin = (c: Context<AppEnv>) => principalOf(c).role === 'admin';
  const idOf = (raw: string) => pathId(raw, 'task');
  const executors = (): ExecutorInfo[] => executorSchemas(deps.registry);
  const actor = (c: Context<AppEnv>) => auditActor(c, deps.trustProxy);

  app.get('/scheduler', requireRole('viewer'), async (c) => c.html(<TasksPage chrome={chrome(c)} statuses={await svc.taskStatuses(deps)} admin={isAdmin(c)} />));

  // Live list: the table body, re-sent when it changes (checked every second on the database's
  // state). Ends when the client leaves or the viewer's access ends (then with `access_ended`).
  app.get('/scheduler/stream', requireRole('viewer'), (c) =>
    streamSSEWhileAllowed(c, async (stream, signal) => {
      let last = '';
      // Bounded: the browser's hx-sse reconnects; a stream nobody reads never outlives five minutes.
      const until = Date.now() + 5 * 60_000;
      while (!signal.aborted && Date.now() < until) {
        const statuses = await svc.taskStatuses(deps).catch(() => null);
        if (!statuses || signal.aborted) break;
        const body = String(await (<TasksBody t={i18nOf(c).t} statuses={statuses} />).toString());
        if (body !== last) {
          last = body;
          await stream.writeSSE({ data: `<hx-partial hx-target="#tasks-body" hx-swap="outerHTML">${body}</hx-partial>` });
        }
        await sleepUnlessAborted(1000, signal);
      }
    }),
  );

  app.get('/scheduler/stats', requireRole('viewer'), async (c) => c.html(<StatsPage chrome={chrome(c)} admin={isAdmin(c)} stats={await svc.schedulerStats(deps)} />));

  /** The step graph of a task whose executor draws one (a workflow), with the states of its latest run. */
  const dagOf = async (t: Task) => {
    const def = deps.registry.get(t.executor);
    if (!def?.graph) return null;
    const parsed = def.params.safeParse(t.config);
    if (!parsed.success) return null;
    const { runs } = await deps.runs.listRuns({ taskId: t.id, executor: t.executor }, { limit: 1, offset: 0 });
    const run = runs[0];
    return { ...def.graph(parsed.data, run ?? null), runId: run?.id ?? null };
  };

  app.get('/scheduler/tasks/:id{[0-9]+}', requireRole('viewer'), async (c) => {
    const id = idOf(c.req.param('id'));
    const status = await svc.taskStatus(deps, id);
    const { runs, total } = await deps.runs.listRuns({ taskId: id }, { limit: 50, offset: 0 });
    const { notes } = await svc.slotNotes(deps, id, { limit: notesShown, offset: 0 });
    // Viewers get the schedule and history; analysts and admins the config too, secrets as ••••.
    const view = taskViewOf(c);
    const shown = { ...status, task: svc.shownTask(status.task, view) };
    return c.html(<TaskPage chrome={chrome(c)} status={shown} runs={runs} total={total} notes={notes} admin={isAdmin(c)} showConfig={view === 'config'} dag={await dagOf(status.task)} />);
  });

  app.get('/scheduler/tasks/:id{[0-9]+}/history', requireRole('viewer'), async (c) => {
    const id = idOf(c.req.param('id'));
    const { notes } = await svc.slotNotes(deps, id, { limit: notesShown, offset: 0 });
    const { runs } = await deps.runs.listRuns({ taskId: id }, { limit: 50, offset: 0 });
    return c.html(<RunHistory t={chrome(c).t} taskId={id} runs={runs} notes={notes} timeZone={chrome(c).timeZone} />);
  });

  app.get('/scheduler/tasks/:id{[0-9]+}/dag', requireRole('viewer'), async (c) => {
    const t = await svc.mustGetTask(deps.db, idOf(c.req.param('id')));
    const dag = await dagOf(t);
    if (!dag) throw new AppError(404, 'not_found', `task ${t.name} has no step graph (it is not a workflow)`);
    return c.html(
      <div class="dag-frame" id="dag" hx-get={`/scheduler/tasks/${t.id}/dag`} hx-trigger="every 2s" hx-swap="outerHTML">
        <DagSvg t={chrome(c).t} steps={dag.steps} layers={dag.layers} state={dag.state} />
      </div>,
    );
  });

  const formPreview = async (expression: string, timezone: string, tradingDays: Exchange | null): Promise<CronPreviewModel> => ({
    ...(await cronPreview(deps.market ?? null, { expression, timezone, trading_days: tradingDays })),
    timezone,
    tradingDays,
  });

  /** `?executor=` of a form reloaded for another executor (no JavaScript), when it names one. */
  const chosenExecutor = (c: Context<AppEnv>) => {
    const name = c.req.query('executor');
    return name && executors().some((e) => e.name === name) ? name : null;
  };

  app.get('/scheduler/new', requireRole('admin'), async (c) => {
    const values = { executor: chosenExecutor(c) ?? 'noop', schedule: { kind: 'cron', expression: '0 18 * * 1-5', timezone: 'Asia/Shanghai' }, tradingDays: null };
    return c.html(<TaskForm chrome={chrome(c)} task={null} values={values} executors={executors()} error={null} preview={await formPreview('0 18 * * 1-5', 'Asia/Shanghai', null)} />);
  });

  app.get('/scheduler/tasks/:id{[0-9]+}/edit', requireRole('admin'), async (c) => {
    const t = await svc.mustGetTask(deps.db, idOf(c.req.param('id')));
    const expr = t.schedule.kind === 'cron' ? t.schedule.expression : '';
    const other = chosenExecutor(c);
    // Another executor chosen: its fields, empty (the task's settings belong to its own executor).
    const values = other && other !== t.executor ? { ...svc.shownTask(t, 'config'), executor: other, config: {} } : { ...svc.shownTask(t, 'config') };
    return c.html(<TaskForm chrome={chrome(c)} task={t} values={values} executors={executors()} error={null} preview={await formPreview(expr, t.timezone, t.tradingDays)} />);
  });

  app.post('/scheduler/preview', requireRole('viewer'), async (c) => {
    const body = await c.req.parseBody();
    const tz = String(body.timezone ?? '') || 'Asia/Shanghai';
    return c.html(<CronPreview t={chrome(c).t} {...await formPreview(String(body.expression ?? ''), tz, exchangeOf(body.tradingDays))} />);
  });

  app.get('/scheduler/config-fields', requireRole('admin'), (c) => {
    const name = c.req.query('executor') ?? '';
    return c.html(<ConfigFields t={chrome(c).t} executor={executors().find((e) => e.name === name)} config={{}} />);
  });

  const save = async (c: Context<AppEnv>, task: Task | null) => {
    const body = await c.req.parseBody();
    let values: Record<string, unknown> = {};
    try {
      values = formToInput(body);
      // Another executor was chosen but its fields never loaded (JavaScript off): the settings sent are
      // the old executor's. Show the chosen one's fields, what else was typed kept; save nothing.
      const fieldsOf = typeof body.config_for === 'string' ? body.config_for : '';
      if (fieldsOf && fieldsOf !== values.executor && !(typeof body.config_json === 'string' && body.config_json.trim())) {
        const schedule = (values.schedule ?? {}) as { expression?: string; timezone?: string };
        const preview = await formPreview(schedule.expression ?? '', schedule.timezone ?? 'Asia/Shanghai', exchangeOf(values.trading_days));
        const notice = chrome(c).t('scheduler.form.otherChosen', { executor: String(values.executor) });
        return c.html(<TaskForm chrome={chrome(c)} task={task} values={formValues({ ...values, config: {} })} executors={executors()} error={null} notice={notice} preview={preview} />);
      }
      // Read like the API reads a body (the same 400 naming the field); the service takes the typed input.
      const saved = task
        ? await svc.updateTask(deps, actor(c), task.id, parseInput(TaskPatchSchema, values))
        : await svc.createTask(deps, actor(c), parseInput(TaskInputSchema, values));
      return c.redirect(`/scheduler/tasks/${saved.id}`, 303);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      const schedule = (values.schedule ?? {}) as { expression?: string; timezone?: string };
      const preview = await formPreview(schedule.expression ?? '', schedule.timezone ?? 'Asia/Shanghai', exchangeOf(values.trading_days));
      return c.html(
        <TaskForm chrome={chrome(c)} task={task} values={formValues(values)} executors={executors()} error={err.message} preview={preview} />,
        err.status as 400,
      );
    }
  };
  app.post('/scheduler/tasks', requireRole('admin'), (c) => save(c, null));
  app.post('/scheduler/tasks/:id{[0-9]+}', requireRole('admin'), async (c) => save(c, await svc.mustGetTask(deps.db, idOf(c.req.param('id')))));

  for (const op of ['enable', 'disable', 'pause', 'resume'] as const) {
    app.post(`/scheduler/tasks/:id{[0-9]+}/${op}`, requireRole('admin'), async (c) => {
      const t = await svc.switchTask(deps, actor(c), idOf(c.req.param('id')), op);
      return c.redirect(`/scheduler/tasks/${t.id}`, 303);
    });
  }
  app.post('/scheduler/tasks/:id{[0-9]+}/trigger', requireRole('admin'), async (c) => {
    const form = await c.req.parseBody();
    const raw = typeof form.overrides === 'string' ? form.overrides.trim() : '';
    let overrides: Record<string, unknown> = {};
    if (raw) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch (err) {
        throw new AppError(400, 'invalid_request', `overrides: not JSON (${(err as Error).message}); write an object such as {"start": "20260101"}`, { field: 'overrides' });
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new AppError(400, 'invalid_request', 'overrides: expected a JSON object of config fields, such as {"start": "20260101"}', { field: 'overrides' });
      }
      overrides = parseInput(TriggerInputSchema, { overrides: parsed }).overrides;
    }
    const run = await svc.triggerTask(deps, actor(c), idOf(c.req.param('id')), overrides);
    return c.redirect(`/runs/${run.id}`, 303);
  });
  app.post('/scheduler/tasks/:id{[0-9]+}/delete', requireRole('admin'), async (c) => {
    const t = await svc.mustGetTask(deps.db, idOf(c.req.param('id')));
    const ask = await confirmFirst(c, chrome, (tr) => ({
      title: tr('confirm.task.title', { name: t.name }),
      what: [tr('confirm.task.what'), tr('confirm.task.runsStay'), tr('confirm.task.workflows')],
      action: `/scheduler/tasks/${t.id}/delete`, cancel: `/scheduler/tasks/${t.id}`, label: tr('confirm.task.label'), section: 'scheduler',
    }));
    if (ask) return ask;
    await svc.deleteTask(deps, actor(c), t.id);
    return afterAction(c, '/scheduler');
  });
  return app;
}

/**
 * The form's fields as a task input (the API's snake_case body, read with parseInput): schedule from
 * kind/expression/everySeconds/timezone, config from cfg.* fields or raw JSON.
 */
export function formToInput(body: Record<string, string | File | (string | File)[]>): Record<string, unknown> {
  const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).trim() : '');
  const int = (k: string) => (str(k) === '' ? undefined : Number(str(k)));
  const kind = str('kind') || 'cron';
  const timezone = str('timezone') || 'Asia/Shanghai';
  const schedule = kind === 'cron' ? { kind, expression: str('expression'), timezone } : kind === 'interval' ? { kind, every_seconds: int('everySeconds'), timezone } : { kind, timezone };
  let config: Record<string, unknown> = {};
  if (str('config_json')) {
    try {
      config = JSON.parse(str('config_json'));
    } catch (err) {
      throw new AppError(400, 'invalid_request', `config: the raw JSON does not parse (${(err as Error).message})`, { field: 'config' });
    }
  } else {
    for (const key of Object.keys(body)) {
      if (!key.startsWith('cfg.')) continue;
      const [name, as] = key.slice(4).split(':');
      const raw = str(key);
      if (as === 'bool') config[name] = body[`cfg.${name}`] === 'on';
      else if (as === 'num') {
        if (raw !== '') config[name] = Number(raw);
      } else if (as === 'json') {
        if (raw === '') continue;
        try {
          config[name] = JSON.parse(raw);
        } catch {
          throw new AppError(400, 'invalid_request', `config.${name}: expected JSON, e.g. ["600000.SH"]`, { field: `config.${name}` });
        }
      } else if (as === undefined && raw !== '' && !(`cfg.${name}:bool` in body)) config[name] = raw;
    }
    if ('cfg.env:rows' in body) config.env = envFromRows(body);
    if ('cfg.args:rows' in body) config.args = argsFromRows(body);
  }
  const timeout = int('timeoutSeconds');
  return {
    name: str('name'),
    description: str('description'),
    executor: str('executor'),
    config,
    schedule,
    enabled: body.enabled === 'on',
    overlap: str('overlap') || undefined,
    max_concurrent: int('maxConcurrent'),
    misfire: str('misfire') || undefined,
    max_catch_up: int('maxCatchUp'),
    grace_seconds: int('graceSeconds'),
    max_attempts: int('maxAttempts'),
    timeout_ms: timeout === undefined ? null : timeout * 1000,
    // "(every slot)" is the empty value; anything else is read (and refused when unknown) by the schema.
    trading_days: str('tradingDays') || null,
  };
}

/** A refused form's input shown again: the form (views/scheduler/form.tsx) reads a task's own field names; secrets as ••••. */
function formValues(v: Record<string, unknown>): Record<string, unknown> {
  const s = (v.schedule ?? {}) as { kind?: string; expression?: string; every_seconds?: number; timezone?: string };
  return {
    name: v.name,
    description: v.description,
    executor: v.executor,
    config: redactSecrets(v.config ?? {}),
    schedule: { kind: s.kind, expression: s.expression, everySeconds: s.every_seconds, timezone: s.timezone },
    enabled: v.enabled,
    overlap: v.overlap,
    maxConcurrent: v.max_concurrent,
    misfire: v.misfire,
    maxCatchUp: v.max_catch_up,
    graceSeconds: v.grace_seconds,
    maxAttempts: v.max_attempts,
    timeoutMs: v.timeout_ms,
    tradingDays: v.trading_days ?? null,
  };
}

type FormBody = Record<string, string | File | (string | File)[]>;
const field = (body: FormBody, k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');

/**
 * A secret row as the task service takes it: a typed value is sealed; an empty or •••• one keeps
 * the stored secret (the form never shows it).
 */
const secretEntry = (value: string) => (value === '' || value === secretMask ? { secret: true } : { value, secret: true });

/** The env rows (`env.name.N`, `env.value.N`, `env.secret.N`); rows without a name are skipped. */
function envFromRows(body: FormBody): Record<string, unknown> {
  const env: Record<string, unknown> = {};
  for (let i = 0; `env.name.${i}` in body; i++) {
    const name = field(body, `env.name.${i}`).trim();
    if (!name) continue;
    const value = field(body, `env.value.${i}`);
    env[name] = body[`env.secret.${i}`] === 'on' ? secretEntry(value) : value;
  }
  return env;
}

/** The argument rows (`arg.value.N`, `arg.secret.N`); empty rows are skipped unless marked secret. */
function argsFromRows(body: FormBody): unknown[] {
  const args: unknown[] = [];
  for (let i = 0; `arg.value.${i}` in body; i++) {
    const value = field(body, `arg.value.${i}`);
    if (body[`arg.secret.${i}`] === 'on') args.push(secretEntry(value));
    else if (value !== '') args.push(value);
  }
  return args;
}

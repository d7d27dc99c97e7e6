import { CsrfField, Layout, type PageChrome, type T } from '../layout.tsx';
import type { Task } from '../../src/scheduler/task.types.ts';

type JsonSchema = { type?: string | string[]; enum?: unknown[]; properties?: Record<string, JsonSchema>; required?: string[]; description?: string; default?: unknown; items?: JsonSchema; anyOf?: JsonSchema[] };

export interface ExecutorInfo {
  name: string;
  description: string;
  schema: unknown;
}

/** The mask a secret shows as (kept when sent back); the same text as src/secrets/secret-box.ts's. */
const mask = '••••';
type Entry = string | { secret?: boolean; value?: string };
const entryValue = (e: Entry) => (typeof e === 'string' ? e : (e.value ?? ''));
const entrySecret = (e: Entry) => typeof e === 'object' && e !== null && e.secret === true;

/** A command's environment: one row per entry (name, value, secret), two empty rows to add more. */
function EnvRows(props: { t: T; env: Record<string, Entry> }) {
  const { t } = props;
  const rows: Array<[string, Entry]> = [...Object.entries(props.env), ['', ''], ['', '']];
  return (
    <fieldset class="secret-rows" id="env-rows">
      <legend><code>env</code> <span class="muted small">{t('scheduler.form.envHelp', { mask })}</span></legend>
      <input type="hidden" name="cfg.env:rows" value="1" />
      {rows.map(([name, e], i) => (
        <div class="row-form">
          <input type="text" name={`env.name.${i}`} value={name} placeholder={t('scheduler.form.envName')} aria-label={t('scheduler.form.envNameLabel', { n: i + 1 })} />
          <input type={entrySecret(e) ? 'password' : 'text'} name={`env.value.${i}`} value={entryValue(e)} autocomplete="off" aria-label={t('scheduler.form.envValueLabel', { n: i + 1 })} />
          <label class="check">
            <input type="checkbox" name={`env.secret.${i}`} checked={entrySecret(e)} /> {t('scheduler.form.secret')}
          </label>
        </div>
      ))}
    </fieldset>
  );
}

/** A command's arguments, one row each (value, secret), two empty rows to add more. */
function ArgRows(props: { t: T; args: Entry[] }) {
  const { t } = props;
  const rows: Entry[] = [...props.args, '', ''];
  return (
    <fieldset class="secret-rows" id="arg-rows">
      <legend><code>args</code> <span class="muted small">{t('scheduler.form.argsHelp', { mask })}</span></legend>
      <input type="hidden" name="cfg.args:rows" value="1" />
      {rows.map((e, i) => (
        <div class="row-form">
          <input type={entrySecret(e) ? 'password' : 'text'} name={`arg.value.${i}`} value={entryValue(e)} autocomplete="off" aria-label={t('scheduler.form.argLabel', { n: i + 1 })} />
          <label class="check">
            <input type="checkbox" name={`arg.secret.${i}`} checked={entrySecret(e)} /> {t('scheduler.form.secret')}
          </label>
        </div>
      ))}
    </fieldset>
  );
}

/**
 * One input per top-level property of the executor's JSON Schema; arrays and objects as JSON text (a
 * command's env and args as rows with a secret box). `config_for` names the executor these fields
 * belong to: a form sent with another executor chosen (no JavaScript to swap the fields) comes back
 * with that executor's fields instead of saving the old one's settings under it.
 */
export function ConfigFields(props: { t: T; executor: ExecutorInfo | undefined; config: Record<string, unknown> }) {
  const { t } = props;
  const schema = (props.executor?.schema ?? {}) as JsonSchema;
  const entries = Object.entries(schema.properties ?? {});
  const command = props.executor?.name === 'command';
  return (
    <fieldset id="config-fields" class="config-fields">
      <legend>{t('scheduler.config')} {props.executor ? <span class="muted small">— {props.executor.description}</span> : null}</legend>
      {props.executor ? <input type="hidden" name="config_for" value={props.executor.name} /> : null}
      {entries.length === 0 ? <p class="muted">{t('scheduler.form.noSettings')}</p> : null}
      {entries.map(([key, p]) => {
        const type = Array.isArray(p.type) ? p.type[0] : (p.type ?? (p.anyOf ? 'string' : 'object'));
        const value = props.config[key];
        const required = (schema.required ?? []).includes(key) && p.default === undefined;
        const label = (
          <>
            {key}
            {required ? ' *' : ''} {p.description ? <span class="muted small">{p.description}</span> : null}
          </>
        );
        const name = `cfg.${key}`;
        if (command && key === 'env') return <EnvRows t={t} env={(value ?? {}) as Record<string, Entry>} />;
        if (command && key === 'args') return <ArgRows t={t} args={(value ?? []) as Entry[]} />;
        if (p.enum)
          return (
            <label>
              {label}
              <select name={name}>
                {required ? null : <option value="">{p.default !== undefined ? t('scheduler.form.defaultIs', { value: String(p.default) }) : t('scheduler.form.default')}</option>}
                {p.enum.map((v) => (
                  <option value={String(v)} selected={String(value ?? '') === String(v)}>
                    {String(v)}
                  </option>
                ))}
              </select>
            </label>
          );
        if (type === 'boolean')
          return (
            <label class="check">
              <input type="hidden" name={`${name}:bool`} value="1" />
              <input type="checkbox" name={name} checked={value === true || (value === undefined && p.default === true)} /> {label}
            </label>
          );
        if (type === 'number' || type === 'integer')
          return (
            <label>
              {label}
              <input type="number" name={`${name}:num`} value={value === undefined ? '' : String(value)} placeholder={p.default === undefined ? '' : String(p.default)} step={type === 'integer' ? '1' : 'any'} />
            </label>
          );
        if (type === 'string')
          return (
            <label>
              {label}
              <input type="text" name={name} value={value === undefined ? '' : String(value)} placeholder={p.default === undefined ? '' : String(p.default)} />
            </label>
          );
        return (
          <label>
            {label} <span class="muted small">(JSON)</span>
            <textarea name={`${name}:json`} rows={3}>{value === undefined ? '' : JSON.stringify(value)}</textarea>
          </label>
        );
      })}
    </fieldset>
  );
}

/** The cron preview's model: the next fires and, under the trading-day policy, the closed-day slots passed over and the fires the calendar cannot check. */
export interface CronPreviewModel {
  ok: boolean;
  next: string[];
  describe: string | null;
  error: string | null;
  timezone: string;
  skipped: string[];
  unchecked: string[];
  tradingDays: string | null;
}

export function CronPreview(props: CronPreviewModel & { t: T }) {
  const { t } = props;
  const fmt = new Intl.DateTimeFormat('sv-SE', { timeZone: props.timezone, dateStyle: 'short', timeStyle: 'medium' });
  const skipped = new Set(props.skipped);
  const unchecked = new Set(props.unchecked);
  const rows = [...props.next, ...props.skipped].sort();
  return (
    <div id="cron-preview" class="cron-preview" aria-live="polite">
      {props.ok ? (
        <>
          <strong>{props.describe}</strong>
          <ol>
            {rows.map((n) =>
              skipped.has(n) ? (
                <li class="slot-skipped">
                  <s>{fmt.format(new Date(n))}</s> <span class="badge">{t('scheduler.skipped', { days: props.tradingDays ?? '' })}</span>
                </li>
              ) : (
                <li class="slot-fires">
                  {fmt.format(new Date(n))} <span class="muted">({props.timezone})</span>
                  {unchecked.has(n) ? <span class="badge warn">{t('scheduler.form.unchecked')}</span> : null}
                </li>
              ),
            )}
          </ol>
          {props.tradingDays && props.skipped.length ? <p class="muted small">{t('scheduler.form.struck', { days: props.tradingDays })}</p> : null}
        </>
      ) : (
        <p class="field-error">{props.error}</p>
      )}
    </div>
  );
}

/** The executors as a select's options, the chosen one selected (the main form's select and the no-JS reload form's). */
function ExecutorOptions(props: { executors: ExecutorInfo[]; chosen: string }) {
  return (
    <>
      {props.executors.map((e) => (
        <option value={e.name} selected={e.name === props.chosen}>
          {e.name}
        </option>
      ))}
    </>
  );
}

/** After the A-share close: 15:00 Beijing time, plus half an hour for the day's data to settle. */
const afterTheClose = { 'f-kind': 'cron', 'f-expression': '30 15 * * 1-5', 'f-timezone': 'Asia/Shanghai' };

/**
 * The task form. `notice`: why it came back unsaved (another executor was chosen: its fields are now
 * shown). Without JavaScript a small GET form above it reloads the page for another executor.
 */
export function TaskForm(props: { chrome: PageChrome; task: Task | null; values: Record<string, unknown>; executors: ExecutorInfo[]; error: string | null; notice?: string | null; preview: CronPreviewModel }) {
  const { t } = props.chrome;
  const v = props.values;
  const executor = String(v.executor ?? 'noop');
  const schedule = (v.schedule ?? { kind: 'cron', expression: '0 18 * * 1-5', timezone: 'Asia/Shanghai' }) as { kind: string; expression?: string; everySeconds?: number; timezone: string };
  const action = props.task ? `/scheduler/tasks/${props.task.id}` : '/scheduler/tasks';
  /** A select of codes (the API's values), each shown in words: `label(code)`. */
  const sel = (name: string, options: string[], current: unknown, label: (o: string) => string) => (
    <select name={name} id={`f-${name}`}>
      {options.map((o) => (
        <option value={o} selected={String(current) === o}>
          {label(o)}
        </option>
      ))}
    </select>
  );
  const asIs = (o: string) => o;
  const title = props.task ? t('scheduler.form.editTitle', { name: props.task.name }) : t('scheduler.tab.new');
  const previewOn = (trigger: string) => ({
    'hx-post': '/scheduler/preview',
    'hx-trigger': trigger,
    // One queue for the three inputs (their fieldset): the newest edit's answer wins, whichever input
    // it came from; an older answer still in flight is dropped instead of landing after it.
    'hx-sync': 'closest fieldset:replace',
    'hx-include': '#f-expression, #f-timezone, #f-tradingDays',
    'hx-target': '#cron-preview',
    'hx-swap': 'outerHTML',
  });
  const tradingDays = v.tradingDays === undefined ? null : (v.tradingDays as string | null);
  const num = (name: string, value: unknown, min = 0) => <input type="number" name={name} id={`f-${name}`} value={value === undefined || value === null ? '' : String(value)} min={String(min)} />;
  return (
    <Layout chrome={props.chrome} title={title} section="scheduler">
      <p>
        <a href={props.task ? `/scheduler/tasks/${props.task.id}` : '/scheduler'}>← {props.task ? props.task.name : t('scheduler.title')}</a>
      </p>
      <h1>{title}</h1>
      {props.error ? (
        <div class="error-box" role="alert">
          <p>{props.error}</p>
        </div>
      ) : null}
      {props.notice ? <p class="notice" role="status">{props.notice}</p> : null}
      {/* Without JavaScript the executor select cannot swap the config fields: this reloads the form for
          the chosen executor (a GET apart from the main form, so no typed secret lands in a URL). */}
      <noscript>
        <form method="get" action={props.task ? `/scheduler/tasks/${props.task.id}/edit` : '/scheduler/new'} class="row-form">
          <label>
            {t('scheduler.form.otherExecutor')}
            <select name="executor">
              <ExecutorOptions executors={props.executors} chosen={executor} />
            </select>
          </label>
          <button type="submit" class="secondary">{t('scheduler.form.showSettings')}</button>
        </form>
      </noscript>
      <form method="post" action={action} class="task-form" id="task-form">
        <CsrfField chrome={props.chrome} />
        <label>
          {t('scheduler.form.name')} <input type="text" name="name" id="f-name" value={String(v.name ?? '')} required />
        </label>
        <label>
          {t('scheduler.form.description')} <input type="text" name="description" value={String(v.description ?? '')} />
        </label>
        <fieldset>
          <legend>{t('scheduler.schedule')}</legend>
          <div class="row-form">
            <label>
              {t('scheduler.form.kind')} {sel('kind', ['cron', 'interval', 'manual'], schedule.kind, (o) => t(`scheduler.form.kind.${o as 'cron' | 'interval' | 'manual'}`))}
            </label>
            <label>
              {t('scheduler.form.expression')}
              <input type="text" name="expression" id="f-expression" value={schedule.expression ?? ''} placeholder="0 18 * * 1-5" {...previewOn('input changed delay:300ms')} />
            </label>
            <label>
              {t('scheduler.form.timezone')}
              <input type="text" name="timezone" id="f-timezone" value={schedule.timezone} {...previewOn('input changed delay:300ms')} />
            </label>
            <label>
              {t('scheduler.form.tradingDays')}
              <select name="tradingDays" id="f-tradingDays" {...previewOn('change')}>
                <option value="" selected={!tradingDays}>
                  {t('scheduler.form.everySlot')}
                </option>
                {['SSE', 'SZSE'].map((x) => (
                  <option value={x} selected={tradingDays === x}>
                    {x}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('scheduler.form.everySeconds')} {num('everySeconds', schedule.everySeconds, 1)}
            </label>
          </div>
          <p class="small">
            <button type="button" class="secondary" id="after-close" data-fill-trigger="f-expression" data-fill-fields={JSON.stringify({ ...afterTheClose, 'f-tradingDays': tradingDays ?? 'SSE' })}>
              {t('scheduler.form.afterClose')}
            </button>{' '}
            <span class="muted">{t.rich('scheduler.form.afterCloseHelp', { c: (x) => <code>{x}</code> })}</span>
          </p>
          <CronPreview t={t} {...props.preview} />
        </fieldset>
        <label>
          {t('scheduler.executor')}
          <select name="executor" id="f-executor" hx-get="/scheduler/config-fields" hx-trigger="change" hx-include="#f-executor" hx-target="#config-fields" hx-swap="outerHTML">
            <ExecutorOptions executors={props.executors} chosen={executor} />
          </select>
        </label>
        <ConfigFields t={t} executor={props.executors.find((e) => e.name === executor)} config={(v.config ?? {}) as Record<string, unknown>} />
        <details>
          <summary>{t('scheduler.form.rawJson')}</summary>
          <textarea name="config_json" rows={8}></textarea>
        </details>
        <fieldset>
          <legend>{t('scheduler.policies')}</legend>
          <div class="row-form">
            <label class="check">
              <input type="checkbox" name="enabled" checked={v.enabled !== false} /> {t('scheduler.form.enabled')}
            </label>
            <label>{t('scheduler.form.overlap')} {sel('overlap', ['skip', 'queue_one', 'allow'], v.overlap ?? 'skip', asIs)}</label>
            <label>{t('scheduler.form.maxConcurrent')} {num('maxConcurrent', v.maxConcurrent ?? 1, 1)}</label>
            <label>{t('scheduler.form.misfire')} {sel('misfire', ['once', 'each', 'skip'], v.misfire ?? 'once', asIs)}</label>
            <label>{t('scheduler.form.maxCatchUp')} {num('maxCatchUp', v.maxCatchUp ?? 10, 1)}</label>
            <label>{t('scheduler.form.grace')} {num('graceSeconds', v.graceSeconds ?? 60)}</label>
            <label>{t('scheduler.form.attempts')} {num('maxAttempts', v.maxAttempts ?? 1, 1)}</label>
            <label>{t('scheduler.form.timeout')} {num('timeoutSeconds', v.timeoutMs ? Number(v.timeoutMs) / 1000 : '', 1)}</label>
          </div>
          <details class="policy-help" open>
            <summary>{t('scheduler.form.policiesMean')}</summary>
            <dl>
              <dt>{t('scheduler.form.overlapWhat')}</dt>
              <dd>{t.rich('scheduler.form.overlapSkip', { b: (x) => <strong>{x}</strong> })}</dd>
              <dd>{t.rich('scheduler.form.overlapQueueOne', { b: (x) => <strong>{x}</strong> })}</dd>
              <dd>{t.rich('scheduler.form.overlapAllow', { b: (x) => <strong>{x}</strong>, em: (x) => <em>{x}</em> })}</dd>
              <dt>{t('scheduler.form.misfireWhat')}</dt>
              <dd>{t.rich('scheduler.form.misfireOnce', { b: (x) => <strong>{x}</strong> })}</dd>
              <dd>{t.rich('scheduler.form.misfireEach', { b: (x) => <strong>{x}</strong>, em: (x) => <em>{x}</em> })}</dd>
              <dd>{t.rich('scheduler.form.misfireSkip', { b: (x) => <strong>{x}</strong>, em: (x) => <em>{x}</em> })}</dd>
              <dt>{t('scheduler.form.graceWhat')}</dt>
              <dd>{t.rich('scheduler.form.graceHelp', { c: (x) => <code>{x}</code> })}</dd>
              <dt>{t('scheduler.form.attemptsWhat')}</dt>
              <dd>{t('scheduler.form.attemptsHelp')}</dd>
            </dl>
          </details>
        </fieldset>
        <div class="actions">
          <button type="submit" class="primary">
            {props.task ? t('scheduler.form.save') : t('scheduler.form.create')}
          </button>
        </div>
      </form>
    </Layout>
  );
}

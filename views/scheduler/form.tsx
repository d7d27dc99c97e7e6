import { CsrfField, Layout, type PageChrome } from '../layout.tsx';
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
function EnvRows(props: { env: Record<string, Entry> }) {
  const rows: Array<[string, Entry]> = [...Object.entries(props.env), ['', ''], ['', '']];
  return (
    <fieldset class="secret-rows" id="env-rows">
      <legend>env <span class="muted small">environment variables added to PATH, HOME, LANG, TZ; a secret one is stored encrypted and never shown again ({mask} keeps it)</span></legend>
      <input type="hidden" name="cfg.env:rows" value="1" />
      {rows.map(([name, e], i) => (
        <div class="row-form">
          <input type="text" name={`env.name.${i}`} value={name} placeholder="NAME" aria-label={`env ${i + 1} name`} />
          <input type={entrySecret(e) ? 'password' : 'text'} name={`env.value.${i}`} value={entryValue(e)} autocomplete="off" aria-label={`env ${i + 1} value`} />
          <label class="check">
            <input type="checkbox" name={`env.secret.${i}`} checked={entrySecret(e)} /> secret
          </label>
        </div>
      ))}
    </fieldset>
  );
}

/** A command's arguments, one row each (value, secret), two empty rows to add more. */
function ArgRows(props: { args: Entry[] }) {
  const rows: Entry[] = [...props.args, '', ''];
  return (
    <fieldset class="secret-rows" id="arg-rows">
      <legend>args <span class="muted small">one argument per row, in order (empty rows are skipped); a secret one is stored encrypted and shown as {mask}</span></legend>
      <input type="hidden" name="cfg.args:rows" value="1" />
      {rows.map((e, i) => (
        <div class="row-form">
          <input type={entrySecret(e) ? 'password' : 'text'} name={`arg.value.${i}`} value={entryValue(e)} autocomplete="off" aria-label={`argument ${i + 1}`} />
          <label class="check">
            <input type="checkbox" name={`arg.secret.${i}`} checked={entrySecret(e)} /> secret
          </label>
        </div>
      ))}
    </fieldset>
  );
}

/** One input per top-level property of the executor's JSON Schema; arrays and objects as JSON text (a command's env and args as rows with a secret box). */
export function ConfigFields(props: { executor: ExecutorInfo | undefined; config: Record<string, unknown> }) {
  const schema = (props.executor?.schema ?? {}) as JsonSchema;
  const entries = Object.entries(schema.properties ?? {});
  const command = props.executor?.name === 'command';
  return (
    <fieldset id="config-fields" class="config-fields">
      <legend>Config {props.executor ? <span class="muted small">— {props.executor.description}</span> : null}</legend>
      {entries.length === 0 ? <p class="muted">This executor takes no settings.</p> : null}
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
        if (command && key === 'env') return <EnvRows env={(value ?? {}) as Record<string, Entry>} />;
        if (command && key === 'args') return <ArgRows args={(value ?? []) as Entry[]} />;
        if (p.enum)
          return (
            <label>
              {label}
              <select name={name}>
                {required ? null : <option value="">(default{p.default !== undefined ? `: ${String(p.default)}` : ''})</option>}
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

export function CronPreview(props: CronPreviewModel) {
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
                  <s>{fmt.format(new Date(n))}</s> <span class="badge">skipped: {props.tradingDays} closed</span>
                </li>
              ) : (
                <li class="slot-fires">
                  {fmt.format(new Date(n))} <span class="muted">({props.timezone})</span>
                  {unchecked.has(n) ? <span class="badge warn">not in the calendar: fires unchecked</span> : null}
                </li>
              ),
            )}
          </ol>
          {props.tradingDays && props.skipped.length ? <p class="muted small">Struck-out slots fall on days the {props.tradingDays} calendar marks closed; they are skipped and recorded on the task page.</p> : null}
        </>
      ) : (
        <p class="field-error">{props.error}</p>
      )}
    </div>
  );
}

/** After the A-share close: 15:00 Beijing time, plus half an hour for the day's data to settle. */
const afterTheClose = { 'f-kind': 'cron', 'f-expression': '30 15 * * 1-5', 'f-timezone': 'Asia/Shanghai' };

export function TaskForm(props: { chrome: PageChrome; task: Task | null; values: Record<string, unknown>; executors: ExecutorInfo[]; error: string | null; preview: CronPreviewModel }) {
  const v = props.values;
  const executor = String(v.executor ?? 'noop');
  const schedule = (v.schedule ?? { kind: 'cron', expression: '0 18 * * 1-5', timezone: 'Asia/Shanghai' }) as { kind: string; expression?: string; everySeconds?: number; timezone: string };
  const action = props.task ? `/scheduler/tasks/${props.task.id}` : '/scheduler/tasks';
  const sel = (name: string, options: string[], current: unknown) => (
    <select name={name} id={`f-${name}`}>
      {options.map((o) => (
        <option value={o} selected={String(current) === o}>
          {o}
        </option>
      ))}
    </select>
  );
  const previewOn = (trigger: string) => ({
    'hx-post': '/scheduler/preview',
    'hx-trigger': trigger,
    'hx-sync': 'this:replace',
    'hx-include': '#f-expression, #f-timezone, #f-tradingDays',
    'hx-target': '#cron-preview',
    'hx-swap': 'outerHTML',
  });
  const tradingDays = v.tradingDays === undefined ? null : (v.tradingDays as string | null);
  const num = (name: string, value: unknown, min = 0) => <input type="number" name={name} id={`f-${name}`} value={value === undefined || value === null ? '' : String(value)} min={String(min)} />;
  return (
    <Layout chrome={props.chrome} title={props.task ? `Edit ${props.task.name}` : 'New task'} section="scheduler">
      <p>
        <a href={props.task ? `/scheduler/tasks/${props.task.id}` : '/scheduler'}>← {props.task ? props.task.name : 'Scheduler'}</a>
      </p>
      <h1>{props.task ? `Edit ${props.task.name}` : 'New task'}</h1>
      {props.error ? (
        <div class="error-box" role="alert">
          <p>{props.error}</p>
        </div>
      ) : null}
      <form method="post" action={action} class="task-form" id="task-form">
        <CsrfField chrome={props.chrome} />
        <label>
          Name <input type="text" name="name" id="f-name" value={String(v.name ?? '')} required />
        </label>
        <label>
          Description <input type="text" name="description" value={String(v.description ?? '')} />
        </label>
        <fieldset>
          <legend>Schedule</legend>
          <div class="row-form">
            <label>
              Kind {sel('kind', ['cron', 'interval', 'manual'], schedule.kind)}
            </label>
            <label>
              Cron expression
              <input type="text" name="expression" id="f-expression" value={schedule.expression ?? ''} placeholder="0 18 * * 1-5" {...previewOn('input changed delay:300ms')} />
            </label>
            <label>
              Time zone
              <input type="text" name="timezone" id="f-timezone" value={schedule.timezone} {...previewOn('input changed delay:300ms')} />
            </label>
            <label>
              Only on trading days of
              <select name="tradingDays" id="f-tradingDays" {...previewOn('change')}>
                <option value="" selected={!tradingDays}>
                  (every slot)
                </option>
                {['SSE', 'SZSE'].map((x) => (
                  <option value={x} selected={tradingDays === x}>
                    {x}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Every (seconds, for interval) {num('everySeconds', schedule.everySeconds, 1)}
            </label>
          </div>
          <p class="small">
            <button type="button" class="secondary" id="after-close" data-fill-trigger="f-expression" data-fill-fields={JSON.stringify({ ...afterTheClose, 'f-tradingDays': tradingDays ?? 'SSE' })}>
              After the close
            </button>{' '}
            <span class="muted">fills <code>30 15 * * 1-5</code> in Asia/Shanghai (15:30, half an hour after the A-share close) on SSE trading days: holidays are skipped</span>
          </p>
          <CronPreview {...props.preview} />
        </fieldset>
        <label>
          Executor
          <select name="executor" id="f-executor" hx-get="/scheduler/config-fields" hx-trigger="change" hx-include="#f-executor" hx-target="#config-fields" hx-swap="outerHTML">
            {props.executors.map((e) => (
              <option value={e.name} selected={e.name === executor}>
                {e.name}
              </option>
            ))}
          </select>
        </label>
        <ConfigFields executor={props.executors.find((e) => e.name === executor)} config={(v.config ?? {}) as Record<string, unknown>} />
        <details>
          <summary>Advanced: config as raw JSON (used instead of the fields above when not empty)</summary>
          <textarea name="config_json" rows={8}></textarea>
        </details>
        <fieldset>
          <legend>Policies</legend>
          <div class="row-form">
            <label class="check">
              <input type="checkbox" name="enabled" checked={v.enabled !== false} /> Enabled
            </label>
            <label>Overlap {sel('overlap', ['skip', 'queue_one', 'allow'], v.overlap ?? 'skip')}</label>
            <label>Max concurrent {num('maxConcurrent', v.maxConcurrent ?? 1, 1)}</label>
            <label>Misfire {sel('misfire', ['once', 'each', 'skip'], v.misfire ?? 'once')}</label>
            <label>Catch up at most {num('maxCatchUp', v.maxCatchUp ?? 10, 1)}</label>
            <label>Grace (s) {num('graceSeconds', v.graceSeconds ?? 60)}</label>
            <label>Attempts {num('maxAttempts', v.maxAttempts ?? 1, 1)}</label>
            <label>Timeout (s) {num('timeoutSeconds', v.timeoutMs ? Number(v.timeoutMs) / 1000 : '', 1)}</label>
          </div>
          <details class="policy-help" open>
            <summary>What the policies mean</summary>
            <dl>
              <dt>Overlap: when a slot comes while the task's last run has not finished</dt>
              <dd><strong>skip</strong>: no new run while one is queued or running (a 10-minute job on a 5-minute schedule runs every other slot).</dd>
              <dd><strong>queue_one</strong>: at most one run waits behind the running ones; further slots are skipped until it starts.</dd>
              <dd><strong>allow</strong>: a run per slot, up to <em>Max concurrent</em> queued and running together.</dd>
              <dt>Misfire: slots that passed while no server ran or the task was paused</dt>
              <dd><strong>once</strong>: one run, for the newest missed slot (a server down over the weekend runs a daily task once on Monday).</dd>
              <dd><strong>each</strong>: a run for every missed slot, oldest first, at most <em>Catch up at most</em> of them.</dd>
              <dd><strong>skip</strong>: missed slots are dropped; only a slot less than <em>Grace</em> seconds old still runs.</dd>
              <dt>Grace</dt>
              <dd>How late a slot may start and still count as on time: later slots fall under the misfire policy, and a run that starts later raises the <code>run_late</code> alert.</dd>
              <dt>Attempts and timeout</dt>
              <dd>A failed run is retried until it has had this many attempts; a run still going after the timeout is stopped and fails.</dd>
            </dl>
          </details>
        </fieldset>
        <div class="actions">
          <button type="submit" class="primary">
            {props.task ? 'Save' : 'Create task'}
          </button>
        </div>
      </form>
    </Layout>
  );
}

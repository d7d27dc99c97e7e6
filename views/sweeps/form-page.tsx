/**
 * The new-sweep form: a built-in or one of the user's own strategies, one row per parameter of its schema (a fixed value, a
 * list, or a range from/to/step within the schema's bounds), the search mode and objective, and the
 * backtest spec's own fields (shared with the new-backtest form). The count of sets is a fragment
 * that follows the typing (GET /sweeps/new/count); choosing another strategy reloads the rows.
 */
import type { BuiltinStrategy } from '../../src/strategies/strategy.types.ts';
import type { SpecValues } from '../../src/backtests/spec-form.ts';
import type { AxisForm } from '../../src/sweeps/sweeps.view-model.ts';
import { CsrfField, Layout, type PageChrome, type T } from '../layout.tsx';
import { schemaProps, type JsonSchemaProp } from '../backtests/params-form.tsx';
import { Err, PeriodFields, TradingFields, UniverseFields, type FieldError, type SpecFieldsContext } from '../backtests/spec-fields.tsx';
import { metricLabel } from './metrics.ts';

export interface SweepFormValues extends SpecValues {
  /** A built-in's name, or `user:<id>` for one of the user's own strategies. */
  strategy: string;
  name: string;
  axes: Record<string, AxisForm>;
  mode: string;
  budget: string;
  seed: string;
  objective: string;
  /** Walk-forward windows: none, rolling or anchored, with lengths in trading days. */
  wf_kind: string;
  wf_in: string;
  wf_out: string;
  wf_step: string;
}

export interface SweepFormContext extends SpecFieldsContext {
  builtins: BuiltinStrategy[];
  /** The user's own strategies (their current versions' params schemas bound the space). */
  mine: ReadonlyArray<{ id: number; name: string; version: number }>;
  /** The chosen strategy's params as JSON Schema. */
  schema: unknown;
  objectives: readonly string[];
  maxSets: number;
}

/** The strategy choices: the built-ins, then the user's own (by `user:<id>`). */
function StrategyOptions(props: { t: T; ctx: SweepFormContext; v: SweepFormValues; long?: boolean }) {
  const { ctx, v, t } = props;
  return (
    <>
      <optgroup label={t('sweeps.form.builtin')}>
        {ctx.builtins.map((b) => <option value={b.name} selected={v.strategy === b.name}>{props.long ? `${b.title} — ${b.description}` : b.title}</option>)}
      </optgroup>
      {ctx.mine.length ? (
        <optgroup label={t('sweeps.form.yours')}>
          {ctx.mine.map((m) => <option value={`user:${m.id}`} selected={v.strategy === `user:${m.id}`}>{m.name} (v{m.version})</option>)}
        </optgroup>
      ) : null}
    </>
  );
}

/** What the count line says: the sizes, or why the sweep would be refused. */
export type CountView =
  | { ok: true; total: string; valid: string; exact: boolean; skipped: string; planned: number | null; mode: string; refused: string | null }
  | { ok: false; message: string };

const grouped = (s: string) => s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** The live count: "N sets (M valid, K skipped by constraints)", or the refusal naming the count. */
export function CountLine(props: { t: T; count: CountView | null }) {
  const { t } = props;
  const c = props.count;
  if (!c) return <span class="muted">{t('sweeps.form.counting')}</span>;
  if (!c.ok) return <span class="count-refused" role="status">{c.message}</span>;
  const about = c.exact ? '' : t('sweeps.form.about');
  const sets = t(c.total === '1' ? 'sweeps.form.oneSet' : 'sweeps.form.sets', { n: grouped(c.total) });
  return (
    <span role="status" class={c.refused ? 'count-refused' : 'count-ok'}>
      <strong id="sweep-count-total">{sets}</strong> {t('sweeps.form.countDetail', { valid: about + grouped(c.valid), skipped: about + grouped(c.skipped) })}
      {c.refused ? <span>{t('sweeps.form.refused', { reason: c.refused })}</span> : c.mode !== 'grid' && c.planned !== null ? <span>{t('sweeps.form.modeRuns', { mode: c.mode === 'random' || c.mode === 'lhs' ? t(`sweeps.form.modeName.${c.mode}`) : c.mode, n: grouped(String(c.planned)) })}</span> : null}
    </span>
  );
}

const typeOf = (p: JsonSchemaProp) => (Array.isArray(p.type) ? p.type.find((t) => t !== 'null') : p.type) ?? 'string';

/** A bound worth showing: zod's int() brings ±(2^53 − 1), which says nothing to a user. */
const shown = (v: number | undefined) => (v !== undefined && Math.abs(v) < Number.MAX_SAFE_INTEGER ? v : undefined);

function bounds(p: JsonSchemaProp): string {
  const lo = shown(p.minimum ?? p.exclusiveMinimum);
  const hi = shown(p.maximum ?? p.exclusiveMaximum);
  const a = lo === undefined ? '' : `${p.exclusiveMinimum !== undefined && p.minimum === undefined ? '>' : '≥'} ${lo}`;
  const b = hi === undefined ? '' : `${p.exclusiveMaximum !== undefined && p.maximum === undefined ? '<' : '≤'} ${hi}`;
  return [a, b].filter(Boolean).join(', ');
}

/** One row per parameter: fixed, list or range (CSS shows the fields of the chosen kind; all are there without it). */
export function AxisRows(props: { t: T; schema: unknown; axes: Record<string, AxisForm>; error: FieldError }) {
  const tr = props.t;
  const entries = schemaProps(props.schema);
  if (!entries.length) return <p class="muted">{tr('sweeps.form.noParams')}</p>;
  return (
    <div class="axis-rows">
      {entries.map(([name, p]) => {
        const a = props.axes[name] ?? { kind: 'fixed', value: p.default === undefined ? '' : String(p.default), values: '', from: '', to: '', step: '' };
        const t = typeOf(p);
        const isNum = t === 'integer' || t === 'number';
        const step = t === 'integer' ? '1' : 'any';
        const f = (k: string) => `ax.${name}.${k}`;
        const bad = props.error?.field === `space.${name}` || props.error?.field === `params.${name}`;
        const b = bounds(p);
        return (
          <div class={`axis-row axis-${a.kind}${bad ? ' invalid' : ''}`} data-param={name}>
            <div class="axis-head">
              <code class="param-name">{name}</code>
              <select name={f('kind')} aria-label={tr('sweeps.form.howToVary', { name })}>
                <option value="fixed" selected={a.kind === 'fixed'}>{tr('sweeps.form.kind.fixed')}</option>
                <option value="list" selected={a.kind === 'list'}>{tr('sweeps.form.kind.list')}</option>
                {isNum ? <option value="range" selected={a.kind === 'range'}>{tr('sweeps.form.kind.range')}</option> : null}
              </select>
              <span class="hint">{p.description ?? ''}{b ? ` (${t}, ${b})` : ` (${t})`}{p.default !== undefined ? tr('sweeps.form.default', { value: String(p.default) }) : ''}</span>
            </div>
            <div class="axis-fields">
              <label class="ax-fixed">{tr('sweeps.form.value')}
                {p.enum ? (
                  <select name={f('value')}>{p.enum.map((e) => <option value={String(e)} selected={String(e) === a.value}>{String(e)}</option>)}</select>
                ) : (
                  <input type={isNum ? 'number' : 'text'} name={f('value')} value={a.value} step={isNum ? step : undefined} />
                )}
              </label>
              <label class="ax-list">{tr('sweeps.form.values')}<input type="text" name={f('values')} value={a.values} placeholder={isNum ? tr('sweeps.form.valuesExample') : p.enum ? p.enum.map(String).join(', ') : tr('sweeps.form.textExample')} /></label>
              {isNum ? (
                <>
                  <label class="ax-range">{tr('sweeps.form.from')}<input type="number" name={f('from')} value={a.from} step={step} min={shown(p.minimum) !== undefined ? String(p.minimum) : undefined} max={shown(p.maximum) !== undefined ? String(p.maximum) : undefined} /></label>
                  <label class="ax-range">{tr('sweeps.form.to')}<input type="number" name={f('to')} value={a.to} step={step} min={shown(p.minimum) !== undefined ? String(p.minimum) : undefined} max={shown(p.maximum) !== undefined ? String(p.maximum) : undefined} /></label>
                  <label class="ax-range">{tr('sweeps.form.step')}<input type="number" name={f('step')} value={a.step} step={step} min="0" /></label>
                </>
              ) : null}
            </div>
            {bad ? <p class="field-error" role="alert">{props.error!.message}</p> : null}
          </div>
        );
      })}
    </div>
  );
}

/** What the count needs: the strategy and the search part, not the whole form (its anti-CSRF token would ride in the GET's URL). */
const countFields = "#sweep-form select[name='strategy'], #sweep-search";

/** The parameter part the strategy select reloads: its rows, and a recount once they are in. */
export function ParamsPart(props: { t: T; schema: unknown; axes: Record<string, AxisForm>; error: FieldError }) {
  return (
    <>
      <AxisRows t={props.t} schema={props.schema} axes={props.axes} error={props.error} />
      <span hx-get="/sweeps/new/count" hx-trigger="load" hx-include={countFields} hx-target="#sweep-count" hx-swap="innerHTML"></span>
    </>
  );
}

export function NewSweepPage(props: { chrome: PageChrome; v: SweepFormValues; ctx: SweepFormContext; count: CountView | null; error: FieldError }) {
  const { v, ctx, error } = props;
  const { t } = props.chrome;
  const cls = (f: string) => (error?.field === f ? 'invalid' : '');
  return (
    <Layout chrome={props.chrome} title={t('sweeps.new')} section="sweeps">
      <p><a href="/sweeps">← {t('sweeps.title')}</a></p>
      <h1>{t('sweeps.form.heading')}</h1>
      {error ? <section class="error-box" role="alert"><p><strong>{error.field ? t('sweeps.form.checkForm') : t('sweeps.form.notSubmitted')}</strong> {error.message}</p></section> : null}
      {/* Without JavaScript the strategy select cannot reload the parameter rows: this small form does (a GET
          apart from the main form, so the anti-CSRF token never lands in a URL). */}
      <noscript>
        <form method="get" action="/sweeps/new" class="row-form">
          <label>{t('sweeps.form.another')}
            <select name="strategy"><StrategyOptions t={t} ctx={ctx} v={v} /></select>
          </label>
          <button type="submit" class="secondary">{t('sweeps.form.showParams')}</button>
        </form>
      </noscript>
      <form method="post" action="/sweeps" class="create-form" id="sweep-form">
        <CsrfField chrome={props.chrome} />
        <fieldset>
          <legend>{t('sweeps.form.strategyAndParams')}</legend>
          <label class={cls('strategy')}>{t('sweeps.col.strategy')}
            <select name="strategy" hx-get="/sweeps/new/params" hx-trigger="change" hx-target="#sweep-params" hx-swap="innerHTML" hx-include="this">
              <StrategyOptions t={t} ctx={ctx} v={v} long />
            </select>
          </label>
          <Err field="strategy" error={error} />
          <p class="muted small">{t('sweeps.form.paramsHelp')}</p>
          <div id="sweep-search" hx-get="/sweeps/new/count" hx-trigger="input delay:300ms, change" hx-include={countFields} hx-target="#sweep-count" hx-swap="innerHTML" hx-sync="this:replace">
            <div id="sweep-params"><AxisRows t={t} schema={ctx.schema} axes={v.axes} error={error} /></div>
            <div class="row-fields">
              <label class={cls('mode')}>{t('sweeps.form.search')}
                <select name="mode">
                  <option value="grid" selected={v.mode === 'grid'}>{t('sweeps.form.mode.grid')}</option>
                  <option value="random" selected={v.mode === 'random'}>{t('sweeps.form.mode.random')}</option>
                  <option value="lhs" selected={v.mode === 'lhs'}>{t('sweeps.form.mode.lhs')}</option>
                </select>
              </label>
              <label class={cls('budget')}>{t('sweeps.form.budget')}<input type="number" name="budget" value={v.budget} min="1" max={String(ctx.maxSets)} step="1" placeholder={t('sweeps.form.budgetPlaceholder')} /></label>
              <label class={cls('seed')}>{t('sweeps.form.seed')}<input type="number" name="seed" value={v.seed} min="0" step="1" /></label>
              <label class={cls('objective')}>{t('sweeps.form.objective')}
                <select name="objective">{ctx.objectives.map((o) => <option value={o} selected={v.objective === o}>{metricLabel(t, o)} ({o})</option>)}</select>
              </label>
            </div>
            <Err field="mode" error={error} /><Err field="budget" error={error} /><Err field="seed" error={error} /><Err field="objective" error={error} />
            <p class="sweep-count" id="sweep-count" aria-live="polite"><CountLine t={t} count={props.count} /></p>
            <p class="muted small">{t('sweeps.form.maxSets', { n: props.chrome.fmt.int(ctx.maxSets) })}</p>
          </div>
        </fieldset>
        <fieldset>
          <legend>{t('sweeps.form.walkForward')} <span class="muted small">{t('sweeps.form.optional')}</span></legend>
          <p class="muted small">{t('sweeps.form.wfHelp')}</p>
          <div class="row-fields">
            <label class={cls('windows')}>{t('sweeps.form.windows')}
              <select name="wf_kind">
                <option value="none" selected={v.wf_kind !== 'rolling' && v.wf_kind !== 'anchored'}>{t('sweeps.form.wf.none')}</option>
                <option value="rolling" selected={v.wf_kind === 'rolling'}>{t('sweeps.form.wf.rolling')}</option>
                <option value="anchored" selected={v.wf_kind === 'anchored'}>{t('sweeps.form.wf.anchored')}</option>
              </select>
            </label>
            <label class={cls('windows.in_sample_days')}>{t('sweeps.form.inSample')}<input type="number" name="wf_in" value={v.wf_in} min="1" step="1" placeholder={t('sweeps.form.eg', { value: 120 })} /></label>
            <label class={cls('windows.out_of_sample_days')}>{t('sweeps.form.outOfSample')}<input type="number" name="wf_out" value={v.wf_out} min="1" step="1" placeholder={t('sweeps.form.eg', { value: 40 })} /></label>
            <label class={cls('windows.step_days')}>{t('sweeps.form.stepDays')}<input type="number" name="wf_step" value={v.wf_step} min="1" step="1" placeholder={t('sweeps.form.stepPlaceholder')} /></label>
          </div>
          <Err field="windows" error={error} /><Err field="windows.in_sample_days" error={error} /><Err field="windows.out_of_sample_days" error={error} /><Err field="windows.step_days" error={error} />
        </fieldset>
        <UniverseFields t={props.chrome.t} v={v} ctx={ctx} error={error} />
        <PeriodFields t={props.chrome.t} v={v} ctx={ctx} error={error} />
        <TradingFields t={props.chrome.t} v={v} ctx={ctx} error={error} />
        <label>{t('sweeps.col.name')} <span class="muted small">{t('sweeps.form.optional')}</span><input type="text" name="name" value={v.name} maxlength={200} placeholder={t('sweeps.form.namePlaceholder')} /></label>
        <p><button type="submit" id="submit-sweep">{t('sweeps.form.run')}</button></p>
      </form>
    </Layout>
  );
}

/** The create form: strategy (with its generated parameter form), universe, period, capital, costs, fills. */
import type { BuiltinStrategy, UserStrategy } from '../../src/strategies/strategy.types.ts';
import { CsrfField, Layout, type PageChrome } from '../layout.tsx';
import { ParamsFields } from './params-form.tsx';
import { Err, PeriodFields, TradingFields, UniverseFields, type SpecFieldsContext, type SpecValues } from './spec-fields.tsx';

export interface CreateValues extends SpecValues {
  strategy: string; // builtin:<name> | user:<id>
  params: Record<string, unknown>;
  name: string;
}

export interface CreateContext extends SpecFieldsContext {
  builtins: BuiltinStrategy[];
  mine: UserStrategy[];
  schema: unknown;
  /** The bounds every backtest runs under, shown beside the submit button. */
  limits: { timeoutMs: number; maxRunningPerUser: number; maxQueuedPerUser: number };
}

function minutes(t: PageChrome['t'], ms: number): string {
  const m = ms / 60_000;
  return m >= 1 && Number.isInteger(m) ? t('backtests.create.minutes', { count: m }) : t('backtests.create.seconds', { s: Math.round(ms / 1000) });
}

export function CreatePage(props: { chrome: PageChrome; v: CreateValues; ctx: CreateContext; error: { field: string; message: string } | null; rerunOf?: number | null; notice?: string | null }) {
  const { v, ctx, error } = props;
  const cls = (f: string) => (error?.field === f ? 'invalid' : '');
  const { t } = props.chrome;
  return (
    <Layout chrome={props.chrome} title={t('backtests.new')} section="backtests">
      <p><a href="/backtests">{t('backtests.create.back')}</a></p>
      <h1>{t('backtests.new')}{props.rerunOf ? t('backtests.create.fromRerun', { id: props.rerunOf }) : ''}</h1>
      {props.notice ? <section class="notice" role="status"><p>{props.notice}</p></section> : null}
      {error ? <section class="error-box" role="alert"><p><strong>{t(error.field ? 'backtests.create.checkForm' : 'backtests.create.notSubmitted')}</strong> {error.message}</p></section> : null}
      <form method="post" action="/backtests" class="create-form" id="create-form">
        <CsrfField chrome={props.chrome} />
        <fieldset>
          <legend>{t('backtests.create.strategy')}</legend>
          <label class={cls('strategy')}>{t('backtests.create.strategy')}
            <select name="strategy" hx-get="/backtests/new/params" hx-trigger="change" hx-target="#params" hx-swap="innerHTML" hx-include="this">
              <optgroup label={t('backtests.create.builtins')}>
                {ctx.builtins.map((b) => <option value={`builtin:${b.name}`} selected={v.strategy === `builtin:${b.name}`}>{b.title} — {b.description}</option>)}
              </optgroup>
              {ctx.mine.length ? (
                <optgroup label={t('backtests.create.mine')}>
                  {ctx.mine.map((s) => <option value={`user:${s.id}`} selected={v.strategy === `user:${s.id}`}>{s.name} (v{s.version})</option>)}
                </optgroup>
              ) : null}
            </select>
          </label>
          {/* Without JavaScript the select cannot swap the fields below: this reloads the form for the chosen strategy. */}
          <noscript><button type="submit" formmethod="get" formaction="/backtests/new" formnovalidate class="secondary small">{t('backtests.create.showParams')}</button></noscript>
          <Err field="strategy" error={error} />
          <div id="params"><ParamsFields t={t} schema={ctx.schema} values={v.params} error={error} strategy={v.strategy} /></div>
          <Err field={error?.field.startsWith('params') ? error.field : '-'} error={error} />
        </fieldset>
        <UniverseFields t={t} v={v} ctx={ctx} error={error} />
        <PeriodFields t={t} v={v} ctx={ctx} error={error} />
        <TradingFields t={t} v={v} ctx={ctx} error={error} />
        <label>{t('backtests.create.name')} <span class="muted small">{t('backtests.create.optional')}</span><input type="text" name="name" value={v.name} maxlength={200} placeholder={t('backtests.create.namePlaceholder')} /></label>
        <p><button type="submit" id="submit-backtest">{t('backtests.create.run')}</button></p>
        <p class="muted small" id="backtest-limits">
          {t.rich('backtests.create.limits', { c: (s) => <code>{s}</code> }, { time: minutes(t, ctx.limits.timeoutMs), running: ctx.limits.maxRunningPerUser, queued: ctx.limits.maxQueuedPerUser })}
        </p>
      </form>
    </Layout>
  );
}

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

function minutes(ms: number): string {
  const m = ms / 60_000;
  return m >= 1 && Number.isInteger(m) ? `${m} minute${m === 1 ? '' : 's'}` : `${Math.round(ms / 1000)} seconds`;
}

export function CreatePage(props: { chrome: PageChrome; v: CreateValues; ctx: CreateContext; error: { field: string; message: string } | null; rerunOf?: number | null; notice?: string | null }) {
  const { v, ctx, error } = props;
  const cls = (f: string) => (error?.field === f ? 'invalid' : '');
  return (
    <Layout chrome={props.chrome} title="New backtest" section="backtests">
      <p><a href="/backtests">← Backtests</a></p>
      <h1>New backtest{props.rerunOf ? ` (from #${props.rerunOf})` : ''}</h1>
      {props.notice ? <section class="notice" role="status"><p>{props.notice}</p></section> : null}
      {error ? <section class="error-box" role="alert"><p><strong>{error.field ? 'Check the form:' : 'Not submitted:'}</strong> {error.message}</p></section> : null}
      <form method="post" action="/backtests" class="create-form" id="create-form">
        <CsrfField chrome={props.chrome} />
        <fieldset>
          <legend>Strategy</legend>
          <label class={cls('strategy')}>Strategy
            <select name="strategy" hx-get="/backtests/new/params" hx-trigger="change" hx-target="#params" hx-swap="innerHTML" hx-include="this">
              <optgroup label="Built-in templates">
                {ctx.builtins.map((b) => <option value={`builtin:${b.name}`} selected={v.strategy === `builtin:${b.name}`}>{b.title} — {b.description}</option>)}
              </optgroup>
              {ctx.mine.length ? (
                <optgroup label="Your strategies">
                  {ctx.mine.map((s) => <option value={`user:${s.id}`} selected={v.strategy === `user:${s.id}`}>{s.name} (v{s.version})</option>)}
                </optgroup>
              ) : null}
            </select>
          </label>
          {/* Without JavaScript the select cannot swap the fields below: this reloads the form for the chosen strategy. */}
          <noscript><button type="submit" formmethod="get" formaction="/backtests/new" formnovalidate class="secondary small">Show the chosen strategy's parameters</button></noscript>
          <Err field="strategy" error={error} />
          <div id="params"><ParamsFields schema={ctx.schema} values={v.params} error={error} strategy={v.strategy} /></div>
          <Err field={error?.field.startsWith('params') ? error.field : '-'} error={error} />
        </fieldset>
        <UniverseFields v={v} ctx={ctx} error={error} />
        <PeriodFields v={v} ctx={ctx} error={error} />
        <TradingFields v={v} ctx={ctx} error={error} />
        <label>Name <span class="muted small">(optional)</span><input type="text" name="name" value={v.name} maxlength={200} placeholder="e.g. dual MA 5/20, all stocks" /></label>
        <p><button type="submit" id="submit-backtest">Run backtest</button></p>
        <p class="muted small" id="backtest-limits">
          Wall-time limit: {minutes(ctx.limits.timeoutMs)} per backtest (it fails with <code>timeout</code> past it).
          You may have {ctx.limits.maxRunningPerUser} running at once and {ctx.limits.maxQueuedPerUser} waiting; more wait their turn or are refused.
        </p>
      </form>
    </Layout>
  );
}

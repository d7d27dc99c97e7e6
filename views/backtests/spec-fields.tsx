/**
 * The parts of a backtest spec's form that every form running backtests shares (the new-backtest
 * form, the sweep form): universe, period and money, trading costs. Field names are the new-backtest
 * form's; src/backtests/spec-form.ts reads them back into the API's body.
 */
import type { SpecValues } from '../../src/backtests/spec-form.ts';

export type { SpecValues };

/** What the spec fields offer: the market's dates and the indexes to benchmark against. */
export interface SpecFieldsContext {
  indexes: string[];
  dataRange: { first: string | null; last: string | null };
}

export type FieldError = { field: string; message: string } | null;

export function Err(props: { field: string; error: FieldError }) {
  return props.error && props.error.field === props.field ? <p class="field-error" role="alert">{props.error.message}</p> : null;
}

const clsOf = (error: FieldError) => (f: string) => (error?.field === f ? 'invalid' : '');

/** The universe: all listed stocks (boards, ST filter) or a list of codes with a stock search. */
export function UniverseFields(props: { v: SpecValues; ctx: SpecFieldsContext; error: FieldError }) {
  const { v, ctx, error } = props;
  const cls = clsOf(error);
  return (
    <fieldset>
      <legend>Universe</legend>
      <label class="radio"><input type="radio" name="universe" value="all" checked={v.universe === 'all'} /> All listed stocks</label>
      <div class="indent">
        <span class="muted small">Boards (none ticked = all): </span>
        {[['main', 'Main'], ['chinext', 'ChiNext'], ['star', 'STAR'], ['bse', 'BSE']].map(([val, label]) => (
          <label class="check"><input type="checkbox" name="boards" value={val} checked={v.boards.includes(val)} /> {label}</label>
        ))}
        <label class="check"><input type="checkbox" name="exclude_st" checked={v.exclude_st} /> Leave out ST stocks</label>
      </div>
      <label class="radio"><input type="radio" name="universe" value="codes" checked={v.universe === 'codes'} /> These stocks</label>
      <div class="indent">
        <label class={`plain ${cls('codes')}`}>Search a stock to add it
          <input type="search" name="stock_q" list="stock-options" placeholder="code or name, e.g. 600000 or 银行" autocomplete="off" data-append-to="codes-input"
            hx-get="/backtests/new/stocks" hx-trigger="input changed delay:250ms" hx-target="#stock-options" hx-swap="innerHTML" hx-include="this" />
        </label>
        <datalist id="stock-options"></datalist>
        <textarea id="codes-input" name="codes" rows={2} class="code" placeholder="600000.SH, 000001.SZ">{v.codes}</textarea>
        <Err field="codes" error={error} />
      </div>
      <Err field="universe" error={error} /><Err field="boards" error={error} /><Err field="exclude_st" error={error} />
    </fieldset>
  );
}

/** The period, capital and benchmark, bounded by the market data there is. */
export function PeriodFields(props: { v: SpecValues; ctx: SpecFieldsContext; error: FieldError }) {
  const { v, ctx, error } = props;
  const cls = clsOf(error);
  return (
    <fieldset>
      <legend>Period and money</legend>
      <div class="row-fields">
        <label class={cls('start_date')}>Start<input type="date" name="start_date" value={v.start_date} min={ctx.dataRange.first ?? undefined} max={ctx.dataRange.last ?? undefined} required /></label>
        <label class={cls('end_date')}>End<input type="date" name="end_date" value={v.end_date} min={ctx.dataRange.first ?? undefined} max={ctx.dataRange.last ?? undefined} required /></label>
        <label class={cls('capital')}>Capital (CNY)<input type="number" name="capital" value={v.capital} min="1" step="any" required /></label>
        <label class={cls('benchmark')}>Benchmark
          <select name="benchmark">
            <option value="">none</option>
            {ctx.indexes.map((i) => <option value={i} selected={v.benchmark === i}>{i}</option>)}
          </select>
        </label>
      </div>
      <p class="muted small">{ctx.dataRange.first ? `Market data from ${ctx.dataRange.first} to ${ctx.dataRange.last}.` : 'No market data yet: sync or seed it first.'}</p>
      <Err field="start_date" error={error} /><Err field="end_date" error={error} /><Err field="capital" error={error} /><Err field="benchmark" error={error} />
    </fieldset>
  );
}

/** Fills, prices, costs and what a strategy error does. */
export function TradingFields(props: { v: SpecValues; ctx: SpecFieldsContext; error: FieldError }) {
  const { v, ctx, error } = props;
  const cls = clsOf(error);
  return (
    <fieldset>
      <legend>Trading</legend>
      <div class="row-fields">
        <label>Fills
          <select name="fill_timing">
            <option value="next_open" selected={v.fill_timing === 'next_open'}>next day's open</option>
            <option value="same_close" selected={v.fill_timing === 'same_close'}>same day's close (optimistic)</option>
          </select>
        </label>
        <label>Prices
          <select name="adjust">
            <option value="hfq" selected={v.adjust === 'hfq'} title="Signals on backward-adjusted prices; fills at actual prices; dividends and splits applied to holdings">hfq: backward-adjusted</option>
            <option value="qfq" selected={v.adjust === 'qfq'} title="Signals on prices forward-adjusted to the end date; fills at actual prices; dividends and splits applied to holdings">qfq: forward-adjusted</option>
            <option value="none" selected={v.adjust === 'none'} title="Raw prices; adjustment factors ignored">raw: no adjustment</option>
          </select>
        </label>
        <label class={cls('commission_rate')}>Commission (%)<input type="number" name="commission_pct" value={v.commission_pct} min="0" max="1" step="any" /></label>
        <label class={cls('min_commission')}>Min commission (CNY)<input type="number" name="min_commission" value={v.min_commission} min="0" step="any" /></label>
        <label class={cls('stamp_duty')}>Stamp duty (%)<input type="number" name="stamp_duty_pct" value={v.stamp_duty_pct} min="0" max="1" step="any" placeholder="by schedule" /></label>
        <label class={cls('transfer_fee')}>Transfer fee (%)<input type="text" inputmode="decimal" name="transfer_fee_pct" value={v.transfer_fee_pct} placeholder="by schedule" title="Empty or schedule: 0.001% of value (SH and SZ since 2022-04-29); 0 for none" /></label>
        <label class={cls('slippage_bps')}>Slippage (bps)<input type="number" name="slippage_bps" value={v.slippage_bps} min="0" max="1000" step="any" /></label>
        <label class={cls('on_error')}>On a strategy error
          <select name="on_error">
            <option value="fail" selected={v.on_error !== 'skip_day'}>fail the run</option>
            <option value="skip_day" selected={v.on_error === 'skip_day'}>skip the day and carry on</option>
          </select>
        </label>
      </div>
      <Err field="commission_rate" error={error} /><Err field="min_commission" error={error} /><Err field="stamp_duty" error={error} /><Err field="transfer_fee" error={error} />
      <Err field="slippage_bps" error={error} /><Err field="on_error" error={error} />
    </fieldset>
  );
}

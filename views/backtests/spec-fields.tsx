/**
 * The parts of a backtest spec's form that every form running backtests shares (the new-backtest
 * form, the sweep form): universe, period and money, trading costs. Field names are the new-backtest
 * form's; src/backtests/spec-form.ts reads them back into the API's body.
 */
import type { SpecValues } from '../../src/backtests/spec-form.ts';
import type { MessageKey, T } from '../../src/i18n/i18n.ts';

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
export function UniverseFields(props: { t: T; v: SpecValues; ctx: SpecFieldsContext; error: FieldError }) {
  const { t, v, ctx, error } = props;
  const cls = clsOf(error);
  return (
    <fieldset>
      <legend>{t('backtests.spec.universe')}</legend>
      <label class="radio"><input type="radio" name="universe" value="all" checked={v.universe === 'all'} /> {t('backtests.spec.allListed')}</label>
      <div class="indent">
        <span class="muted small">{t('backtests.spec.boards')}</span>
        {(['main', 'chinext', 'star', 'bse'] as const).map((val) => (
          <label class="check"><input type="checkbox" name="boards" value={val} checked={v.boards.includes(val)} /> {t(`backtests.spec.board.${val}` as MessageKey)}</label>
        ))}
        <label class="check"><input type="checkbox" name="exclude_st" checked={v.exclude_st} /> {t('backtests.spec.excludeSt')}</label>
      </div>
      <label class="radio"><input type="radio" name="universe" value="codes" checked={v.universe === 'codes'} /> {t('backtests.spec.theseStocks')}</label>
      <div class="indent">
        <label class={`plain ${cls('codes')}`}>{t('backtests.spec.searchStock')}
          <input type="search" name="stock_q" list="stock-options" placeholder={t('backtests.spec.searchPlaceholder')} autocomplete="off" data-append-to="codes-input"
            hx-get="/backtests/new/stocks" hx-trigger="input changed delay:250ms" hx-target="#stock-options" hx-swap="innerHTML" hx-include="this" />
        </label>
        <datalist id="stock-options"></datalist>
        <textarea id="codes-input" name="codes" rows={2} class="code" placeholder="600007.SH, 000006.SZ">{v.codes}</textarea>
        <Err field="codes" error={error} />
      </div>
      <Err field="universe" error={error} /><Err field="boards" error={error} /><Err field="exclude_st" error={error} />
    </fieldset>
  );
}

/** The period, capital and benchmark, bounded by the market data there is. */
export function PeriodFields(props: { t: T; v: SpecValues; ctx: SpecFieldsContext; error: FieldError }) {
  const { t, v, ctx, error } = props;
  const cls = clsOf(error);
  return (
    <fieldset>
      <legend>{t('backtests.spec.period')}</legend>
      <div class="row-fields">
        <label class={cls('start_date')}>{t('backtests.spec.start')}<input type="date" name="start_date" value={v.start_date} min={ctx.dataRange.first ?? undefined} max={ctx.dataRange.last ?? undefined} required /></label>
        <label class={cls('end_date')}>{t('backtests.spec.end')}<input type="date" name="end_date" value={v.end_date} min={ctx.dataRange.first ?? undefined} max={ctx.dataRange.last ?? undefined} required /></label>
        <label class={cls('capital')}>{t('backtests.spec.capital')}<input type="number" name="capital" value={v.capital} min="1" step="any" required /></label>
        <label class={cls('benchmark')}>{t('backtests.spec.benchmark')}
          <select name="benchmark">
            <option value="">{t('backtests.spec.none')}</option>
            {ctx.indexes.map((i) => <option value={i} selected={v.benchmark === i}>{i}</option>)}
          </select>
        </label>
      </div>
      <p class="muted small">{ctx.dataRange.first ? t('backtests.spec.dataRange', { first: ctx.dataRange.first, last: ctx.dataRange.last ?? '' }) : t('backtests.spec.noData')}</p>
      <Err field="start_date" error={error} /><Err field="end_date" error={error} /><Err field="capital" error={error} /><Err field="benchmark" error={error} />
    </fieldset>
  );
}

/** Fills, prices, costs and what a strategy error does. */
export function TradingFields(props: { t: T; v: SpecValues; ctx: SpecFieldsContext; error: FieldError }) {
  const { t, v, ctx, error } = props;
  const cls = clsOf(error);
  return (
    <fieldset>
      <legend>{t('backtests.spec.trading')}</legend>
      <div class="row-fields">
        <label>{t('backtests.spec.fills')}
          <select name="fill_timing">
            <option value="next_open" selected={v.fill_timing === 'next_open'}>{t('backtests.spec.nextOpen')}</option>
            <option value="same_close" selected={v.fill_timing === 'same_close'}>{t('backtests.spec.sameClose')}</option>
          </select>
        </label>
        <label>{t('backtests.spec.prices')}
          <select name="adjust">
            <option value="hfq" selected={v.adjust === 'hfq'} title={t('backtests.spec.hfqTitle')}>{t('backtests.spec.hfq')}</option>
            <option value="qfq" selected={v.adjust === 'qfq'} title={t('backtests.spec.qfqTitle')}>{t('backtests.spec.qfq')}</option>
            <option value="none" selected={v.adjust === 'none'} title={t('backtests.spec.rawTitle')}>{t('backtests.spec.raw')}</option>
          </select>
        </label>
        <label class={cls('commission_rate')}>{t('backtests.spec.commission')}<input type="number" name="commission_pct" value={v.commission_pct} min="0" max="1" step="any" /></label>
        <label class={cls('min_commission')}>{t('backtests.spec.minCommission')}<input type="number" name="min_commission" value={v.min_commission} min="0" step="any" /></label>
        <label class={cls('stamp_duty')}>{t('backtests.spec.stampDuty')}<input type="number" name="stamp_duty_pct" value={v.stamp_duty_pct} min="0" max="1" step="any" placeholder={t('backtests.spec.bySchedule')} /></label>
        <label class={cls('transfer_fee')}>{t('backtests.spec.transferFee')}<input type="text" inputmode="decimal" name="transfer_fee_pct" value={v.transfer_fee_pct} placeholder={t('backtests.spec.bySchedule')} title={t('backtests.spec.transferFeeTitle')} /></label>
        <label class={cls('slippage_bps')}>{t('backtests.spec.slippage')}<input type="number" name="slippage_bps" value={v.slippage_bps} min="0" max="1000" step="any" /></label>
        <label class={cls('on_error')}>{t('backtests.spec.onError')}
          <select name="on_error">
            <option value="fail" selected={v.on_error !== 'skip_day'}>{t('backtests.spec.failRun')}</option>
            <option value="skip_day" selected={v.on_error === 'skip_day'}>{t('backtests.spec.skipDay')}</option>
          </select>
        </label>
      </div>
      <Err field="commission_rate" error={error} /><Err field="min_commission" error={error} /><Err field="stamp_duty" error={error} /><Err field="transfer_fee" error={error} />
      <Err field="slippage_bps" error={error} /><Err field="on_error" error={error} />
    </fieldset>
  );
}

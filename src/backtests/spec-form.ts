/**
 * The spec part of a backtest form (universe, period, money, costs; views/backtests/spec-fields.tsx)
 * read back from the posted fields and turned into the API's body fields, so the new-backtest form
 * and the sweep form submit the same spec through the same contract.
 */
import { fromYmd, isoDay, toYmd, ymdOf } from '../market/days.ts';

/** The spec fields as the form holds them (strings, as typed). */
export interface SpecValues {
  universe: 'all' | 'codes';
  codes: string;
  boards: string[];
  exclude_st: boolean;
  start_date: string;
  end_date: string;
  capital: string;
  benchmark: string;
  adjust: string;
  fill_timing: string;
  commission_pct: string;
  min_commission: string;
  stamp_duty_pct: string;
  /** Percent, "schedule" or empty (the schedule). */
  transfer_fee_pct: string;
  slippage_bps: string;
  on_error: string;
}

export type FormFields = Record<string, string | string[]>;

/** The last value of a field ('' when absent). */
export const formOne = (f: FormFields, k: string): string => {
  const v = f[k];
  return (Array.isArray(v) ? v[v.length - 1] : v) ?? '';
};
/** Every value of a field. */
export const formMany = (f: FormFields, k: string): string[] => {
  const v = f[k];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

/** The spec fields as posted (strings, as typed: re-rendered as they were when the submit is refused). */
export function specValuesFromForm(form: FormFields): SpecValues {
  return {
    universe: formOne(form, 'universe') === 'codes' ? 'codes' : 'all', codes: formOne(form, 'codes'), boards: formMany(form, 'boards'),
    exclude_st: formOne(form, 'exclude_st') === 'on', start_date: formOne(form, 'start_date'), end_date: formOne(form, 'end_date'),
    capital: formOne(form, 'capital'), benchmark: formOne(form, 'benchmark'), adjust: formOne(form, 'adjust') || 'hfq', fill_timing: formOne(form, 'fill_timing') || 'next_open',
    commission_pct: formOne(form, 'commission_pct'), min_commission: formOne(form, 'min_commission'), stamp_duty_pct: formOne(form, 'stamp_duty_pct'),
    transfer_fee_pct: formOne(form, 'transfer_fee_pct'), slippage_bps: formOne(form, 'slippage_bps'), on_error: formOne(form, 'on_error'),
  };
}

/** The form's defaults: all stocks, the last three years of data, the house's costs. */
export function defaultSpecValues(range: { first: string | null; last: string | null }): SpecValues {
  const last = range.last ?? isoDay(toYmd(new Date()));
  const start = fromYmd(ymdOf(last));
  start.setUTCFullYear(start.getUTCFullYear() - 3);
  let s = isoDay(toYmd(start));
  if (range.first && s < range.first) s = range.first;
  return {
    universe: 'all', codes: '', boards: [], exclude_st: false, start_date: s, end_date: last, capital: '1000000',
    benchmark: '000300.SH', adjust: 'hfq', fill_timing: 'next_open', commission_pct: '0.03', min_commission: '5', stamp_duty_pct: '', transfer_fee_pct: '', slippage_bps: '0', on_error: 'fail',
  };
}

/** The API body's spec fields (snake_case, rates as fractions) from the form's values; the contract checks them. */
export function specBody(v: SpecValues): Record<string, unknown> {
  const transferPct = v.transfer_fee_pct.trim();
  const onError = v.on_error.trim();
  const n = (s: string) => (s.trim() === '' ? undefined : Number(s));
  const pctN = (s: string) => (s.trim() === '' ? undefined : Number(s) / 100);
  return {
    universe: v.universe,
    ...(v.universe === 'codes' ? { codes: v.codes.split(/[\s,;]+/).map((x) => x.trim().toUpperCase()).filter(Boolean) } : {}),
    ...(v.universe === 'all' && v.boards.length ? { boards: v.boards } : {}),
    exclude_st: v.exclude_st,
    start_date: v.start_date,
    end_date: v.end_date,
    capital: n(v.capital) ?? Number.NaN,
    benchmark: v.benchmark || null,
    adjust: v.adjust,
    fill_timing: v.fill_timing,
    ...(n(v.commission_pct) !== undefined ? { commission_rate: pctN(v.commission_pct) } : {}),
    ...(n(v.min_commission) !== undefined ? { min_commission: n(v.min_commission) } : {}),
    ...(n(v.stamp_duty_pct) !== undefined ? { stamp_duty: pctN(v.stamp_duty_pct) } : {}),
    ...(n(v.slippage_bps) !== undefined ? { slippage_bps: n(v.slippage_bps) } : {}),
    // Transfer fee in %, "schedule" or empty (the schedule); on_error fail|skip_day (the API's default when absent).
    ...(transferPct === 'schedule' ? { transfer_fee: 'schedule' } : n(transferPct) !== undefined ? { transfer_fee: pctN(transferPct) } : {}),
    ...(onError ? { on_error: onError } : {}),
  };
}

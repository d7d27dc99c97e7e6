/** The new-analysis form of a factor (/factors/{id}/analyses/new) and the factor's earlier analyses below it. */
import type { FactorAnalysis } from '../../src/factors/analysis/analysis.types.ts';
import { CsrfField, Layout, type PageChrome } from '../layout.tsx';
import { BacktestStatus } from '../backtests/parts.tsx';
import { day } from '../backtests/format.ts';

/** The form's fields as text, as the browser sends them back. */
export interface AnalysisFormValues {
  universe: 'all' | 'codes';
  codes: string;
  start_date: string;
  end_date: string;
  horizons: string;
  quantiles: string;
  industry_neutral: boolean;
  size_neutral: boolean;
  exclude_st: boolean;
  exclude_new_listings: boolean;
  new_listing_days: string;
}

export interface AnalysisFormModel {
  factorId: string;
  factorTitle: string;
  v: AnalysisFormValues;
  /** What is stored of the factor (YYYYMMDD), or null when nothing is. */
  stored: { first: number; last: number } | null;
  error: { field: string; message: string } | null;
  earlier: FactorAnalysis[];
}

export function NewAnalysisPage(props: { chrome: PageChrome; m: AnalysisFormModel }) {
  const { t } = props.chrome;
  const { m } = props;
  const { v, error } = m;
  const id = encodeURIComponent(m.factorId);
  const cls = (f: string) => (error?.field === f ? 'invalid' : '');
  const title = t('factorAnalysis.newTitle', { factor: m.factorTitle });
  return (
    <Layout chrome={props.chrome} title={title} section="factors">
      <p><a href={`/factors/${id}`}>{t('factorAnalysis.back', { factor: m.factorTitle })}</a></p>
      <h1>{title}</h1>
      <p class="lead">{t('factorAnalysis.lead')}</p>
      <p class="small">{m.stored ? t('factorAnalysis.stored', { from: day(m.stored.first), to: day(m.stored.last) }) : t('factorAnalysis.notStored')}</p>
      {error ? <section class="error-box" role="alert"><p>{error.message}</p></section> : null}
      <form method="post" action={`/factors/${id}/analyses`} class="create-form" id="analysis-form">
        <CsrfField chrome={props.chrome} />
        <fieldset>
          <legend>{t('factorAnalysis.universe')}</legend>
          <label class="check"><input type="radio" name="universe" value="all" checked={v.universe === 'all'} /> {t('factorAnalysis.universeAll')}</label>
          <label class="check"><input type="radio" name="universe" value="codes" checked={v.universe === 'codes'} /> {t('factorAnalysis.universeCodes')}</label>
          <label class={cls('codes')}>{t('factorAnalysis.codes')}<input type="text" name="codes" value={v.codes} autocomplete="off" /></label>
        </fieldset>
        <fieldset>
          <div class="row-fields">
            <label class={cls('start_date')}>{t('factorAnalysis.start')}<input type="date" name="start_date" value={v.start_date} required /></label>
            <label class={cls('end_date')}>{t('factorAnalysis.end')}<input type="date" name="end_date" value={v.end_date} required /></label>
            <label class={cls('horizons')}>{t('factorAnalysis.horizons')}<input type="text" name="horizons" value={v.horizons} inputmode="numeric" /></label>
            <label class={cls('quantiles')}>{t('factorAnalysis.quantiles')}<input type="number" name="quantiles" value={v.quantiles} min="2" max="20" step="1" /></label>
          </div>
        </fieldset>
        <fieldset>
          <legend>{t('factorAnalysis.options')}</legend>
          <label class="check"><input type="checkbox" name="industry_neutral" value="1" checked={v.industry_neutral} /> {t('factorAnalysis.industryNeutral')}</label>
          <label class="check"><input type="checkbox" name="size_neutral" value="1" checked={v.size_neutral} /> {t('factorAnalysis.sizeNeutral')}</label>
          <label class="check"><input type="checkbox" name="exclude_st" value="1" checked={v.exclude_st} /> {t('factorAnalysis.excludeSt')}</label>
          <label class="check"><input type="checkbox" name="exclude_new_listings" value="1" checked={v.exclude_new_listings} /> {t('factorAnalysis.excludeNew')}</label>
          <label class={cls('new_listing_days')}>{t('factorAnalysis.newDays')}<input type="number" name="new_listing_days" value={v.new_listing_days} min="1" max="750" step="1" /></label>
        </fieldset>
        <p class="small">{t('factorAnalysis.rule')}</p>
        <button type="submit" id="analyse">{t('factorAnalysis.submit')}</button>
      </form>
      <h2>{t('factorAnalysis.earlier')}</h2>
      {m.earlier.length === 0 ? <p class="muted">{t('factorAnalysis.none')}</p> : (
        <ul id="analyses">
          {m.earlier.map((a) => (
            <li>
              <a href={`/factors/${id}/analyses/${a.id}`}>#{a.id}</a> <BacktestStatus t={t} status={a.status} />{' '}
              <span class="muted small">{t('factorAnalysis.period', { from: day(a.params.start_date), to: day(a.params.end_date), horizons: a.params.horizons.join(', '), quantiles: a.params.quantiles })}</span>
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}

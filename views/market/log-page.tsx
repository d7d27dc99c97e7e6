import { Layout, type MessageKey, type PageChrome } from '../layout.tsx';
import { fmtDate, fmtInt, fmtTime } from './format.ts';
import { MarketNav, Pager } from './market-nav.tsx';

export interface LogItem {
  id: number;
  source: string;
  endpoint: string | null;
  dataset: string;
  params: unknown;
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  result: string;
  error: string | null;
  lastCompletedDate: number | null;
  startedAt: string;
  durationMs: number | null;
  /** The data_sync run that wrote the row, or null (CLI syncs, imports). */
  runId: number | null;
}

export interface LogModel {
  filters: { dataset: string; source: string; result: string };
  /** The datasets the filter offers (src/market/datasets.ts). */
  datasets: readonly string[];
  items: LogItem[];
  total: number;
  limit: number;
  offset: number;
}

const resultClass: Record<string, string> = { success: 'succeeded', partial: 'warn', failed: 'failed', running: 'running', abandoned: 'abandoned' };

function paramsText(p: unknown): string {
  if (!p || typeof p !== 'object') return '';
  return Object.entries(p as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join(' ');
}

export function LogPage(props: { chrome: PageChrome; model: LogModel }) {
  const m = props.model;
  const { t } = props.chrome;
  const label = (name: string, o: string) => (name === 'result' ? t(`market.result.${o}` as MessageKey) : o);
  const select = (name: 'dataset' | 'source' | 'result', options: readonly string[], value: string, all: string) => (
    <label>
      {t(`market.log.${name}`)}
      <select name={name}>
        <option value="">{all}</option>
        {options.map((o) => (
          <option value={o} selected={value === o}>{label(name, o)}</option>
        ))}
      </select>
    </label>
  );
  return (
    <Layout chrome={props.chrome} title={t('market.log.title')} section="market">
      <h1>{t('market.title')}</h1>
      <MarketNav t={t} current="log" />
      <form method="get" action="/market/log" class="filters">
        {select('dataset', m.datasets, m.filters.dataset, t('market.log.allDatasets'))}
        {select('source', ['tushare', 'demo', 'csv'], m.filters.source, t('market.log.allSources'))}
        {select('result', ['success', 'partial', 'failed', 'running', 'abandoned'], m.filters.result, t('market.log.anyResult'))}
        <button type="submit">{t('market.log.filter')}</button>
      </form>
      <table>
        <thead>
          <tr>
            <th>{t('market.log.started', { zone: props.chrome.timeZone })}</th>
            <th>{t('market.log.dataset')}</th>
            <th>{t('market.log.source')}</th>
            <th>{t('market.log.result')}</th>
            <th class="num">{t('market.log.inserted')}</th>
            <th class="num">{t('market.log.updated')}</th>
            <th class="num">{t('market.log.unchanged')}</th>
            <th class="num">{t('market.log.deleted')}</th>
            <th class="num">{t('market.log.took')}</th>
          </tr>
        </thead>
        <tbody>
          {m.items.map((r) => (
            <>
              <tr>
                <td>{fmtTime(r.startedAt, props.chrome.timeZone)}</td>
                <td>
                  <code>{r.dataset}</code>
                  <div class="muted small">{paramsText(r.params)}</div>
                </td>
                <td>
                  {r.source}
                  {r.endpoint ? <div class="muted small">{r.endpoint}</div> : null}
                  {r.runId !== null ? <div class="small"><a href={`/runs/${r.runId}`}>{t('market.log.run', { id: r.runId })}</a></div> : null}
                </td>
                <td>
                  <span class={`badge ${resultClass[r.result] ?? ''}`}>{resultClass[r.result] ? label('result', r.result) : r.result}</span>
                  {r.lastCompletedDate && r.result !== 'success' ? <div class="muted small">{t('market.log.doneTo', { date: fmtDate(r.lastCompletedDate) })}</div> : null}
                </td>
                <td class="num">{fmtInt(r.inserted)}</td>
                <td class="num">{fmtInt(r.updated)}</td>
                <td class="num">{fmtInt(r.unchanged)}</td>
                <td class="num">{fmtInt(r.deleted)}</td>
                <td class="num">{r.durationMs == null ? '—' : t('market.log.seconds', { s: (r.durationMs / 1000).toFixed(1) })}</td>
              </tr>
              {r.error ? (
                <tr class="error-row">
                  <td colspan={9}>{r.error}</td>
                </tr>
              ) : null}
            </>
          ))}
        </tbody>
      </table>
      <Pager t={t} base="/market/log" params={m.filters} total={m.total} limit={m.limit} offset={m.offset} />
    </Layout>
  );
}

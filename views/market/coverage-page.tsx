import { CsrfField, Layout, type PageChrome } from '../layout.tsx';
import type { CoverageRow } from '../../src/market/market.service.ts';
import { fmtDate, fmtInt, fmtTime } from './format.ts';
import { MarketNav } from './market-nav.tsx';

export interface CoverageModel {
  rows: CoverageRow[];
  isAdmin: boolean;
  tushareConfigured: boolean;
  /** Set after an import or a sync was started from this page. */
  notice?: { kind: 'ok' | 'error'; lines: string[] } | null;
}

export function CoveragePage(props: { chrome: PageChrome; model: CoverageModel }) {
  const m = props.model;
  const { t } = props.chrome;
  return (
    <Layout chrome={props.chrome} title={t('market.coverage')} section="market">
      <h1>{t('market.title')}</h1>
      <MarketNav t={t} current="coverage" />
      {m.notice ? (
        <div class={m.notice.kind === 'ok' ? 'notice' : 'error-box'} role="status">
          {m.notice.lines.map((l) => (
            <p>{l}</p>
          ))}
        </div>
      ) : null}
      <table>
        <thead>
          <tr>
            <th>{t('market.col.dataset')}</th>
            <th class="num">{t('market.col.rows')}</th>
            <th class="num">{t('market.col.stocks')}</th>
            <th>{t('market.col.first')}</th>
            <th>{t('market.col.last')}</th>
            <th>{t('market.col.lastSync', { zone: props.chrome.timeZone })}</th>
          </tr>
        </thead>
        <tbody>
          {m.rows.map((r) => (
            <tr>
              <td>
                <code>{r.dataset}</code>
                <div class="muted small">{r.summary}</div>
              </td>
              <td class="num">{fmtInt(r.rows)}</td>
              <td class="num">{r.stocks == null ? '—' : fmtInt(r.stocks)}</td>
              <td class="nowrap">{fmtDate(r.first)}</td>
              <td class="nowrap">{fmtDate(r.last)}</td>
              <td>{r.lastSync ? <a href={`/market/log?dataset=${r.dataset}`}>{fmtTime(r.lastSync, props.chrome.timeZone)}</a> : <span class="muted">{t('market.never')}</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {m.isAdmin ? (
        <div class="cards two">
          <form method="post" action="/market/sync" class="card">
            <h2>{t('market.sync.title')}</h2>
            <CsrfField chrome={props.chrome} />
            <label>
              {t('market.col.dataset')}
              <select name="dataset">
                {m.rows.map((r) => (
                  <option value={r.dataset}>{r.dataset}</option>
                ))}
              </select>
            </label>
            <label>
              {t('market.sync.source')}
              <select name="source">
                <option value="tushare" disabled={!m.tushareConfigured}>Tushare{m.tushareConfigured ? '' : t('market.sync.tushareHint')}</option>
                <option value="demo" selected={!m.tushareConfigured}>{t('market.sync.demo')}</option>
              </select>
            </label>
            <div class="row">
              <label>
                {t('market.sync.start')} <input name="start" placeholder="YYYYMMDD" pattern="\d{8}" inputmode="numeric" />
              </label>
              <label>
                {t('market.sync.end')} <input name="end" placeholder={t('market.sync.endPlaceholder')} pattern="\d{8}" inputmode="numeric" />
              </label>
            </div>
            <label>
              {t('market.sync.codes')} <input name="codes" placeholder={t('market.sync.codesPlaceholder')} />
            </label>
            <p><button type="submit">{t('market.sync.submit')}</button></p>
            <p class="muted small">{t('market.sync.hint')}</p>
          </form>
          <form method="post" action="/market/import" enctype="multipart/form-data" class="card">
            <h2>{t('market.import.title')}</h2>
            <CsrfField chrome={props.chrome} />
            <label>
              {t('market.col.dataset')}
              <select name="dataset">
                {m.rows.map((r) => (
                  <option value={r.dataset}>{r.dataset}</option>
                ))}
              </select>
            </label>
            <label>
              {t('market.import.files')} <input type="file" name="files" accept=".csv,text/csv" multiple required />
            </label>
            <p><button type="submit">{t('market.import.submit')}</button></p>
            <p class="muted small">{t('market.import.hint')}</p>
          </form>
        </div>
      ) : (
        <p class="muted">{t('market.adminOnly')}</p>
      )}
    </Layout>
  );
}

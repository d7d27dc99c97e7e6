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
  return (
    <Layout chrome={props.chrome} title="Coverage" section="market">
      <h1>Market data</h1>
      <MarketNav current="coverage" />
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
            <th>Dataset</th>
            <th class="num">Rows</th>
            <th class="num">Stocks</th>
            <th>First</th>
            <th>Last</th>
            <th>Last sync</th>
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
              <td>{r.lastSync ? <a href={`/market/log?dataset=${r.dataset}`}>{fmtTime(r.lastSync)}</a> : <span class="muted">never</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {m.isAdmin ? (
        <div class="cards two">
          <form method="post" action="/market/sync" class="card">
            <h2>Sync a dataset</h2>
            <CsrfField chrome={props.chrome} />
            <label>
              Dataset
              <select name="dataset">
                {m.rows.map((r) => (
                  <option value={r.dataset}>{r.dataset}</option>
                ))}
              </select>
            </label>
            <label>
              Source
              <select name="source">
                <option value="tushare" disabled={!m.tushareConfigured}>Tushare{m.tushareConfigured ? '' : ' (set TUSHARE_TOKEN)'}</option>
                <option value="demo" selected={!m.tushareConfigured}>Demo generator</option>
              </select>
            </label>
            <div class="row">
              <label>
                Start <input name="start" placeholder="YYYYMMDD" pattern="\d{8}" inputmode="numeric" />
              </label>
              <label>
                End <input name="end" placeholder="latest closed day" pattern="\d{8}" inputmode="numeric" />
              </label>
            </div>
            <label>
              Codes <input name="codes" placeholder="all stocks, or 600000.SH,000001.SZ" />
            </label>
            <p><button type="submit">Start sync</button></p>
            <p class="muted small">Starts a data_sync run: its page shows progress and can cancel it; the operation log keeps the counts.</p>
          </form>
          <form method="post" action="/market/import" enctype="multipart/form-data" class="card">
            <h2>Import CSV files</h2>
            <CsrfField chrome={props.chrome} />
            <label>
              Dataset
              <select name="dataset">
                {m.rows.map((r) => (
                  <option value={r.dataset}>{r.dataset}</option>
                ))}
              </select>
            </label>
            <label>
              Files <input type="file" name="files" accept=".csv,text/csv" multiple required />
            </label>
            <p><button type="submit">Import</button></p>
            <p class="muted small">Columns use Tushare field names (ts_code, trade_date, open…); dates as YYYYMMDD. A file with a bad row is not written at all; errors name the file and line.</p>
          </form>
        </div>
      ) : (
        <p class="muted">Syncing and importing need the admin role.</p>
      )}
    </Layout>
  );
}

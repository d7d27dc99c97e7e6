import { Layout, type PageChrome } from '../layout.tsx';
import { fmtDate } from '../market/format.ts';

export interface HomeModel {
  version: string;
  postgresKind: 'pglite' | 'postgres';
  marketPath: string;
  /** What market data there is (shown to signed-in users). */
  data?: MarketDataSummary | null;
}

export interface MarketDataSummary {
  stocks: number;
  listed: number;
  firstDate: number | null;
  lastDate: number | null;
  lastSync: { dataset: string; source: string; result: string; at: string } | null;
}


/** The landing page: what the server holds, and the two obvious next steps. */
export function HomePage(props: { chrome: PageChrome; model: HomeModel }) {
  const m = props.model;
  return (
    <Layout chrome={props.chrome} title="Home" section="home">
      <h1>zquant</h1>
      <p class="lead">Backtest A-share strategies and keep the market data fresh, on one server.</p>
      <div class="cards">
        <a class="card action" href="/backtests/new">
          <h2>Run a backtest</h2>
          <p>Pick a strategy, a universe and a date range.</p>
        </a>
        <a class="card action" href="/scheduler">
          <h2>Set up data sync</h2>
          <p>Schedule updates of the market data from Tushare.</p>
        </a>
      </div>
      {m.data ? (
        <>
          <h2>Market data</h2>
          {m.data.stocks === 0 ? (
            <p class="muted">No market data yet. <a href="/market/coverage">Sync or import some</a>.</p>
          ) : (
            <dl class="facts">
              <dt>Stocks</dt>
              <dd>
                <a href="/market">{m.data.stocks.toLocaleString('en-US')}</a> ({m.data.listed.toLocaleString('en-US')} listed; the rest delisted or paused)
              </dd>
              <dt>Daily bars</dt>
              <dd>
                {fmtDate(m.data.firstDate)} to {fmtDate(m.data.lastDate)} · <a href="/market/coverage">coverage</a>
              </dd>
              <dt>Last sync</dt>
              <dd>
                {m.data.lastSync ? (
                  <a href="/market/log">
                    {m.data.lastSync.dataset} from {m.data.lastSync.source}, {m.data.lastSync.result}, {m.data.lastSync.at.replace('T', ' ').slice(0, 16)} UTC
                  </a>
                ) : (
                  'never'
                )}
              </dd>
            </dl>
          )}
        </>
      ) : null}
      <h2>This server</h2>
      <dl class="facts">
        <dt>Version</dt>
        <dd>{m.version}</dd>
        <dt>Task database</dt>
        <dd>{m.postgresKind === 'pglite' ? 'embedded (PGlite)' : 'PostgreSQL server'}</dd>
        <dt>Market store</dt>
        <dd><code>{m.marketPath}</code></dd>
      </dl>
    </Layout>
  );
}

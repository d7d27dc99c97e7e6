import { Layout, type PageChrome } from '../layout.tsx';

export interface HomeModel {
  version: string;
  postgresKind: 'pglite' | 'postgres';
  marketPath: string;
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

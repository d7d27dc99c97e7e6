import { Layout, type PageChrome } from '../layout.tsx';
import { fmtDate } from '../market/format.ts';
import { localTime } from '../backtests/format.ts';

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
  const { t, fmt } = props.chrome;
  return (
    <Layout chrome={props.chrome} title={t('home.title')} section="home">
      <h1>zquant</h1>
      <p class="lead">{t('home.lead')}</p>
      <div class="cards">
        <a class="card action" href="/backtests/new">
          <h2>{t('home.runBacktest')}</h2>
          <p>{t('home.runBacktestHint')}</p>
        </a>
        <a class="card action" href="/scheduler">
          <h2>{t('home.setupSync')}</h2>
          <p>{t('home.setupSyncHint')}</p>
        </a>
      </div>
      {m.data ? (
        <>
          <h2>{t('home.marketData')}</h2>
          {m.data.stocks === 0 ? (
            <p class="muted">{t.rich('home.noData', { link: (s) => <a href="/market/coverage">{s}</a> })}</p>
          ) : (
            <dl class="facts">
              <dt>{t('home.stocksLabel')}</dt>
              <dd>
                <a href="/market">{t('home.stocks', { count: m.data.stocks })}</a> {t('home.listed', { listed: fmt.int(m.data.listed) })}
              </dd>
              <dt>{t('home.dailyBars')}</dt>
              <dd>
                {t('home.range', { from: fmtDate(m.data.firstDate), to: fmtDate(m.data.lastDate) })} · <a href="/market/coverage">{t('home.coverage')}</a>
              </dd>
              <dt>{t('home.lastSync')}</dt>
              <dd>
                {m.data.lastSync ? (
                  <a href="/market/log">
                    {t('home.lastSyncText', { dataset: m.data.lastSync.dataset, source: m.data.lastSync.source, result: m.data.lastSync.result, at: localTime(m.data.lastSync.at, props.chrome.timeZone).slice(0, 16), zone: props.chrome.timeZone })}
                  </a>
                ) : (
                  t('home.never')
                )}
              </dd>
            </dl>
          )}
        </>
      ) : null}
      <h2>{t('home.thisServer')}</h2>
      <dl class="facts">
        <dt>{t('home.version')}</dt>
        <dd>{m.version}</dd>
        <dt>{t('home.taskDatabase')}</dt>
        <dd>{t(m.postgresKind === 'pglite' ? 'home.pglite' : 'home.postgres')}</dd>
        <dt>{t('home.marketStore')}</dt>
        <dd><code>{m.marketPath}</code></dd>
      </dl>
    </Layout>
  );
}

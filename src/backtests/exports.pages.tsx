/**
 * Exports of a finished backtest: CSV (trades, orders, NAV), JSON (everything), and a self-contained
 * HTML report. Trades, orders and the JSON file are streamed a slice at a time (export-stream.ts):
 * they grow with the number of orders, the NAV and the report with the number of days only.
 */
import { Hono } from 'hono';
import { pathId } from '../http/input.ts';
import { raw } from 'hono/html';
import { principalOf, requireRole } from '../auth/access.ts';
import type { PageChromeFn } from '../http/chrome.ts';
import type { AppEnv } from '../http/env.ts';
import { AppError } from '../http/errors.ts';
import type { Assets } from '../http/assets.ts';
import { ConfigFacts } from '../../views/backtests/task-page.tsx';
import { ResultView } from '../../views/backtests/result.tsx';
import { day, localTime } from '../../views/backtests/format.ts';
import { strategyLabel } from '../../views/backtests/parts.tsx';
import { resultArrayOf, resultParts, visibleBacktest, type BacktestsDeps } from './backtests.service.ts';
import type { Backtest } from './backtest.types.ts';
import { backtestJson, exportExtrasJson, fillJson, metricsJson, orderJson, positionJson, roundTripJson, seriesJson } from './backtests.contract.ts';
import type { Metrics } from '../engine/metrics/metrics.ts';
import { fillColumns, navCsv, orderColumns } from './csv.ts';
import { csvChunks, jsonArrayChunks, streamedBody } from './export-stream.ts';
import { loadResultData } from './result-data.ts';
import type { StoredExtras, StoredPosition, StoredSeries } from './results.ts';

function cssOf(assets: Assets): string {
  const url = assets.url('css/app.css');
  const [, , hash, ...name] = url.split('/');
  const a = assets.lookup(hash, name.join('/'));
  return a ? new TextDecoder().decode(a.body) : '';
}

export function exportRoutes(deps: BacktestsDeps & { chrome: PageChromeFn }) {
  const { db } = deps;
  const app = new Hono<AppEnv>();
  const finished = async (c: Parameters<PageChromeFn>[0]): Promise<Backtest> => {
    const id = pathId(c.req.param('id'), 'backtest');
    const b = await visibleBacktest(db, principalOf(c), id);
    if (b.status !== 'succeeded') throw new AppError(409, 'not_finished', `backtest ${id} is ${b.status}; exports exist once it succeeds`);
    return b;
  };
  const attach = (name: string, type: string) => ({ 'content-type': type, 'content-disposition': `attachment; filename="${name}"` });

  app.get('/backtests/:id{[0-9]+}/export/trades.csv', requireRole('viewer'), async (c) => {
    const b = await finished(c);
    return c.body(streamedBody(csvChunks(db, b.id, 'fills', fillColumns, ['date'])), 200, attach(`backtest-${b.id}-trades.csv`, 'text/csv; charset=utf-8'));
  });
  app.get('/backtests/:id{[0-9]+}/export/orders.csv', requireRole('viewer'), async (c) => {
    const b = await finished(c);
    return c.body(streamedBody(csvChunks(db, b.id, 'orders', orderColumns, ['placedDate', 'doneDate'])), 200, attach(`backtest-${b.id}-orders.csv`, 'text/csv; charset=utf-8'));
  });
  app.get('/backtests/:id{[0-9]+}/export/nav.csv', requireRole('viewer'), async (c) => {
    const b = await finished(c);
    const s = (await resultParts(db, b, ['series'])).series as StoredSeries;
    return c.body(navCsv(s), 200, attach(`backtest-${b.id}-nav.csv`, 'text/csv; charset=utf-8'));
  });
  app.get('/backtests/:id{[0-9]+}/export/backtest.json', requireRole('viewer'), async (c) => {
    const b = await finished(c);
    const parts = await resultParts(db, b, ['metrics', 'series', 'positions', 'extras']);
    // Named as the API names them (backtests.contract.ts): the same fields as GET /api/v1/backtests/{id}/result and its siblings.
    const head = {
      backtest: backtestJson(b), metrics: metricsJson(parts.metrics as Metrics), series: seriesJson(parts.series as StoredSeries),
      positions: (parts.positions as StoredPosition[]).map(positionJson), ...exportExtrasJson(parts.extras as StoredExtras),
    };
    const mappers = { fills: fillJson, orders: orderJson, trades: roundTripJson } as const;
    // The small parts first, in one chunk; then the three arrays that grow with orders, slice by slice.
    async function* chunks() {
      yield JSON.stringify(head).slice(0, -1);
      for (const part of ['fills', 'orders', 'trades'] as const) {
        yield `,${JSON.stringify(part)}:`;
        yield* jsonArrayChunks(db, b.id, part, mappers[part] as (item: never) => unknown);
      }
      yield '}';
    }
    return c.body(streamedBody(chunks()), 200, attach(`backtest-${b.id}.json`, 'application/json'));
  });
  app.get('/backtests/:id{[0-9]+}/export/report.html', requireRole('viewer'), async (c) => {
    const b = await finished(c);
    const r = (await loadResultData(db, b))!;
    // All trades and orders in the report (no pagination links: it is a file).
    r.fills = { items: (await resultArrayOf(db, b, 'fills')) as Record<string, unknown>[], total: r.extras.fillCount, offset: 0, limit: Number.MAX_SAFE_INTEGER };
    r.orders = { items: (await resultArrayOf(db, b, 'orders')) as Record<string, unknown>[], total: r.extras.orderCount, offset: 0, limit: Number.MAX_SAFE_INTEGER, rejectedOnly: false };
    // A file opened later has no cookie to read: its times are in the zone of the request that made it, named in the text.
    const { assets, t, locale, timeZone } = deps.chrome(c);
    const css = cssOf(assets);
    const page = (
      <html lang={locale}>
        <head>
          <meta charset="utf-8" />
          <title>{t('backtests.report.title', { id: b.id, name: b.name })}</title>
          <style>{raw(css)}</style>
        </head>
        <body class="report">
          <main>
            <h1>{t('backtests.report.heading', { id: b.id, name: b.name })}</h1>
            <p class="muted">{strategyLabel(b)} · {day(b.spec.startDate)} → {day(b.spec.endDate)} · {t('backtests.report.finished', { time: localTime(b.finishedAt, timeZone), zone: timeZone })}</p>
            <ConfigFacts t={t} b={b} />
            <ResultView t={t} b={b} r={r} forReport />
          </main>
        </body>
      </html>
    );
    return c.body('<!DOCTYPE html>' + (await (page as unknown as { toString(): Promise<string> | string }).toString()), 200, attach(`backtest-${b.id}-report.html`, 'text/html; charset=utf-8'));
  });
  return app;
}

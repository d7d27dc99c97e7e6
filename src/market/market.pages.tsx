import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { offsetQuery } from '../http/input.ts';
import { principalOf, requireRole, roleAtLeast } from '../auth/access.ts';
import type { Config } from '../config.ts';
import type { PgStore } from '../db/database.ts';
import type { PageChromeFn } from '../http/chrome.ts';
import type { AppEnv } from '../http/env.ts';
import { AppError } from '../http/errors.ts';
import type { Logger } from '../logger.ts';
import { importCsvFiles, type CsvFile } from './csv/csv-import.ts';
import { datasetNames, isDatasetName } from './datasets.ts';
import type { MarketStore } from './duckdb.ts';
import * as svc from './market.service.ts';
import type { RunsService } from '../runs/runs.service.ts';
import { CoveragePage } from '../../views/market/coverage-page.tsx';
import { LogPage } from '../../views/market/log-page.tsx';
import { StockPage } from '../../views/market/stock-page.tsx';
import { StocksPage } from '../../views/market/stocks-page.tsx';
import { addDays } from './days.ts';

export interface MarketPageDeps {
  chrome: PageChromeFn;
  market: MarketStore;
  pg: PgStore;
  config: Config;
  logger: Logger;
  /** Syncs started here are runs of the data_sync executor. */
  runs: RunsService;
  /** Told after a CSV import here wrote rows (the snapshot publisher: workers see imported data, as after a sync). */
  onMarketChanged?: (reason: string) => void;
}

const PAGE = 50;
const offsetOf = (v: string | undefined) => offsetQuery(v);
const rangeDays: Record<string, number> = { '3m': 92, '6m': 183, '1y': 366, '3y': 1096 };

const syncForm = z.object({
  dataset: z.enum(datasetNames as [string, ...string[]], { message: 'pick a dataset' }),
  source: z.enum(['tushare', 'demo'], { message: 'pick tushare or demo' }),
  start: z.string().regex(/^(\d{8})?$/, { message: 'write the start as YYYYMMDD' }).optional(),
  end: z.string().regex(/^(\d{8})?$/, { message: 'write the end as YYYYMMDD' }).optional(),
  codes: z.string().max(20000).optional(),
});

/** Pages under /market: stock search, a stock, coverage (with admin sync/import forms), the operation log. */
export function marketPages(deps: MarketPageDeps) {
  const app = new Hono<AppEnv>();

  app.get('/market', requireRole('viewer'), async (c) => {
    const q = (c.req.query('q') ?? '').trim().slice(0, 50);
    const board = ['main', 'chinext', 'star', 'bse'].includes(c.req.query('board') ?? '') ? c.req.query('board')! : '';
    const status = ['L', 'D', 'P'].includes(c.req.query('status') ?? '') ? c.req.query('status')! : '';
    const offset = offsetOf(c.req.query('offset'));
    const r = await svc.searchStocks(deps.market, { q, board: board || undefined, status: status || undefined, limit: PAGE, offset });
    return c.html(<StocksPage chrome={deps.chrome(c)} model={{ q, board, status, items: r.items, total: r.total, limit: PAGE, offset }} />);
  });

  app.get('/market/stocks/:code', requireRole('viewer'), async (c) => {
    const code = c.req.param('code').toUpperCase();
    const stock = await svc.getStock(deps.market, code);
    const adjQ = c.req.query('adj');
    const adj: svc.Adjustment = adjQ === 'hfq' || adjQ === 'none' ? adjQ : 'qfq';
    const range = rangeDays[c.req.query('range') ?? ''] ? c.req.query('range')! : '6m';
    const end = (await svc.lastBarDate(deps.market, code)) ?? 0;
    const bars = await svc.stockDaily(deps.market, code, addDays(end, -rangeDays[range]), end, adj);
    const indicators = await svc.stockIndicators(deps.market, code, 15);
    return c.html(<StockPage chrome={deps.chrome(c)} model={{ stock, bars, range, indicators }} />);
  });

  const coverage = async (c: Context<AppEnv>, notice: { kind: 'ok' | 'error'; lines: string[] } | null) => {
    const p = principalOf(c);
    const rows = await svc.coverage(deps.market, deps.pg);
    return c.html(
      <CoveragePage chrome={deps.chrome(c)} model={{ rows, isAdmin: roleAtLeast(p.role, 'admin'), tushareConfigured: !!deps.config.tushareToken, notice }} />,
    );
  };
  app.get('/market/coverage', requireRole('viewer'), (c) => coverage(c, null));

  app.get('/market/log', requireRole('viewer'), async (c) => {
    const pick = (k: string, allowed: readonly string[]) => (allowed.includes(c.req.query(k) ?? '') ? c.req.query(k)! : '');
    const filters = {
      dataset: pick('dataset', datasetNames),
      source: pick('source', ['tushare', 'demo', 'csv']),
      result: pick('result', ['running', 'success', 'partial', 'failed', 'abandoned']),
    };
    const offset = offsetOf(c.req.query('offset'));
    const r = await svc.syncLog(deps.pg, {
      dataset: filters.dataset || undefined,
      source: filters.source || undefined,
      result: (filters.result || undefined) as never,
      limit: PAGE,
      offset,
    });
    return c.html(<LogPage chrome={deps.chrome(c)} model={{ filters, datasets: datasetNames, items: r.items as never, total: r.total, limit: PAGE, offset }} />);
  });

  app.post('/market/sync', requireRole('admin'), async (c) => {
    const form = syncForm.parse(Object.fromEntries(Object.entries(await c.req.parseBody()).map(([k, v]) => [k, typeof v === 'string' ? v.trim() : ''])));
    const codes = (form.codes ?? '').split(/[\s,]+/).filter(Boolean);
    const bad = codes.find((x) => !/^\d{6}\.(SH|SZ|BJ)$/i.test(x));
    if (bad) throw new AppError(400, 'invalid_request', `codes: ${bad} is not a code like 600000.SH`);
    if (form.source === 'tushare' && !deps.config.tushareToken) throw new AppError(400, 'tushare_token_missing', 'source: Tushare needs a token; set TUSHARE_TOKEN on the server, or pick the demo generator');
    // A run of the data_sync executor, like a scheduled sync: progress, cancel, retries, history, and a
    // log row that is closed as abandoned if the process executing it dies. Nothing runs in this request.
    const run = await deps.runs.queueRun({
      executor: 'data_sync',
      params: {
        dataset: form.dataset,
        source: form.source,
        ...(codes.length ? { codes: codes.map((x) => x.toUpperCase()) } : {}),
        ...(form.start ? { start: Number(form.start) } : {}),
        ...(form.end ? { end: Number(form.end) } : {}),
      },
      queuedBy: principalOf(c).userId,
    });
    deps.logger.info('sync queued', { runId: run.id, dataset: form.dataset, source: form.source });
    return c.redirect(`/runs/${run.id}`, 303);
  });

  app.post('/market/import', requireRole('admin'), async (c) => {
    const body = await c.req.parseBody({ all: true });
    const dataset = String(body.dataset ?? '');
    if (!isDatasetName(dataset)) throw new AppError(400, 'invalid_request', `dataset: pick one of ${datasetNames.join(', ')}`);
    const raw = body.files;
    const list = (Array.isArray(raw) ? raw : raw ? [raw] : []).filter((f): f is File => typeof f !== 'string');
    if (!list.length) throw new AppError(400, 'invalid_request', 'files: choose at least one CSV file');
    const files: CsvFile[] = [];
    for (const f of list) files.push({ name: f.name || 'upload.csv', bytes: new Uint8Array(await f.arrayBuffer()) });
    const results = await importCsvFiles(deps, dataset, files);
    if (results.some((r) => r.ok && r.counts!.inserted + r.counts!.updated > 0)) deps.onMarketChanged?.(`a CSV import of ${dataset}`);
    const lines = results.flatMap((r) =>
      r.ok ? [`${r.file}: ${r.rows} rows: ${r.counts!.inserted} inserted, ${r.counts!.updated} updated, ${r.counts!.unchanged} unchanged`] : [`${r.file}: not imported`, ...r.errors],
    );
    return coverage(c, { kind: results.every((r) => r.ok) ? 'ok' : 'error', lines });
  });

  return app;
}

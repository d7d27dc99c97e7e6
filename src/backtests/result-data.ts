/** Reads what the task page, the report and the exports show of a finished backtest. */
import type { Kysely } from 'kysely';
import type { Metrics } from '../engine/metrics/metrics.ts';
import type { Database } from '../db/schema.ts';
import * as repo from './backtests.service.ts';
import type { Backtest } from './backtest.types.ts';
import { tablePageSize, type ResultData, type StoredExtras, type StoredPosition, type StoredSeries } from './results.ts';

const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

export async function fillsPage(db: Kysely<Database>, id: number, offset: number, limit = tablePageSize): Promise<ResultData['fills']> {
  const p = await repo.sliceResultArray(db, id, 'fills', offset, limit);
  return { items: (p?.items ?? []) as Record<string, unknown>[], total: p?.total ?? 0, offset, limit };
}

export async function ordersPage(db: Kysely<Database>, id: number, offset: number, rejectedOnly: boolean, limit = tablePageSize): Promise<ResultData['orders']> {
  const p = await repo.sliceResultArray(db, id, 'orders', offset, limit, rejectedOnly);
  return { items: (p?.items ?? []) as Record<string, unknown>[], total: p?.total ?? 0, offset, limit, rejectedOnly };
}

/** Null unless the backtest succeeded and has results. */
export async function loadResultData(db: Kysely<Database>, b: Backtest): Promise<ResultData | null> {
  if (b.status !== 'succeeded') return null;
  const parts = await repo.readResultParts(db, b.id, ['metrics', 'series', 'positions', 'extras']);
  if (!parts) return null;
  const extras = parse(parts.extras) as StoredExtras;
  // The first page of each table is stored with the result (toStored), so the page needs no slice here.
  return {
    metrics: parse(parts.metrics) as Metrics,
    series: parse(parts.series) as StoredSeries,
    positions: parse(parts.positions) as StoredPosition[],
    extras,
    fills: { items: extras.firstFills as Record<string, unknown>[], total: extras.fillCount, offset: 0, limit: tablePageSize },
    orders: { items: extras.firstOrders as Record<string, unknown>[], total: extras.orderCount, offset: 0, limit: tablePageSize, rejectedOnly: false },
  };
}

/**
 * What /metrics reports, in Prometheus's text format (prom-client): the process (memory, CPU, event
 * loop, GC: prom-client's default metrics), HTTP requests by route, run attempts by executor and
 * how they ended, and — read from the stores at each scrape — runs by executor and status, the
 * queue's depth and oldest waiting run, each scheduled task's latest fire lateness, the rows syncs
 * changed, and the warm-panel cache. Observed series count what this process did since it started
 * (Prometheus's rate() and increase() expect that); scraped ones describe the shared database.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AttemptEnded } from '../runs/worker-pool.ts';
import type { RunStats } from '../runs/runs.service.ts';

/** Where the scraped series come from (services, given by server.ts). */
export interface MetricsSources {
  runStats(): Promise<RunStats>;
  syncRows(): Promise<Array<{ dataset: string; inserted: number; updated: number; unchanged: number; deleted: number }>>;
  /** The warm-panel cache of this process, when it has one. */
  panelCache?: () => { entries: number; bytes: number; hits: number; misses: number };
}

export interface Metrics {
  /** One HTTP request answered: `route` is the matched route pattern (never the raw path: ids would explode the series). */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** One run attempt this process ran, ended (the worker pool's hook). */
  attemptEnded(ended: AttemptEnded): void;
  /** The text exposition, with the scraped series read now. */
  scrape(): Promise<string>;
  readonly contentType: string;
}

const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const runBuckets = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600];

export function makeMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  const http = new Histogram({ name: 'zquant_http_request_duration_seconds', help: 'HTTP requests by method, matched route and status', labelNames: ['method', 'route', 'status'], buckets: durationBuckets, registers });
  const attempts = new Histogram({ name: 'zquant_run_attempt_duration_seconds', help: 'Run attempts this process executed, by executor and the status the run had after it', labelNames: ['executor', 'status'], buckets: runBuckets, registers });
  const runs = new Gauge({ name: 'zquant_runs', help: 'Runs in the database by executor and status', labelNames: ['executor', 'status'], registers });
  const queued = new Gauge({ name: 'zquant_runs_queued', help: 'Runs waiting to be claimed, by executor', labelNames: ['executor'], registers });
  const oldest = new Gauge({ name: 'zquant_runs_queued_oldest_seconds', help: 'How long the longest-waiting due run of each executor has waited', labelNames: ['executor'], registers });
  const lateness = new Gauge({ name: 'zquant_scheduler_fire_lateness_seconds', help: "How late each scheduled task's latest fire was queued after its slot", labelNames: ['task'], registers });
  const syncRows = new Gauge({ name: 'zquant_sync_rows', help: 'Rows the logged syncs changed, by dataset and change', labelNames: ['dataset', 'change'], registers });
  const panelEntries = new Gauge({ name: 'zquant_panel_cache_entries', help: 'Panels held warm in memory', registers });
  const panelBytes = new Gauge({ name: 'zquant_panel_cache_bytes', help: 'Bytes of the panels held warm', registers });
  const panelLookups = new Counter({ name: 'zquant_panel_cache_lookups_total', help: 'Panel cache lookups by result (hit or miss)', labelNames: ['result'], registers });
  let counted = { hits: 0, misses: 0 };

  const refresh = async () => {
    const [stats, rows] = await Promise.all([sources.runStats(), sources.syncRows()]);
    runs.reset();
    for (const r of stats.byStatus) runs.set({ executor: r.executor, status: r.status }, r.count);
    queued.reset();
    oldest.reset();
    for (const q of stats.queued) {
      queued.set({ executor: q.executor }, q.count);
      oldest.set({ executor: q.executor }, q.oldestSeconds);
    }
    lateness.reset();
    for (const l of stats.lateness) lateness.set({ task: l.task }, l.seconds);
    syncRows.reset();
    for (const r of rows) for (const change of ['inserted', 'updated', 'unchanged', 'deleted'] as const) syncRows.set({ dataset: r.dataset, change }, r[change]);
    const cache = sources.panelCache?.();
    if (cache) {
      panelEntries.set(cache.entries);
      panelBytes.set(cache.bytes);
      // The cache keeps running totals; the counter advances by what happened since the last scrape.
      panelLookups.inc({ result: 'hit' }, Math.max(0, cache.hits - counted.hits));
      panelLookups.inc({ result: 'miss' }, Math.max(0, cache.misses - counted.misses));
      counted = { hits: cache.hits, misses: cache.misses };
    }
  };

  return {
    observeRequest: (method, route, status, seconds) => http.observe({ method, route, status: String(status) }, seconds),
    attemptEnded: (e) => attempts.observe({ executor: e.executor, status: e.status }, e.seconds),
    async scrape() {
      await refresh();
      return registry.metrics();
    },
    contentType: registry.contentType,
  };
}

/** /admin/storage: disk use per store and table, the retention settings, what housekeeping would prune now. */
import type { PruneReport, StorageReport } from '../../src/housekeeping/housekeeping.service.ts';
import { CsrfField, Layout, type PageChrome } from '../layout.tsx';
import { AdminNav } from './users.tsx';

export interface StoragePageModel {
  storage: StorageReport;
  plan: PruneReport;
  /** How the page writes a byte count: the housekeeping service's own (formatBytes), as the CLI prints it. */
  formatBytes: (n: number) => string;
}


const count = (n: number) => n.toLocaleString('en-US');

const kindLabels: Record<PruneReport['lines'][number]['kind'], string> = {
  backtests: 'Backtests (unpinned, with results)',
  runs: 'Runs (finished, with their steps)',
  run_events: 'Events of those runs',
  run_logs: 'Log lines of runs that stay',
  sync_log: 'Sync log rows',
};

export function StoragePage(props: { chrome: PageChrome; model: StoragePageModel }) {
  const { storage: s, plan, formatBytes } = props.model;
  const bytesText = (n: number | null) => (n === null ? '—' : formatBytes(n));
  const r = plan.retention;
  const embedded = s.postgres.kind === 'pglite';
  return (
    <Layout chrome={props.chrome} title="Storage" section="admin">
      <AdminNav t={props.chrome.t} current="storage" />
      <h1>Storage</h1>
      <p>
        Data directory <code>{s.dataDir}</code>: <strong id="data-dir-bytes">{bytesText(s.dataDirBytes)}</strong> on disk
        {embedded ? ' (embedded Postgres and the DuckDB market file)' : ' (the DuckDB market file; Postgres is a server, its size below)'}.
      </p>

      <h2>What housekeeping would prune now</h2>
      <table id="prune-plan">
        <thead><tr><th>kind</th><th class="num">rows</th><th class="num">about</th></tr></thead>
        <tbody>
          {plan.lines.map((l) => (
            <tr data-kind={l.kind}><td>{kindLabels[l.kind]}</td><td class="num">{count(l.rows)}</td><td class="num">{bytesText(l.bytes)}</td></tr>
          ))}
        </tbody>
      </table>
      <p class="muted">
        Kept: runs {r.runsDays} days and at most the newest {count(r.runsMax)} (RETAIN_RUNS_DAYS, RETAIN_RUNS_MAX); run log lines {r.runLogsDays} days
        (RETAIN_RUN_LOGS_DAYS); backtests {r.backtestsDays} days, pinned ones always (RETAIN_BACKTESTS_DAYS); sync log {r.syncLogDays} days
        (RETAIN_SYNC_LOG_DAYS). Nothing queued or running is pruned, nor a run a kept backtest or sweep needs. Afterwards DuckDB is checkpointed
        {embedded ? ' and the pruned tables are vacuumed (embedded Postgres).' : '; the Postgres server reclaims space with its own autovacuum.'}
      </p>
      <form method="post" action="/admin/storage/housekeeping" class="inline">
        <CsrfField chrome={props.chrome} />
        <button type="submit">Run housekeeping now</button>
      </form>{' '}
      <a href="/scheduler">The nightly housekeeping task</a>

      <h2>Postgres ({embedded ? 'embedded PGlite' : 'server'}): {bytesText(s.postgres.databaseBytes)}</h2>
      <table id="pg-tables">
        <thead><tr><th>table</th><th class="num">rows (estimate)</th><th class="num">size</th></tr></thead>
        <tbody>
          {s.postgres.tables.map((t) => (
            <tr data-table={t.name}><td>{t.name}</td><td class="num">{count(t.rows)}</td><td class="num">{bytesText(t.bytes)}</td></tr>
          ))}
        </tbody>
      </table>
      <p class="muted">Sizes include indexes and TOAST (<code>pg_total_relation_size</code>); row counts are the planner's estimate, as of the last analyze.</p>

      <h2>DuckDB market file: {bytesText(s.duckdb.fileBytes)}</h2>
      <p class="muted"><code>{s.duckdb.path}</code>{s.duckdb.walBytes ? `, write-ahead log ${bytesText(s.duckdb.walBytes)}` : ''}</p>
      <table id="duckdb-tables">
        <thead><tr><th>table</th><th class="num">rows (estimate)</th><th class="num">blocks</th></tr></thead>
        <tbody>
          {s.duckdb.tables.map((t) => (
            <tr data-table={t.name}><td>{t.name}</td><td class="num">{count(t.rows)}</td><td class="num">{t.bytes === null ? 'not checkpointed yet' : bytesText(t.bytes)}</td></tr>
          ))}
        </tbody>
      </table>
      <p class="muted">Per table: the storage blocks its columns hold (<code>pragma_storage_info</code>), so compressed size on disk; rows written since the last checkpoint are in the write-ahead log until housekeeping (or DuckDB itself) checkpoints. The file also holds free blocks a checkpoint may reuse.</p>
    </Layout>
  );
}

/** /admin/storage: disk use per store and table, the retention settings, what housekeeping would prune now. */
import type { PruneReport, StorageReport } from '../../src/housekeeping/housekeeping.service.ts';
import { CsrfField, Layout, type MessageKey, type PageChrome } from '../layout.tsx';
import { AdminNav } from './users.tsx';

export interface StoragePageModel {
  storage: StorageReport;
  plan: PruneReport;
  /** How the page writes a byte count: the housekeeping service's own (formatBytes), as the CLI prints it. */
  formatBytes: (n: number) => string;
}


const count = (n: number) => n.toLocaleString('en-US');

const kindLabels: Record<PruneReport['lines'][number]['kind'], MessageKey> = {
  backtests: 'admin.st.kind.backtests',
  runs: 'admin.st.kind.runs',
  run_events: 'admin.st.kind.run_events',
  run_logs: 'admin.st.kind.run_logs',
  sync_log: 'admin.st.kind.sync_log',
};

export function StoragePage(props: { chrome: PageChrome; model: StoragePageModel }) {
  const { storage: s, plan, formatBytes } = props.model;
  const bytesText = (n: number | null) => (n === null ? '—' : formatBytes(n));
  const r = plan.retention;
  const embedded = s.postgres.kind === 'pglite';
  const { t } = props.chrome;
  return (
    <Layout chrome={props.chrome} title={t('admin.nav.storage')} section="admin">
      <AdminNav t={t} current="storage" />
      <h1>{t('admin.nav.storage')}</h1>
      <p>
        {t.rich('admin.st.dataDir', { c: (x) => <code>{x}</code>, b: (x) => <strong id="data-dir-bytes">{x}</strong> }, { dir: s.dataDir, bytes: bytesText(s.dataDirBytes) })}
        {t(embedded ? 'admin.st.embedded' : 'admin.st.server')}
      </p>

      <h2>{t('admin.st.prune')}</h2>
      <table id="prune-plan">
        <thead><tr><th>{t('admin.st.col.kind')}</th><th class="num">{t('admin.st.col.rows')}</th><th class="num">{t('admin.st.col.about')}</th></tr></thead>
        <tbody>
          {plan.lines.map((l) => (
            <tr data-kind={l.kind}><td>{t(kindLabels[l.kind])}</td><td class="num">{count(l.rows)}</td><td class="num">{bytesText(l.bytes)}</td></tr>
          ))}
        </tbody>
      </table>
      <p class="muted">
        {t('admin.st.kept', { runsDays: r.runsDays, runsMax: count(r.runsMax), logDays: r.runLogsDays, btDays: r.backtestsDays, syncDays: r.syncLogDays })}
        {t(embedded ? 'admin.st.vacuumEmbedded' : 'admin.st.vacuumServer')}
      </p>
      <form method="post" action="/admin/storage/housekeeping" class="inline">
        <CsrfField chrome={props.chrome} />
        <button type="submit">{t('admin.st.runNow')}</button>
      </form>{' '}
      <a href="/scheduler">{t('admin.st.nightly')}</a>

      <h2>{t('admin.st.pg', { kind: t(embedded ? 'admin.st.pgEmbedded' : 'admin.st.pgServer'), bytes: bytesText(s.postgres.databaseBytes) })}</h2>
      <table id="pg-tables">
        <thead><tr><th>{t('admin.st.col.table')}</th><th class="num">{t('admin.st.col.rowsEstimate')}</th><th class="num">{t('admin.st.col.size')}</th></tr></thead>
        <tbody>
          {s.postgres.tables.map((tb) => (
            <tr data-table={tb.name}><td>{tb.name}</td><td class="num">{count(tb.rows)}</td><td class="num">{bytesText(tb.bytes)}</td></tr>
          ))}
        </tbody>
      </table>
      <p class="muted">{t.rich('admin.st.pgHint', { c: (x) => <code>{x}</code> })}</p>

      <h2>{t('admin.st.duck', { bytes: bytesText(s.duckdb.fileBytes) })}</h2>
      <p class="muted"><code>{s.duckdb.path}</code>{s.duckdb.walBytes ? t('admin.st.wal', { bytes: bytesText(s.duckdb.walBytes) }) : ''}</p>
      <table id="duckdb-tables">
        <thead><tr><th>{t('admin.st.col.table')}</th><th class="num">{t('admin.st.col.rowsEstimate')}</th><th class="num">{t('admin.st.col.blocks')}</th></tr></thead>
        <tbody>
          {s.duckdb.tables.map((tb) => (
            <tr data-table={tb.name}><td>{tb.name}</td><td class="num">{count(tb.rows)}</td><td class="num">{tb.bytes === null ? t('admin.st.notCheckpointed') : bytesText(tb.bytes)}</td></tr>
          ))}
        </tbody>
      </table>
      <p class="muted">{t.rich('admin.st.duckHint', { c: (x) => <code>{x}</code> })}</p>
    </Layout>
  );
}

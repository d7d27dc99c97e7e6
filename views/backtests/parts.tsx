/** Small pieces shared by the backtest pages and their live stream. */
import type { Backtest } from '../../src/backtests/backtest.types.ts';
import type { RunProgress, RunStatus } from '../../src/runs/run.types.ts';
import type { T } from '../layout.tsx';

export function BacktestStatus(props: { t: T; status: RunStatus; control?: string | null }) {
  const { t } = props;
  return <span class={`badge ${props.status}`}>{t(`runs.status.${props.status}`)}{props.control === 'cancel' ? t('runs.cancelling') : ''}</span>;
}

/** Days done, the date being simulated, and the ETA. */
export function BacktestProgress(props: { t: T; progress: RunProgress | null; status: RunStatus; now?: number }) {
  const { t } = props;
  const p = props.progress;
  if (props.status === 'queued') return <span class="bt-progress"><progress max="1"></progress><span class="muted">{t('runs.progress.queued')}</span></span>;
  if (!p || (p.fraction === null && p.processed === null)) return <span class="bt-progress"><progress max="1"></progress><span class="muted">{t('runs.progress.loading')}</span></span>;
  const f = p.fraction ?? (p.processed !== null && p.total ? p.processed / p.total : 0);
  const pctText = `${Math.floor(f * 1000) / 10}%`;
  const eta = p.etaAt && f < 1 ? Math.max(0, Math.round((Date.parse(p.etaAt) - (props.now ?? Date.now())) / 1000)) : null;
  return (
    <span class="bt-progress">
      <progress max="1" value={f}>{pctText}</progress>
      <span class="bt-progress-text">
        <strong>{pctText}</strong>
        {p.processed !== null && p.total !== null ? <span>{t('runs.progress.days', { done: p.processed, total: p.total })}</span> : null}
        {p.current ? <span> · {p.current}</span> : null}
        {eta !== null ? <span class="muted">{t('runs.progress.eta', { eta: eta < 1 ? t('runs.progress.underSecond') : t('runs.progress.seconds', { s: eta }) })}</span> : null}
      </span>
    </span>
  );
}

export function strategyLabel(b: Backtest): string {
  const s = b.spec.strategy;
  return s.kind === 'user' ? `${s.name} v${s.version}` : s.name;
}

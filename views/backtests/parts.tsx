/** Small pieces shared by the backtest pages and their live stream. */
import type { Backtest } from '../../src/backtests/backtest.types.ts';
import type { RunProgress, RunStatus } from '../../src/runs/run.types.ts';

export function BacktestStatus(props: { status: RunStatus; control?: string | null }) {
  return <span class={`badge ${props.status}`}>{props.status}{props.control === 'cancel' ? ' (cancelling)' : ''}</span>;
}

/** Days done, the date being simulated, and the ETA. */
export function BacktestProgress(props: { progress: RunProgress | null; status: RunStatus; now?: number }) {
  const p = props.progress;
  if (props.status === 'queued') return <span class="bt-progress"><progress max="1"></progress><span class="muted">queued: waiting for a worker slot</span></span>;
  if (!p || (p.fraction === null && p.processed === null)) return <span class="bt-progress"><progress max="1"></progress><span class="muted">loading the market panel…</span></span>;
  const f = p.fraction ?? (p.processed !== null && p.total ? p.processed / p.total : 0);
  const pctText = `${Math.floor(f * 1000) / 10}%`;
  const eta = p.etaAt && f < 1 ? Math.max(0, Math.round((Date.parse(p.etaAt) - (props.now ?? Date.now())) / 1000)) : null;
  return (
    <span class="bt-progress">
      <progress max="1" value={f}>{pctText}</progress>
      <span class="bt-progress-text">
        <strong>{pctText}</strong>
        {p.processed !== null && p.total !== null ? <span> · {p.processed} of {p.total} days</span> : null}
        {p.current ? <span> · {p.current}</span> : null}
        {eta !== null ? <span class="muted"> · ETA {eta < 1 ? 'under a second' : `${eta} s`}</span> : null}
      </span>
    </span>
  );
}

export function strategyLabel(b: Backtest): string {
  const s = b.spec.strategy;
  return s.kind === 'user' ? `${s.name} v${s.version}` : s.name;
}

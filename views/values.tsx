/**
 * Any JSON value (a run's params or result, a backtest's parameters, a task's config) drawn for a
 * person instead of as JSON: an object as a definition list, a list of like objects as a table, a
 * list of plain values inline; numbers rounded; ids of runs and backtests as links to their pages.
 */
import type { Child } from 'hono/jsx';

/** Rounds for reading: whole numbers grouped, others to 4 significant decimals (0.123456789 → 0.1235, 1234.5678 → 1,234.57). */
export function readableNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return Math.abs(v) >= 10_000 ? v.toLocaleString('en-US') : String(v);
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 2 : abs >= 1 ? 4 : Math.min(8, 4 - Math.floor(Math.log10(abs)) - 1);
  return Number(v.toFixed(digits)).toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** Where a key's number leads: run_id and step_run_id to the run, backtest_id to the backtest. */
function linkFor(key: string | null, v: number): string | null {
  if (key === null || !Number.isInteger(v) || v <= 0) return null;
  if (key === 'run_id' || key.endsWith('_run_id') || key === 'runId') return `/runs/${v}`;
  if (key === 'backtest_id' || key === 'backtestId') return `/backtests/${v}`;
  if (key === 'sweep_id' || key === 'sweepId') return `/sweeps/${v}`;
  return null;
}

const isPlain = (v: unknown) => v === null || typeof v !== 'object';

/** A value as it reads: numbers rounded, true/false as ✓/✗, null and empty as —, linked where the key names a run or backtest. */
export function Scalar(props: { value: unknown; name?: string | null }): Child {
  const v = props.value;
  if (v === null || v === undefined) return <span class="muted">—</span>;
  if (typeof v === 'boolean') return v ? '✓' : '✗';
  if (typeof v === 'number') {
    const href = linkFor(props.name ?? null, v);
    return href ? <a href={href}>#{v}</a> : readableNumber(v);
  }
  return String(v);
}

/** A list of objects that share their keys: one row each. */
function isTable(v: unknown[]): v is Record<string, unknown>[] {
  return v.length > 0 && v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x));
}

/** The value drawn for reading (see the module comment); `depth` stops runaway nesting at 4 levels. */
export function Value(props: { value: unknown; name?: string | null; depth?: number; codeKeys?: boolean }): Child {
  const v = props.value;
  const depth = props.depth ?? 0;
  // Parameter names are what a person types in the API and the form: shown as code; other keys as words.
  const keyText = (k: string) => (props.codeKeys ? <code>{k}</code> : k.replace(/_/g, ' '));
  if (isPlain(v)) return <Scalar value={v} name={props.name} />;
  if (depth >= 4) return <code class="details">{JSON.stringify(v)}</code>;
  if (Array.isArray(v)) {
    if (v.length === 0) return <span class="muted">—</span>;
    if (v.every(isPlain)) return <>{v.map((x, i) => <>{i ? ', ' : ''}<Scalar value={x} name={props.name} /></>)}</>;
    if (isTable(v)) {
      const keys = [...new Set(v.flatMap((row) => Object.keys(row)))];
      return (
        <div class="scroll-x">
          <table class="compact values">
            <thead><tr>{keys.map((k) => <th>{keyText(k)}</th>)}</tr></thead>
            <tbody>{v.map((row) => <tr>{keys.map((k) => <td><Value value={row[k]} name={k} depth={depth + 1} codeKeys={props.codeKeys} /></td>)}</tr>)}</tbody>
          </table>
        </div>
      );
    }
    return <ol>{v.map((x) => <li><Value value={x} depth={depth + 1} codeKeys={props.codeKeys} /></li>)}</ol>;
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return <span class="muted">—</span>;
  return (
    <dl class="values">
      {entries.map(([k, x]) => <><dt>{keyText(k)}</dt><dd><Value value={x} name={k} depth={depth + 1} codeKeys={props.codeKeys} /></dd></>)}
    </dl>
  );
}

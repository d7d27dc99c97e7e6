/** Two to five finished backtests: equity curves overlaid on shared dates, metrics side by side. */
import type { Metrics } from '../../src/engine/metrics/metrics.ts';
import type { Backtest } from '../../src/backtests/backtest.types.ts';
import type { StoredSeries } from '../../src/backtests/results.ts';
import { Layout, type PageChrome } from '../layout.tsx';
import { LineChart, type Line } from './charts.tsx';
import { day, num, pct, signClass, signedPct } from './format.ts';
import { strategyLabel } from './parts.tsx';
import { costRows } from './task-page.tsx';
import { readableNumber } from '../values.tsx';

type Picked = { b: Backtest; series: StoredSeries; metrics: Metrics };

function overlay(picked: Picked[]): { dates: number[]; lines: Line[] } {
  const all = new Set<number>();
  for (const p of picked) for (const d of p.series.dates) all.add(d);
  const dates = [...all].sort((a, b) => a - b);
  const lines = picked.map((p, k) => {
    const at = new Map(p.series.dates.map((d, i) => [d, p.series.nav[i]]));
    return { label: `#${p.b.id} ${p.b.name}`, values: dates.map((d) => at.get(d) ?? null), cls: `line-${k}` };
  });
  return { dates, lines };
}

const rows: [string, (m: Metrics) => string, (m: Metrics) => number | null][] = [
  ['Total return', (m) => signedPct(m.totalReturn), (m) => m.totalReturn],
  ['Annualized return', (m) => signedPct(m.annualizedReturn), (m) => m.annualizedReturn],
  ['Benchmark return', (m) => signedPct(m.benchmarkReturn), (m) => m.benchmarkReturn],
  ['Excess return', (m) => signedPct(m.excessReturn), (m) => m.excessReturn],
  ['Volatility', (m) => pct(m.volatility), () => null],
  ['Sharpe', (m) => num(m.sharpe), () => null],
  ['Sortino', (m) => num(m.sortino), () => null],
  ['Max drawdown', (m) => pct(m.drawdown.maxDrawdown), () => null],
  ['Calmar', (m) => num(m.calmar), () => null],
  ['Alpha', (m) => num(m.alpha, 3), () => null],
  ['Beta', (m) => num(m.beta, 2), () => null],
  ['Round trips', (m) => String(m.tradeCount), () => null],
  ['Win rate', (m) => pct(m.winRate, 1), () => null],
  ['Turnover (annual)', (m) => pct(m.turnover, 0), () => null],
];

const paramText = (v: unknown): string => (v === undefined ? 'default' : typeof v === 'number' ? readableNumber(v) : typeof v === 'string' ? v : JSON.stringify(v));

/** How the compared backtests were set up, one row per parameter and cost; rows whose values differ are marked. */
function SetupRows(props: { picked: Picked[] }) {
  const { picked } = props;
  const keys = [...new Set(picked.flatMap((p) => Object.keys(p.b.spec.params)))];
  const rowsOf: Array<{ label: string; code?: boolean; cells: string[] }> = [
    { label: 'Strategy', cells: picked.map((p) => strategyLabel(p.b)) },
    { label: 'Period', cells: picked.map((p) => `${day(p.b.spec.startDate)} → ${day(p.b.spec.endDate)}`) },
    ...keys.map((k) => ({ label: k, code: true, cells: picked.map((p) => paramText(p.b.spec.params[k])) })),
  ];
  const costs = picked.map((p) => costRows(p.b.spec.costs));
  costs[0].forEach(([label], i) => rowsOf.push({ label, cells: costs.map((c) => c[i][1]) }));
  return (
    <tbody class="setup">
      <tr><th colspan={picked.length + 1} class="group">Parameters and costs</th></tr>
      {rowsOf.map((r) => {
        const differs = new Set(r.cells).size > 1;
        return (
          <tr class={differs ? 'differs' : ''}>
            <th>{r.code ? <code>{r.label}</code> : r.label}{differs ? <span class="differs-mark" title="differs"> ≠</span> : null}</th>
            {r.cells.map((c) => <td class="num">{c}</td>)}
          </tr>
        );
      })}
    </tbody>
  );
}

export function ComparePage(props: { chrome: PageChrome; picked: Picked[]; candidates: Backtest[] }) {
  const { picked } = props;
  const chosen = new Set(picked.map((p) => p.b.id));
  const o = picked.length >= 2 ? overlay(picked) : null;
  return (
    <Layout chrome={props.chrome} title="Compare backtests" section="backtests">
      <p><a href="/backtests">← Backtests</a></p>
      <h1>Compare backtests</h1>
      {o ? (
        <>
          <LineChart dates={o.dates} lines={o.lines} title="Equity curves (NAV, start = 1)" format={(v) => v.toFixed(2)} baseline={1} />
          <table class="compare">
            <thead>
              <tr>
                <th></th>
                {picked.map((p, k) => (
                  <th class="num"><span class={`legend line-${k}`}></span><a href={`/backtests/${p.b.id}`}>#{p.b.id}</a><div class="muted small">{strategyLabel(p.b)} · {day(p.b.spec.startDate)} → {day(p.b.spec.endDate)}</div></th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map(([label, f, sign]) => (
                <tr>
                  <th>{label}</th>
                  {picked.map((p) => <td class={`num ${signClass(sign(p.metrics))}`}>{f(p.metrics)}</td>)}
                </tr>
              ))}
            </tbody>
            <SetupRows picked={picked} />
          </table>
          <p class="muted small">Rows marked <span class="differs-mark">≠</span> differ between the backtests compared.</p>
        </>
      ) : (
        <p class="muted">Pick two to five finished backtests below.</p>
      )}
      <h2>Choose</h2>
      <form method="get" action="/backtests/compare">
        <table class="compact">
          <thead><tr><th></th><th>#</th><th>Name</th><th>Period</th><th class="num">Return</th></tr></thead>
          <tbody>
            {props.candidates.map((b) => (
              <tr>
                <td><input type="checkbox" name="ids" value={String(b.id)} checked={chosen.has(b.id)} aria-label={`compare #${b.id}`} /></td>
                <td><a href={`/backtests/${b.id}`}>#{b.id}</a></td>
                <td>{b.name}<div class="muted small">{strategyLabel(b)}</div></td>
                <td class="small">{day(b.spec.startDate)} → {day(b.spec.endDate)}</td>
                <td class={`num ${signClass(b.metrics?.totalReturn)}`}>{signedPct(b.metrics?.totalReturn)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p><button type="submit">Compare selected</button></p>
      </form>
    </Layout>
  );
}

/** Two to five finished backtests: equity curves overlaid on shared dates, metrics side by side. */
import type { Metrics } from '../../src/engine/metrics/metrics.ts';
import type { Backtest } from '../../src/backtests/backtest.types.ts';
import type { StoredSeries } from '../../src/backtests/results.ts';
import { Layout, type MessageKey, type PageChrome, type T } from '../layout.tsx';
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

const rows: [MessageKey, (m: Metrics) => string, (m: Metrics) => number | null][] = [
  ['backtests.m.totalReturn', (m) => signedPct(m.totalReturn), (m) => m.totalReturn],
  ['backtests.m.annualized', (m) => signedPct(m.annualizedReturn), (m) => m.annualizedReturn],
  ['backtests.m.benchmarkReturn', (m) => signedPct(m.benchmarkReturn), (m) => m.benchmarkReturn],
  ['backtests.m.excess', (m) => signedPct(m.excessReturn), (m) => m.excessReturn],
  ['backtests.m.volatility', (m) => pct(m.volatility), () => null],
  ['backtests.m.sharpe', (m) => num(m.sharpe), () => null],
  ['backtests.cmp.sortino', (m) => num(m.sortino), () => null],
  ['backtests.m.maxDd', (m) => pct(m.drawdown.maxDrawdown), () => null],
  ['backtests.cmp.calmar', (m) => num(m.calmar), () => null],
  ['backtests.cmp.alpha', (m) => num(m.alpha, 3), () => null],
  ['backtests.cmp.beta', (m) => num(m.beta, 2), () => null],
  ['backtests.cmp.roundTrips', (m) => String(m.tradeCount), () => null],
  ['backtests.m.winRate', (m) => pct(m.winRate, 1), () => null],
  ['backtests.cmp.turnover', (m) => pct(m.turnover, 0), () => null],
];

const paramText = (t: T, v: unknown): string => (v === undefined ? t('backtests.cmp.default') : typeof v === 'number' ? readableNumber(v) : typeof v === 'string' ? v : JSON.stringify(v));

/** How the compared backtests were set up, one row per parameter and cost; rows whose values differ are marked. */
function SetupRows(props: { t: T; picked: Picked[] }) {
  const { t, picked } = props;
  const keys = [...new Set(picked.flatMap((p) => Object.keys(p.b.spec.params)))];
  const rowsOf: Array<{ label: string; code?: boolean; cells: string[] }> = [
    { label: t('backtests.cfg.strategy'), cells: picked.map((p) => strategyLabel(p.b)) },
    { label: t('backtests.cfg.period'), cells: picked.map((p) => `${day(p.b.spec.startDate)} → ${day(p.b.spec.endDate)}`) },
    ...keys.map((k) => ({ label: k, code: true, cells: picked.map((p) => paramText(t, p.b.spec.params[k])) })),
  ];
  const costs = picked.map((p) => costRows(t, p.b.spec.costs));
  costs[0].forEach(([label], i) => rowsOf.push({ label, cells: costs.map((c) => c[i][1]) }));
  return (
    <tbody class="setup">
      <tr><th colspan={picked.length + 1} class="group">{t('backtests.cmp.setup')}</th></tr>
      {rowsOf.map((r) => {
        const differs = new Set(r.cells).size > 1;
        return (
          <tr class={differs ? 'differs' : ''}>
            <th>{r.code ? <code>{r.label}</code> : r.label}{differs ? <span class="differs-mark" title={t('backtests.cmp.differs')}> ≠</span> : null}</th>
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
  const { t } = props.chrome;
  return (
    <Layout chrome={props.chrome} title={t('backtests.cmp.title')} section="backtests">
      <p><a href="/backtests">{t('backtests.create.back')}</a></p>
      <h1>{t('backtests.cmp.title')}</h1>
      {o ? (
        <>
           <LineChart t={t} dates={o.dates} lines={o.lines} title={t('charts.equitiesTitle')} format={(v) => v.toFixed(2)} baseline={1} />
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
                  <th>{t(label)}</th>
                  {picked.map((p) => <td class={`num ${signClass(sign(p.metrics))}`}>{f(p.metrics)}</td>)}
                </tr>
              ))}
            </tbody>
            <SetupRows t={t} picked={picked} />
          </table>
          <p class="muted small">{t.rich('backtests.cmp.marked', { m: (s) => <span class="differs-mark">{s}</span> })}</p>
        </>
      ) : (
        <p class="muted">{t('backtests.cmp.pick')}</p>
      )}
      <h2>{t('backtests.cmp.choose')}</h2>
      <form method="get" action="/backtests/compare">
        <table class="compact">
          <thead><tr><th></th><th>#</th><th>{t('backtests.cmp.name')}</th><th>{t('backtests.col.period')}</th><th class="num">{t('backtests.col.return')}</th></tr></thead>
          <tbody>
            {props.candidates.map((b) => (
              <tr>
                <td><input type="checkbox" name="ids" value={String(b.id)} checked={chosen.has(b.id)} aria-label={t('backtests.cmp.select', { id: b.id })} /></td>
                <td><a href={`/backtests/${b.id}`}>#{b.id}</a></td>
                <td>{b.name}<div class="muted small">{strategyLabel(b)}</div></td>
                <td class="small">{day(b.spec.startDate)} → {day(b.spec.endDate)}</td>
                <td class={`num ${signClass(b.metrics?.totalReturn)}`}>{signedPct(b.metrics?.totalReturn)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p><button type="submit">{t('backtests.cmp.submit')}</button></p>
      </form>
    </Layout>
  );
}

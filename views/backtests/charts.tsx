/**
 * Server-rendered SVG charts for backtests: equity curves (strategy vs benchmark, or several
 * backtests overlaid) and the drawdown. Axes with dates and values; hover values come from
 * <title> on invisible bands (one per bucket of days, at most ~160), so no script is needed.
 * Long series are thinned to at most ~900 points per line.
 */
import { day, pct } from './format.ts';
import { niceTicks } from '../charts/axis.ts';
import type { T } from '../../src/i18n/i18n.ts';

const W = 960;
const PAD_L = 56;
const PAD_R = 16;
const PAD_T = 12;
const AXIS_H = 24;

export interface Line {
  label: string;
  values: readonly (number | null)[];
  /** CSS class: line-0 … line-4, line-bench. */
  cls: string;
}

const r1 = (v: number) => Math.round(v * 10) / 10;

function path(values: readonly (number | null)[], x: (i: number) => number, y: (v: number) => number): string {
  const n = values.length;
  const stride = Math.max(1, Math.ceil(n / 900));
  let d = '';
  let pen = false;
  for (let i = 0; i < n; i += stride) {
    const j = i + stride >= n ? n - 1 : i;
    const v = values[j];
    if (v === null || !Number.isFinite(v)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${r1(x(j))} ${r1(y(v))}`;
    pen = true;
    if (j === n - 1) break;
  }
  return d;
}

function dateTicks(dates: readonly number[], x: (i: number) => number, y0: number) {
  const n = dates.length;
  const every = Math.max(1, Math.ceil(n / 7));
  const out = [];
  for (let i = 0; i < n; i += every) out.push(<text class="axis" x={r1(x(i))} y={y0 + 16} text-anchor="middle">{day(dates[i])}</text>);
  return out;
}

/** Value lines over shared dates; `format` renders tick and hover values. */
/** `t`: the page's translator, for the chart's own words (an empty chart's note, the hover hint); without it they are left out. */
export function LineChart(props: { t?: T; dates: readonly number[]; lines: Line[]; height?: number; format?: (v: number) => string; title: string; area?: boolean; baseline?: number }) {
  const { dates, lines } = props;
  const n = dates.length;
  if (n < 2) return <p class="muted">{props.t ? props.t('charts.tooFew') : '—'}</p>;
  const H = props.height ?? 300;
  const fmt = props.format ?? ((v: number) => v.toFixed(2));
  let lo = Infinity;
  let hi = -Infinity;
  for (const l of lines) for (const v of l.values) if (v !== null && Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (props.baseline !== undefined) { lo = Math.min(lo, props.baseline); hi = Math.max(hi, props.baseline); }
  if (!Number.isFinite(lo)) return <p class="muted">{props.t ? props.t('charts.noValues') : '—'}</p>;
  const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 0.01;
  if (!props.area) lo -= pad;
  hi += props.area && hi === 0 ? 0 : pad;
  const plotW = W - PAD_L - PAD_R;
  const plotH = H - PAD_T - AXIS_H;
  const x = (i: number) => PAD_L + (plotW * i) / (n - 1);
  const y = (v: number) => PAD_T + ((hi - v) / (hi - lo)) * plotH;
  const ticks = niceTicks(lo, hi, 5);
  const buckets = Math.min(n, 160);
  const bands = [];
  for (let b = 0; b < buckets; b++) {
    const i0 = Math.floor((b * n) / buckets);
    const i1 = Math.floor(((b + 1) * n) / buckets) - 1;
    const i = i1;
    const text = `${day(dates[i])}: ${lines.map((l) => `${l.label} ${l.values[i] === null || !Number.isFinite(l.values[i] as number) ? '—' : fmt(l.values[i] as number)}`).join(' · ')}`;
    bands.push(
      <rect class="hover-band" x={r1(x(i0) - plotW / (2 * (n - 1)))} y={PAD_T} width={r1(Math.max(1, x(i1) - x(i0) + plotW / (n - 1)))} height={plotH}>
        <title>{text}</title>
      </rect>,
    );
  }
  return (
    <figure class="chart-frame">
      <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.title}>
        {ticks.map((t) => (
          <g>
            <line class="grid" x1={PAD_L} x2={W - PAD_R} y1={r1(y(t))} y2={r1(y(t))} />
            <text class="axis" x={PAD_L - 6} y={r1(y(t)) + 4} text-anchor="end">{fmt(t)}</text>
          </g>
        ))}
        {props.baseline !== undefined ? <line class="baseline" x1={PAD_L} x2={W - PAD_R} y1={r1(y(props.baseline))} y2={r1(y(props.baseline))} /> : null}
        <line class="axis-line" x1={PAD_L} x2={W - PAD_R} y1={PAD_T + plotH} y2={PAD_T + plotH} />
        {dateTicks(dates, x, PAD_T + plotH)}
        {lines.map((l) => {
          const d = path(l.values, x, y);
          return props.area ? (
            <path class={`area ${l.cls}`} d={`${d}L${r1(x(n - 1))} ${r1(y(0))}L${r1(x(0))} ${r1(y(0))}Z`} />
          ) : (
            <path class={`line ${l.cls}`} d={d} />
          );
        })}
        {bands}
      </svg>
      <figcaption>
        {lines.map((l) => (
          <span class={`legend ${l.cls}`}>{l.label}</span>
        ))}
        {props.t ? <span class="muted">{props.t('charts.hover')}</span> : null}
      </figcaption>
    </figure>
  );
}

export function EquityChart(props: { t: T; dates: readonly number[]; nav: readonly number[]; benchmark: readonly (number | null)[] | null; benchmarkLabel: string | null }) {
  const { t } = props;
  const lines: Line[] = [{ label: t('charts.strategy'), values: props.nav, cls: 'line-0' }];
  if (props.benchmark) lines.push({ label: props.benchmarkLabel ?? t('charts.benchmark'), values: props.benchmark, cls: 'line-bench' });
  return <LineChart t={t} dates={props.dates} lines={lines} title={t('charts.equityTitle')} format={(v) => v.toFixed(2)} baseline={1} />;
}

export function DrawdownChart(props: { t: T; dates: readonly number[]; drawdown: readonly number[] }) {
  const { t } = props;
  return <LineChart t={t} dates={props.dates} lines={[{ label: t('charts.drawdown'), values: props.drawdown, cls: 'line-dd' }]} height={170} title={t('charts.drawdownTitle')} format={(v) => pct(v, 1)} area />;
}

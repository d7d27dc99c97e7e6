/**
 * Bar charts for the factor analysis page (IC histogram, IC decay, quantile means): server-rendered
 * SVG like the line charts (views/backtests/charts.tsx, which draws the series), drawn on a 480-unit
 * view box so that the axis text stays readable when a phone shows it 390 px wide; hover values from
 * <title> on each bar, so no script is needed.
 */
import { niceTicks } from '../charts/axis.ts';

const W = 480;
const PAD_L = 52;
const PAD_R = 8;
const PAD_T = 10;
const AXIS_H = 22;
const r1 = (v: number) => Math.round(v * 10) / 10;

export interface BarSeries {
  label: string;
  values: readonly (number | null)[];
  /** CSS class: line-0 … line-4 (the line charts' colours). */
  cls: string;
}

/** Grouped bars: one group per category, one bar per series; `format` renders ticks and hover values. */
export function BarChart(props: { title: string; categories: readonly string[]; series: readonly BarSeries[]; format: (v: number) => string; empty: string; hover: string; height?: number }) {
  const { categories, series } = props;
  const H = props.height ?? 220;
  let lo = 0;
  let hi = 0;
  for (const s of series) for (const v of s.values) if (v !== null && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (categories.length === 0 || (lo === 0 && hi === 0 && !series.some((s) => s.values.some((v) => v === 0)))) return <p class="muted">{props.empty}</p>;
  const pad = (hi - lo) * 0.08 || 0.01;
  if (hi > 0) hi += pad;
  if (lo < 0) lo -= pad;
  const plotW = W - PAD_L - PAD_R;
  const plotH = H - PAD_T - AXIS_H;
  const y = (v: number) => PAD_T + ((hi - v) / (hi - lo)) * plotH;
  const groupW = plotW / categories.length;
  const barW = Math.max(1, (groupW * 0.8) / series.length);
  const ticks = niceTicks(lo, hi, 4);
  const labelEvery = Math.max(1, Math.ceil(categories.length / 8));
  return (
    <figure class="chart-frame">
      <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.title}>
        {ticks.map((t) => (
          <g>
            <line class="grid" x1={PAD_L} x2={W - PAD_R} y1={r1(y(t))} y2={r1(y(t))} />
            <text class="axis" x={PAD_L - 4} y={r1(y(t)) + 4} text-anchor="end">{props.format(t)}</text>
          </g>
        ))}
        <line class="axis-line" x1={PAD_L} x2={W - PAD_R} y1={r1(y(0))} y2={r1(y(0))} />
        {categories.map((c, g) => (
          <g>
            {series.map((s, k) => {
              const v = s.values[g];
              if (v === null || !Number.isFinite(v)) return null;
              const x = PAD_L + g * groupW + groupW * 0.1 + k * barW;
              const top = Math.min(y(v), y(0));
              return (
                <rect class={`bar ${s.cls}`} x={r1(x)} y={r1(top)} width={r1(barW)} height={r1(Math.max(0.5, Math.abs(y(v) - y(0))))}>
                  <title>{`${c} · ${s.label}: ${props.format(v)}`}</title>
                </rect>
              );
            })}
            {g % labelEvery === 0 ? <text class="axis" x={r1(PAD_L + g * groupW + groupW / 2)} y={H - 6} text-anchor="middle">{c}</text> : null}
          </g>
        ))}
      </svg>
      <figcaption>
        {series.length > 1 ? series.map((s) => <span class={`legend ${s.cls}`}>{s.label}</span>) : null}
        <span class="muted"> · {props.hover}</span>
      </figcaption>
    </figure>
  );
}

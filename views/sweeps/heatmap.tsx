/**
 * Server-rendered SVG for the sweep results: the heatmap of a metric over two parameters (cells on a
 * diverging scale around zero, or around the middle when every value has one sign; hover values in
 * <title>), and the histogram of the PBO's logits λ. Drawn at their natural size inside a scroll box,
 * so labels stay readable on a phone.
 */
import type { SetMetricName } from '../../src/sweeps/sweep.types.ts';
import type { LambdaHistogram } from '../../src/sweeps/sweeps.view-model.ts';
import { niceTicks } from '../charts/axis.ts';
import { fmtMetric, fmtParam, metricLabel } from './metrics.ts';
import type { T } from '../../src/i18n/i18n.ts';

export interface HeatmapData {
  x: { name: string; values: readonly unknown[] };
  y: { name: string; values: readonly unknown[] };
  metric: SetMetricName;
  agg: string;
  /** cells[j][i]: the metric at y.values[j], x.values[i]; null where no set ran. */
  cells: readonly (readonly (number | null)[])[];
  counts: readonly (readonly number[])[];
}

const LOW = [46, 125, 50]; // green: low (A-share colours: red up, green down)
const MID = [245, 247, 250];
const HIGH = [198, 40, 40];

/** t in [-1, 1] → a colour between LOW, MID and HIGH. */
export function divergingColour(t: number): string {
  const c = Math.max(-1, Math.min(1, t));
  const [a, b] = c < 0 ? [MID, LOW] : [MID, HIGH];
  const k = Math.abs(c);
  const mix = a.map((v, i) => Math.round(v + (b[i] - v) * k));
  return `rgb(${mix[0]},${mix[1]},${mix[2]})`;
}

/** The scale of a set of values: centre (0 when they straddle it) and half-width. */
export function divergingScale(values: readonly number[]): { centre: number; half: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!Number.isFinite(lo)) return { centre: 0, half: 1 };
  const centre = lo < 0 && hi > 0 ? 0 : (lo + hi) / 2;
  return { centre, half: Math.max(hi - centre, centre - lo) || Math.abs(centre) || 1 };
}

const r1 = (v: number) => Math.round(v * 10) / 10;

export function Heatmap(props: { t: T; data: HeatmapData }) {
  const { t } = props;
  const { x, y, cells, counts, metric } = props.data;
  const cols = x.values.length;
  const rows = y.values.length;
  if (!cols || !rows) return <p class="muted">{t('charts.nothing')}</p>;
  const values = cells.flat().filter((v): v is number => v !== null);
  if (!values.length) return <p class="muted">{t('charts.noSet')}</p>;
  const { centre, half } = divergingScale(values);
  const cw = Math.max(18, Math.min(64, Math.floor(760 / cols)));
  const ch = Math.max(16, Math.min(34, Math.floor(520 / rows)));
  const padL = 72;
  const padT = 10;
  const plotW = cw * cols;
  const plotH = ch * rows;
  const W = padL + plotW + 90;
  const H = padT + plotH + 56;
  const showText = cw >= 44 && ch >= 18;
  const xEvery = Math.max(1, Math.ceil(cols / Math.max(1, Math.floor(plotW / 40))));
  const yEvery = Math.max(1, Math.ceil(rows / Math.max(1, Math.floor(plotH / 16))));
  const label = metricLabel(t, metric);
  // The legend: a vertical bar of the scale with round ticks.
  const lx = padL + plotW + 20;
  const steps = 24;
  const lo = centre - half;
  const hi = centre + half;
  const ly = (v: number) => padT + ((hi - v) / (hi - lo)) * plotH;
  return (
    <div class="scroll-x">
      <svg class="chart heatmap-svg" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t('charts.heatmapLabel', { metric: label, x: x.name, y: y.name })}>
        {cells.map((row, j) =>
          row.map((v, i) => {
            const px = padL + i * cw;
            const py = padT + (rows - 1 - j) * ch;
            const n = counts[j]?.[i] ?? 0;
            const text = `${x.name} ${fmtParam(x.values[i])}, ${y.name} ${fmtParam(y.values[j])}: ${label} ${v === null ? t('sweeps.hm.cellEmpty') : fmtMetric(metric, v)}${n > 1 ? t('sweeps.hm.cellAgg', { agg: props.data.agg === 'max' || props.data.agg === 'mean' ? t(`sweeps.hm.agg.${props.data.agg}`) : props.data.agg, count: n }) : ''}`;
            const tone = v === null ? 0 : (v - centre) / half;
            return (
              <g class="hm-cell">
                <rect x={px} y={py} width={cw - 1} height={ch - 1} fill={v === null ? '#fff' : divergingColour(tone)} class={v === null ? 'hm-empty' : undefined}>
                  <title>{text}</title>
                </rect>
                {showText && v !== null ? <text x={px + cw / 2} y={py + ch / 2 + 4} text-anchor="middle" class={`hm-text${Math.abs(tone) > 0.6 ? ' on-dark' : ''}`}>{fmtMetric(metric, v)}</text> : null}
              </g>
            );
          }),
        )}
        {x.values.map((v, i) => (i % xEvery === 0 ? <text class="axis" x={padL + i * cw + cw / 2} y={padT + plotH + 16} text-anchor="middle">{fmtParam(v)}</text> : null))}
        {y.values.map((v, j) => (j % yEvery === 0 ? <text class="axis" x={padL - 6} y={padT + (rows - 1 - j) * ch + ch / 2 + 4} text-anchor="end">{fmtParam(v)}</text> : null))}
        <text class="axis-name" x={padL + plotW / 2} y={padT + plotH + 40} text-anchor="middle">{x.name} →</text>
        <text class="axis-name" x={14} y={padT + plotH / 2} text-anchor="middle" transform={`rotate(-90 14 ${padT + plotH / 2})`}>{y.name} →</text>
        {Array.from({ length: steps }, (_, k) => {
          const v0 = hi - ((hi - lo) * k) / steps;
          return <rect x={lx} y={r1(padT + (plotH * k) / steps)} width={12} height={r1(plotH / steps + 0.5)} fill={divergingColour((v0 - centre) / half)} />;
        })}
        {niceTicks(lo, hi, 4).map((t) => (
          <text class="axis" x={lx + 16} y={r1(ly(t)) + 4}>{fmtMetric(metric, t)}</text>
        ))}
      </svg>
    </div>
  );
}

/** The distribution of λ = logit of the in-sample best's out-of-sample rank; the mass at λ ≤ 0 is the PBO. */
export function LambdaChart(props: { t: T; h: LambdaHistogram }) {
  const { t } = props;
  const { edges, counts } = props.h;
  const W = 420;
  const H = 150;
  const padL = 36;
  const padB = 24;
  const plotW = W - padL - 8;
  const plotH = H - padB - 8;
  const max = Math.max(1, ...counts);
  const bw = plotW / counts.length;
  const lo = edges[0];
  const hi = edges[edges.length - 1];
  const xOf = (v: number) => padL + ((v - lo) / (hi - lo)) * plotW;
  return (
    <div class="scroll-x">
      <svg class="chart lambda-svg" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t('charts.lambdaLabel')}>
        {counts.map((c, k) => {
          const h = (c / max) * plotH;
          const left = edges[k];
          return (
            <rect x={r1(padL + k * bw)} y={r1(8 + plotH - h)} width={r1(bw - 1)} height={r1(h)} class={left < 0 ? 'lambda-bar below' : 'lambda-bar'}>
              <title>{t('charts.lambdaBin', { from: edges[k].toFixed(2), to: edges[k + 1].toFixed(2), count: c })}</title>
            </rect>
          );
        })}
        <line class="baseline" x1={r1(xOf(0))} x2={r1(xOf(0))} y1={8} y2={8 + plotH} />
        <line class="axis-line" x1={padL} x2={W - 8} y1={8 + plotH} y2={8 + plotH} />
        {niceTicks(lo, hi, 6).map((t) => <text class="axis" x={r1(xOf(t))} y={H - 6} text-anchor="middle">{String(t)}</text>)}
        <text class="axis" x={padL - 4} y={14} text-anchor="end">{max}</text>
      </svg>
    </div>
  );
}

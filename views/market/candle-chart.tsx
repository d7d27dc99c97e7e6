import { fmtDate } from './format.ts';
import { niceTicks } from '../charts/axis.ts';
import type { T } from '../../src/i18n/i18n.ts';

export interface CandleData {
  dates: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  vol: (number | null)[];
}

const W = 960;
const PAD_L = 8;
const PAD_R = 64;
const PRICE_TOP = 12;
const PRICE_H = 300;
const GAP = 18;
const VOL_H = 80;
const AXIS_H = 22;
const H = PRICE_TOP + PRICE_H + GAP + VOL_H + AXIS_H;

/**
 * A server-rendered candlestick chart with volume bars: red candles close above their open,
 * green below (the A-share convention). Pure SVG attributes, no script, no inline style (CSP).
 */
export function CandleChart(props: { t: T; data: CandleData; title: string }) {
  const { t } = props;
  const d = props.data;
  const n = d.dates.length;
  if (n === 0) return <p class="muted">{t('market.noBars')}</p>;
  let lo = Infinity;
  let hi = -Infinity;
  let vmax = 0;
  for (let i = 0; i < n; i++) {
    if (d.low[i] < lo) lo = d.low[i];
    if (d.high[i] > hi) hi = d.high[i];
    vmax = Math.max(vmax, d.vol[i] ?? 0);
  }
  const pad = (hi - lo) * 0.05 || 1;
  lo -= pad;
  hi += pad;
  const plotW = W - PAD_L - PAD_R;
  const step = plotW / n;
  const body = Math.max(1, Math.min(12, step * 0.7));
  const x = (i: number) => PAD_L + step * (i + 0.5);
  const y = (p: number) => PRICE_TOP + ((hi - p) / (hi - lo)) * PRICE_H;
  const volTop = PRICE_TOP + PRICE_H + GAP;
  const vy = (v: number) => volTop + VOL_H - (vmax ? (v / vmax) * VOL_H : 0);
  const ticks = niceTicks(lo, hi, 5);
  const labelEvery = Math.max(1, Math.ceil(n / 7));
  const r = (v: number) => Math.round(v * 10) / 10;
  return (
    <svg class="chart candles" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.title} preserveAspectRatio="none">
      <title>{props.title}</title>
      {ticks.map((t) => (
        <g>
          <line x1={PAD_L} x2={W - PAD_R} y1={r(y(t))} y2={r(y(t))} class="grid" />
          <text x={W - PAD_R + 6} y={r(y(t)) + 4} class="axis">{t.toFixed(2)}</text>
        </g>
      ))}
      <line x1={PAD_L} x2={W - PAD_R} y1={volTop + VOL_H} y2={volTop + VOL_H} class="grid" />
      <text x={W - PAD_R + 6} y={volTop + 10} class="axis">{t('market.vol')}</text>
      {d.dates.map((date, i) => {
        const up = d.close[i] >= d.open[i];
        const cls = up ? 'up' : 'down';
        const top = y(Math.max(d.open[i], d.close[i]));
        const bottom = y(Math.min(d.open[i], d.close[i]));
        return (
          <g class={cls}>
            <title>{`${fmtDate(date)} O ${d.open[i]} H ${d.high[i]} L ${d.low[i]} C ${d.close[i]}`}</title>
            <line x1={r(x(i))} x2={r(x(i))} y1={r(y(d.high[i]))} y2={r(y(d.low[i]))} class="wick" />
            <rect x={r(x(i) - body / 2)} y={r(top)} width={r(body)} height={Math.max(1, r(bottom - top))} />
            <rect x={r(x(i) - body / 2)} y={r(vy(d.vol[i] ?? 0))} width={r(body)} height={Math.max(0, r(volTop + VOL_H - vy(d.vol[i] ?? 0)))} class="vol" />
          </g>
        );
      })}
      {d.dates.map((date, i) =>
        i % labelEvery === 0 ? (
          <text x={i === 0 ? PAD_L : r(x(i))} y={H - 6} class="axis" text-anchor={i === 0 ? 'start' : 'middle'}>{fmtDate(date)}</text>
        ) : null,
      )}
    </svg>
  );
}

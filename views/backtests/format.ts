import { isoDay } from '../../src/market/days.ts';
import { grouped } from '../number-format.ts';

/**
 * Number formatting for backtest pages, in one place: fractions become percentages here and only
 * here (stored values are fractions: 0.1234 = 12.34%). Zero is "0", never "-0.00%" or blank; a
 * missing value is "—".
 */
export function pct(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (v === 0) return '0';
  const s = (v * 100).toFixed(digits);
  if (Number(s) === 0) return '0';
  return `${s}%`;
}

export function signedPct(v: number | null | undefined, digits = 2): string {
  const s = pct(v, digits);
  return v !== null && v !== undefined && v > 0 && s !== '0' ? `+${s}` : s;
}

export function num(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (v === 0) return '0';
  const s = v.toFixed(digits);
  return Number(s) === 0 ? '0' : s;
}

/** CNY amounts with thousands separators. */
export function money(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (v === 0) return '0';
  return grouped(v, digits);
}

export function day(d: number | null | undefined): string {
  return d ? isoDay(d) : '—';
}

export function when(d: Date | null | undefined): string {
  return d ? d.toISOString().replace('T', ' ').slice(0, 19) : '—';
}

export function duration(a: Date | null, b: Date | null): string {
  if (!a || !b) return '—';
  const s = (b.getTime() - a.getTime()) / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** Sign class for coloured numbers (A-share convention: red up, green down). */
export function signClass(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) || v === 0 ? '' : v > 0 ? 'pos' : 'neg';
}

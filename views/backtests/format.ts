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

/**
 * A moment as "2026-12-06 17:08:42" on the wall clock of `timeZone` (the page's zone: chrome.timeZone);
 * Sweden's locale writes ISO order. One formatter per zone, built once.
 */
export function localTime(d: Date | string | null | undefined, timeZone: string): string {
  if (d === null || d === undefined) return '—';
  const at = typeof d === 'string' ? new Date(d) : d;
  if (Number.isNaN(at.getTime())) return '—';
  let f = zoneFormats.get(timeZone);
  if (!f) zoneFormats.set(timeZone, (f = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })));
  return f.format(at);
}
const zoneFormats = new Map<string, Intl.DateTimeFormat>();

export function duration(a: Date | null, b: Date | null): string {
  if (!a || !b) return '—';
  return durationMs(b.getTime() - a.getTime());
}

/** A length of time in the units a person reads: "0.4 s", "10.0 s", "2 min 5 s", "3 h 20 min" (never "10042 ms"). */
export function durationMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 59_950) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Sign class for coloured numbers (A-share convention: red up, green down). */
export function signClass(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) || v === 0 ? '' : v > 0 ? 'pos' : 'neg';
}

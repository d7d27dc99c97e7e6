import { isoDay } from '../../src/market/days.ts';
import { grouped } from '../number-format.ts';

/** 20240102 → 2024-01-02 (null → —). */
export function fmtDate(ymd: number | null | undefined): string {
  return ymd == null ? '—' : isoDay(ymd);
}

export function fmtNum(v: unknown, digits = 2): string {
  if (v == null || (typeof v === 'number' && !Number.isFinite(v))) return '—';
  return grouped(Number(v), digits);
}

export function fmtInt(v: unknown): string {
  if (v == null) return '—';
  return grouped(Math.round(Number(v)), 0);
}

export function fmtTime(iso: string | null): string {
  return iso ? iso.replace('T', ' ').slice(0, 19) + ' UTC' : '—';
}

export const boardLabel: Record<string, string> = { main: 'Main board', chinext: 'ChiNext', star: 'STAR', bse: 'Beijing' };
export const statusLabel: Record<string, string> = { L: 'listed', D: 'delisted', P: 'paused' };

import { isoDay } from '../../src/market/days.ts';
import { grouped } from '../number-format.ts';
import type { MessageKey } from '../../src/i18n/i18n.ts';
import { localTime } from '../backtests/format.ts';

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

/** An instant (ISO) on the reader's wall clock (chrome.timeZone; the column names the zone). */
export function fmtTime(iso: string | null, timeZone: string): string {
  return localTime(iso, timeZone);
}

/** Catalogue keys of the boards and listing states (src/i18n/messages/market.ts). */
export const boardLabel: Record<string, MessageKey> = { main: 'market.board.main', chinext: 'market.board.chinext', star: 'market.board.star', bse: 'market.board.bse' };
export const statusLabel: Record<string, MessageKey> = { L: 'market.status.L', D: 'market.status.D', P: 'market.status.P' };

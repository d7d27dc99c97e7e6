/**
 * The one date codec: calendar arithmetic on YYYYMMDD integers (the store's and the engine's dates),
 * in UTC, and the `YYYY-MM-DD` strings the API, CSV and pages write. It lives in the engine because
 * the engine needs it too (order-limit messages, the metrics' starting point, `zquant metrics` CSVs)
 * and imports nothing from outside its folder; everything else imports it through src/market/days.ts.
 * Pure: no imports.
 */

export function toYmd(d: Date): number {
  return d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

export function fromYmd(ymd: number): Date {
  return new Date(Date.UTC(Math.floor(ymd / 10000), (Math.floor(ymd / 100) % 100) - 1, ymd % 100));
}

/** The date `days` calendar days after `ymd` (before it when negative). */
export function addDays(ymd: number, days: number): number {
  return toYmd(new Date(fromYmd(ymd).getTime() + days * 86_400_000));
}

/** Whether `ymd` is a Saturday or a Sunday. */
export function isWeekend(ymd: number): boolean {
  const wd = fromYmd(ymd).getUTCDay();
  return wd === 0 || wd === 6;
}

/** YYYYMMDD number → `YYYY-MM-DD`: 20240102 → '2024-01-02' (null stays null). */
export function isoDay(ymd: number): string;
export function isoDay(ymd: number | null): string | null;
export function isoDay(ymd: number | null): string | null {
  if (ymd === null) return null;
  const s = String(ymd);
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

/** The inverse of isoDay: '2024-01-02' (or '20240102', as Tushare writes it) → 20240102. */
export function ymdOf(day: string): number {
  return Number(day.replaceAll('-', ''));
}

/** Calendar arithmetic on YYYYMMDD integers (the store's and the engine's dates), in UTC. */

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

/** The one date codec between the store's YYYYMMDD numbers and the `YYYY-MM-DD` strings the API, CSV and pages write: 20240102 → '2024-01-02' (null stays null). */
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

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

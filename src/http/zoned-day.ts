/**
 * Where a calendar day begins on a zone's wall clock: the instant a filter day (YYYYMMDD) starts for
 * a reader in `timeZone`. Pages filter by the reader's days (chrome.timeZone); the API's filter days
 * stay UTC days.
 */
export function dayStartIn(ymd: number, timeZone: string): Date {
  const wall = Date.UTC(Math.floor(ymd / 10000), (Math.floor(ymd / 100) % 100) - 1, ymd % 100);
  // Midnight at the offset in force a day around it: the two differ only when the clocks change near
  // midnight. The earlier one that falls on the day is its start (where the clocks skip midnight,
  // Havana's 00:00 → 01:00, the day starts at 01:00; where they repeat it, at the first 00:00).
  const a = wall - offsetMs(wall, timeZone);
  const b = wall - offsetMs(a, timeZone);
  const onDay = [Math.min(a, b), Math.max(a, b)].filter((at) => localYmd(at, timeZone) === ymd);
  return new Date(onDay[0] ?? a);
}

/** How far the zone's wall clock is ahead of UTC at `at` (ms; Asia/Shanghai: +8 h). */
export function offsetMs(at: number, timeZone: string): number {
  const p = partsOf(at, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

function localYmd(at: number, timeZone: string): number {
  const p = partsOf(at, timeZone);
  return p.year * 10000 + p.month * 100 + p.day;
}

function partsOf(at: number, timeZone: string): Record<string, number> {
  const p: Record<string, number> = {};
  for (const { type, value } of partsFormat(timeZone).formatToParts(new Date(at))) if (type !== 'literal') p[type] = Number(value);
  return p;
}

function partsFormat(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) formats.set(timeZone, (f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' })));
  return f;
}
const formats = new Map<string, Intl.DateTimeFormat>();

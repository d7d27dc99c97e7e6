/**
 * Where a calendar day begins on a zone's wall clock: the instant a filter day (YYYYMMDD) starts for
 * a reader in `timeZone`. Pages filter by the reader's days (chrome.timeZone); the API's filter days
 * stay UTC days.
 */
export function dayStartIn(ymd: number, timeZone: string): Date {
  const wall = Date.UTC(Math.floor(ymd / 10000), (Math.floor(ymd / 100) % 100) - 1, ymd % 100);
  // The zone's offset at a guess, then at the answer: they differ only when daylight saving changes
  // between the two, and the second is the one in force at local midnight.
  const first = wall - offsetMs(wall, timeZone);
  const second = wall - offsetMs(first, timeZone);
  return new Date(second);
}

/** How far the zone's wall clock is ahead of UTC at `at` (ms; Asia/Shanghai: +8 h). */
export function offsetMs(at: number, timeZone: string): number {
  const p: Record<string, number> = {};
  for (const { type, value } of partsFormat(timeZone).formatToParts(new Date(at))) if (type !== 'literal') p[type] = Number(value);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

function partsFormat(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) formats.set(timeZone, (f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' })));
  return f;
}
const formats = new Map<string, Intl.DateTimeFormat>();

import { addDays, isWeekend } from '../days.ts';

/**
 * An approximate SSE/SZSE trading calendar: weekends closed, plus the main Chinese holidays: New
 * Year's Day, Spring Festival (eve to the 5th day, from a table of lunar new-year dates), Qingming
 * (Apr 4–5), Labour Day (May 1–5), Dragon Boat (a day in early June), Mid-Autumn (a day in late
 * September) and National Day (Oct 1–7). Close to the real calendar in shape, not to the day.
 */
const lunarNewYear: Record<number, string> = {
  2005: '0209', 2006: '0129', 2007: '0218', 2008: '0207', 2009: '0126', 2010: '0214', 2011: '0203',
  2012: '0123', 2013: '0210', 2014: '0131', 2015: '0219', 2016: '0208', 2017: '0128', 2018: '0216',
  2019: '0205', 2020: '0125', 2021: '0212', 2022: '0201', 2023: '0122', 2024: '0210', 2025: '0129',
  2026: '0217', 2027: '0206', 2028: '0126', 2029: '0213', 2030: '0203', 2031: '0123', 2032: '0211',
};

function holidaysOf(year: number): Set<number> {
  const h = new Set<number>();
  const add = (md: number, days = 1) => {
    for (let i = 0; i < days; i++) h.add(addDays(year * 10000 + md, i));
  };
  add(101);
  const lny = lunarNewYear[year];
  if (lny) for (let i = -1; i <= 5; i++) h.add(addDays(year * 10000 + Number(lny), i));
  add(404, 2);
  add(501, 5);
  add(603 + (year % 7));
  add(920 + (year % 8));
  add(1001, 7);
  return h;
}

export interface CalendarDay {
  date: number;
  isOpen: boolean;
}

/** Every calendar day from start to end (YYYYMMDD, inclusive) with whether the market opens. */
export function demoCalendar(start: number, end: number): CalendarDay[] {
  const out: CalendarDay[] = [];
  let year = 0;
  let holidays = new Set<number>();
  for (let d = start; d <= end; d = addDays(d, 1)) {
    if (Math.floor(d / 10000) !== year) {
      year = Math.floor(d / 10000);
      holidays = holidaysOf(year);
    }
    out.push({ date: d, isOpen: !isWeekend(d) && !holidays.has(d) });
  }
  return out;
}

import { calendar } from '../market/market.service.ts';
import type { MarketStore } from '../market/duckdb.ts';
import { addDays, isoDay, toYmd } from '../market/days.ts';
import { nextFireTimes, type Schedule } from './schedule.ts';

/**
 * The trading-day policy: a task may fire only on the days an exchange's trade calendar (the
 * market store's `trade_calendar`, Tushare `trade_cal`) marks open. A slot's day is the exchange's
 * calendar day, in Beijing time, whatever zone the task's cron is read in: "0 20 * * *" in UTC is
 * 04:00 the next morning in Shanghai, and that is the day the exchange is open or not.
 *
 * A day the calendar has no row for (not synced that far ahead, or not at all) fires anyway, with
 * a warning recorded: a nightly sync that silently stopped because the calendar ran out is worse
 * than one run too many on a holiday (the sync finds nothing new and says so).
 */
export const exchanges = ['SSE', 'SZSE'] as const;
export type Exchange = (typeof exchanges)[number];

/** How far ahead the calendar must reach for the task page not to warn. */
export const coverageDays = 30;

/** Beijing time has no daylight saving: UTC+8 all year. */
const beijingOffsetMs = 8 * 3_600_000;

/** The exchange's calendar day (YYYYMMDD) an instant falls on. */
export function exchangeDay(at: Date): number {
  return toYmd(new Date(at.getTime() + beijingOffsetMs));
}

/** Open (true) or closed (false) per day, as far as the calendar has rows. */
export type TradeCalendar = ReadonlyMap<number, boolean>;

/** The exchange's calendar over [from, to] (YYYYMMDD), through the market service. */
export async function readTradeCalendar(market: MarketStore, exchange: Exchange, from: number, to: number): Promise<TradeCalendar> {
  const days = await calendar(market, exchange, from, to, false);
  return new Map(days.map((d) => [d.calDate, d.isOpen]));
}

export type SlotReason = 'market_closed' | 'calendar_missing';

/** What the policy says of one slot: fire it or not, and the note to record when there is one. */
export interface SlotVerdict {
  fire: boolean;
  day: number;
  note: { outcome: 'skipped' | 'fired'; reason: SlotReason; message: string } | null;
}

export function judgeSlot(exchange: Exchange, slot: Date, cal: TradeCalendar | null, unreadable?: string): SlotVerdict {
  const day = exchangeDay(slot);
  const open = cal?.get(day);
  if (open === true) return { fire: true, day, note: null };
  if (open === false) return { fire: false, day, note: { outcome: 'skipped', reason: 'market_closed', message: `${exchange} is closed on ${isoDay(day)} (trade calendar): slot skipped` } };
  const why = unreadable ? `the trade calendar could not be read (${unreadable})` : `the ${exchange} trade calendar has no row for ${isoDay(day)}`;
  return { fire: true, day, note: { outcome: 'fired', reason: 'calendar_missing', message: `${why}: fired anyway; sync the trade_calendar dataset` } };
}

/** Whether the calendar covers the coming days, as the task page and the API report it. */
export interface CalendarCoverage {
  exchange: Exchange;
  /** The last day of the unbroken run of calendar rows from today; null when today has none. */
  coveredThrough: number | null;
  /** Set when that run ends before `coverageDays` from today. */
  warning: string | null;
}

/** `cal` must hold the rows of [today, today + coverageDays]. */
export function calendarCoverage(exchange: Exchange, today: number, cal: TradeCalendar): CalendarCoverage {
  const horizon = addDays(today, coverageDays);
  let through: number | null = null;
  for (let d = today; d <= horizon && cal.has(d); d = addDays(d, 1)) through = d;
  if (through === horizon) return { exchange, coveredThrough: through, warning: null };
  const until = through === null ? `has no row for today (${isoDay(today)})` : `ends on ${isoDay(through)}`;
  return {
    exchange,
    coveredThrough: through,
    warning: `The ${exchange} trade calendar ${until}, short of the next ${coverageDays} days: slots on days without a row fire unchecked. Sync the trade_calendar dataset (the daily-update's calendar step does).`,
  };
}

/** Days of calendar read ahead for the status and the preview: beyond it, slots count as not in the calendar. */
const aheadDays = 800;

/** The exchange's calendar from today (its day at `now`) for the next 800 days: what the status and the preview read, once per exchange. */
export async function readUpcomingCalendar(market: MarketStore, exchange: Exchange, now: Date): Promise<TradeCalendar> {
  const today = exchangeDay(now);
  return readTradeCalendar(market, exchange, today, addDays(today, aheadDays));
}

/** One upcoming slot under the policy: it fires (open, or not in the calendar) or it is passed over. */
export interface UpcomingSlot {
  at: Date;
  day: number;
  state: 'open' | 'closed' | 'unknown';
}

/** Slots looked at, at most, to find the next fires: a minutely cron over a week-long holiday stops here. */
const lookaheadSlots = 2_000;
/** Closed slots listed, at most, before the fires (an every-minute cron on a holiday has 1,440 a day). */
const closedListed = 20;

/**
 * The next `n` slots after `after` that fire under the policy (`cal` from readUpcomingCalendar),
 * with the closed ones passed over on the way (at most 20 of those listed). Slots are walked one by
 * one, so a daily cron costs a dozen steps, not the 2,000 a minutely one may need over a holiday.
 */
export function nextTradingDaySlots(cal: TradeCalendar, s: Schedule, after: Date, n: number): { slots: UpcomingSlot[]; closedCount: number } {
  function* walk() {
    let at: Date | undefined = after;
    for (let k = 0; k < lookaheadSlots && at; k++) {
      at = nextFireTimes(s, at, 1)[0];
      if (at) yield at;
    }
  }
  return pickTradingDaySlots(walk(), cal, n);
}

/** The pure part of nextTradingDaySlots, over candidate slots in order. */
export function pickTradingDaySlots(candidates: Iterable<Date>, cal: TradeCalendar, n: number): { slots: UpcomingSlot[]; closedCount: number } {
  const slots: UpcomingSlot[] = [];
  let fires = 0;
  let closedCount = 0;
  for (const at of candidates) {
    if (fires >= n) break;
    const day = exchangeDay(at);
    const open = cal.get(day);
    if (open === false) {
      closedCount++;
      if (closedCount <= closedListed) slots.push({ at, day, state: 'closed' });
      continue;
    }
    slots.push({ at, day, state: open === true ? 'open' : 'unknown' });
    fires++;
  }
  return { slots, closedCount };
}

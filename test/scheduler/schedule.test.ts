import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { dueSlots } from '../../src/scheduler/policy.ts';
import { cronProblem, describeSchedule, nextFireTimes, overflowCountCap, scheduleSchema, slotsBetween, type Schedule } from '../../src/scheduler/schedule.ts';

const iso = (ds: Date[]) => ds.map((d) => d.toISOString());
const cron = (expression: string, timezone = 'Asia/Shanghai'): Schedule => ({ kind: 'cron', expression, timezone });

describe('nextFireTimes', () => {
  it('fires a weekday 18:00 Shanghai job at 10:00 UTC on weekdays only', () => {
    // 2026-03-06 is a Friday; Shanghai is UTC+8 all year (no DST).
    expect(iso(nextFireTimes(cron('0 18 * * 1-5'), new Date('2026-03-06T11:00:00Z'), 3))).toEqual([
      '2026-03-09T10:00:00.000Z', // Monday
      '2026-03-10T10:00:00.000Z',
      '2026-03-11T10:00:00.000Z',
    ]);
  });

  it('handles the spring-forward gap and the fall-back repeat in a DST zone', () => {
    // New York 2026: clocks jump 02:00→03:00 on Sun 8 March and fall back 02:00→01:00 on Sun 1 Nov.
    // 02:30 does not exist on 8 March: a fixed-time job runs at the first valid time, 03:00 EDT (07:00Z).
    expect(iso(nextFireTimes(cron('30 2 * * *', 'America/New_York'), new Date('2026-03-06T12:00:00Z'), 3))).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST (UTC-5)
      '2026-03-08T07:00:00.000Z', // 03:00 EDT (UTC-4)
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
    ]);
    // 01:30 happens twice on 1 November: a fixed-time job runs once, at the first (EDT) one.
    expect(iso(nextFireTimes(cron('30 1 * * *', 'America/New_York'), new Date('2026-10-31T12:00:00Z'), 2))).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT (UTC-4)
      '2026-11-02T06:30:00.000Z', // 01:30 EST (UTC-5)
    ]);
  });

  it('reads a 6-field expression with seconds first', () => {
    expect(iso(nextFireTimes(cron('*/20 * * * * *', 'UTC'), new Date('2026-01-01T00:00:00Z'), 3))).toEqual([
      '2026-01-01T00:00:20.000Z',
      '2026-01-01T00:00:40.000Z',
      '2026-01-01T00:01:00.000Z',
    ]);
  });

  it('supports L, W and # in the day fields', () => {
    // Last day of February 2026 is the 28th; 00:00 Shanghai is 16:00 UTC the day before.
    expect(iso(nextFireTimes(cron('0 0 L * *'), new Date('2026-02-01T00:00:00Z'), 1))).toEqual(['2026-02-27T16:00:00.000Z']);
    // Second Monday of March 2026 is the 9th.
    expect(iso(nextFireTimes(cron('0 9 * * 1#2'), new Date('2026-03-01T00:00:00Z'), 1))).toEqual(['2026-03-09T01:00:00.000Z']);
    // 15 August 2026 is a Saturday: the nearest weekday is Friday the 14th.
    expect(iso(nextFireTimes(cron('0 0 15W * *'), new Date('2026-08-01T00:00:00Z'), 1))).toEqual(['2026-08-13T16:00:00.000Z']);
  });

  it('puts interval slots on multiples of the period from the epoch, the same on every instance', () => {
    const s: Schedule = { kind: 'interval', everySeconds: 90, timezone: 'UTC' };
    expect(iso(nextFireTimes(s, new Date('2026-01-01T00:00:10Z'), 2))).toEqual(['2026-01-01T00:01:30.000Z', '2026-01-01T00:03:00.000Z']);
  });

  it('answers from its cache exactly what a fresh croner job answers, per expression and zone', () => {
    // The same expression in two zones and two expressions in one zone, asked twice each (the second time from the cache).
    const cases: Array<[string, string]> = [['0 18 * * 1-5', 'Asia/Shanghai'], ['0 18 * * 1-5', 'America/New_York'], ['30 2 * * *', 'America/New_York'], ['*/7 * * * * *', 'UTC']];
    const after = new Date('2026-03-07T12:00:00Z'); // the weekend before New York's spring-forward
    for (let round = 0; round < 2; round++) {
      for (const [expression, timezone] of cases) {
        const fresh = new Cron(expression, { timezone, paused: true, mode: '5-or-6-parts' }).nextRuns(6, after).map((d) => d.toISOString());
        expect(nextFireTimes({ kind: 'cron', expression, timezone }, after, 6).map((d) => d.toISOString()), `${expression} ${timezone}`).toEqual(fresh);
      }
    }
  });

  it('never fires a manual task', () => {
    expect(nextFireTimes({ kind: 'manual', timezone: 'UTC' }, new Date(), 5)).toEqual([]);
  });
});

describe('slotsBetween', () => {
  it('lists slots in (from, to] and keeps the newest when bounded', () => {
    const s = cron('* * * * * *', 'UTC');
    const r = slotsBetween(s, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:10Z'), 3);
    expect(iso(r.slots)).toEqual(['2026-01-01T00:00:08.000Z', '2026-01-01T00:00:09.000Z', '2026-01-01T00:00:10.000Z']);
    expect(r.overflow).toBe(7);
  });

  it('after a long gap keeps the newest cron slots and counts the older ones up to the cap (a lower bound)', () => {
    // A one-second cron down for 30 days: 2,592,000 slots, which a walk one by one would take minutes over.
    const s = cron('* * * * * *', 'UTC');
    const r = slotsBetween(s, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-31T00:00:00.500Z'), 3);
    expect(iso(r.slots)).toEqual(['2026-01-30T23:59:58.000Z', '2026-01-30T23:59:59.000Z', '2026-01-31T00:00:00.000Z']);
    expect(r.overflow).toBe(overflowCountCap);
    const once = dueSlots(s, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-31T00:00:00.500Z'), { misfire: 'once', maxCatchUp: 10, graceSeconds: 2 });
    expect(iso(once.fire)).toEqual(['2026-01-31T00:00:00.000Z']);
    expect(once.dropped).toBeGreaterThanOrEqual(overflowCountCap);
  });

  it('does the same for intervals without walking them one by one', () => {
    const s: Schedule = { kind: 'interval', everySeconds: 1, timezone: 'UTC' };
    const r = slotsBetween(s, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-02T00:00:00Z'), 2);
    expect(iso(r.slots)).toEqual(['2026-01-01T23:59:59.000Z', '2026-01-02T00:00:00.000Z']);
    expect(r.overflow).toBe(86_400 - 2);
  });
});

describe('validation and words', () => {
  it('rejects bad expressions and zones with the reason, on the field', () => {
    expect(cronProblem('61 * * * *', 'UTC')).toBe('Invalid value for minute: 61');
    expect(cronProblem('* * *', 'UTC')).toBe('expected 5 fields (minute hour day month weekday) or 6 with seconds first, got 3');
    const bad = scheduleSchema.safeParse({ kind: 'cron', expression: '0 25 * * *', timezone: 'UTC' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0].path).toEqual(['expression']);
    const zone = scheduleSchema.safeParse({ kind: 'cron', expression: '0 1 * * *', timezone: 'Mars/Olympus' });
    expect(zone.error!.issues[0].message).toBe('expected an IANA time zone such as Asia/Shanghai or UTC');
  });

  it('defaults the zone to Asia/Shanghai', () => {
    expect(scheduleSchema.parse({ kind: 'manual' })).toEqual({ kind: 'manual', timezone: 'Asia/Shanghai' });
  });

  it('describes schedules in words', () => {
    expect(describeSchedule(cron('0 18 * * 1-5'))).toBe('At 18:00, Monday through Friday (Asia/Shanghai)');
    expect(describeSchedule({ kind: 'interval', everySeconds: 300, timezone: 'UTC' })).toBe('Every 5 minutes');
    expect(describeSchedule({ kind: 'interval', everySeconds: 1, timezone: 'UTC' })).toBe('Every second');
    expect(describeSchedule({ kind: 'manual', timezone: 'UTC' })).toBe('Only when triggered');
  });
});

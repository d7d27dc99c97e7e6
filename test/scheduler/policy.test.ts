import { describe, expect, it } from 'vitest';
import { dueSlots, overlapDecision } from '../../src/scheduler/policy.ts';
import type { Schedule } from '../../src/scheduler/schedule.ts';

const iso = (ds: Date[]) => ds.map((d) => d.toISOString());
// Hourly on the hour, UTC, so slot arithmetic is easy to check by eye.
const hourly: Schedule = { kind: 'cron', expression: '0 * * * *', timezone: 'UTC' };
const last = new Date('2026-01-01T00:00:00Z');

describe('dueSlots', () => {
  it('fires the current slot under every policy when nothing was missed', () => {
    const now = new Date('2026-01-01T01:00:02Z'); // two seconds after the 01:00 slot, grace 60 s
    for (const misfire of ['once', 'each', 'skip'] as const) {
      expect(iso(dueSlots(hourly, last, now, { misfire, maxCatchUp: 10, graceSeconds: 60 }).fire)).toEqual(['2026-01-01T01:00:00.000Z']);
    }
  });

  it('after a five-hour outage: once coalesces, each catches up to its bound, skip drops the late slots', () => {
    // Down from just after 00:00 until 05:30: slots 01:00..05:00 missed, all beyond the 60 s grace.
    const now = new Date('2026-01-01T05:30:00Z');
    const policy = { maxCatchUp: 3, graceSeconds: 60 };
    expect(dueSlots(hourly, last, now, { ...policy, misfire: 'once' })).toEqual({ fire: [new Date('2026-01-01T05:00:00Z')], dropped: 4 });
    const each = dueSlots(hourly, last, now, { ...policy, misfire: 'each' });
    expect(iso(each.fire)).toEqual(['2026-01-01T03:00:00.000Z', '2026-01-01T04:00:00.000Z', '2026-01-01T05:00:00.000Z']);
    expect(each.dropped).toBe(2);
    expect(dueSlots(hourly, last, now, { ...policy, misfire: 'skip' })).toEqual({ fire: [], dropped: 5 });
  });

  it('skip still fires a slot that is late but within its grace period', () => {
    const now = new Date('2026-01-01T01:04:00Z');
    expect(iso(dueSlots(hourly, last, now, { misfire: 'skip', maxCatchUp: 1, graceSeconds: 300 }).fire)).toEqual(['2026-01-01T01:00:00.000Z']);
  });

  it('returns nothing before the next slot', () => {
    expect(dueSlots(hourly, last, new Date('2026-01-01T00:59:59Z'), { misfire: 'each', maxCatchUp: 5, graceSeconds: 60 })).toEqual({ fire: [], dropped: 0 });
  });
});

describe('overlapDecision', () => {
  it.each([
    ['skip', { queued: 0, running: 0 }, 1, 'fire'],
    ['skip', { queued: 0, running: 1 }, 3, 'skip'],
    ['skip', { queued: 1, running: 0 }, 3, 'skip'],
    ['queue_one', { queued: 0, running: 1 }, 1, 'fire'],
    ['queue_one', { queued: 1, running: 1 }, 1, 'skip'],
    ['allow', { queued: 0, running: 2 }, 3, 'fire'],
    ['allow', { queued: 1, running: 2 }, 3, 'skip'],
    ['allow', { queued: 0, running: 0 }, 0, 'fire'],
  ] as const)('%s with %j and max %i → %s', (policy, active, max, expected) => {
    expect(overlapDecision(policy, active, max)).toBe(expected);
  });
});

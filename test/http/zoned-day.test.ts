// A page's filter day is a day on the reader's wall clock (issue 24): where it starts, in UTC.
// Offsets from the IANA database: Shanghai UTC+8 all year; New York −5, −4 from 2026-03-08 02:00;
// Havana −5, −4 from 2026-03-08 00:00 (midnight skipped: the day starts at 01:00); London 0, +1
// from 2026-03-29 01:00.
import { describe, expect, it } from 'vitest';
import { dayStartIn, offsetMs } from '../../src/http/zoned-day.ts';

const at = (ymd: number, zone: string) => dayStartIn(ymd, zone).toISOString();

describe('dayStartIn', () => {
  it('is midnight on the zone’s clock', () => {
    expect(at(20260303, 'Asia/Shanghai')).toBe('2026-03-02T16:00:00.000Z');
    expect(at(20260303, 'UTC')).toBe('2026-03-03T00:00:00.000Z');
    expect(at(20260101, 'Pacific/Kiritimati')).toBe('2025-12-31T10:00:00.000Z');
    expect(at(20260101, 'Pacific/Pago_Pago')).toBe('2026-01-01T11:00:00.000Z');
  });

  it('follows daylight saving on both sides of the change', () => {
    expect(at(20260308, 'America/New_York')).toBe('2026-03-08T05:00:00.000Z');
    expect(at(20260309, 'America/New_York')).toBe('2026-03-09T04:00:00.000Z');
    expect(at(20260329, 'Europe/London')).toBe('2026-03-29T00:00:00.000Z');
    expect(at(20260330, 'Europe/London')).toBe('2026-03-29T23:00:00.000Z');
  });

  it('starts a day whose midnight the clocks skip at its first moment', () => {
    expect(at(20260308, 'America/Havana')).toBe('2026-03-08T05:00:00.000Z');
    expect(at(20260309, 'America/Havana')).toBe('2026-03-09T04:00:00.000Z');
  });

  it('reads offsets', () => {
    expect(offsetMs(Date.UTC(2026, 5, 1), 'Asia/Shanghai')).toBe(8 * 3600_000);
    expect(offsetMs(Date.UTC(2026, 5, 1), 'America/New_York')).toBe(-4 * 3600_000);
  });
});

import { describe, expect, it } from 'vitest';
import { addDays, isoDay, isWeekend, ymdOf } from '../../src/market/days.ts';

describe('the date codec', () => {
  it('writes a YYYYMMDD number as YYYY-MM-DD and reads it back', () => {
    expect(isoDay(20240102)).toBe('2024-01-02');
    expect(isoDay(null)).toBeNull();
    expect(ymdOf('2024-01-02')).toBe(20240102);
    expect(ymdOf('20240102')).toBe(20240102);
    expect(ymdOf(isoDay(20241231))).toBe(20241231);
  });
  it('steps calendar days across month and year ends', () => {
    expect(addDays(20240301, -1)).toBe(20240229);
    expect(addDays(20241231, 1)).toBe(20250101);
  });
  it('knows weekends (2024-06-08 was a Saturday)', () => {
    expect([20240607, 20240608, 20240609, 20240610].map(isWeekend)).toEqual([false, true, true, false]);
  });
});

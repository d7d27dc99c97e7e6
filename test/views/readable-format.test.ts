import { describe, expect, it } from 'vitest';
import { durationMs, localTime } from '../../views/backtests/format.ts';
import { readableNumber } from '../../views/values.tsx';

describe('readable formats', () => {
  it('writes lengths of time in s, min and h, never a count of milliseconds', () => {
    expect(durationMs(420)).toBe('0.4 s');
    expect(durationMs(10_042)).toBe('10.0 s'); // the "10042 ms"
    expect(durationMs(59_949)).toBe('59.9 s');
    expect(durationMs(59_950)).toBe('1 min 0 s'); // would round to "60.0 s"
    expect(durationMs(125_000)).toBe('2 min 5 s');
    expect(durationMs(3_599_600)).toBe('1 h 0 min');
    expect(durationMs(12_000_000)).toBe('3 h 20 min');
    expect(durationMs(null)).toBe('—');
  });

  it('writes a moment on the wall clock of a zone', () => {
    const at = new Date('2026-12-01T01:02:03Z');
    expect(localTime(at, 'Asia/Shanghai')).toBe('2026-12-01 09:02:03');
    expect(localTime(at, 'America/New_York')).toBe('2026-11-30 20:02:03');
    expect(localTime('2026-12-01T01:02:03Z', 'UTC')).toBe('2026-12-01 01:02:03');
    expect(localTime(null, 'UTC')).toBe('—');
  });

  it('rounds numbers for reading', () => {
    expect(readableNumber(0.123456789)).toBe('0.1235');
    expect(readableNumber(1234.5678)).toBe('1,234.57');
    expect(readableNumber(0.000123456)).toBe('0.0001235');
    expect(readableNumber(1_234_567)).toBe('1,234,567');
    expect(readableNumber(1500)).toBe('1500');
    expect(readableNumber(-2.5)).toBe('-2.5');
  });
});

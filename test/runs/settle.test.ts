import { describe, expect, it } from 'vitest';
import { RunError } from '../../src/runs/executor-registry.ts';
import { isRetryable, settle } from '../../src/runs/settle.ts';

// The retry decision on its own: no database, no pool, no reaper.
const error = { code: 'boom', message: 'it broke' };

describe('settle', () => {
  it('a failed attempt with attempts left is queued again after backoff, the failure recorded', () => {
    expect(settle({ attempt: 1, maxAttempts: 3, maxRetryDelayMs: 60_000, loss: 'failed', error, retryable: true })).toEqual({
      to: 'queued',
      finished: false,
      error,
      backoff: { maxDelayMs: 60_000 },
      events: [
        { status: 'failed', error, final: false },
        { status: 'queued', reason: 'retry 2 of 3 after backoff', final: false },
      ],
    });
  });

  it('the last attempt failing is final', () => {
    expect(settle({ attempt: 3, maxAttempts: 3, maxRetryDelayMs: 1000, loss: 'failed', error, retryable: true })).toEqual({
      to: 'failed',
      finished: true,
      error,
      events: [{ status: 'failed', error, final: true }],
    });
  });

  it('an error that is not retryable is final even with attempts left', () => {
    const s = settle({ attempt: 1, maxAttempts: 5, maxRetryDelayMs: 1000, loss: 'failed', error, retryable: false });
    expect(s.to).toBe('failed');
    expect(s.finished).toBe(true);
    expect(s.backoff).toBeUndefined();
  });

  it('an abandoned attempt (lease expired) is retried with the reaper’s wording, then abandoned for good', () => {
    const again = settle({ attempt: 2, maxAttempts: 3, maxRetryDelayMs: 500, loss: 'abandoned', error, retryable: true });
    expect(again.to).toBe('queued');
    expect(again.backoff).toEqual({ maxDelayMs: 500 });
    expect(again.events).toEqual([
      { status: 'abandoned', error, final: false },
      { status: 'queued', reason: 'retry 3 of 3 after the lease expired', final: false },
    ]);
    const last = settle({ attempt: 3, maxAttempts: 3, maxRetryDelayMs: 500, loss: 'abandoned', error, retryable: true });
    expect(last).toEqual({ to: 'abandoned', finished: true, error, events: [{ status: 'abandoned', error, final: true }] });
  });

  it('max_attempts 1 never retries', () => {
    expect(settle({ attempt: 1, maxAttempts: 1, maxRetryDelayMs: 0, loss: 'failed', error, retryable: true }).to).toBe('failed');
  });

  it('only a RunError marked retryable false is not retryable', () => {
    expect(isRetryable(new RunError('bad', 'no', { retryable: false }))).toBe(false);
    expect(isRetryable(new RunError('flaky', 'maybe'))).toBe(true);
    expect(isRetryable(new RunError('flaky', 'maybe', { retryable: true }))).toBe(true);
    expect(isRetryable(new Error('anything'))).toBe(true);
    expect(isRetryable(undefined)).toBe(true);
  });
});

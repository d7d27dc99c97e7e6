import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { runsSettingsFrom } from '../../src/server.ts';

describe('run machinery settings', () => {
  it('defaults: backtest slots cores−1 (at least 1), 4 io slots, 30 s lease, heartbeat a third of it', () => {
    const s = runsSettingsFrom(loadConfig({}));
    expect(s.concurrency).toEqual({ backtest: Math.max(1, availableParallelism() - 1), io: 4 });
    expect(s.leaseMs).toBe(30_000);
    expect(s.heartbeatMs).toBe(10_000);
    expect(s.reaperMs).toBe(15_000);
    expect(s.pollMs).toBe(5_000);
  });

  it('reads the environment (short leases for tests, WORKERS for backtest slots)', () => {
    const s = runsSettingsFrom(loadConfig({ WORKERS: '3', RUN_IO_CONCURRENCY: '16', RUN_LEASE_MS: '1500', RUN_POLL_MS: '200', RUN_MAX_RETRY_DELAY_MS: '9000' }));
    expect(s.concurrency).toEqual({ backtest: 3, io: 16 });
    expect(s.leaseMs).toBe(1500);
    expect(s.heartbeatMs).toBe(500);
    expect(s.pollMs).toBe(200);
    expect(s.maxRetryDelayMs).toBe(9000);
  });

  it('names a bad value', () => {
    expect(() => loadConfig({ RUN_LEASE_MS: '0' })).toThrow('configuration error: RUN_LEASE_MS: expected a positive number of milliseconds, got "0"');
  });
});

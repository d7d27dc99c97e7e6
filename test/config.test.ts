import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('runs on embedded defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.dataDir).toBe('./data');
    expect(c.databaseUrl).toBeNull();
    expect(c.logLevel).toBe('info');
    expect(c.seedDemo).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads values and treats empty strings as unset', () => {
    const c = loadConfig({ PORT: '8080', DATABASE_URL: 'postgres://u@h/db', DATA_DIR: '', SEED_DEMO: 'false', CORS_ORIGINS: 'https://a.example, https://b.example' });
    expect(c.port).toBe(8080);
    expect(c.databaseUrl).toBe('postgres://u@h/db');
    expect(c.dataDir).toBe('./data');
    expect(c.seedDemo).toBe(false);
    expect(c.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('bounds backtests by default, each bound its own variable', () => {
    const d = loadConfig({});
    expect([d.backtestMaxOrders, d.backtestMaxOrdersPerDay, d.backtestMaxResultBytes, d.backtestTimeoutMs, d.backtestMaxRunningPerUser, d.backtestMaxQueuedPerUser])
      .toEqual([200_000, 20_000, 64 * 2 ** 20, 600_000, 2, 20]);
    const c = loadConfig({ BACKTEST_MAX_ORDERS: '1000', BACKTEST_MAX_ORDERS_PER_DAY: '50', BACKTEST_MAX_RESULT_MB: '8', BACKTEST_TIMEOUT_MS: '60000', BACKTEST_MAX_RUNNING_PER_USER: '1', BACKTEST_MAX_QUEUED_PER_USER: '5' });
    expect([c.backtestMaxOrders, c.backtestMaxOrdersPerDay, c.backtestMaxResultBytes, c.backtestTimeoutMs, c.backtestMaxRunningPerUser, c.backtestMaxQueuedPerUser])
      .toEqual([1000, 50, 8 * 2 ** 20, 60_000, 1, 5]);
    expect(() => loadConfig({ BACKTEST_MAX_RESULT_MB: '0' })).toThrow('configuration error: BACKTEST_MAX_RESULT_MB: expected a positive number of megabytes, got "0"');
  });

  it.each([
    [{ PORT: 'abc' }, 'configuration error: PORT: expected a port number 0-65535, got "abc"'],
    [{ PORT: '70000' }, 'configuration error: PORT: expected a port number 0-65535, got "70000"'],
    [{ DATABASE_URL: 'mysql://x' }, 'configuration error: DATABASE_URL: expected a postgres:// URL, or leave it unset for the embedded database, got "mysql://x"'],
    [{ LOG_LEVEL: 'loud' }, 'configuration error: LOG_LEVEL: expected one of debug, info, warn, error, silent, got "loud"'],
    [{ SEED_DEMO: 'maybe' }, 'configuration error: SEED_DEMO: expected true or false, got "maybe"'],
  ])('names the variable and what is expected: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

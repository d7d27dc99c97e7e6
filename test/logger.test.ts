import { describe, expect, it } from 'vitest';
import { makeLogger } from '../src/logger.ts';

function capture(level: 'debug' | 'info' | 'warn' | 'error' | 'silent') {
  const lines: string[] = [];
  const logger = makeLogger({ level, write: (l) => lines.push(l), now: () => new Date('2026-01-02T03:04:05.000Z') });
  return { logger, lines };
}

describe('logger', () => {
  it('writes one JSON object per line with bindings from child loggers', () => {
    const { logger, lines } = capture('info');
    logger.child({ requestId: 'r1' }).info('request', { status: 200 });
    expect(lines).toEqual(['{"time":"2026-01-02T03:04:05.000Z","level":"info","msg":"request","requestId":"r1","status":200}\n']);
  });

  it('drops lines under the level', () => {
    const { logger, lines } = capture('warn');
    logger.info('hidden');
    logger.debug('hidden');
    logger.warn('shown');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['shown']);
  });

  it('never writes secrets, whatever the caller passes', () => {
    const { logger, lines } = capture('info');
    logger.info('login', { password: 'hunter2', token: 'zq_abc', authorization: 'Bearer x', user: 'ann' });
    const line = JSON.parse(lines[0]);
    expect(line).toMatchObject({ password: '[redacted]', token: '[redacted]', authorization: '[redacted]', user: 'ann' });
    expect(lines[0]).not.toContain('hunter2');
  });

  it('serialises errors with name, message and stack', () => {
    const { logger, lines } = capture('error');
    logger.error('boom', { err: new TypeError('bad thing') });
    const line = JSON.parse(lines[0]);
    expect(line.err.name).toBe('TypeError');
    expect(line.err.message).toBe('bad thing');
    expect(line.err.stack).toContain('bad thing');
  });
});

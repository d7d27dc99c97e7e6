import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlidingWindowLimiter } from '../../src/auth/rate-limit.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { bearer, Browser, makeUser, testPassword } from '../helpers/accounts.ts';

let t: TestApp;
let clockMs = Date.parse('2026-11-28T12:00:00Z');
beforeAll(async () => {
  t = await makeTestApp(
    { LOGIN_FAILURES_PER_USERNAME: '3', LOGIN_FAILURES_PER_IP: '5', API_RATE_LIMIT_PER_MINUTE: '4', TRUST_PROXY: 'true' },
    { now: () => clockMs },
  );
  await makeUser(t, 'ana', 'analyst');
});
afterAll(async () => {
  await t.close();
});

const from = (ip: string) => new Browser(t, { 'X-Forwarded-For': ip });

describe('sliding window', () => {
  it('allows `limit` hits per window and says when the oldest leaves it', () => {
    let now = 0;
    const l = new SlidingWindowLimiter(2, 10_000, () => now);
    expect(l.take('k')).toBe(0);
    now = 4_000;
    expect(l.take('k')).toBe(0);
    expect(l.take('k')).toBe(6); // first hit at 0 leaves the window at 10 s
    now = 10_001;
    expect(l.take('k')).toBe(0);
    expect(l.take('other')).toBe(0);
  });
});

describe('login throttling', () => {
  it('per username: after 3 failures the 4th attempt gets 429 with Retry-After, even with the right password', async () => {
    for (let i = 0; i < 3; i++) expect((await from(`10.0.0.${i}`).login('ana', 'wrong password!')).status).toBe(401);
    const blocked = await from('10.0.0.9').login('ana');
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBe('900'); // 15-minute window, all failures at the same instant
    expect(await blocked.text()).toContain('Too many failed sign-ins');
    clockMs += 15 * 60_000 + 1000;
    expect((await from('10.0.0.9').login('ana')).status).toBe(303);
  });

  it('per address: 5 failures from one IP block it for every username', async () => {
    for (let i = 0; i < 5; i++) expect((await from('10.1.1.1').login(`nobody${i}`, 'wrong password!')).status).toBe(401);
    const blocked = await from('10.1.1.1').login('ana');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await from('10.1.1.2').login('ana')).status).toBe(303);
  });
});

describe('API rate limit', () => {
  it('answers 429 JSON with Retry-After past API_RATE_LIMIT_PER_MINUTE, separately from login throttling', async () => {
    const u = await makeUser(t, 'busy', 'viewer');
    for (let i = 0; i < 4; i++) expect((await t.app.request('/api/v1/me', { headers: bearer(u.token) })).status).toBe(200);
    const res = await t.app.request('/api/v1/me', { headers: bearer(u.token) });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('60');
    expect((await res.json()).error.code).toBe('rate_limited');
    // Logins are not API requests: signing in still works.
    expect((await from('10.2.2.2').login('ana', testPassword)).status).toBe(303);
    clockMs += 60_001;
    expect((await t.app.request('/api/v1/me', { headers: bearer(u.token) })).status).toBe(200);
  });
});

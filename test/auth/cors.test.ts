import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../helpers/app.ts';

let plain: TestApp;
beforeAll(async () => {
  plain = await makeTestApp();
});
afterAll(async () => {
  await plain.close();
});

const preflight = (t: TestApp, origin: string) =>
  t.app.request('/api/v1/me', { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' } });

describe('CORS', () => {
  it('sends no CORS headers when CORS_ORIGINS is not set', async () => {
    const res = await preflight(plain, 'https://dash.example');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const get = await plain.app.request('/api/v1/me', { headers: { Origin: 'https://dash.example' } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows only the configured origins, with the Authorization header', async () => {
    const t = await makeTestApp({ CORS_ORIGINS: 'https://dash.example, https://other.example' });
    try {
      const ok = await preflight(t, 'https://dash.example');
      expect(ok.status).toBe(204);
      expect(ok.headers.get('access-control-allow-origin')).toBe('https://dash.example');
      expect(ok.headers.get('access-control-allow-headers')).toContain('Authorization');
      const no = await preflight(t, 'https://evil.example');
      expect(no.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await t.close();
    }
  });
});

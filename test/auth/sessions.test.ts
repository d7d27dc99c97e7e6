import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { Browser, bearer, makeUser, testPassword } from '../helpers/accounts.ts';

let t: TestApp;
let clockMs = Date.parse('2026-11-28T12:00:00Z');
beforeAll(async () => {
  t = await makeTestApp({ LOGIN_FAILURES_PER_USERNAME: '3', LOGIN_FAILURES_PER_IP: '5', TRUST_PROXY: 'true' }, { now: () => clockMs });
  await makeUser(t, 'ana', 'analyst');
  await makeUser(t, 'vic', 'viewer');
  await makeUser(t, 'boss', 'admin');
});
afterAll(async () => {
  await t.close();
});

describe('browser sessions', () => {
  it('sends anonymous page requests to /login?next=… and answers /api with 401 JSON', async () => {
    const page = await t.app.request('/admin/users?x=1');
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/login?next=%2Fadmin%2Fusers%3Fx%3D1');
    const api = await t.app.request('/api/v1/me');
    expect(api.status).toBe(401);
    expect(api.headers.get('content-type')).toMatch(/json/);
    expect((await api.json()).error.code).toBe('unauthenticated');
  });

  it('sends an anonymous htmx request to sign in with HX-Redirect, back to the page it came from', async () => {
    const res = await t.app.request('/account/tokens/1/revoke', { method: 'POST', headers: { 'HX-Request': 'true', 'HX-Current-URL': 'http://localhost/account?tab=x' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('hx-redirect')).toBe('/login?next=%2Faccount%3Ftab%3Dx');
  });

  it('signs in with an HttpOnly SameSite=Lax cookie, shows the username, and goes to next', async () => {
    const b = new Browser(t);
    const csrf = await b.csrfFrom('/login?next=/account');
    const res = await b.post('/login', { _csrf: csrf, username: 'Ana', password: testPassword, next: '/account' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/account');
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('zq_session='))!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).not.toMatch(/Secure/); // plain http and COOKIE_SECURE=auto
    const home = await b.request('/');
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toContain('class="username">ana</a>');
    expect(html).not.toContain('href="/admin"'); // analysts see no Admin link
  });

  it('marks the cookie Secure when the request came over https (X-Forwarded-Proto with TRUST_PROXY)', async () => {
    const b = new Browser(t, { 'X-Forwarded-Proto': 'https' });
    const res = await b.login('vic');
    expect(res.headers.getSetCookie().find((c) => c.startsWith('zq_session='))).toMatch(/Secure/);
  });

  it('issues a new session id at sign-in and revokes the one the browser brought (no fixation)', async () => {
    const b = new Browser(t);
    await b.login('ana');
    const first = b.jar.zq_session;
    await b.login('ana');
    const second = b.jar.zq_session;
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    // A planted id (attacker-chosen) is never adopted either.
    const planted = new Browser(t);
    planted.jar.zq_session = 'attacker-chosen-id';
    await planted.login('ana');
    expect(planted.jar.zq_session).not.toBe('attacker-chosen-id');
    const old = await t.app.request('/api/v1/me', { headers: { Cookie: `zq_session=${first}` } });
    expect(old.status).toBe(401);
  });

  it('revokes the session at logout: the old cookie no longer works', async () => {
    const b = new Browser(t);
    await b.login('vic');
    const sid = b.jar.zq_session;
    expect((await b.request('/api/v1/me')).status).toBe(200);
    const csrf = await b.csrfFrom('/account');
    const out = await b.post('/logout', { _csrf: csrf });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login');
    const replay = await t.app.request('/api/v1/me', { headers: { Cookie: `zq_session=${sid}` } });
    expect(replay.status).toBe(401);
  });

  it('expires sessions after SESSION_TTL_HOURS (default 168)', async () => {
    const b = new Browser(t);
    await b.login('vic');
    clockMs += 167 * 3_600_000;
    expect((await b.request('/api/v1/me')).status).toBe(200);
    clockMs += 2 * 3_600_000;
    expect((await b.request('/api/v1/me')).status).toBe(401);
  });
});

describe('CSRF', () => {
  it('refuses a form post without or with a wrong _csrf, and accepts the right one', async () => {
    const b = new Browser(t);
    await b.login('ana');
    const none = await b.post('/account/tokens', { name: 'x' });
    expect(none.status).toBe(403);
    expect(await none.text()).toContain('out of date or came from another site');
    const wrong = await b.post('/account/tokens', { name: 'x', _csrf: 'forged' });
    expect(wrong.status).toBe(403);
    const csrf = await b.csrfFrom('/account');
    const ok = await b.post('/account/tokens', { name: 'x', _csrf: csrf });
    expect(ok.status).toBe(201);
  });

  it('refuses an htmx request without X-CSRF-Token and accepts it with the header', async () => {
    const b = new Browser(t);
    await b.login('ana');
    const csrf = await b.csrfFrom('/account');
    const created = await (await b.post('/account/tokens', { name: 'to-revoke', _csrf: csrf })).text();
    const id = /id="token-(\d+)"/.exec(created)![1];
    const bare = await b.request(`/account/tokens/${id}/revoke`, { method: 'POST', headers: { 'HX-Request': 'true' } });
    expect(bare.status).toBe(403);
    const ok = await b.request(`/account/tokens/${id}/revoke`, { method: 'POST', headers: { 'HX-Request': 'true', 'X-CSRF-Token': csrf } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('revoked');
  });

  it('refuses a cross-site login post (no pre-session cookie)', async () => {
    const res = await t.app.request('/login', { method: 'POST', body: new URLSearchParams({ username: 'ana', password: testPassword, _csrf: 'x' }) });
    expect(res.status).toBe(403);
  });

  it('needs no CSRF token with a bearer token (browsers never send one by themselves)', async () => {
    const u = await makeUser(t, 'csrf-bearer', 'analyst');
    const res = await t.app.request('/account/tokens', { method: 'POST', headers: { ...bearer(u.token), 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=y' });
    expect(res.status).toBe(201);
  });

  it('needs X-CSRF-Token for state-changing /api calls made with the session cookie', async () => {
    const b = new Browser(t);
    await b.login('ana');
    const post = (headers: Record<string, string>) =>
      b.request('/api/v1/account/tokens', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name: 'api' }) });
    expect((await post({})).status).toBe(403);
    const csrf = await b.csrfFrom('/account');
    expect((await post({ 'X-CSRF-Token': csrf })).status).toBe(201);
  });
});

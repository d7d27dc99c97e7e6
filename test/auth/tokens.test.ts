import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/auth/secrets.ts';
import { createToken } from '../../src/auth/tokens.service.ts';
import { systemActor } from '../../src/auth/users.service.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { bearer, Browser, makeUser } from '../helpers/accounts.ts';

let t: TestApp;
let clockMs = Date.parse('2026-11-28T12:00:00Z');
const me = (token: string) => t.app.request('/api/v1/me', { headers: bearer(token) });

beforeAll(async () => {
  t = await makeTestApp({}, { now: () => clockMs });
});
afterAll(async () => {
  await t.close();
});

describe('API tokens', () => {
  it('authenticates curl with a bearer token and stores only its hash', async () => {
    const u = await makeUser(t, 'tok', 'analyst');
    expect(u.token).toMatch(/^zq_[A-Za-z0-9_-]{43}$/);
    const res = await me(u.token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: u.id, username: 'tok', role: 'analyst', via: 'token' });
    const rows = await t.deps.pg.db.selectFrom('api_tokens').selectAll().execute();
    expect(rows.some((r) => r.token_hash === sha256(u.token))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(u.token);
  });

  it('answers 401 JSON for a missing, malformed or unknown token', async () => {
    for (const headers of [{}, { Authorization: 'Basic abc' }, bearer('zq_nope')]) {
      const res = await t.app.request('/api/v1/me', { headers });
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe('unauthenticated');
    }
  });

  it('stops working the moment it is revoked', async () => {
    const u = await makeUser(t, 'rev', 'viewer');
    const list: any = await (await t.app.request('/api/v1/account/tokens', { headers: bearer(u.token) })).json();
    const id = list.tokens[0].id;
    expect((await me(u.token)).status).toBe(200);
    const del = await t.app.request(`/api/v1/account/tokens/${id}`, { method: 'DELETE', headers: bearer(u.token) });
    expect(del.status).toBe(200);
    expect((await del.json()).revoked_at).not.toBeNull();
    expect((await me(u.token)).status).toBe(401);
  });

  it('stops working after its expiry', async () => {
    const u = await makeUser(t, 'exp', 'viewer');
    const { token } = await createToken(t.deps.pg.db, systemActor('test'), { userId: u.id, name: 'short', expiresDays: 1, now: new Date(clockMs) });
    expect((await me(token)).status).toBe(200);
    clockMs += 86_400_000 + 1000;
    expect((await me(token)).status).toBe(401);
    expect((await me(u.token)).status).toBe(200); // the one without expiry still works
  });

  it('records last use, at most once a minute', async () => {
    const u = await makeUser(t, 'last', 'viewer');
    await me(u.token);
    const read = async () => (await t.deps.pg.db.selectFrom('api_tokens').select('last_used_at').where('token_hash', '=', sha256(u.token)).executeTakeFirstOrThrow()).last_used_at;
    expect(new Date((await read())!).getTime()).toBe(clockMs);
    const first = clockMs;
    clockMs += 30_000;
    await me(u.token);
    expect(new Date((await read())!).getTime()).toBe(first);
    clockMs += 31_000;
    await me(u.token);
    expect(new Date((await read())!).getTime()).toBe(clockMs);
  });

  it('cannot revoke another user\'s token: 404, not 403', async () => {
    const a = await makeUser(t, 'own1', 'analyst');
    const b = await makeUser(t, 'own2', 'analyst');
    const list: any = await (await t.app.request('/api/v1/account/tokens', { headers: bearer(a.token) })).json();
    const res = await t.app.request(`/api/v1/account/tokens/${list.tokens[0].id}`, { method: 'DELETE', headers: bearer(b.token) });
    expect(res.status).toBe(404);
    expect((await me(a.token)).status).toBe(200);
  });

  it('shows a new token once on /account, and never the secret afterwards', async () => {
    const b = new Browser(t);
    await makeUser(t, 'page', 'viewer');
    await b.login('page');
    const csrf = await b.csrfFrom('/account');
    const created = await (await b.post('/account/tokens', { _csrf: csrf, name: 'nightly', expires_days: '30' })).text();
    const token = /value="(zq_[^"]+)"/.exec(created)![1];
    expect((await me(token)).status).toBe(200);
    const again = await (await b.request('/account')).text();
    expect(again).toContain('nightly');
    expect(again).not.toContain(token);
  });

  it('lets an admin make a worker-only token on /account (issue 23), refuses an unknown scope, and gives an analyst no choice', async () => {
    const b = new Browser(t);
    await makeUser(t, 'pageadm', 'admin');
    await b.login('pageadm');
    const form = await (await b.request('/account')).text();
    for (const v of ['', 'metrics', 'worker']) expect(form).toContain(`type="radio" name="scope" value="${v}"`);
    const csrf = await b.csrfFrom('/account');
    const created = await (await b.post('/account/tokens', { _csrf: csrf, name: 'worker-b', scope: 'worker' })).text();
    const token = /value="(zq_[^"]+)"/.exec(created)![1];
    const list: any = await (await t.app.request('/api/v1/account/tokens', { headers: bearer(token) })).json().catch(() => null);
    // A worker token does nothing but fetch snapshots: not even its own token list.
    expect(list?.tokens).toBeUndefined();
    const res = await me(token);
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toContain('limited to the worker scope');
    const bad = await b.post('/account/tokens', { _csrf: await b.csrfFrom('/account'), name: 'x', scope: 'root' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('scope');

    const a = new Browser(t);
    await makeUser(t, 'pageana', 'analyst');
    await a.login('pageana');
    expect(await (await a.request('/account')).text()).not.toContain('name="scope"');
    const refused = await a.post('/account/tokens', { _csrf: await a.csrfFrom('/account'), name: 'sneaky', scope: 'worker' });
    expect(refused.status).toBe(403);
  });
});

describe('disabled users', () => {
  it('cannot use their tokens or sessions, nor sign in', async () => {
    const admin = await makeUser(t, 'adm', 'admin');
    const u = await makeUser(t, 'gone', 'analyst');
    const b = new Browser(t);
    await b.login('gone');
    expect((await b.request('/api/v1/me')).status).toBe(200);
    const res = await t.app.request(`/api/v1/admin/users/${u.id}`, { method: 'PATCH', headers: { ...bearer(admin.token), 'content-type': 'application/json' }, body: JSON.stringify({ disabled: true }) });
    expect(res.status).toBe(200);
    expect((await me(u.token)).status).toBe(401);
    expect((await b.request('/api/v1/me')).status).toBe(401);
    const again = await new Browser(t).login('gone');
    expect(again.status).toBe(403);
    expect(await again.text()).toContain('This account is disabled');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFirstAdmin } from '../../src/auth/users.service.ts';
import { verifyPassword } from '../../src/auth/password.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDatabase } from '../helpers/pg.ts';
import { bearer, Browser, makeUser, testPassword } from '../helpers/accounts.ts';

let t: TestApp;
let admin: { id: number; token: string };
const api = (path: string, method: string, token: string, body?: unknown) =>
  t.app.request(`/api/v1${path}`, { method, headers: { ...bearer(token), 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

beforeAll(async () => {
  t = await makeTestApp();
  admin = await makeUser(t, 'root', 'admin');
});
afterAll(async () => {
  await t.close();
});

describe('admin user management (JSON)', () => {
  it('creates users, refusing short passwords with the rule and taken names with 409', async () => {
    const short = await api('/admin/users', 'POST', admin.token, { username: 'li.wei', role: 'analyst', password: 'short' });
    expect(short.status).toBe(400);
    expect((await short.json()).error.message).toBe('password: a password needs at least 12 characters');
    const ok = await api('/admin/users', 'POST', admin.token, { username: 'li.wei', role: 'analyst' });
    expect(ok.status).toBe(201);
    const body: any = await ok.json();
    expect(body).toMatchObject({ username: 'li.wei', role: 'analyst', disabled: false });
    expect(body.generated_password).toMatch(/^[A-Za-z0-9]{24}$/);
    expect((await new Browser(t).login('li.wei', body.generated_password)).status).toBe(303);
    const dup = await api('/admin/users', 'POST', admin.token, { username: 'li.wei', role: 'viewer', password: testPassword });
    expect(dup.status).toBe(409);
  });

  it('stores scrypt hashes with their parameters, never the password', async () => {
    const row = await t.deps.pg.db.selectFrom('users').selectAll().where('username', '=', 'root').executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword(testPassword, row.password_hash)).toBe(true);
    expect(await verifyPassword(testPassword + 'x', row.password_hash)).toBe(false);
  });

  it('changes roles, and refuses to demote or disable the last active admin', async () => {
    const u = await makeUser(t, 'promo', 'viewer');
    const up = await api(`/admin/users/${u.id}`, 'PATCH', admin.token, { role: 'analyst' });
    expect((await up.json()).role).toBe('analyst');
    const demote = await api(`/admin/users/${admin.id}`, 'PATCH', admin.token, { role: 'analyst' });
    expect(demote.status).toBe(409);
    expect((await demote.json()).error.message).toContain('is the last active admin; make another user admin first');
    expect((await api(`/admin/users/${admin.id}`, 'PATCH', admin.token, { disabled: true })).status).toBe(409);
    const denied: any = await (await api('/admin/audit?outcome=denied', 'GET', admin.token)).json();
    expect(denied.entries.map((e: any) => [e.action, e.details.reason])).toEqual([['user.disable', 'last active admin'], ['user.role', 'last active admin']]);
    // With a second admin, the first may step down.
    await api(`/admin/users/${u.id}`, 'PATCH', admin.token, { role: 'admin' });
    expect((await api(`/admin/users/${admin.id}`, 'PATCH', admin.token, { role: 'analyst' })).status).toBe(200);
    expect((await api(`/admin/users/${admin.id}`, 'PATCH', u.token, { role: 'admin' })).status).toBe(200);
  });

  it('resets a password and signs the user out everywhere', async () => {
    const u = await makeUser(t, 'forgot', 'viewer');
    const b = new Browser(t);
    await b.login('forgot');
    const res = await api(`/admin/users/${u.id}/password`, 'POST', admin.token, { password: 'a brand new passphrase' });
    expect(res.status).toBe(200);
    expect((await b.request('/api/v1/me')).status).toBe(401);
    expect((await new Browser(t).login('forgot')).status).toBe(401);
    expect((await new Browser(t).login('forgot', 'a brand new passphrase')).status).toBe(303);
  });

  it('admin pages: create a user through the form, see the generated password once', async () => {
    const b = new Browser(t);
    await b.login('root');
    const csrf = await b.csrfFrom('/admin/users');
    const res = await b.post('/admin/users', { _csrf: csrf, username: 'form.user', role: 'viewer', password: '' });
    expect(res.status).toBe(201);
    const html = await res.text();
    expect(html).toContain('Created form.user (viewer)');
    expect(/aria-label="Generated password"/.test(html)).toBe(true);
    const bad = await b.post('/admin/users', { _csrf: csrf, username: 'x y', role: 'viewer', password: '' });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain('username: a username is 2-32 characters');
    expect(badHtml).toContain('value="x y"'); // the form keeps what was typed
  });
});

describe('audit log', () => {
  it('records logins, user and token changes without any secret', async () => {
    await new Browser(t).login('root', 'not the password');
    const res = await api('/admin/audit?action=auth.login&outcome=failure', 'GET', admin.token);
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(body.entries[0]).toMatchObject({ action: 'auth.login', outcome: 'failure', username: 'root', details: { reason: 'wrong password' } });
    const all: any = await (await api('/admin/audit', 'GET', admin.token)).json();
    const actions = new Set(all.entries.map((e: any) => e.action));
    for (const a of ['auth.login', 'user.create', 'user.role', 'user.password', 'token.create']) expect(actions).toContain(a);
    const rows = await t.deps.pg.db.selectFrom('audit_log').selectAll().execute();
    const dump = JSON.stringify(rows);
    for (const secret of [testPassword, 'a brand new passphrase', 'not the password', admin.token, 'zq_']) expect(dump).not.toContain(secret);
  });

  it('filters by user and date range and pages on the server', async () => {
    const page1: any = await (await api('/admin/audit?user=root&page=1', 'GET', admin.token)).json();
    expect(page1.page_size).toBe(50);
    expect(page1.entries.every((e: any) => e.username === 'root')).toBe(true);
    const future: any = await (await api('/admin/audit?from=2099-01-01', 'GET', admin.token)).json();
    expect(future.total).toBe(0);
    const bad = await api('/admin/audit?from=yesterday', 'GET', admin.token);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toBe('from: expected a date as YYYY-MM-DD, got "yesterday"');
    // Pagination: 60 rows of one action, 50 on page 1 and 10 on page 2.
    await t.deps.pg.db.insertInto('audit_log').values(Array.from({ length: 60 }, (_, i) => ({ user_id: null, username: null, action: 'test.bulk', object_type: null, object_id: String(i), outcome: 'success' as const, ip: null, user_agent: null, details: '{}' }))).execute();
    const p1: any = await (await api('/admin/audit?action=test.bulk', 'GET', admin.token)).json();
    const p2: any = await (await api('/admin/audit?action=test.bulk&page=2', 'GET', admin.token)).json();
    expect([p1.total, p1.entries.length, p2.entries.length]).toEqual([60, 50, 10]);
    const html = await (await t.app.request('/admin/audit?action=test.bulk&page=2', { headers: bearer(admin.token) })).text();
    expect(html).toContain('page 2 of 2');
    expect(html).toContain('href="/admin/audit?action=test.bulk&amp;page=1"');
  });
});

describe('first start', () => {
  it('creates admin from ZQUANT_ADMIN_PASSWORD once, and rejects one under the policy', async () => {
    const db = await createTestDatabase();
    try {
      await expect(ensureFirstAdmin(db.store.db, 'admin')).rejects.toThrow('ZQUANT_ADMIN_PASSWORD: a password needs at least 12 characters (at most 1024); this one has 5');
      const first = await ensureFirstAdmin(db.store.db, 'the admin password');
      expect(first).toEqual({ created: true, username: 'admin', generatedPassword: null });
      expect(await ensureFirstAdmin(db.store.db, 'another long password')).toEqual({ created: false });
      const row = await db.store.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
      expect(await verifyPassword('the admin password', row.password_hash)).toBe(true);
    } finally {
      await db.drop();
    }
  });

  it('generates a strong password when none is configured; two instances at once create one admin', async () => {
    const db = await createTestDatabase();
    try {
      const [a, b] = await Promise.all([ensureFirstAdmin(db.store.db, null), ensureFirstAdmin(db.store.db, null)]);
      const created = [a, b].filter((r) => r.created);
      expect(created).toHaveLength(1);
      const pw = (created[0] as { generatedPassword: string }).generatedPassword;
      expect(pw).toMatch(/^[A-Za-z0-9]{24}$/);
      const rows = await db.store.db.selectFrom('users').selectAll().execute();
      expect(rows.map((r) => [r.username, r.role])).toEqual([['admin', 'admin']]);
      expect(await verifyPassword(pw, rows[0].password_hash)).toBe(true);
    } finally {
      await db.drop();
    }
  });
});

/**
 * Issue 17: an admin's password reset revokes the user's API tokens too unless asked not to (API
 * `revoke_tokens`, the page's ticked box), and a user (for themselves) or an admin (for anyone)
 * revokes every token at once; each is audited in the transaction that makes it, and open streams
 * of the revoked tokens end (the same access-ended NOTIFY as one revoked token).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/auth/tokens.service.ts';
import { systemActor } from '../../src/auth/users.service.ts';
import { bearer, makeUser } from '../helpers/accounts.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
let admin: { id: number; token: string };
let seq = 0;
beforeAll(async () => {
  t = await makeTestApp({ API_RATE_LIMIT_PER_MINUTE: '100000' });
  admin = await makeUser(t, 'root', 'admin');
});
afterAll(async () => {
  await t.close();
});

const call = async (method: string, path: string, token: string, body?: unknown) => {
  const headers = body === undefined ? bearer(token) : { ...bearer(token), 'content-type': 'application/json' };
  const res = await t.app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, text, json: text.startsWith('{') ? JSON.parse(text) : null };
};
const works = async (token: string) => (await call('GET', '/api/v1/me', token)).status === 200;
const form = (token: string, path: string, fields: Record<string, string>) =>
  t.app.request(path, { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });

/** A user with two tokens. */
async function userWithTokens(role: 'viewer' | 'analyst' = 'analyst') {
  const u = await makeUser(t, `u${++seq}`, role);
  const second = await createToken(t.deps.pg.db, systemActor('test'), { userId: u.id, name: 'second', expiresDays: null, now: new Date() });
  return { ...u, second: second.token };
}
const lastAudit = async (action: string) => {
  const row = (await sql<{ object_id: string; details: string; username: string }>`select object_id, details::text as details, username from audit_log where action = ${action} order by id desc limit 1`.execute(t.deps.pg.db)).rows[0];
  // Read as the audit page reads it (the column may hold the JSON as a string).
  const once = JSON.parse(row.details) as unknown;
  return { ...row, details: (typeof once === 'string' ? JSON.parse(once) : once) as Record<string, unknown> };
};

describe('admin password reset', () => {
  it('revokes the user’s API tokens by default (API), audited with the count', async () => {
    const u = await userWithTokens();
    const r = await call('POST', `/api/v1/admin/users/${u.id}/password`, admin.token, {});
    expect(r.status).toBe(200);
    expect(r.json.revoked_tokens).toBe(2);
    expect(await works(u.token)).toBe(false);
    expect(await works(u.second)).toBe(false);
    const a = await lastAudit('user.password');
    expect(a).toMatchObject({ object_id: String(u.id), username: 'root', details: { username: u.username, revoked_api_keys: 2 } });
    expect(await works(admin.token)).toBe(true);
  });

  it('keeps them with revoke_tokens: false', async () => {
    const u = await userWithTokens();
    const r = await call('POST', `/api/v1/admin/users/${u.id}/password`, admin.token, { revoke_tokens: false, password: 'another long password' });
    expect(r.status).toBe(200);
    expect(r.json.revoked_tokens).toBe(0);
    expect(await works(u.token)).toBe(true);
    expect(await works(u.second)).toBe(true);
  });

  it('on the users page: the box is ticked by default and unticking it keeps the tokens', async () => {
    const page = await (await t.app.request('/admin/users', { headers: bearer(admin.token) })).text();
    expect(page).toMatch(/<input type="checkbox" name="revoke_tokens" checked=""\s*\/?>\s*also revoke their API tokens/);
    const kept = await userWithTokens();
    const keptRes = await form(admin.token, `/admin/users/${kept.id}/password`, { password: '', revoke_tokens_shown: '1' });
    expect(keptRes.status).toBe(200);
    expect(await keptRes.text()).toContain('their API tokens still work');
    expect(await works(kept.token)).toBe(true);
    const gone = await userWithTokens();
    const goneRes = await form(admin.token, `/admin/users/${gone.id}/password`, { password: '', revoke_tokens_shown: '1', revoke_tokens: 'on' });
    expect(await goneRes.text()).toContain('2 API token(s) revoked');
    expect(await works(gone.token)).toBe(false);
    expect(await works(gone.second)).toBe(false);
  });
});

describe('revoke all tokens', () => {
  it('a user revokes every one of theirs (DELETE /api/v1/account/tokens), no one else’s; audited', async () => {
    const u = await userWithTokens('viewer');
    const other = await userWithTokens('viewer');
    const r = await call('DELETE', '/api/v1/account/tokens', u.token);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ revoked: 2 });
    expect(await works(u.token)).toBe(false);
    expect(await works(u.second)).toBe(false);
    expect(await works(other.token)).toBe(true);
    expect(await lastAudit('token.revoke_all')).toMatchObject({ object_id: String(u.id), username: u.username, details: { revoked: 2 } });
  });

  it('with except_current, every other one: the token making the call keeps working', async () => {
    const u = await userWithTokens('viewer');
    const r = await call('DELETE', '/api/v1/account/tokens', u.token, { except_current: true });
    expect(r.json).toEqual({ revoked: 1 });
    expect(await works(u.token)).toBe(true);
    expect(await works(u.second)).toBe(false);
  });

  it('on /account, with its button', async () => {
    const u = await userWithTokens();
    expect(await (await t.app.request('/account', { headers: bearer(u.token) })).text()).toContain('action="/account/tokens/revoke-all"');
    const res = await form(u.token, '/account/tokens/revoke-all', {});
    expect(res.status).toBe(200);
    expect(await works(u.second)).toBe(false);
  });

  it('an admin revokes any user’s (API and page); others may not', async () => {
    const u = await userWithTokens();
    expect((await call('DELETE', `/api/v1/admin/users/${u.id}/tokens`, u.token)).status).toBe(403);
    const r = await call('DELETE', `/api/v1/admin/users/${u.id}/tokens`, admin.token);
    expect(r.json).toEqual({ revoked: 2 });
    expect(await works(u.token)).toBe(false);
    expect(await lastAudit('token.revoke_all')).toMatchObject({ object_id: String(u.id), username: 'root', details: { revoked: 2 } });
    expect((await call('DELETE', '/api/v1/admin/users/999999/tokens', admin.token)).status).toBe(404);

    const v = await userWithTokens();
    const page = await form(admin.token, `/admin/users/${v.id}/tokens/revoke-all`, {});
    expect(await page.text()).toContain(`Revoked 2 API token(s) of ${v.username}`);
    expect(await works(v.token)).toBe(false);
  });

  it('ends the open event streams of every revoked token', async () => {
    const u = await userWithTokens();
    const run = await t.deps.runs!.queueRun({ executor: 'noop', params: {}, queuedBy: u.id });
    const res = await t.app.request(`/api/v1/runs/${run.id}/events`, { headers: bearer(u.second) });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let text = '';
    // The stream is watched once its first bytes are out; then revoke and read to its end.
    text += dec.decode((await reader.read()).value);
    const started = performance.now();
    expect((await call('DELETE', `/api/v1/admin/users/${u.id}/tokens`, admin.token)).json).toEqual({ revoked: 2 });
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += dec.decode(value, { stream: true });
    }
    expect(performance.now() - started).toBeLessThan(3000);
    expect(text).toContain('event: access_ended');
    expect(text).toContain('"reason":"token_revoked"');
  });
});

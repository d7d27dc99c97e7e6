import { sql, type Kysely } from 'kysely';
import type { Principal, Role } from '../../src/auth/access.ts';
import type { Database } from '../../src/db/schema.ts';
import { createToken } from '../../src/auth/tokens.service.ts';
import { createUser, systemActor } from '../../src/auth/users.service.ts';
import type { TestApp } from './app.ts';

export const testPassword = 'correct horse battery';

/** A real user with a real API token, made through the services (no backdoor in the app). */
export async function makeUser(t: TestApp, username: string, role: Role): Promise<{ id: number; username: string; token: string }> {
  const user = await createUser(t.deps.pg.db, systemActor('test'), { username, role, password: testPassword });
  const { token } = await createToken(t.deps.pg.db, systemActor('test'), { userId: user.id, name: 'test', expiresDays: null, now: new Date() });
  return { id: user.id, username, token };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Cookies from Set-Cookie headers, as name → value (a deleted cookie maps to ''). */
export function cookiesOf(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const i = pair.indexOf('=');
    out[pair.slice(0, i)] = decodeURIComponent(pair.slice(i + 1));
  }
  return out;
}

/** A tiny cookie jar over app.request, the way a browser would carry cookies. */
export class Browser {
  jar: Record<string, string> = {};
  constructor(readonly t: TestApp, readonly headers: Record<string, string> = {}) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const cookie = Object.entries(this.jar)
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
    // English unless a test asks otherwise: the suite asserts English page text (the default for a browser saying nothing is zh-CN).
    const res = await this.t.app.request(path, { ...init, headers: { 'Accept-Language': 'en', ...this.headers, ...(cookie ? { Cookie: cookie } : {}), ...(init.headers as Record<string, string>) } });
    Object.assign(this.jar, cookiesOf(res));
    return res;
  }

  /** The `_csrf` value of the first form on a page. */
  async csrfFrom(path: string): Promise<string> {
    const html = await (await this.request(path)).text();
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error(`no _csrf field on ${path}`);
    return m[1];
  }

  post(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(path, { method: 'POST', body: new URLSearchParams(form), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
  }

  async login(username: string, password = testPassword): Promise<Response> {
    // Signed in already, /login redirects away: the session's token (from any page) is the one to send.
    const signedIn = (await this.request('/login')).status === 302;
    const csrf = await this.csrfFrom(signedIn ? '/account' : '/login');
    return this.post('/login', { _csrf: csrf, username, password, next: '/' });
  }
}

/**
 * Rows in `users` for principals that tests build by hand (principal('admin', 1)), so that
 * what those principals create (runs.queued_by) satisfies the foreign keys. The password hash is
 * unusable: these users are reached through actingAs(), never by signing in.
 */
export async function insertPrincipals(db: Kysely<Database>, principals: readonly Principal[]): Promise<void> {
  for (const p of principals) {
    await sql`insert into users (id, username, password_hash, role) values (${p.userId}, ${`${p.username}-${p.userId}`}, 'unusable', ${p.role}) on conflict (id) do nothing`.execute(db);
  }
  await sql`select setval(pg_get_serial_sequence('users', 'id'), (select max(id) from users))`.execute(db);
}

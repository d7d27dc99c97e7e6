/**
 * Fuzz suite (issue 17): thousands of requests generated from /api/v1/openapi.json (every path and
 * method) and from the pages' forms, with hostile mutations, through the real app over a real
 * Postgres. Fails on any 5xx, any answer slower than 5 s, and any write left behind by a refused
 * (4xx) request. Seeded and bounded: the same requests on every run.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/access.ts';
import { systemActor, createUser } from '../../src/auth/users.service.ts';
import { createToken } from '../../src/auth/tokens.service.ts';
import { createStrategy } from '../../src/strategies/strategies.service.ts';
import { StrategyInputSchema } from '../../src/strategies/strategies.contract.ts';
import { parseInput } from '../../src/http/contract.ts';
import { strategyTemplate } from '../../src/strategies/template.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { bodyFor, formsOf, hostileIds, hostileQueryValues, multipart, resolver, valueFor, type FuzzRequest } from '../helpers/fuzz.ts';

const seed = 20261206;
const slowMs = 5_000;
const csrf = 'fuzz-csrf-token-0123456789abcdefghijklmnopqrstu';

let t: TestApp;
let admin: Principal;
const statuses = new Map<number, number>();
let total = 0;
let slowest = { ms: 0, what: '' };
const failures: string[] = [];

/** Rows of the tables a request could write, audit entries of successes included (a refusal may log its failure). */
async function rowCounts(): Promise<string> {
  const r = await sql<Record<string, string>>`
    select (select count(*) from users) u, (select count(*) from api_tokens) tk, (select count(*) from sessions) se,
      (select count(*) from strategies) st, (select count(*) from strategy_versions) sv, (select count(*) from backtests) bt,
      (select count(*) from scheduled_tasks) ta, (select count(*) from runs) ru,
      (select count(*) from audit_log where outcome = 'success') au,
      (select coalesce(sum(hashtext(password_hash || role || disabled::text)), 0) from users) uh,
      (select count(*) from api_tokens where revoked_at is not null) rv,
      (select coalesce(sum(hashtext(name || enabled::text || paused::text)), 0) from scheduled_tasks) th,
      (select coalesce(sum(hashtext(name || current_version::text)), 0) from strategies) sh,
      (select coalesce(sum(hashtext(status)), 0) from runs) rh`.execute(t.deps.pg.db);
  return JSON.stringify(r.rows[0]);
}

/** Sends one request and records what went wrong; `concurrent` requests skip the row-count check (others write meanwhile). */
async function send(req: FuzzRequest, concurrent = false): Promise<number> {
  const headers: Record<string, string> = { 'x-fuzz-as': req.as, ...req.headers };
  const checkWrites = req.method !== 'GET' && !concurrent;
  const before = checkWrites ? await rowCounts() : '';
  const started = performance.now();
  let status = 0;
  try {
    const res = await t.app.request(req.url, { method: req.method, headers, body: req.body as BodyInit | undefined });
    status = res.status;
    // Streams (SSE) are not drained: their headers are the answer.
    if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) await res.body?.cancel();
    else await res.arrayBuffer();
  } catch (err) {
    const sent = typeof req.body === 'string' ? req.body : req.body ? new TextDecoder().decode(req.body) : '';
    failures.push(`${req.method} ${req.url.slice(0, 200)} (${req.note}) with body ${JSON.stringify(sent.slice(0, 300))} threw ${(err as Error).message.slice(0, 300)}`);
  }
  const ms = performance.now() - started;
  total++;
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
  if (ms > slowest.ms) slowest = { ms, what: `${req.method} ${req.url.slice(0, 80)}` };
  const what = `${req.method} ${req.url.slice(0, 200)} as ${req.as} (${req.note}) → ${status}`;
  if (status >= 500 || status === 0) failures.push(what);
  if (ms > slowMs) failures.push(`${what} took ${Math.round(ms)} ms`);
  if (checkWrites && status >= 400 && status < 500) {
    const after = await rowCounts();
    if (after !== before) failures.push(`${what} was refused but wrote: ${before} → ${after}`);
  }
  return status;
}

const fill = (path: string, id: string) => path.replace(/\{[^}]+\}/g, id).replace(/:[a-zA-Z]+(\{[^}]*\})?/g, id);

beforeAll(async () => {
  t = await makeTestApp(
    { API_RATE_LIMIT_PER_MINUTE: '100000000', LOGIN_FAILURES_PER_IP: '100000000', LOGIN_FAILURES_PER_USERNAME: '100000000', BACKTEST_MAX_QUEUED_PER_USER: '5' },
    {
      // Who is calling is injected (as tests do): the fuzzer may revoke tokens and reset passwords, so a
      // real credential of its own would not last. Sessions carry a CSRF token the forms send back.
      authenticate: async (c) => {
        const as = c.req.header('x-fuzz-as');
        if (as === 'session') c.set('csrfToken', csrf);
        return as === 'admin' ? admin : as === 'session' ? { ...admin, via: 'session' } : null;
      },
    },
  );
  const db = t.deps.pg.db;
  const user = await createUser(db, systemActor('fuzz'), { username: 'fuzz-admin', role: 'admin', password: 'correct horse battery' });
  admin = { userId: user.id, username: user.username, role: 'admin', via: 'token' };
  await createUser(db, systemActor('fuzz'), { username: 'fuzz-viewer', role: 'viewer', password: 'correct horse battery' });
  await createToken(db, systemActor('fuzz'), { userId: user.id, name: 'fuzz', expiresDays: null, now: new Date() });
  await createStrategy(db, admin, parseInput(StrategyInputSchema, { name: 'fuzz strategy', code: strategyTemplate }));
  await t.app.request('/api/v1/scheduler/tasks', {
    method: 'POST', headers: { 'x-fuzz-as': 'admin', 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'fuzz-task', executor: 'noop', schedule: { kind: 'manual' } }),
  });
  await t.app.request('/api/v1/runs', { method: 'POST', headers: { 'x-fuzz-as': 'admin', 'content-type': 'application/json' }, body: JSON.stringify({ executor: 'noop' }) });
}, 120_000);

afterAll(async () => {
  // One line the closing note quotes.
  const byStatus = [...statuses.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}:${n}`).join(' ');
  console.log(`fuzz summary: ${total} requests, statuses ${byStatus}, 5xx ${[...statuses].filter(([s]) => s >= 500).reduce((n, [, k]) => n + k, 0)}, slowest ${Math.round(slowest.ms)} ms (${slowest.what}), seed ${seed}`);
  await t?.close();
});

describe('fuzz (issue 17)', () => {
  // Each test answers for its own requests.
  beforeEach(() => {
    failures.length = 0;
  });

  it('answers every case the issue lists without a 5xx and without writing', async () => {
    const json = (method: string, url: string, body: string, as: FuzzRequest['as'] = 'admin'): FuzzRequest => ({ method, url, headers: { 'content-type': 'application/json' }, body, as, note: 'listed case' });
    const get = (url: string, as: FuzzRequest['as'] = 'admin'): FuzzRequest => ({ method: 'GET', url, headers: {}, as, note: 'listed case' });
    const strategyBody = (name: string) => JSON.stringify({ name, code: strategyTemplate });
    const cases: Array<[FuzzRequest, number]> = [
      [json('POST', '/api/v1/account/tokens', '{"name":"\\ud800"}'), 400],
      [json('POST', '/api/v1/account/tokens', '{"name":"a\\u0000b"}'), 400],
      [json('POST', '/api/v1/strategies', strategyBody('nul\u0000name')), 400],
      [get('/api/v1/strategies?q=%00'), 400],
      [get('/api/v1/strategies/2147483648'), 404],
      [json('PUT', '/api/v1/strategies/2147483648', strategyBody('x')), 404],
      [{ ...get('/api/v1/strategies/2147483648'), method: 'DELETE' }, 404],
      [get('/api/v1/runs/9223372036854775808'), 404],
      [get('/backtests?offset=9223372036854775808', 'session'), 400],
      [get('/admin/audit?page=9223372036854775808', 'session'), 400],
      [get('/market?offset=1e309', 'session'), 400],
      [get('/market/log?offset=99999999999999999999', 'session'), 400],
      [get('/api/v1/market/stocks?offset=1e309'), 400],
      [get('/api/v1/market/stocks?offset=99999999999999999999'), 400],
      [get('/api/v1/market/sync-log?offset=1e309'), 400],
      [get('/api/v1/backtests?offset=1e309'), 400],
      [get('/api/v1/backtests?offset=99999999999999999999'), 400],
      [get('/api/v1/backtests?from=0000-01-01'), 400],
      [get('/api/v1/backtests?to=9999-12-31'), 400],
      [json('POST', '/api/v1/backtests', JSON.stringify({ strategy: 'dual_ma', codes: ['600000.SH'], start_date: '0000-01-01', end_date: '9999-12-31' })), 400],
      [get('/api/v1/admin/audit?from=0000-01-01'), 400],
      [get('/api/v1/admin/audit?to=9999-12-31'), 400],
      [get('/admin/audit?from=0000-01-01', 'session'), 400],
      [json('PATCH', '/api/v1/scheduler/tasks/1', `{"config":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`), 400],
      [json('PATCH', '/api/v1/scheduler/tasks/1', `{"config":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`), 400],
      ...['+1', '%201', '0x10', '1e3'].flatMap((id): Array<[FuzzRequest, number]> => [
        [{ ...get(`/api/v1/account/tokens/${id}`), method: 'DELETE' }, 404],
        [json('POST', `/api/v1/admin/users/${id}/password`, '{}'), 404],
        [{ method: 'POST', url: `/account/tokens/${id}/revoke`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${csrf}`, as: 'session', note: 'listed case' }, 404],
        [{ method: 'POST', url: `/admin/users/${id}/password`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${csrf}`, as: 'session', note: 'listed case' }, 404],
      ]),
    ];
    for (const [req, expected] of cases) {
      const status = await send(req);
      expect.soft(status, `${req.method} ${req.url.slice(0, 120)}`).toBe(expected);
    }
    expect(failures).toEqual([]);
  });

  it('a PUT racing a DELETE of the same strategy answers 200/404/409, never 500', async () => {
    for (let i = 0; i < 8; i++) {
      const created = await t.app.request('/api/v1/strategies', { method: 'POST', headers: { 'x-fuzz-as': 'admin', 'content-type': 'application/json' }, body: JSON.stringify({ name: `race ${i}`, code: strategyTemplate }) });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: number };
      const [put, del] = await Promise.all([
        send({ method: 'PUT', url: `/api/v1/strategies/${id}`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `race ${i} b`, code: `${strategyTemplate}\n// v2` }), as: 'admin', note: 'race' }, true),
        send({ method: 'DELETE', url: `/api/v1/strategies/${id}`, headers: {}, as: 'admin', note: 'race' }, true),
      ]);
      expect([200, 404, 409]).toContain(put);
      expect([200, 404]).toContain(del);
    }
    expect(failures).toEqual([]);
  });

  it('survives requests generated from the OpenAPI document', async () => {
    const doc = (await (await t.app.request('/api/v1/openapi.json', { headers: { 'x-fuzz-as': 'admin' } })).json()) as Record<string, any>;
    const resolve = resolver(doc);
    const operations: fc.Arbitrary<FuzzRequest>[] = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(item)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        const params = (op.parameters ?? []) as Array<{ name: string; in: string; schema?: Record<string, any> }>;
        const query = params.filter((p) => p.in === 'query');
        const bodySchema = op.requestBody?.content?.['application/json']?.schema;
        const queryArb = fc.array(
          fc.oneof(
            ...(query.length ? [fc.constantFrom(...query).chain((p) => fc.oneof(valueFor(p.schema, resolve).map((v) => String(v)), fc.constantFrom(...hostileQueryValues)).map((v) => [p.name, v] as const))] : []),
            fc.constantFrom(...hostileQueryValues).map((v) => ['unknown', v] as const),
          ),
          { maxLength: 3 },
        );
        operations.push(
          fc
            .record({
              id: fc.constantFrom(...hostileIds),
              query: queryArb,
              body: bodySchema ? bodyFor(bodySchema, resolve) : fc.constant(null),
              as: fc.constantFrom<FuzzRequest['as']>('admin', 'admin', 'admin', 'admin', 'anon'),
            })
            .map(({ id, query: q, body, as }): FuzzRequest => {
              // `wait` blocks while a run is queued (no workers here): bounded so a request stays under the 5 s budget.
              const qs = q.filter(([k, v]) => k !== 'wait' || !/^[0-9]+$/.test(v) || Number(v) <= 1).map(([k, v]) => `${k}=${/^[\x21-\x7e]*$/.test(v) ? v : encodeURIComponent(v)}`).join('&');
              return {
                method: method.toUpperCase(),
                url: `/api/v1${fill(path, id)}${qs ? `?${qs}` : ''}`,
                headers: body ? { 'content-type': 'application/json' } : ({} as Record<string, string>),
                body: body?.text,
                as,
                note: `${method} ${path} ${body?.note ?? ''}`.trim(),
              };
            }),
        );
      }
    }
    expect(operations.length).toBeGreaterThan(40);
    await fc.assert(
      fc.asyncProperty(fc.oneof(...operations), async (req) => {
        await send(req);
        return true;
      }),
      { seed, numRuns: 7_000, endOnFailure: true },
    );
    expect(failures).toEqual([]);
  });

  it('survives the pages: their forms posted with the CSRF token, truncated multipart, hostile ids and queries', async () => {
    const pages = ['/', '/account', '/admin/users', '/admin/audit', '/strategies', '/strategies/new', '/strategies/1', '/backtests', '/backtests/new', '/scheduler', '/scheduler/tasks/new', '/scheduler/tasks/1', '/runs', '/market', '/market/coverage', '/market/log', '/login'];
    const forms = new Map<string, { fields: string[]; multipart: boolean }>();
    for (const page of pages) {
      const res = await t.app.request(page, { headers: { 'x-fuzz-as': 'session' } });
      for (const f of formsOf(await res.text())) forms.set(f.action, { fields: [...new Set([...(forms.get(f.action)?.fields ?? []), ...f.fields])], multipart: f.multipart || !!forms.get(f.action)?.multipart });
    }
    // Every POST route, with the fields its forms have (or a generic set when no page shows it).
    const routes = t.app.routes.filter((r) => r.method === 'POST' && !r.path.startsWith('/api'));
    const generic = ['name', 'code', 'username', 'password', 'role', 'next', 'dataset', 'codes', 'start', 'end', 'params', 'files'];
    const targets = [...new Set(routes.map((r) => r.path))].map((path) => {
      const concrete = fill(path, '1');
      const form = forms.get(concrete) ?? [...forms.entries()].find(([a]) => a.split('?')[0] === concrete)?.[1];
      return { path, fields: form?.fields.length ? form.fields : generic, multipart: form?.multipart ?? path === '/market/import' };
    });
    expect(targets.length).toBeGreaterThan(15);
    // Every form post, its multipart body cut in half: a 400, never a 500, nothing written.
    for (const target of targets) {
      const boundary = 'fuzzboundary7MA4YWxk';
      const body = multipart([['_csrf', csrf], ...target.fields.map((f): [string, string] => [f, 'x'.repeat(40)])], boundary, 0.5);
      const status = await send({ method: 'POST', url: fill(target.path, '1'), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body, as: 'session', note: 'truncated multipart' });
      expect.soft(status, `truncated multipart to ${target.path}`).toBe(400);
    }
    const value = fc.oneof(
      fc.constantFrom(...hostileQueryValues.filter((v) => !v.includes('%')), 'a\u0000b', '\u0000', '\ud800', 'x\udc00', 'analyst', 'viewer', 'admin', 'true', 'dual_ma', 'builtin:dual_ma', 'user:2147483648', 'user:+1', '600000.SH', 'correct horse battery'),
      fc.string({ maxLength: 12 }),
    );
    // A lone surrogate cannot be UTF-8: sent as the bytes a careless client would send.
    const encode = (v: string) => v.split('').map((ch) => { try { return encodeURIComponent(ch); } catch { return '%ED%A0%80'; } }).join('');
    const formPost = fc
      .record({
        target: fc.constantFrom(...targets),
        id: fc.constantFrom(...hostileIds),
        values: fc.array(value, { minLength: 12, maxLength: 12 }),
        shape: fc.constantFrom('urlencoded', 'urlencoded', 'multipart', 'truncated', 'no-csrf', 'anon'),
        cut: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
      })
      .map(({ target, id, values, shape, cut }): FuzzRequest => {
        const pairs: Array<[string, string]> = target.fields.map((f, i) => [f, values[i % values.length]]);
        const url = fill(target.path, id);
        const withCsrf: Array<[string, string]> = shape === 'no-csrf' ? pairs : [['_csrf', csrf], ...pairs];
        const as = shape === 'anon' ? 'anon' : 'session';
        if (shape === 'multipart' || shape === 'truncated' || target.multipart) {
          const boundary = 'fuzzboundary7MA4YWxk';
          return { method: 'POST', url, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: multipart(withCsrf, boundary, shape === 'truncated' ? cut : null), as, note: `form ${shape}` };
        }
        const body = withCsrf.map(([k, v]) => `${k}=${encode(v)}`).join('&');
        return { method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, as, note: `form ${shape}` };
      });
    const pageGet = fc
      .record({ page: fc.constantFrom(...pages, '/backtests/:id', '/runs/:id', '/strategies/:id', '/scheduler/tasks/:id', '/backtests/compare', '/market/stocks/:id', '/backtests/:id/export/trades.csv'), id: fc.constantFrom(...hostileIds), key: fc.constantFrom('offset', 'page', 'from', 'to', 'q', 'status', 'ids', 'strategy', 'range', 'adj', 'next', 'user', 'action', 'unknown'), v: fc.constantFrom(...hostileQueryValues) })
      .map(({ page, id, key, v }): FuzzRequest => ({ method: 'GET', url: `${fill(page, id)}?${key}=${v}`, headers: {}, as: 'session', note: 'page query' }));
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 3, arbitrary: formPost }, { weight: 1, arbitrary: pageGet }), async (req) => {
        await send(req);
        return true;
      }),
      { seed: seed + 1, numRuns: 3_200, endOnFailure: true },
    );
    expect(failures).toEqual([]);
  });

  it('sent at least 10,000 requests', () => {
    expect(total).toBeGreaterThanOrEqual(10_000);
  });
});

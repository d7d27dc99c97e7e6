/**
 * The contract check every test's /api/v1 answers go through (test/helpers/contract-check.ts) can
 * fail: each way an answer can break its documented schema is caught here on a small document.
 */
import { z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { makeApiRouter } from '../../src/http/api.ts';
import { json, operation } from '../../src/http/contract.ts';
import { documentApi } from '../../src/http/openapi.ts';
import { makeContractChecker, nonSnakeKeys } from '../helpers/contract-check.ts';

const Thing = z.object({ id: z.number().int(), made_at: z.iso.datetime(), tags: z.array(z.string()), params: z.record(z.string(), z.unknown()) }).openapi('Thing');

function checker() {
  const api = makeApiRouter();
  const document = documentApi(api, 'x');
  api.openapi(
    operation({ method: 'get', path: '/things/{id}', operationId: 'getThing', summary: 'One thing', request: { params: z.object({ id: z.string() }) }, responses: { 200: json(Thing, 'the thing') } }),
    (c) => c.json({ id: 1, made_at: new Date(0).toISOString(), tags: [], params: {} }, 200),
  );
  api.openapi(
    operation({ method: 'get', path: '/things/stats', operationId: 'thingStats', summary: 'Counts', responses: { 200: json(z.object({ count: z.number() }), 'counts') } }),
    (c) => c.json({ count: 0 }, 200),
  );
  return makeContractChecker(document());
}

const check = (path: string, status: number, body: unknown, type = 'application/json') =>
  checker().problems('GET', path, status, type, typeof body === 'string' ? body : JSON.stringify(body));

describe('the contract check', () => {
  const good = { id: 3, made_at: '2026-12-06T03:00:00.000Z', tags: ['a'], params: { shortWindow: 5 } };

  it('accepts an answer that matches its documented schema (the caller\'s own params may use any keys)', () => {
    expect(check('/api/v1/things/3', 200, good)).toEqual([]);
    expect(check('/api/v1/things/stats', 200, { count: 2 }), 'a literal path wins over /things/{id}').toEqual([]);
  });

  it('catches a field the document does not name', () => {
    expect(check('/api/v1/things/3', 200, { ...good, secret: 1 }).join('\n')).toMatch(/must NOT have additional properties \(secret\)/);
  });

  it('catches a missing required field and a wrong type', () => {
    const { tags: _t, ...missing } = good;
    expect(check('/api/v1/things/3', 200, missing).join('\n')).toMatch(/must have required property 'tags'/);
    expect(check('/api/v1/things/3', 200, { ...good, id: '3' }).join('\n')).toMatch(/\/id must be integer/);
    expect(check('/api/v1/things/3', 200, { ...good, made_at: '2026-12-06' }).join('\n')).toMatch(/made_at must match format "date-time"/);
  });

  it('catches camelCase keys, and documented-but-wrong statuses and content types', () => {
    const camel = z.object({ runId: z.number() });
    expect(nonSnakeKeys({ a_b: { runId: 1 }, list: [{ okKey: 1 }] })).toEqual(['$.a_b.runId', '$.list[0].okKey']);
    expect(camel.safeParse({ runId: 1 }).success).toBe(true);
    expect(check('/api/v1/things/3', 202, good).join('\n')).toMatch(/status 202 is not documented/);
    expect(check('/api/v1/things/3', 200, 'a,b', 'text/csv').join('\n')).toMatch(/content type text\/csv is not documented/);
  });

  it('accepts documented errors, and a 404 for a route nobody serves, but not a 200 from one', () => {
    expect(check('/api/v1/things/3', 404, { error: { code: 'not_found', message: 'thing 3 was not found' } })).toEqual([]);
    expect(check('/api/v1/things/3', 404, { error: { code: 'not_found' } }).join('\n')).toMatch(/required property 'message'/);
    expect(check('/api/v1/nothing', 404, { error: { code: 'not_found', message: 'x' } })).toEqual([]);
    expect(check('/api/v1/nothing', 200, {}).join('\n')).toMatch(/has no such operation/);
  });
});

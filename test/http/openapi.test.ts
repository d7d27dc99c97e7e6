import { createRoute, z } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApiRouter } from '../../src/http/api.ts';
import type { AppEnv } from '../../src/http/env.ts';
import { apiBase, documentApi, type OpenApiDocument } from '../../src/http/openapi.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { actingAs, principal } from '../helpers/auth.ts';
import { compareRoutesWithDocument, openApiPath } from '../helpers/openapi.ts';

let viewer: TestApp;
let anonymous: TestApp;
let doc: OpenApiDocument;

beforeAll(async () => {
  viewer = await makeTestApp({}, { authenticate: actingAs(principal('viewer')) });
  anonymous = await makeTestApp();
  const res = await viewer.app.request('/api/v1/openapi.json');
  expect(res.status).toBe(200);
  doc = (await res.json()) as OpenApiDocument;
});
afterAll(async () => {
  await viewer?.close();
  await anonymous?.close();
});

describe('GET /api/v1/openapi.json', () => {
  it('is an OpenAPI 3.1 document of this API, with bearer auth and the /api/v1 server', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('test'); // makeTestApp's version
    expect(doc.servers).toEqual([{ url: '/api/v1' }]);
    expect(doc.components?.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths?.['/openapi.json']?.get?.summary).toMatch(/OpenAPI 3\.1/);
  });

  it('sits behind requireRole: 401 for anonymous callers', async () => {
    const res = await anonymous.app.request('/api/v1/openapi.json');
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('unauthenticated');
  });

  // Generic on purpose: every /api/v1 route any feature registers on the real app is checked here.
  it('describes every /api/v1 route the app serves, and serves every route it describes', () => {
    const result = compareRoutesWithDocument(viewer.app.routes, doc, apiBase);
    expect(result.served).toContain('GET /openapi.json');
    expect(result.undocumented, 'routes declared without createRoute (use api.openapi(createRoute(...)))').toEqual([]);
    expect(result.unserved, 'documented routes missing from the app (mount feature routers before app.route("/api/v1", api))').toEqual([]);
  });

  it('the comparison catches a route registered without createRoute (so the test above can fail)', () => {
    const api = makeApiRouter();
    const document = documentApi(api, 'x');
    api.openapi(
      createRoute({ method: 'get', path: '/things/{id}', request: { params: z.object({ id: z.string() }) }, responses: { 204: { description: 'ok' } } }),
      (c) => c.body(null, 204),
    );
    api.get('/plain', (c) => c.text('not described'));
    const app = new Hono<AppEnv>();
    app.route('/api/v1', api);
    const result = compareRoutesWithDocument(app.routes, document(), apiBase);
    expect(result.undocumented).toEqual(['GET /plain']);
    expect(result.unserved).toEqual([]);
    expect(result.served).toContain('GET /things/{id}');
  });

  it('maps Hono paths to OpenAPI paths', () => {
    expect(openApiPath('/api/v1/runs/:id{[0-9]+}/events', '/api/v1')).toBe('/runs/{id}/events');
    expect(openApiPath('/api/v1/a/:x/b/:y', '/api/v1')).toBe('/a/{x}/b/{y}');
  });
});

describe('GET /api-docs', () => {
  it('asks anonymous callers to sign in', async () => {
    const res = await anonymous.app.request('/api-docs');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/login?next=%2Fapi-docs');
  });

  it('lists every documented operation with a curl example in the site layout', async () => {
    const res = await viewer.app.request('http://zq.example:3000/api-docs');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<title>API reference · zquant</title>');
    expect(html).toContain('class="topbar"');
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const method of Object.keys(item as object)) {
        expect(html, `${method} ${path}`).toContain(`>${method.toUpperCase()}</span> <code>/api/v1${path}</code>`);
      }
    }
    // The example uses the address the page was reached at, and the token header.
    expect(html).toContain(`curl -s &#39;http://zq.example:3000/api/v1/openapi.json&#39; \\\n  -H &quot;Authorization: Bearer $TOKEN&quot;`);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApiRouter } from '../../src/http/api.ts';
import type { AppEnv } from '../../src/http/env.ts';
import { apiBase, documentApi, type OpenApiDocument } from '../../src/http/openapi.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { actingAs, principal } from '../helpers/auth.ts';
import { compareRoutesWithDocument, openApiPath } from '../helpers/openapi.ts';

/** The Redocly CLI's entry point, run with this Node (the CI's). */
const redoclyBin = join(dirname(createRequire(import.meta.url).resolve('@redocly/cli/package.json')), 'bin', 'cli.js');

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

  it('is readable without signing in (it holds no data), and is the same document', async () => {
    const res = await anonymous.app.request('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(doc);
    expect(doc.paths?.['/openapi.json']?.get?.security).toEqual([]);
  });

  it('states the one convention the API follows', () => {
    expect(doc.info.description).toMatch(/snake_case in requests, responses, query strings and server-sent event data/);
    expect(doc.info.description).toMatch(/YYYY-MM-DD/);
    expect(doc.info.description).toMatch(/ISO 8601 UTC/);
  });

  it('gives every operation a unique operationId, a summary, a documented 2xx and its 4xx answers', () => {
    const ids: string[] = [];
    const problems: string[] = [];
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const [method, op] of Object.entries(item as Record<string, { operationId?: string; summary?: string; responses?: Record<string, unknown> }>)) {
        const where = `${method.toUpperCase()} ${path}`;
        if (!op.operationId) problems.push(`${where}: no operationId`);
        else ids.push(op.operationId);
        if (!op.summary) problems.push(`${where}: no summary`);
        const statuses = Object.keys(op.responses ?? {});
        if (!statuses.some((s) => s.startsWith('2'))) problems.push(`${where}: no 2xx answer`);
        if (!statuses.some((s) => s.startsWith('4'))) problems.push(`${where}: no 4xx answer`);
      }
    }
    expect(problems).toEqual([]);
    expect(ids.length).toBeGreaterThan(40);
    expect(new Set(ids).size, 'operationIds are unique').toBe(ids.length);
  });

  it('refuses an unknown query parameter on every GET operation, naming it (a misspelt or renamed one is never silently ignored)', async () => {
    const gets = Object.entries(doc.paths ?? {}).filter(([path, item]) => 'get' in (item as object) && !path.includes('{') && path !== '/openapi.json').map(([path]) => path);
    expect(gets.length).toBeGreaterThan(10);
    const admin = await makeTestApp({}, { authenticate: actingAs(principal('admin')) });
    // The required parameters of the two routes that have some, so the unknown one is the only problem.
    const required: Record<string, string> = { '/market/daily': 'ts_code=600000.SH&', '/market/calendar': 'start_date=2024-01-01&end_date=2024-01-31&' };
    const wrong: string[] = [];
    for (const path of gets) {
      const res = await admin.app.request(`/api/v1${path}?${required[path] ?? ''}startDate=2024-01-01`);
      const body = (await res.json()) as { error?: { details?: { field?: string } } };
      if (res.status !== 400 || body.error?.details?.field !== 'startDate') wrong.push(`${path}: ${res.status} ${JSON.stringify(body).slice(0, 120)}`);
    }
    await admin.close();
    expect(wrong).toEqual([]);
  });

  it('passes the Redocly CLI lint (recommended rules) with no error and no warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zq-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(doc));
      const out = spawnSync(process.execPath, [redoclyBin, 'lint', file, '--extends', 'recommended', '--format', 'json'], { encoding: 'utf8', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } });
      const report = JSON.parse(out.stdout) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string; location: { pointer: string }[] }[] };
      const problems = report.problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
      expect(problems).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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

import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/http/errors.ts';
import { contentSecurityPolicy } from '../../src/http/security-headers.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { actingAs, principal } from '../helpers/auth.ts';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('health', () => {
  it('GET /healthz answers while the process is up', async () => {
    const res = await t.app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', version: 'test' });
  });

  it('GET /readyz answers 200 when both stores answer a query', async () => {
    const res = await t.app.request('/readyz');
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(body.status).toBe('ready');
    expect(body.checks.postgres.ok).toBe(true);
    expect(body.checks.duckdb.ok).toBe(true);
  });

  it('GET /readyz answers 503 naming the store that does not answer', async () => {
    const broken = await makeTestApp();
    await broken.market.close();
    try {
      const res = await broken.app.request('/readyz');
      expect(res.status).toBe(503);
      const body: any = await res.json();
      // Named, without the driver's message (it can hold hosts, users, SQL): that is logged.
      expect(body.checks.duckdb).toMatchObject({ ok: false, error: expect.stringMatching(/^duckdb does not answer \(the server log has why, under request [\w-]+\)$/) });
      expect(JSON.stringify(body)).not.toContain('market store is closed');
      expect(body.checks.postgres.ok).toBe(true);
    } finally {
      await broken.db.drop();
    }
  });
});

describe('pages and errors', () => {
  it('renders the home page in the layout with navigation to every section (Admin for admins only)', async () => {
    expect((await t.app.request('/')).status).toBe(302); // anonymous: to /login
    const asAdmin = await makeTestApp({}, { authenticate: actingAs(principal('admin')) });
    try {
      const res = await asAdmin.app.request('/');
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
      for (const href of ['/backtests', '/strategies', '/market', '/scheduler', '/admin']) expect(html).toContain(`href="${href}"`);
      const asViewer = asAdmin.appWith({ authenticate: actingAs(principal('viewer')) });
      const viewerHtml = await (await asViewer.request('/')).text();
      expect(viewerHtml).toContain('href="/market"');
      expect(viewerHtml).not.toContain('href="/admin"');
    } finally {
      await asAdmin.close();
    }
  });

  it('answers unknown /api paths with JSON 404', async () => {
    const res = await t.app.request('/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body: any = await res.json();
    expect(body.error).toMatchObject({ code: 'not_found', message: 'no endpoint GET /api/v1/nothing-here; see / for what exists' });
  });

  it('answers unknown pages with an HTML page, and htmx with the fragment alone', async () => {
    const page = await t.app.request('/no-such-page');
    expect(page.status).toBe(404);
    const html = await page.text();
    expect(html).toContain('<nav');
    expect(html).toContain('no page at /no-such-page');
    const fragment = await t.app.request('/no-such-page', { headers: { 'HX-Request': 'true' } });
    const frag = await fragment.text();
    expect(fragment.status).toBe(404);
    expect(frag).not.toContain('<nav');
    expect(frag).toContain('role="alert"');
  });

  it('sets the security headers on every response', async () => {
    for (const path of ['/', '/healthz', '/api/v1/x']) {
      const res = await t.app.request(path);
      expect(res.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('keeps a sane incoming X-Request-Id and replaces a hostile one', async () => {
    const kept = await t.app.request('/healthz', { headers: { 'X-Request-Id': 'abc-123' } });
    expect(kept.headers.get('x-request-id')).toBe('abc-123');
    const replaced = await t.app.request('/healthz', { headers: { 'X-Request-Id': 'a b<script>' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('onError', () => {
  // A throwaway app mounting routes that throw, wrapped by the real createApp error handling.
  async function appWithThrowingRoutes() {
    const app = t.appWith({});
    const extra = new Hono();
    extra.get('/api/test-only/boom', () => {
      throw new Error('secret internals');
    });
    extra.get('/api/test-only/bad', () => {
      throw new AppError(422, 'bad_window', 'short_window must be below long_window; lower short_window');
    });
    extra.get('/boom', () => {
      throw new Error('secret internals');
    });
    // Routes added after createApp still pass through its onError (outside /api/v1, whose answers
    // are checked against the OpenAPI document).
    app.route('/', extra);
    return app;
  }

  it('renders AppError as JSON with its status, code and message under /api', async () => {
    const app = await appWithThrowingRoutes();
    const res = await app.request('/api/test-only/bad');
    expect(res.status).toBe(422);
    const body: any = await res.json();
    expect(body.error).toMatchObject({ code: 'bad_window', message: 'short_window must be below long_window; lower short_window' });
  });

  it('hides the message of an unexpected error, as JSON and as a page', async () => {
    const app = await appWithThrowingRoutes();
    const api = await app.request('/api/test-only/boom');
    expect(api.status).toBe(500);
    expect(JSON.stringify(await api.json())).not.toContain('secret internals');
    const page = await app.request('/boom');
    expect(page.status).toBe(500);
    expect(await page.text()).not.toContain('secret internals');
  });
});

describe('assets', () => {
  it('serves public files under a content-hashed URL with an immutable cache', async () => {
    const url = t.deps.assets.url('vendor/htmx-4.0.1.min.js');
    expect(url).toMatch(/^\/public\/[0-9a-f]{10}\/vendor\/htmx-4\.0\.1\.min\.js$/);
    const res = await t.app.request(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await res.text()).length).toBeGreaterThan(10_000);
  });

  it('answers 404 for a stale hash or a path outside public/', async () => {
    expect((await t.app.request('/public/0000000000/vendor/htmx-4.0.1.min.js')).status).toBe(404);
    const hash = t.deps.assets.url('css/app.css').split('/')[2];
    expect((await t.app.request(`/public/${hash}/../package.json`)).status).toBe(404);
  });
});

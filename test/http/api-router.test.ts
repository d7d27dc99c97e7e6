import { createRoute, z } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { requireRole, type Principal } from '../../src/auth/access.ts';
import { makeApiRouter } from '../../src/http/api.ts';
import type { AppEnv } from '../../src/http/env.ts';
import { describeError } from '../../src/http/on-error.ts';
import { principal } from '../helpers/auth.ts';

/** A tiny app with one validated, role-protected route, wired the way createApp wires /api/v1. */
function appAs(who: Principal | null) {
  const api = makeApiRouter();
  api.openapi(
    createRoute({
      method: 'post',
      path: '/things',
      middleware: [requireRole('analyst')] as const,
      request: { body: { content: { 'application/json': { schema: z.object({ short_window: z.number().int().min(1) }) } }, required: true } },
      responses: { 200: { description: 'ok', content: { 'application/json': { schema: z.object({ ok: z.boolean() }) } } } },
    }),
    (c) => c.json({ ok: c.req.valid('json').short_window > 0 }, 200),
  );
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    c.set('principal', who);
    await next();
  });
  app.route('/api/v1', api);
  app.onError((err, c) => {
    const r = describeError(err);
    return c.json({ error: { code: r.code, message: r.message } }, r.status);
  });
  return app;
}

const post = (app: ReturnType<typeof appAs>, body: unknown) =>
  app.request('/api/v1/things', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('API router and roles', () => {
  it('answers 401 for anonymous callers', async () => {
    const res = await post(appAs(null), { short_window: 5 });
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('unauthenticated');
  });

  it('answers 403 when the role is too low, naming the role needed', async () => {
    const res = await post(appAs(principal('viewer')), { short_window: 5 });
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toContain('needs the analyst role');
  });

  it('validates the body and names the field', async () => {
    const res = await post(appAs(principal('analyst')), { short_window: 0 });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.message).toMatch(/^short_window: /);
  });

  it('lets a valid request from a high enough role through', async () => {
    const res = await post(appAs(principal('admin')), { short_window: 5 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});

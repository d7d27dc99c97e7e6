import { Hono } from 'hono';
import { ApiDocsPage } from '../../views/api-docs/api-docs.tsx';
import { requireRole } from '../auth/access.ts';
import { referenceModel } from './api-reference.ts';
import type { PageChromeFn } from './chrome.ts';
import type { AppEnv } from './env.ts';
import type { OpenApiDocument } from './openapi.ts';

/** GET /api-docs: the server-rendered API reference, for anyone who may call the API (viewer and up). */
export function apiDocsRoutes(deps: { chrome: PageChromeFn; document: () => OpenApiDocument }) {
  const app = new Hono<AppEnv>();
  app.get('/api-docs', requireRole('viewer'), (c) => {
    // Examples use the address the reader reached this server at, so they paste and run.
    const origin = new URL(c.req.url).origin;
    return c.html(<ApiDocsPage chrome={deps.chrome(c)} model={referenceModel(deps.document(), origin)} />);
  });
  return app;
}

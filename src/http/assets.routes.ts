import { Hono } from 'hono';
import type { Assets } from './assets.ts';
import { notFound } from './errors.ts';

/** Serves public/ under content-hashed URLs with a year-long immutable cache. */
export function assetRoutes(assets: Assets) {
  const app = new Hono();
  app.get('/public/:hash/:name{.+}', (c) => {
    const asset = assets.lookup(c.req.param('hash'), c.req.param('name'));
    if (!asset) throw notFound('that file');
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': asset.contentType,
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
  });
  return app;
}

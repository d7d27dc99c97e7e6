import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../../src/auth/access.ts';
import { makeApiRouter } from '../../src/http/api.ts';
import { documentApi } from '../../src/http/openapi.ts';

/**
 * An API router with one realistic POST and one GET with a path parameter, for testing the
 * reference page's rendering of bodies, parameters and examples independently of which feature
 * routes exist yet. Not mounted in the real app.
 */
export function sampleApi() {
  const api = makeApiRouter();
  const document = documentApi(api, '0.0.0-sample');
  const Backtest = z
    .object({ id: z.number().int(), status: z.enum(['queued', 'running', 'succeeded', 'failed']) })
    .openapi('Backtest');
  api.openapi(
    createRoute({
      method: 'post',
      path: '/backtests',
      tags: ['backtests'],
      summary: 'Start a backtest',
      middleware: [requireRole('analyst')] as const,
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({
                strategy_id: z.number().int().min(1).openapi({ description: 'A strategy you own', example: 7 }),
                start: z.string().date().openapi({ description: 'First trading day', example: '2021-01-04' }),
                end: z.string().date().openapi({ description: 'Last trading day', example: '2023-12-29' }),
                universe: z.object({ index: z.enum(['csi300', 'csi500']).openapi({ description: 'Index constituents' }) }),
                fee_bps: z.number().min(0).max(100).default(3).optional(),
              }),
            },
          },
        },
      },
      responses: { 202: { description: 'Queued', content: { 'application/json': { schema: Backtest } } } },
    }),
    (c) => c.json({ id: 1, status: 'queued' as const }, 202),
  );
  api.openapi(
    createRoute({
      method: 'get',
      path: '/backtests/{id}',
      tags: ['backtests'],
      summary: 'One backtest',
      middleware: [requireRole('viewer')] as const,
      request: { params: z.object({ id: z.coerce.number().int().min(1).openapi({ description: 'Backtest id', example: 42 }) }) },
      responses: {
        200: { description: 'The backtest', content: { 'application/json': { schema: Backtest } } },
        404: { description: 'No such backtest, or not yours' },
      },
    }),
    (c) => c.json({ id: c.req.valid('param').id, status: 'running' as const }, 200),
  );
  return { api, document };
}

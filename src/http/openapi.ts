import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { requireRole } from '../auth/access.ts';
import type { AppEnv } from './env.ts';

export type OpenApiDocument = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>;

/** Where the API router is mounted; the document's `servers` entry, so its paths read as mounted. */
export const apiBase = '/api/v1';

const errorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional().describe('e.g. {"field": …} naming the bad field of a request'),
      request_id: z.string().optional().describe('The X-Request-Id of this request; the server log has the rest under it'),
    }),
  })
  .openapi('Error', { description: 'Every error under /api: a stable code, a message saying what to do, and the request id to quote to an operator. Never a stack or a file path.' });

const documentRoute = createRoute({
  method: 'get',
  path: '/openapi.json',
  tags: ['meta'],
  summary: 'This API, described as OpenAPI 3.1',
  description: 'Generated from the same zod schemas that validate the requests, so it cannot drift from what the server accepts.',
  middleware: [requireRole('viewer')] as const,
  responses: {
    200: {
      description: 'The OpenAPI 3.1 document',
      content: { 'application/json': { schema: z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.record(z.string(), z.unknown()) }) } },
    },
    401: { description: 'Not signed in and no API token', content: { 'application/json': { schema: errorBody } } },
  },
});

/**
 * Adds GET /openapi.json to the API router and returns the function that builds the document.
 * The document is made from the router's registry when first asked for (every route is
 * registered by then, whichever order createApp mounted them in) and kept.
 */
export function documentApi(api: OpenAPIHono<AppEnv>, version: string): () => OpenApiDocument {
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token (Account page), sent as `Authorization: Bearer <token>`. A session cookie works too.',
  });
  let doc: OpenApiDocument | null = null;
  const document = () =>
    (doc ??= api.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'zquant API',
        version,
        description: 'The JSON API of zquant, a self-hosted quant research server for the China A-share market. Field names are snake_case; every error is {"error":{"code","message","details","request_id"}}.',
      },
      servers: [{ url: apiBase }],
      security: [{ bearer: [] }],
    }));
  api.openapi(documentRoute, (c) => c.json(document() as unknown as z.infer<typeof documentRoute.responses[200]['content']['application/json']['schema']>, 200));
  return document;
}

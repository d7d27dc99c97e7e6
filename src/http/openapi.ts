import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { errors, json, operation } from './contract.ts';
import type { AppEnv } from './env.ts';

export type OpenApiDocument = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>;

/** Where the API router is mounted; the document's `servers` entry, so its paths read as mounted. */
export const apiBase = '/api/v1';

const documentRoute = operation({
  method: 'get',
  path: '/openapi.json',
  operationId: 'getOpenApiDocument',
  tags: ['meta'],
  summary: 'This API, described as OpenAPI 3.1',
  description: 'Generated from the same zod schemas that validate requests and build responses, so it cannot drift from what the server does. Readable without signing in (it holds no data), so clients can be generated from it.',
  security: [],
  responses: {
    200: json(z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.record(z.string(), z.unknown()) }), 'The OpenAPI 3.1 document'),
    ...errors(429),
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
        description:
          'The JSON API of zquant, a self-hosted quant research server for the China A-share market.\n\n' +
          'One convention everywhere: field names are snake_case in requests, responses, query strings and server-sent event data; ' +
          'calendar days are `YYYY-MM-DD` strings (market queries also accept `YYYYMMDD`); instants are ISO 8601 UTC strings; ' +
          'money is CNY as a number. Every error is `{"error": {"code", "message", "details", "request_id"}}` with a 4xx or 5xx status, ' +
          'and `details.field` names the field of a request that was wrong.',
        // OpenAPI 3.1 names a licence by SPDX `identifier`; openapi3-ts's type predates it.
        license: { name: 'Proprietary (private project; no public licence)', identifier: 'LicenseRef-zquant-proprietary' } as { name: string },
      },
      servers: [{ url: apiBase }],
      security: [{ bearer: [] }],
    }));
  api.openapi(documentRoute, (c) => c.json(document() as unknown as z.infer<typeof documentRoute.responses[200]['content']['application/json']['schema']>, 200));
  return document;
}

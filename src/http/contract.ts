/**
 * The pieces every feature's `*.contract.ts` is written with, so the whole API keeps one
 * convention (stated in the README and the OpenAPI document):
 * - field names are snake_case in requests, responses, query strings and SSE event data;
 * - calendar dates are `YYYY-MM-DD` strings (`isoDaySchema`); market queries also accept `YYYYMMDD`;
 * - instants are ISO 8601 UTC strings (`instantSchema`);
 * - money is CNY as a number;
 * - every error is `{"error": {"code", "message", "details", "request_id"}}` (`ErrorSchema`).
 * Every operation has a stable `operationId`, a summary and its error answers (`operation`).
 */
import { createRoute, z, type RouteConfig } from '@hono/zod-openapi';
import { AppError } from './errors.ts';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable machine-readable code, e.g. invalid_request, not_found'),
      message: z.string().describe('What went wrong and what to do, for a person'),
      details: z.record(z.string(), z.unknown()).optional().describe('e.g. {"field": …} naming the bad field of a request'),
      request_id: z.string().optional().describe('The X-Request-Id of this request; the server log has the rest under it'),
    }),
  })
  .openapi('Error', { description: 'Every error under /api: a stable code, a message saying what to do, and the request id to quote to an operator. Never a stack or a file path.' });

/** A calendar day as the API writes it. */
export const isoDaySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).describe('A calendar day, YYYY-MM-DD');
/** An instant as the API writes it. */
export const instantSchema = z.iso.datetime().describe('An instant, ISO 8601 UTC');

/** A Date (or a driver's timestamp string) as the API writes it: ISO 8601 UTC. */
export function instant(v: Date | string): string;
export function instant(v: Date | string | null): string | null;
export function instant(v: Date | string | null): string | null {
  return v === null ? null : (v instanceof Date ? v : new Date(v)).toISOString();
}

/** A JSON response of an operation. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

const errorMeanings = {
  400: 'The request is not valid; `error.details.field` names the field and the message says what to send',
  401: 'Not signed in and no API token (send `Authorization: Bearer <token>`)',
  403: "The caller's role does not allow this, or it belongs to someone else",
  404: 'Nothing with that id, or not the caller’s to see',
  409: 'It conflicts with the current state (the message says which)',
  413: "The body is larger than this route's limit",
  429: 'Too many requests from this caller; wait `Retry-After` seconds',
  500: 'The server failed, not the request: the message is generic and `error.request_id` names the log lines an operator can look up',
  503: 'The service this needs is unavailable right now; try again later',
} as const;
export type ErrorStatus = keyof typeof errorMeanings;

/** Error answers, documented with the Error schema. */
export function errors<S extends ErrorStatus>(...statuses: S[]): { [K in S]: { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } } } {
  const out = {} as Record<S, { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } }>;
  for (const s of statuses) out[s] = { description: errorMeanings[s], content: { 'application/json': { schema: ErrorSchema } } };
  return out;
}

/**
 * The answers any signed-in operation may give besides its own: a malformed request (400), no
 * credentials (401), a role too low or a failed CSRF check (403), an id or path that names nothing
 * (404), the rate limit (429), a failure of the server (500, never with internals); and 413 for a
 * body over the limit on methods that take one.
 */
export function commonErrors(method: RouteConfig['method']) {
  const base = errors(400, 401, 403, 404, 429, 500);
  return method === 'post' || method === 'put' || method === 'patch' ? { ...base, ...errors(413) } : base;
}

/**
 * A documented operation: createRoute with the `operationId` and `summary` every operation must
 * have (the OpenAPI lint in CI checks both), the common error answers added to its own, and its
 * query schema strict.
 */
export function operation<const R extends RouteConfig & { operationId: string; summary: string }>(route: R) {
  // Unknown query parameters are refused (a misspelt or renamed one must not be silently ignored).
  const query = route.request?.query ?? z.object({});
  const strict: R = query instanceof z.ZodObject ? { ...route, request: { ...route.request, query: query.strict() } } : route;
  return createRoute({ ...strict, responses: { ...commonErrors(route.method), ...route.responses } });
}

/**
 * The 400 for the first problem zod found in a request value: `invalid_request`, the message
 * starting with the field's dotted path (`params.short_window: …`), `details.field` naming it. An
 * unknown field names itself (`colour: unknown field; …`). Written once, for the API router's
 * validation hook and for `parseInput`.
 */
export function inputError(issues: readonly z.core.$ZodIssue[], where = 'body'): AppError {
  const issue = issues[0];
  if (issue.code === 'unrecognized_keys') {
    const at = issue.path.map(String);
    const field = [...at, issue.keys[0]].join('.');
    const allowed = issue.keys.length > 1 ? `unknown fields ${issue.keys.join(', ')}` : 'unknown field';
    return new AppError(400, 'invalid_request', `${field}: ${allowed}; leave it out or check its spelling (names are snake_case)`, { field });
  }
  const field = issue.path.map(String).join('.') || where;
  const message = issue.message.startsWith(`${field}:`) ? issue.message : `${field}: ${issue.message}`;
  return new AppError(400, 'invalid_request', message, { field });
}

/**
 * Reads a request value with its contract schema where no route validated it (a page's form, the
 * CLI, a scheduled task's saved config): the same 400 naming the field as the API gives, so every
 * entry point refuses the same way. Services take the typed output and do not validate again.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw inputError(parsed.error.issues);
}

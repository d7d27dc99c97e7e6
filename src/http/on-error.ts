import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import { AppError } from './errors.ts';
import type { Logger } from '../logger.ts';
import type { MessageKey, T } from '../i18n/i18n.ts';
import { i18nOf } from '../i18n/request.ts';

interface Rendered {
  status: ContentfulStatusCode;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** An error as a browser is shown it: what describeError decided, and the request id to quote. */
export type ShownError = Pick<Rendered, 'status' | 'code' | 'message'> & { requestId?: string };

/**
 * Draws an error for a browser: a whole page for navigation, the box alone for htmx. Given by
 * src/http/error.pages.tsx, so this plumbing decides what to answer without importing a view.
 */
export type ErrorView = (c: Context, error: ShownError, as: 'page' | 'fragment') => Response | Promise<Response>;

/** Maps anything thrown to what the user should see; unknown errors become an opaque 500. */
export function describeError(err: unknown): Rendered {
  if (err instanceof AppError) return { status: err.status, code: err.code, message: err.message, details: err.details };
  if (err instanceof ZodError) {
    const issue = err.issues[0];
    const field = issue.path.join('.') || 'body';
    return { status: 400, code: 'invalid_request', message: `${field}: ${issue.message}`, details: { field } };
  }
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    return { status, code: status === 413 ? 'payload_too_large' : 'http_error', message: err.message || 'request refused' };
  }
  return { status: 500, code: 'internal_error', message: 'an unexpected error happened; the request id in the logs tells an operator where' };
}

/** Codes whose message has a frame in the catalogue (errors.<code>); others keep the thrower's text unless it gave a key. */
const framedCodes = new Set(['not_found', 'forbidden', 'unauthenticated', 'invalid_request', 'csrf', 'rate_limited', 'payload_too_large']);

/**
 * The message in the caller's language; the code never changes. An AppError with a catalogue key is
 * translated whole; a known code gets its frame around the thrower's specifics; an unexpected error
 * its fixed text.
 */
export function localiseMessage(t: T, err: unknown, r: Pick<Rendered, 'code' | 'message'>): string {
  if (err instanceof AppError && err.i18n) return t(err.i18n.key, err.i18n.params);
  if (r.code === 'internal_error') return t('errors.internal_error');
  if (framedCodes.has(r.code)) return t(`errors.${r.code}` as MessageKey, { detail: r.message });
  return r.message;
}

export function isApiPath(path: string): boolean {
  // /metrics is read by machines (Prometheus) too: its errors are JSON like the API's.
  return path === '/api' || path.startsWith('/api/') || path === '/metrics';
}

/**
 * Renders an error once: JSON under /api, a fragment for htmx, a page for navigation. The answer
 * carries the code, the message and the request id, never a stack, a file path or SQL: those go to
 * the log line of a 5xx, bound to the same request id, which is what a user quotes to an operator.
 */
export function renderError(c: Context, err: unknown, view: ErrorView, logger: Logger): Response | Promise<Response> {
  const r = describeError(err);
  const { t, locale } = i18nOf(c);
  r.message = localiseMessage(t, err, r);
  c.header('Content-Language', locale);
  c.header('Vary', 'Accept-Language', { append: true });
  const requestId = (c.get('requestId') as string | undefined) ?? undefined;
  if (r.status >= 500) {
    const log = (c.get('log') as Logger | undefined) ?? logger;
    log.error('unhandled error', { err: err instanceof Error ? err : new Error(String(err)), path: c.req.path });
  }
  if (isApiPath(c.req.path)) {
    const body: Record<string, unknown> = { code: r.code, message: r.message };
    if (r.details) body.details = r.details;
    // snake_case like every field of the API.
    if (requestId) body.request_id = requestId;
    return c.json({ error: body }, r.status);
  }
  const shown: ShownError = { status: r.status, code: r.code, message: r.message, requestId };
  return view(c, shown, c.req.header('HX-Request') ? 'fragment' : 'page');
}

import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from './errors.ts';
import type { AppEnv } from './env.ts';

export interface BodyLimitOptions {
  /** Bytes allowed in a form or JSON body. */
  defaultBytes: number;
  /** Bytes allowed where a body carries code or files: strategy code, CSV uploads. */
  uploadBytes: number;
  /** Path prefixes that take `uploadBytes`. */
  uploadPaths: readonly string[];
  /** Renders the 413 (JSON under /api, a page or fragment otherwise). */
  render: (c: Context<AppEnv>, err: AppError) => Response | Promise<Response>;
}

const kb = (bytes: number) => (bytes % 1024 === 0 ? `${bytes / 1024} KB` : `${bytes} bytes`);

/**
 * Refuses a body over its route's limit before anything parses it: with a Content-Length, at once
 * and unread; a chunked body is counted as it streams and never held past the limit. A 413 names the
 * limit and the setting that raises it.
 */
export function bodyLimits(options: BodyLimitOptions): MiddlewareHandler<AppEnv> {
  const make = (bytes: number, setting: string) =>
    bodyLimit({
      maxSize: bytes,
      onError: (c) =>
        options.render(c as Context<AppEnv>, new AppError(413, 'payload_too_large', `the request body is over this route's limit of ${kb(bytes)}; send less, or raise ${setting}`, { limit_bytes: bytes })),
    });
  const normal = make(options.defaultBytes, 'BODY_LIMIT_KB');
  const upload = make(options.uploadBytes, 'UPLOAD_BODY_LIMIT_KB');
  const isUpload = (path: string) => options.uploadPaths.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`));
  return (c, next) => (isUpload(c.req.path) ? upload(c, next) : normal(c, next));
}

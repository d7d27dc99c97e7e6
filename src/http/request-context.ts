import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../logger.ts';

export interface RequestVars {
  requestId: string;
  log: Logger;
}

/**
 * Gives each request an id (an incoming X-Request-Id is kept when it looks sane), a logger bound to
 * it, and one access-log line when the response is sent.
 */
export function requestContext(logger: Logger): MiddlewareHandler<{ Variables: RequestVars }> {
  return async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && /^[A-Za-z0-9._-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    const log = logger.child({ requestId });
    c.set('requestId', requestId);
    c.set('log', log);
    const started = performance.now();
    await next();
    c.header('X-Request-Id', requestId);
    const status = c.res.status;
    const fields = {
      method: c.req.method,
      path: c.req.path,
      status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    };
    if (status >= 500) log.error('request', fields);
    else if (c.req.path === '/healthz' || c.req.path.startsWith('/public/')) log.debug('request', fields);
    else log.info('request', fields);
  };
}

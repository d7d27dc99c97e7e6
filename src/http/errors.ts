import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** An error meant for the user: its status, a stable machine code and a message that says what to do. */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new AppError(404, 'not_found', `${what} was not found`);

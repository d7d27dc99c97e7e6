import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { MessageKey, Params } from '../i18n/i18n.ts';

/** An error meant for the user: its status, a stable machine code and a message that says what to do. */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    /** The message as a catalogue key (src/i18n), so it is shown in the caller's language; `message` stays the English text for logs. */
    readonly i18n?: { key: MessageKey; params?: Params },
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new AppError(404, 'not_found', `${what} was not found`);

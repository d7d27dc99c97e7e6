import type { Logger } from '../logger.ts';
import type { Principal } from '../auth/access.ts';

/** What every request carries through the middleware chain. */
export interface AppVariables {
  requestId: string;
  log: Logger;
  /** Who is calling: set by the authentication middleware, null when anonymous. */
  principal: Principal | null;
  /** The anti-CSRF token to embed in this page's forms, when a browser session has one. */
  csrfToken: string | null;
}

export type AppEnv = { Variables: AppVariables };

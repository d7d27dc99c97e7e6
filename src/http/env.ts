import type { Logger } from '../logger.ts';
import type { Locale } from '../i18n/locale.ts';
import type { Credential, Principal } from '../auth/principal.ts';
import type { AccessWatch } from '../auth/access-watch.ts';

/** What every request carries through the middleware chain. */
export interface AppVariables {
  requestId: string;
  log: Logger;
  /** Who is calling: set by the authentication middleware, null when anonymous. */
  principal: Principal | null;
  /** What the principal authenticated with (token or session, with its expiry); null when anonymous or injected by a test. */
  credential: Credential | null;
  /** Ends long-lived responses when the caller's access ends (see streamSSEWhileAllowed). */
  accessWatch: AccessWatch;
  /** The anti-CSRF token to embed in this page's forms, when a browser session has one. */
  csrfToken: string | null;
  /** The language when neither the user's choice nor Accept-Language names one (DEFAULT_LOCALE). */
  defaultLocale: Locale;
}

export type AppEnv = { Variables: AppVariables };

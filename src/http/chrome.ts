import type { Context } from 'hono';
import type { Role } from '../auth/principal.ts';
import type { Assets } from './assets.ts';
import type { AppEnv } from './env.ts';

/** What every page's frame shows besides the page itself (views/layout.tsx draws it). */
export interface PageChrome {
  assets: Assets;
  /** The signed-in user's name, when there is one. */
  username?: string | null;
  /** The signed-in user's role (navigation hides what the role cannot use). */
  role?: Role | null;
  /** Anti-CSRF token for forms and htmx requests on this page. */
  csrfToken?: string | null;
}

export type PageChromeFn = (c: Context<AppEnv>) => PageChrome;

/** What every page's frame needs from the request: assets, who is signed in, the CSRF token. */
export function makeChrome(assets: Assets): PageChromeFn {
  return (c) => {
    const principal = c.get('principal');
    return {
      assets,
      username: principal?.username ?? null,
      role: principal?.role ?? null,
      csrfToken: c.get('csrfToken') ?? null,
    };
  };
}

import type { Context } from 'hono';
import type { PageChrome } from '../../views/layout.tsx';
import type { Assets } from './assets.ts';
import type { AppEnv } from './env.ts';

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

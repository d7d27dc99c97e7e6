import type { Context } from 'hono';
import { ConfirmPage, type Confirmation } from '../../views/confirm.tsx';
import type { PageChromeFn } from './chrome.ts';
import type { T } from '../i18n/i18n.ts';
import type { AppEnv } from './env.ts';

/**
 * Whether a destructive page POST may act now: yes when htmx sent it (its hx-confirm dialog asked
 * first) or when it carries confirm=yes (the confirmation page's own form); otherwise the answer is
 * the confirmation page, which says what goes (`ask` gets the page's translator, so it says it in the reader's language). Call after the access checks, before acting.
 */
export async function confirmFirst(c: Context<AppEnv>, chrome: PageChromeFn, ask: (t: T) => Confirmation): Promise<Response | null> {
  if (c.req.header('HX-Request') === 'true') return null;
  const body = await c.req.parseBody();
  if (body.confirm === 'yes') return null;
  const page = chrome(c);
  return c.html(<ConfirmPage chrome={page} c={ask(page.t)} />);
}

/** After a confirmed destructive action: the page to show next, as a full navigation for htmx too. */
export function afterAction(c: Context<AppEnv>, url: string): Response {
  if (c.req.header('HX-Request') === 'true') {
    c.header('HX-Redirect', url);
    return c.body(null, 200);
  }
  return c.redirect(url, 303);
}

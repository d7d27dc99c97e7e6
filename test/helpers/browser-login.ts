import type { Page } from 'playwright-core';

/** The admin password browser tests start the server with (ZQUANT_ADMIN_PASSWORD). */
export const browserAdminPassword = 'browser test admin password';

/** Signs in through the real /login form; resolves on the page it lands on. */
export async function signIn(page: Page, baseUrl: string, username = 'admin', password = browserAdminPassword, next = '/'): Promise<void> {
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent(next)}`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(baseUrl + next), page.click('form[action="/login"] button[type="submit"]')]);
}

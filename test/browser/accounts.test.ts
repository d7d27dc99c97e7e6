/// <reference lib="dom" />
import { describe, expect, it } from 'vitest';
import { artifact, hasChromium, useServerProcessAndBrowser, watchProblems } from '../helpers/browser.ts';
import { browserAdminPassword, signIn } from '../helpers/browser-login.ts';

describe.skipIf(!hasChromium)('accounts in a browser', () => {
  const s = useServerProcessAndBrowser();

  it('logs in, shows the username, creates a user, revokes a token over htmx, and logs out', async () => {
    const page = await s.browser.newPage();
    const problems = watchProblems(page);

    // Anonymous: sent to the sign-in page, which remembers where we were going.
    await page.goto(s.server.url + '/admin/users');
    await page.waitForURL(s.server.url + '/login?next=%2Fadmin%2Fusers');
    await page.screenshot({ path: artifact('login.png'), fullPage: true });

    // A wrong password says so and keeps the username.
    await page.fill('#username', 'admin');
    await page.fill('#password', 'not the right password');
    await page.click('form[action="/login"] button[type="submit"]');
    await expect(page.locator('[role="alert"]').innerText()).resolves.toContain('Wrong username or password');

    await page.fill('#password', browserAdminPassword);
    await Promise.all([page.waitForURL(s.server.url + '/admin/users'), page.click('form[action="/login"] button[type="submit"]')]);
    await expect(page.locator('header .username').innerText()).resolves.toBe('admin');
    await expect(page.locator('nav[aria-label="Main"] a[href="/admin"]').count()).resolves.toBe(1);

    // Create an analyst with a generated password (shown once).
    await page.fill('#new-username', 'li.wei');
    await page.selectOption('#new-role', 'analyst');
    await page.click('form[action="/admin/users"] button[type="submit"]');
    await expect(page.locator('[role="status"]').innerText()).resolves.toContain('Created li.wei (analyst)');
    await page.screenshot({ path: artifact('admin-users.png'), fullPage: true });

    // Boosted navigation to the account page (htmx swaps <body> only, so the <head> meta would be stale).
    await page.click('header a.username');
    await page.waitForURL(s.server.url + '/account');
    await page.fill('#token-name', 'browser');
    await page.click('form[action="/account/tokens"] button[type="submit"]');
    const token = await page.locator('input[aria-label="New API token"]').inputValue();
    expect(token).toMatch(/^zq_/);
    expect((await fetch(s.server.url + '/api/v1/me', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    // A reload neither posts the form again nor shows the token again.
    await page.reload();
    expect(new URL(page.url()).pathname).toBe('/account');
    await expect(page.locator('input[aria-label="New API token"]').count()).resolves.toBe(0);
    await expect(page.locator('tr:has-text("browser")').count()).resolves.toBe(1);

    // Revoke with the htmx button: no form, so only app.js's X-CSRF-Token header can carry the token.
    page.once('dialog', (d) => void d.accept());
    const sent = page.waitForRequest((r) => r.url().endsWith('/revoke'));
    await page.click('tr:has-text("browser") button:has-text("Revoke")');
    const request = await sent;
    expect(request.headers()['x-csrf-token']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await request.response())!.status()).toBe(200);
    await page.locator('tr:has-text("browser") .badge:text-is("revoked")').waitFor();
    expect((await fetch(s.server.url + '/api/v1/me', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
    await page.screenshot({ path: artifact('account.png'), fullPage: true });

    // Log out from the top bar: back to sign-in, and pages need signing in again.
    await Promise.all([page.waitForURL(s.server.url + '/login'), page.click('header button:has-text("Log out")')]);
    await expect(page.locator('header .username').count()).resolves.toBe(0);
    await page.goto(s.server.url + '/');
    await page.waitForURL(/\/login\?next=%2F$/);
    expect(problems.filter((p) => !p.includes('401') && !p.includes('404'))).toEqual([]);
  }, 120_000);

  it('a live page whose session ends stops its stream and says so, instead of reconnecting', async () => {
    const context = await s.browser.newContext();
    try {
      const live = await context.newPage();
      // The scheduler list keeps a stream open (hx-sse:connect); its response is awaited from before
      // the sign-in, which lands on that page and may open the stream before signIn returns.
      const streamOpen = live.waitForResponse((r) => r.url().endsWith('/scheduler/stream'), { timeout: 30_000 });
      await signIn(live, s.server.url, 'admin', browserAdminPassword, '/scheduler');
      await streamOpen;
      await expect(live.locator('[hx-sse\\:connect]').count()).resolves.toBe(1);
      const streamRequests: string[] = [];
      live.on('request', (r) => r.url().endsWith('/scheduler/stream') && streamRequests.push(r.url()));
      // Same cookie, another tab: logging out there ends this session, and with it the stream.
      const other = await context.newPage();
      await other.goto(s.server.url + '/');
      await Promise.all([other.waitForURL(s.server.url + '/login'), other.click('header button:has-text("Log out")')]);
      await live.locator('#access-ended[role="alert"]').waitFor({ timeout: 5_000 });
      await expect(live.locator('[hx-sse\\:connect]').count()).resolves.toBe(0);
      await live.screenshot({ path: artifact('access-ended.png'), fullPage: true });
      // hx-sse would retry after 0.5 s, 1 s, 2 s…: nothing asks for the stream again.
      await live.waitForTimeout(2_500);
      expect(streamRequests).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});

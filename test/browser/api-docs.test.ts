/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeChrome } from '../../src/http/chrome.ts';
import type { AppEnv } from '../../src/http/env.ts';
import { securityHeaders } from '../../src/http/security-headers.ts';
import { apiDocsRoutes } from '../../src/http/api-docs.pages.tsx';
import { assetRoutes } from '../../src/http/assets.routes.ts';
import { defaultAssets } from '../../src/server.ts';
import { principal } from '../helpers/auth.ts';
import { hasChromium, launchBrowser } from '../helpers/browser.ts';
import { sampleApi } from '../helpers/sample-api.ts';

const artifacts = join(process.cwd(), 'test-artifacts');

// The reference page rendered over the sample API (a POST with a body, a GET with a path
// parameter), under the real CSP and stylesheet, and screenshotted for a human to look at.
describe.skipIf(!hasChromium)('API reference page in a browser', () => {
  let server: ServerType;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    const assets = defaultAssets();
    const app = new Hono<AppEnv>();
    app.use('*', securityHeaders());
    app.use('*', async (c, next) => {
      c.set('csrfToken', null);
      c.set('principal', { ...principal('viewer'), username: 'wang.lei' });
      await next();
    });
    app.route('/', assetRoutes(assets));
    app.route('/', apiDocsRoutes({ chrome: makeChrome(assets), document: sampleApi().document }));
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  it('renders every endpoint with its example, styled, without console errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${url}/api-docs`);
    await expect(page.title()).resolves.toBe('API reference · zquant');
    await expect(page.locator('section.endpoint').count()).resolves.toBe(3);
    await expect(page.locator('pre.curl').first().textContent()).resolves.toContain('Authorization: Bearer $TOKEN');
    // The stylesheet applied (CSP allows it): method badges are coloured, not default black.
    const color = await page.locator('section.endpoint .method.post').first().evaluate((el) => getComputedStyle(el).color);
    expect(color).not.toBe('rgb(0, 0, 0)');
    await page.screenshot({ path: join(artifacts, 'api-docs.png'), fullPage: true });
    // /favicon.ico is not served (the smoke test ignores it the same way).
    expect(problems.filter((p) => !p.includes('404'))).toEqual([]);
  });
});

import { Hono } from 'hono';
import { requireRole } from '../auth/access.ts';
import { HomePage } from '../../views/home/home.tsx';
import type { AppEnv } from '../http/env.ts';
import type { PageChromeFn } from '../http/chrome.ts';
import type { MarketDataSummary } from '../../views/home/home.tsx';

export function homeRoutes(deps: { chrome: PageChromeFn; version: string; postgresKind: 'pglite' | 'postgres'; marketPath: string; marketSummary?: () => Promise<MarketDataSummary> }) {
  const app = new Hono<AppEnv>();
  app.get('/', requireRole('viewer'), async (c) =>
    c.html(
      <HomePage
        chrome={deps.chrome(c)}
        model={{ version: deps.version, postgresKind: deps.postgresKind, marketPath: deps.marketPath, data: c.get('principal') && deps.marketSummary ? await deps.marketSummary() : null }}
      />,
    ),
  );
  return app;
}

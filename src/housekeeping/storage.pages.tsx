import { Hono } from 'hono';
import { StoragePage } from '../../views/admin/storage.tsx';
import { principalOf, requireRole } from '../auth/access.ts';
import type { PageChromeFn } from '../http/chrome.ts';
import type { AppEnv } from '../http/env.ts';
import type { RunsService } from '../runs/runs.service.ts';
import { formatBytes, planPrune, storageReport, type HousekeepingDeps } from './housekeeping.service.ts';

export interface StoragePagesDeps extends HousekeepingDeps {
  dataDir: string;
  runs: RunsService;
  chrome: PageChromeFn;
}

/** /admin/storage (admin): disk use per store and table, retention, the dry run; its button queues a housekeeping run. */
export function storagePages(deps: StoragePagesDeps) {
  const app = new Hono<AppEnv>();
  app.get('/admin/storage', requireRole('admin'), async (c) => {
    const [storage, plan] = await Promise.all([storageReport(deps, deps.dataDir), planPrune(deps)]);
    c.header('Cache-Control', 'no-store');
    return c.html(<StoragePage chrome={deps.chrome(c)} model={{ storage, plan, formatBytes }} />);
  });
  app.post('/admin/storage/housekeeping', requireRole('admin'), async (c) => {
    const run = await deps.runs.queueRun({ executor: 'housekeeping', params: {}, queuedBy: principalOf(c).userId, maxAttempts: 1 });
    return c.redirect(`/runs/${run.id}`, 303);
  });
  return app;
}

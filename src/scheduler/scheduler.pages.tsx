import { Hono } from 'hono';
import type { PageChromeFn } from '../http/chrome.ts';
import type { AppEnv } from '../http/env.ts';
import type { TasksDeps } from './tasks.service.ts';

export function schedulerPages(deps: TasksDeps & { trustProxy: boolean; chrome: PageChromeFn }) {
  const app = new Hono<AppEnv>();
  void deps;
  return app;
}

import type { Locale } from '../locale.ts';
import type { Message, Messages } from '../define.ts';
import { auth } from './auth.ts';
import { errors } from './errors.ts';
import { apiDocs } from './apiDocs.ts';
import { admin } from './admin.ts';
import { sweeps } from './sweeps.ts';
import { scheduler } from './scheduler.ts';
import { strategies } from './strategies.ts';
import { market } from './market.ts';
import { charts } from './charts.ts';
import { backtests } from './backtests.ts';
import { runs } from './runs.ts';
import { factorAnalysis } from './factor-analysis.ts';
import { factors } from './factors.ts';
import { home } from './home.ts';
import { layout } from './layout.ts';
import { readable } from './readable.ts';
import { confirm } from './confirm.ts';
import { alerts } from './alerts.ts';

/**
 * Every feature's catalogue. Add yours here (one import, one entry): its keys start with its file
 * name (test/i18n/catalogue.test.ts checks), so two catalogues never define the same key.
 */
export const catalogues = {
  apiDocs,
  admin,
  sweeps,
  scheduler,
  strategies,
  market,
  charts,
  backtests,
  runs,
  auth,
  errors,
  factorAnalysis,
  factors,
  home,
  layout,
  readable,
  confirm,
  alerts,
} as const;

type KeysOf<C> = C extends Messages<infer K> ? K : never;

/** Every message key there is. */
export type MessageKey = KeysOf<(typeof catalogues)[keyof typeof catalogues]>;

function merged(locale: Locale): Readonly<Record<string, Message>> {
  const out: Record<string, Message> = {};
  for (const c of Object.values(catalogues) as Array<Messages<string>>) Object.assign(out, c[locale]);
  return out;
}

/** The merged table per locale. */
export const tables: Readonly<Record<Locale, Readonly<Record<string, Message>>>> = { en: merged('en'), 'zh-CN': merged('zh-CN') };

import { i18nFor, type MessageKey } from '../i18n/i18n.ts';
import type { Locale } from '../i18n/locale.ts';
import type { AlertEventKind } from './alert.types.ts';

/**
 * The words of an alert (title and lines), from the message catalogue (src/i18n/messages/alerts.ts)
 * in one language. Which one: a channel alert (webhook, a bot, a team's mailbox) is read by many and
 * is written in the server's DEFAULT_LOCALE; a user's alert about their own backtest or sweep
 * (backtest_finished) in that user's language, else DEFAULT_LOCALE (see `alertLocale`).
 */

/** The zone alert times are written in: the A-share exchanges' clock (an alert has no reader's browser). */
export const alertTimeZone = 'Asia/Shanghai';

const wallClock = new Intl.DateTimeFormat('sv-SE', { timeZone: alertTimeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/** A moment as "2026-12-06 18:30:00 (Asia/Shanghai)". */
export function alertTime(d: Date | string): string {
  return `${wallClock.format(typeof d === 'string' ? new Date(d) : d)} (${alertTimeZone})`;
}

/** The language of an alert of `kind` whose rule `owner` chose `ownerLocale` (null: none chosen). */
export function alertLocale(kind: AlertEventKind, ownerLocale: Locale | null, defaultLocale: Locale): Locale {
  return kind === 'backtest_finished' ? (ownerLocale ?? defaultLocale) : defaultLocale;
}

/** What the words are made of: the run and the rule as the scan found them. */
export interface AlertFacts {
  kind: AlertEventKind;
  ruleName: string;
  runId: number;
  executor: string;
  status: string;
  attempt: number;
  maxAttempts: number;
  taskName: string | null;
  graceSeconds: number | null;
  scheduledFor: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  errorMessage: string | null;
}

export function alertText(f: AlertFacts, locale: Locale): { title: string; lines: string[] } {
  const { t } = i18nFor(locale);
  const status = statusWord(t, f.status);
  const what = f.taskName ? t('alerts.msg.task', { name: f.taskName }) : f.executor;
  const common = { what, run: f.runId, status, attempt: f.attempt, max: f.maxAttempts };
  const title = (() => {
    switch (f.kind) {
      case 'run_failed': return t('alerts.msg.runFailed', common);
      case 'retries_exhausted': return t('alerts.msg.retriesExhausted', common);
      case 'run_late': return t('alerts.msg.runLate', { what, slot: f.scheduledFor ? alertTime(f.scheduledFor) : '—', grace: f.graceSeconds ?? 0 });
      case 'sync_partial': return t('alerts.msg.syncPartial', common);
      case 'backtest_finished': return t('alerts.msg.finished', { ...common, what: f.executor === 'sweep' ? t('alerts.msg.sweep') : f.executor === 'backtest' ? t('alerts.msg.backtest') : f.executor });
    }
  })();
  const lines = [
    t('alerts.msg.rule', { name: f.ruleName }),
    t('alerts.msg.run', { ...common, executor: f.executor }),
    ...(f.scheduledFor ? [t('alerts.msg.scheduledFor', { time: alertTime(f.scheduledFor) })] : []),
    ...(f.finishedAt ? [t('alerts.msg.finishedAt', { time: alertTime(f.finishedAt) })] : f.startedAt ? [t('alerts.msg.startedAt', { time: alertTime(f.startedAt) })] : []),
    ...(f.errorMessage ? [t('alerts.msg.error', { message: f.errorMessage.slice(0, 500) })] : []),
  ];
  return { title, lines };
}

/** A channel's test message. */
export function testText(channelName: string, sender: string | null, locale: Locale): { title: string; lines: string[] } {
  const { t } = i18nFor(locale);
  return { title: t('alerts.msg.testTitle', { name: channelName }), lines: [t('alerts.msg.sentBy', { name: sender ?? t('alerts.msg.system') }), t('alerts.msg.testBody')] };
}

/** The heading above an e-mail's machine-readable part. */
export function detailsHeading(locale: Locale): string {
  return i18nFor(locale).t('alerts.msg.details');
}

function statusWord(t: ReturnType<typeof i18nFor>['t'], status: string): string {
  const key = `runs.status.${status}` as MessageKey;
  const word = t(key);
  return word === key ? status : word;
}

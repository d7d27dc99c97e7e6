import { Cron } from 'croner';
import cronstrue from 'cronstrue';
import { z } from 'zod';

/**
 * When a task fires. croner decides the instants (5-field, or 6 with seconds first; L, W and #
 * allowed); an interval fires on multiples of its period counted from the Unix epoch, so every
 * instance computes the same slots; manual tasks fire only when triggered.
 */
export type Schedule =
  | { kind: 'cron'; expression: string; timezone: string }
  | { kind: 'interval'; everySeconds: number; timezone: string }
  | { kind: 'manual'; timezone: string };

export const defaultTimezone = 'Asia/Shanghai';

export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const timezoneField = z
  .string()
  .default(defaultTimezone)
  .refine(isValidTimezone, { message: 'expected an IANA time zone such as Asia/Shanghai or UTC' });

/** The schedule as requests and stored rows carry it; a bad cron expression is reported with croner's reason. */
export const scheduleSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('cron'), expression: z.string().trim().min(1, { message: 'expected a cron expression' }), timezone: timezoneField }),
    z.object({
      kind: z.literal('interval'),
      everySeconds: z.number({ message: 'expected a number of seconds' }).int().min(1, { message: 'expected at least 1 second' }).max(366 * 86_400),
      timezone: timezoneField,
    }),
    z.object({ kind: z.literal('manual'), timezone: timezoneField }),
  ])
  .superRefine((s, ctx) => {
    if (s.kind !== 'cron') return;
    const problem = cronProblem(s.expression, s.timezone);
    if (problem) ctx.addIssue({ code: 'custom', path: ['expression'], message: problem });
  });

/** Why a cron expression cannot be used, or null when it can. */
export function cronProblem(expression: string, timezone: string): string | null {
  const fields = expression.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) {
    return `expected 5 fields (minute hour day month weekday) or 6 with seconds first, got ${fields}`;
  }
  try {
    const job = makeCron(expression, timezone);
    if (job.nextRun(new Date()) === null) return 'the expression never fires';
    return null;
  } catch (err) {
    return (err as Error).message.replace(/^CronPattern: /, '');
  }
}

function makeCron(expression: string, timezone: string): Cron {
  return new Cron(expression, { timezone, paused: true, mode: '5-or-6-parts' });
}

/**
 * Parsed patterns and computed next-fire instants, shared by every decision. croner's nextRun walks
 * calendar fields in the time zone (~50 µs here), and a fire decision asks it several times per task;
 * with many tasks on the same schedule (200 one-second crons) most questions are the same question.
 * Both answers are pure functions of (expression, timezone[, instant]), so caching cannot change them.
 */
const cronCache = new Map<string, Cron>();
const nextCache = new Map<string, number | null>();
const cacheLimit = 4096;

function cachedCron(expression: string, timezone: string): Cron {
  const key = `${timezone}\u0000${expression}`;
  let job = cronCache.get(key);
  if (!job) {
    if (cronCache.size >= cacheLimit) cronCache.clear();
    job = makeCron(expression, timezone);
    cronCache.set(key, job);
  }
  return job;
}

/** The first fire instant strictly after `after`, or null when there is none. */
function cronNext(expression: string, timezone: string, after: Date): Date | null {
  const key = `${timezone}\u0000${expression}\u0000${after.getTime()}`;
  let at = nextCache.get(key);
  if (at === undefined) {
    if (nextCache.size >= cacheLimit) nextCache.clear();
    at = cachedCron(expression, timezone).nextRun(after)?.getTime() ?? null;
    nextCache.set(key, at);
  }
  return at === null ? null : new Date(at);
}

/** The next `n` fire times strictly after `after`. */
export function nextFireTimes(s: Schedule, after: Date, n: number): Date[] {
  switch (s.kind) {
    case 'manual':
      return [];
    case 'interval': {
      const periodMs = s.everySeconds * 1000;
      const first = Math.floor(after.getTime() / periodMs) * periodMs + periodMs;
      return Array.from({ length: n }, (_, k) => new Date(first + k * periodMs));
    }
    case 'cron': {
      const out: Date[] = [];
      for (let at = cronNext(s.expression, s.timezone, after); at && out.length < n; at = cronNext(s.expression, s.timezone, at)) out.push(at);
      return out;
    }
  }
}

/** How many older slots a cron walk counts exactly before reporting a lower bound (see slotsBetween). */
export const overflowCountCap = 1_000;

/**
 * Fire slots in (from, to], oldest first, at most `limit` of them (the newest ones when there are
 * more). `overflow` counts the older slots left out: exactly for intervals, and for cron schedules
 * up to `overflowCountCap` (beyond it, a lower bound — a one-second cron after a month of downtime
 * has 2.6 million slots, and walking them would stall the scheduler for minutes). Pass
 * `countOverflow: false` when only the slots matter.
 */
export function slotsBetween(s: Schedule, from: Date, to: Date, limit: number, countOverflow = true): { slots: Date[]; overflow: number } {
  if (s.kind === 'manual' || to <= from || limit < 1) return { slots: [], overflow: 0 };
  if (s.kind === 'interval') {
    const periodMs = s.everySeconds * 1000;
    const firstK = Math.floor(from.getTime() / periodMs) + 1;
    const lastK = Math.floor(to.getTime() / periodMs);
    const count = Math.max(0, lastK - firstK + 1);
    const keep = Math.min(count, limit);
    const slots = Array.from({ length: keep }, (_, j) => new Date((lastK - keep + 1 + j) * periodMs));
    return { slots, overflow: count - keep };
  }
  // The usual case is a short gap (one slot since the last decision): walk forward, cached.
  const toMs = to.getTime();
  const walked: Date[] = [];
  const walkCap = limit + 64;
  for (let at = cronNext(s.expression, s.timezone, from); at && at.getTime() <= toMs; at = cronNext(s.expression, s.timezone, at)) {
    walked.push(at);
    if (walked.length > walkCap) break;
  }
  if (walked.length <= walkCap) {
    const keep = Math.min(walked.length, limit);
    return { slots: walked.slice(walked.length - keep), overflow: walked.length - keep };
  }
  // A long gap: the newest `limit` slots backwards from `to`, and the older ones counted forward (bounded).
  const slots = cachedCron(s.expression, s.timezone)
    .previousRuns(limit, new Date(toMs + 1))
    .filter((d) => d.getTime() <= toMs && d > from)
    .reverse();
  const oldestKept = slots.length ? slots[0].getTime() : toMs + 1;
  let overflow = 0;
  if (!countOverflow) return { slots, overflow: 0 };
  for (let at = cronNext(s.expression, s.timezone, from); at && at.getTime() < oldestKept && overflow < overflowCountCap; at = cronNext(s.expression, s.timezone, at)) overflow++;
  return { slots, overflow };
}

/** The schedule in words, e.g. "At 18:00, Monday through Friday (Asia/Shanghai)". */
export function describeSchedule(s: Schedule): string {
  switch (s.kind) {
    case 'manual':
      return 'Only when triggered';
    case 'interval':
      return `Every ${describeSeconds(s.everySeconds)}`;
    case 'cron':
      try {
        return `${cronstrue.toString(s.expression, { use24HourTimeFormat: true, verbose: false })} (${s.timezone})`;
      } catch {
        return `${s.expression} (${s.timezone})`;
      }
  }
}

function describeSeconds(total: number): string {
  const units: Array<[number, string]> = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  for (const [size, name] of units) {
    if (total % size === 0) {
      const n = total / size;
      return n === 1 ? name : `${n} ${name}s`;
    }
  }
  return `${total} seconds`;
}

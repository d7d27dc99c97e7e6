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
    case 'cron':
      return makeCron(s.expression, s.timezone).nextRuns(n, after);
  }
}

/**
 * Fire slots in (from, to], oldest first, at most `limit` of them (the newest ones when there are
 * more). `overflow` counts the older slots left out.
 */
export function slotsBetween(s: Schedule, from: Date, to: Date, limit: number): { slots: Date[]; overflow: number } {
  if (s.kind === 'manual' || to <= from) return { slots: [], overflow: 0 };
  if (s.kind === 'interval') {
    const periodMs = s.everySeconds * 1000;
    const firstK = Math.floor(from.getTime() / periodMs) + 1;
    const lastK = Math.floor(to.getTime() / periodMs);
    const count = Math.max(0, lastK - firstK + 1);
    const keep = Math.min(count, limit);
    const slots = Array.from({ length: keep }, (_, j) => new Date((lastK - keep + 1 + j) * periodMs));
    return { slots, overflow: count - keep };
  }
  const job = makeCron(s.expression, s.timezone);
  const all: Date[] = [];
  let cursor: Date | null = from;
  // A bounded walk: a 1-second cron over a long outage could be millions of slots; keep the newest.
  let overflow = 0;
  while (cursor) {
    const next: Date | null = job.nextRun(cursor);
    if (!next || next > to) break;
    all.push(next);
    if (all.length > limit) {
      all.shift();
      overflow++;
    }
    cursor = next;
  }
  return { slots: all, overflow };
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

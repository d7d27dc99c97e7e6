/**
 * The scheduler API's contract: what it reads (task bodies, trigger overrides, cron previews) and
 * what it answers (tasks, their status, stats, executors), with the functions mapping the domain
 * (src/scheduler/task.types.ts, camelCase) to it (conventions in src/http/contract.ts).
 */
import { z } from '@hono/zod-openapi';
import { instant, instantSchema } from '../http/contract.ts';
import { idSchema, pageQuery } from '../http/input.ts';
import { runStatuses, type RunStatus } from '../runs/run.types.ts';
import { redactSecrets } from '../secrets/secret-box.ts';
import { cronProblem, defaultTimezone, isValidTimezone, type Schedule } from './schedule.ts';
import type { SlotNote, Task, TaskStatus } from './task.types.ts';
import { isoDay } from '../market/days.ts';
import { exchanges } from './trading-days.ts';

const timezoneField = z
  .string()
  .max(64)
  .default(defaultTimezone)
  .refine(isValidTimezone, { message: 'expected an IANA time zone such as Asia/Shanghai or UTC' })
  .describe('IANA time zone the schedule is read in');

/** When a task fires, as a request gives it; a bad cron expression is refused with croner's reason. */
export const ScheduleInputSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('cron'), expression: z.string().trim().min(1, { message: 'expected a cron expression' }).max(200), timezone: timezoneField }).strict(),
    z
      .object({
        kind: z.literal('interval'),
        every_seconds: z.number({ message: 'expected a number of seconds' }).int().min(1, { message: 'expected at least 1 second' }).max(366 * 86_400),
        timezone: timezoneField,
      })
      .strict(),
    z.object({ kind: z.literal('manual'), timezone: timezoneField }).strict(),
  ])
  .superRefine((s, ctx) => {
    if (s.kind !== 'cron') return;
    const problem = cronProblem(s.expression, s.timezone);
    if (problem) ctx.addIssue({ code: 'custom', path: ['expression'], message: problem });
  })
  .openapi('ScheduleInput', { description: 'cron (5 fields, or 6 with seconds first), a fixed interval counted from the Unix epoch, or manual (fires only when triggered)' });
export type ScheduleInput = z.output<typeof ScheduleInputSchema>;

export const ScheduleSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('cron'), expression: z.string(), timezone: z.string() }),
    z.object({ kind: z.literal('interval'), every_seconds: z.number().int(), timezone: z.string() }),
    z.object({ kind: z.literal('manual'), timezone: z.string() }),
  ])
  .openapi('Schedule');

const nameField = z
  .string()
  .trim()
  .min(1, { message: 'expected a name' })
  .max(100, { message: 'at most 100 characters' })
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _.:-]*$/u, { message: 'letters, digits, spaces and _ . : - only' });

const overlapEnum = z.enum(['skip', 'queue_one', 'allow']);
const misfireEnum = z.enum(['once', 'each', 'skip']);
const exchangeEnum = z.enum(exchanges, { message: 'expected "SSE" or "SZSE" (the exchange whose trading days the task keeps), or null to fire every slot' });
const tradingDaysField = exchangeEnum
  .nullable()
  .describe('Fire only on trading days of this exchange (its trade calendar; a closed day’s slot is skipped and recorded, a day without a calendar row fires with a warning); null fires every slot');
const dayString = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).describe('YYYY-MM-DD');

/** A task's fields as requests carry them; each is checked on its own (the config against its executor by the service). */
const taskFields = {
  name: nameField.describe('Unique'),
  description: z.string().max(2000),
  executor: z.string().min(1, { message: 'expected an executor name' }).max(64).describe('GET /scheduler/executors lists them'),
  config: z.record(z.string(), z.unknown()).describe('The executor’s params (its JSON Schema is in GET /scheduler/executors); a secret as {"value": "…", "secret": true}'),
  schedule: ScheduleInputSchema,
  enabled: z.boolean(),
  overlap: overlapEnum.describe('While a run of the task is active: skip the fire, queue one, or allow them all'),
  max_concurrent: z.number().int().min(1).max(1000).describe('Active runs at most, with overlap allow'),
  misfire: misfireEnum.describe('Slots missed while no instance ran: fire once, each (up to max_catch_up), or skip'),
  max_catch_up: z.number().int().min(1).max(1000),
  grace_seconds: z.number().int().min(0).max(7 * 86_400).describe('How late a slot may still fire'),
  max_attempts: z.number().int().min(1).max(20),
  retry_delay_ms: z.number().int().min(1).max(3_600_000),
  timeout_ms: z.number().int().min(1).max(7 * 24 * 3_600_000).nullable(),
  trading_days: tradingDaysField,
};

/** A task to create (POST /scheduler/tasks; the new-task page). */
export const TaskInputSchema = z
  .object({
    ...taskFields,
    description: taskFields.description.default(''),
    config: taskFields.config.default({}),
    enabled: taskFields.enabled.default(true),
    overlap: taskFields.overlap.default('skip'),
    max_concurrent: taskFields.max_concurrent.default(1),
    misfire: taskFields.misfire.default('once'),
    max_catch_up: taskFields.max_catch_up.default(10),
    grace_seconds: taskFields.grace_seconds.default(60),
    max_attempts: taskFields.max_attempts.default(1),
    retry_delay_ms: taskFields.retry_delay_ms.default(5000),
    timeout_ms: taskFields.timeout_ms.default(null),
    trading_days: taskFields.trading_days.default(null),
  })
  .strict()
  .openapi('ScheduledTaskInput');
export type TaskInput = z.output<typeof TaskInputSchema>;

/** An edit (PATCH /scheduler/tasks/{id}; the edit page): any of the fields; the others keep their values. */
export const TaskPatchSchema = z.object(taskFields).partial().strict().openapi('ScheduledTaskPatch');
export type TaskPatch = z.output<typeof TaskPatchSchema>;

export const TriggerInputSchema = z
  .object({ overrides: z.record(z.string(), z.unknown()).default({}).describe('Config fields for this run only, merged over the task’s config') })
  .strict()
  .openapi('TriggerTaskInput');

export const CronPreviewInputSchema = z
  .object({
    expression: z.string().max(200),
    timezone: z.string().max(64).default(defaultTimezone),
    count: z.number().int().min(1).max(20).default(5),
    trading_days: tradingDaysField.default(null).describe('With an exchange, `next` holds the next fires on its trading days and `skipped` the slots passed over (closed days)'),
  })
  .strict()
  .openapi('CronPreviewInput');

export const TaskRunsQuery = z.object({ status: z.enum(runStatuses as [RunStatus, ...RunStatus[]]).optional(), ...pageQuery(500, 50).shape });

export const TaskRunParams = z.object({
  id: idSchema().openapi({ param: { name: 'id', in: 'path' }, type: 'integer' }),
  run_id: idSchema().openapi({ param: { name: 'run_id', in: 'path' }, type: 'integer' }),
});

export const TaskSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    executor: z.string(),
    config: z.record(z.string(), z.unknown()).optional().describe('Secrets as ••••; left out for viewers'),
    schedule: ScheduleSchema,
    timezone: z.string(),
    enabled: z.boolean(),
    paused: z.boolean(),
    overlap: overlapEnum,
    max_concurrent: z.number().int(),
    misfire: misfireEnum,
    max_catch_up: z.number().int(),
    grace_seconds: z.number().int(),
    max_attempts: z.number().int(),
    retry_delay_ms: z.number().int(),
    timeout_ms: z.number().int().nullable(),
    owner_id: z.number().int().nullable(),
    created_at: instantSchema,
    updated_at: instantSchema,
    last_slot: instantSchema.describe('The newest slot an instance has considered (fired or passed over)'),
    trading_days: tradingDaysField,
  })
  .openapi('ScheduledTask');

export const TaskStatusSchema = z
  .object({
    task: TaskSchema,
    describe: z.string().describe('The schedule in words'),
    next: z.array(instantSchema).describe('The next fire times (none when disabled)'),
    last_run: z
      .object({
        id: z.number().int(),
        status: z.enum(runStatuses as [RunStatus, ...RunStatus[]]),
        scheduled_for: instantSchema.nullable(),
        queued_at: instantSchema,
        finished_at: instantSchema.nullable(),
        error: z.string().nullable().describe('Its error message, when it failed'),
      })
      .nullable(),
    running: z.number().int(),
    queued: z.number().int(),
    late: z.boolean().describe('A slot passed its grace period without a run starting'),
    state: z.enum(['disabled', 'paused', 'running', 'late', 'idle']),
    progress: z.number().nullable().describe('0..1, of the newest active run, when it reports one'),
    calendar: z
      .object({
        exchange: exchangeEnum,
        covered_through: dayString.nullable().describe('The last day of the unbroken run of calendar rows from today (Beijing time); null when today has none'),
        warning: z.string().nullable().describe('Set when the calendar does not cover the next 30 days'),
        skipped_next: z.array(instantSchema).describe('Upcoming slots passed over because the exchange is closed (before the last of `next`)'),
      })
      .nullable()
      .describe('Under the trading-day policy (task.trading_days), else null'),
  })
  .openapi('ScheduledTaskStatus');

export const TaskStatusListSchema = z.object({ tasks: z.array(TaskStatusSchema) }).openapi('ScheduledTaskStatusList');

export const TaskStatsSchema = z
  .object({
    task_id: z.number().int(),
    name: z.string(),
    runs: z.number().int(),
    succeeded: z.number().int(),
    failed: z.number().int(),
    success_rate: z.number().nullable(),
    avg_ms: z.number().int().nullable().describe('Average duration'),
    p95_ms: z.number().int().nullable(),
    last_failure_at: instantSchema.nullable(),
    last_failure: z.string().nullable().describe('The last failure’s message'),
  })
  .openapi('ScheduledTaskStats');
export const SchedulerStatsSchema = z.object({ tasks: z.array(TaskStatsSchema) }).openapi('SchedulerStats');

export const CronPreviewSchema = z
  .object({
    ok: z.boolean(),
    next: z.array(instantSchema),
    describe: z.string().nullable().describe('The expression in words'),
    error: z.string().nullable().describe('Why the expression cannot be used'),
    skipped: z.array(instantSchema).describe('With trading_days: the slots before the last of `next` that fall on closed days'),
    unchecked: z.array(instantSchema).describe('With trading_days: those of `next` on days the calendar has no row for (they fire unchecked)'),
  })
  .openapi('CronPreview');

export const SlotNoteSchema = z
  .object({
    scheduled_for: instantSchema,
    day: dayString.describe('The exchange’s calendar day of the slot (Beijing time)'),
    outcome: z.enum(['skipped', 'fired']),
    reason: z.enum(['market_closed', 'calendar_missing']).describe('market_closed: the calendar marks the day closed, no run; calendar_missing: no calendar row for the day, the slot fired'),
    message: z.string(),
    recorded_at: instantSchema,
  })
  .openapi('TaskSlotNote');
export const SlotNoteListSchema = z
  .object({ slots: z.array(SlotNoteSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .openapi('TaskSlotNoteList');
export const SlotNotesQuery = z.object({ ...pageQuery(500, 50).shape });

export const slotNoteJson = (n: SlotNote): z.infer<typeof SlotNoteSchema> => ({
  scheduled_for: instant(n.scheduledFor),
  day: isoDay(n.day),
  outcome: n.outcome,
  reason: n.reason,
  message: n.message,
  recorded_at: instant(n.recordedAt),
});

export const ExecutorInfoSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    kind: z.enum(['backtest', 'io']).describe('backtest: CPU-bound, on worker threads; io: waits on the network or a database'),
    schema: z.record(z.string(), z.unknown()).nullable().describe('JSON Schema of its params (a task’s config)'),
  })
  .openapi('ExecutorInfo');
export const ExecutorListSchema = z.object({ executors: z.array(ExecutorInfoSchema) }).openapi('ExecutorList');

export const DeletedTaskSchema = z.object({ deleted: z.number().int().describe('The id of the task deleted (its runs stay)') }).openapi('DeletedTask');

/** The domain's schedule as the API writes it. */
export function scheduleJson(s: Schedule): z.infer<typeof ScheduleSchema> {
  switch (s.kind) {
    case 'cron':
      return { kind: 'cron', expression: s.expression, timezone: s.timezone };
    case 'interval':
      return { kind: 'interval', every_seconds: s.everySeconds, timezone: s.timezone };
    case 'manual':
      return { kind: 'manual', timezone: s.timezone };
  }
}

/** A request's schedule as the domain keeps it (and stores it). */
export function scheduleOf(s: ScheduleInput): Schedule {
  switch (s.kind) {
    case 'cron':
      return { kind: 'cron', expression: s.expression, timezone: s.timezone };
    case 'interval':
      return { kind: 'interval', everySeconds: s.every_seconds, timezone: s.timezone };
    case 'manual':
      return { kind: 'manual', timezone: s.timezone };
  }
}

/**
 * Who sees what of a task: `config` (analysts and admins) shows it with every secret as ••••;
 * `schedule` (viewers) leaves the config out: a task's schedule and history, not how it runs.
 */
export type TaskView = 'config' | 'schedule';

export function taskJson(t: Task, view: TaskView = 'config'): z.infer<typeof TaskSchema> {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    executor: t.executor,
    ...(view === 'config' ? { config: redactSecrets(t.config) as Record<string, unknown> } : {}),
    schedule: scheduleJson(t.schedule),
    timezone: t.timezone,
    enabled: t.enabled,
    paused: t.paused,
    overlap: t.overlap,
    max_concurrent: t.maxConcurrent,
    misfire: t.misfire,
    max_catch_up: t.maxCatchUp,
    grace_seconds: t.graceSeconds,
    max_attempts: t.maxAttempts,
    retry_delay_ms: t.retryDelayMs,
    timeout_ms: t.timeoutMs,
    owner_id: t.ownerId,
    created_at: instant(t.createdAt),
    updated_at: instant(t.updatedAt),
    last_slot: instant(t.lastSlot),
    trading_days: t.tradingDays,
  };
}

export function statusJson(s: TaskStatus, view: TaskView = 'config'): z.infer<typeof TaskStatusSchema> {
  const last = s.lastRun;
  return {
    task: taskJson(s.task, view),
    describe: s.describe,
    next: s.next.map((d) => instant(d)),
    last_run: last
      ? { id: last.id, status: last.status as RunStatus, scheduled_for: instant(last.scheduledFor), queued_at: instant(last.queuedAt), finished_at: instant(last.finishedAt), error: last.error }
      : null,
    running: s.running,
    queued: s.queued,
    late: s.late,
    state: s.state,
    progress: s.progress,
    calendar: s.calendar
      ? { exchange: s.calendar.exchange, covered_through: isoDay(s.calendar.coveredThrough), warning: s.calendar.warning, skipped_next: s.calendar.skippedNext.map((d) => instant(d)) }
      : null,
  };
}

/** One task's stats (src/scheduler/tasks.service.ts, schedulerStats) as the API writes them. */
export interface TaskStats {
  taskId: number;
  name: string;
  runs: number;
  succeeded: number;
  failed: number;
  successRate: number | null;
  avgMs: number | null;
  p95Ms: number | null;
  lastFailureAt: string | null;
  lastFailure: string | null;
}
export const taskStatsJson = (s: TaskStats): z.infer<typeof TaskStatsSchema> => ({
  task_id: s.taskId, name: s.name, runs: s.runs, succeeded: s.succeeded, failed: s.failed, success_rate: s.successRate,
  avg_ms: s.avgMs, p95_ms: s.p95Ms, last_failure_at: s.lastFailureAt, last_failure: s.lastFailure,
});

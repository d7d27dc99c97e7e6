import { z } from 'zod';
import type { MisfirePolicy, OverlapPolicy } from './policy.ts';
import { defaultTimezone, scheduleSchema, type Schedule } from './schedule.ts';

/** A scheduled task as services and routes see it (camelCase). */
export interface Task {
  id: number;
  name: string;
  description: string;
  executor: string;
  config: Record<string, unknown>;
  schedule: Schedule;
  timezone: string;
  enabled: boolean;
  paused: boolean;
  overlap: OverlapPolicy;
  maxConcurrent: number;
  misfire: MisfirePolicy;
  maxCatchUp: number;
  graceSeconds: number;
  maxAttempts: number;
  retryDelayMs: number;
  timeoutMs: number | null;
  ownerId: number | null;
  createdAt: Date;
  updatedAt: Date;
  /** The newest slot an instance has considered (fired or passed over). */
  lastSlot: Date;
}

const nameField = z
  .string()
  .trim()
  .min(1, { message: 'expected a name' })
  .max(100, { message: 'at most 100 characters' })
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _.:-]*$/u, { message: 'letters, digits, spaces and _ . : - only' });

/** What a create request carries; an edit carries any subset (validated again as a whole). */
export const taskInputSchema = z.object({
  name: nameField,
  description: z.string().max(2000).default(''),
  executor: z.string().min(1, { message: 'expected an executor name' }).max(64),
  config: z.record(z.string(), z.unknown()).default({}),
  schedule: scheduleSchema,
  enabled: z.boolean().default(true),
  overlap: z.enum(['skip', 'queue_one', 'allow']).default('skip'),
  maxConcurrent: z.number().int().min(1).max(1000).default(1),
  misfire: z.enum(['once', 'each', 'skip']).default('once'),
  maxCatchUp: z.number().int().min(1).max(1000).default(10),
  graceSeconds: z.number().int().min(0).max(7 * 86_400).default(60),
  maxAttempts: z.number().int().min(1).max(20).default(1),
  retryDelayMs: z.number().int().min(1).max(3_600_000).default(5000),
  timeoutMs: z.number().int().min(1).max(7 * 24 * 3_600_000).nullable().default(null),
});
export type TaskInput = z.output<typeof taskInputSchema>;
export const taskPatchSchema = taskInputSchema.partial();
export type TaskPatch = z.input<typeof taskPatchSchema>;

export { defaultTimezone };

/** Status of a task at a moment (database clock). */
export interface TaskStatus {
  task: Task;
  /** The schedule in words. */
  describe: string;
  next: Date[];
  lastRun: { id: number; status: string; scheduledFor: Date | null; queuedAt: Date; finishedAt: Date | null; error: string | null } | null;
  running: number;
  queued: number;
  /** A slot passed its grace period without a run starting. */
  late: boolean;
  state: 'disabled' | 'paused' | 'running' | 'late' | 'idle';
  /** Progress of the newest active run, 0..1, when it reports one. */
  progress: number | null;
}

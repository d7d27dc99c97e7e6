import type { MisfirePolicy, OverlapPolicy } from './policy.ts';
import { defaultTimezone, type Schedule } from './schedule.ts';

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

/** What requests carry (snake_case, validated once by the route or parseInput): src/scheduler/scheduler.contract.ts. */
export type { TaskInput, TaskPatch } from './scheduler.contract.ts';

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

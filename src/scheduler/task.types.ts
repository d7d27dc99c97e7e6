import type { MisfirePolicy, OverlapPolicy } from './policy.ts';
import type { Schedule } from './schedule.ts';
import type { CalendarCoverage, Exchange, SlotReason } from './trading-days.ts';

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
  /** Fire only on trading days of this exchange (src/scheduler/trading-days.ts); null: every slot. */
  tradingDays: Exchange | null;
}

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
  /** Under the trading-day policy: how far the calendar reaches, and the upcoming slots passed over (closed days). */
  calendar: (CalendarCoverage & { skippedNext: Date[] }) | null;
}

/** A slot decision recorded beside the runs (task_slot_log): skipped on a closed day, or fired without a calendar row. */
export interface SlotNote {
  taskId: number;
  scheduledFor: Date;
  /** The exchange's calendar day of the slot, YYYYMMDD. */
  day: number;
  outcome: 'skipped' | 'fired';
  reason: SlotReason;
  message: string;
  recordedAt: Date;
}

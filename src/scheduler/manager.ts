import type { PgStore } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import type { RunsService, QueueRunInput } from '../runs/runs.service.ts';
import { dueSlots, overlapDecision } from './policy.ts';
import { nextFireTimes, slotsBetween, type Schedule } from './schedule.ts';
import * as repo from './tasks.service.ts';
import { toTask } from './tasks.service.ts';
import type { Task } from './task.types.ts';
import type { MarketStore } from '../market/duckdb.ts';
import { isoDay } from '../market/days.ts';
import { exchangeDay, judgeSlot, readTradeCalendar, type Exchange, type TradeCalendar } from './trading-days.ts';

/**
 * The scheduler of one instance. It keeps the next fire instant of every enabled, unpaused task
 * (croner computes it for a cron schedule, epoch multiples for an interval) under one timer set for
 * the earliest, and follows other instances' edits via NOTIFY. When the timer rings, every task due
 * by then is requested in the same turn, so a second where 200 tasks fire costs one decision and one
 * insert (a croner job per task cost ~0.25 ms of event loop each before the batch could start).
 * A ring only says "look now": what is due is decided from the task row and the DATABASE
 * clock (policy.ts dueSlots/overlapDecision), and a fire is a run keyed (task_id, scheduled_for)
 * inserted with ON CONFLICT DO NOTHING — so every instance may fire, and each slot fires once.
 * A periodic sweep over every task catches what a timer could not (downtime, clock skew, a lost NOTIFY).
 */
export interface SchedulerManager {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Decides and fires what is due for these tasks now (database clock); what the timers call. */
  fireDue(ids: readonly number[]): Promise<FireReport>;
  /** Re-reads one task and re-arms (or drops) its timer. */
  reload(id: number): Promise<void>;
  /** Task ids with an armed timer (tests). */
  armed(): number[];
}

export interface FireReport {
  now: Date;
  fired: Array<{ taskId: number; scheduledFor: Date; runId: number }>;
  /** Slots another instance had fired already (the insert was a no-op). */
  duplicates: number;
  /** Slots not fired: a run still active (overlap), or the exchange closed that day (trading-day policy; recorded in task_slot_log). */
  skipped: Array<{ taskId: number; scheduledFor: Date; reason: 'overlap' | 'market_closed' }>;
  dropped: number;
}

export interface ManagerOptions {
  pg: PgStore;
  runs: RunsService;
  logger: Logger;
  /** How often every task is looked at regardless of timers (default 10 s). */
  sweepMs?: number;
  /** Called with every fire decision (benchmarks measure lateness from it). */
  onFire?: (report: FireReport) => void;
  /** Replaces the database clock in fire decisions (tests of policies at fixed instants). */
  clock?: () => Date;
  /** The market store whose trade calendar decides trading-day tasks; without it their slots fire with a warning recorded. */
  market?: MarketStore | null;
}

interface Armed {
  key: string;
  schedule: Schedule;
  /** The next instant (epoch ms, local clock) to look at this task; null when it never fires again. */
  next: number | null;
}

/** The longest single wait: the timer is re-set at least this often (no 24.8-day setTimeout limit, clock jumps noticed). */
const maxWaitMs = 60_000;

function nextAt(s: Schedule, after: number): number | null {
  return nextFireTimes(s, new Date(after), 1)[0]?.getTime() ?? null;
}

export function makeSchedulerManager(o: ManagerOptions): SchedulerManager {
  const db = o.pg.db;
  const log = o.logger.child({ component: 'scheduler' });
  const armed = new Map<number, Armed>();
  let wheel: NodeJS.Timeout | null = null;
  let wheelAt = Infinity;
  let stopped = true;
  let unlisten: (() => Promise<void>) | null = null;
  let sweepTimer: NodeJS.Timeout | null = null;
  const pending = new Set<number>();
  let firing: Promise<unknown> = Promise.resolve();
  const retryTimers = new Set<NodeJS.Timeout>();
  // The sweep in flight, awaited by stop() (a sweep that outlived stop would query a closed database).
  let sweeping: Promise<void> = Promise.resolve();

  // Fires requested while a decision is in flight (or within 2 ms) share the next decision: one round
  // trip for however many tasks rang, so a slow database never builds a queue of small batches.
  let batchQueued = false;
  const request = (id: number) => {
    if (stopped) return;
    pending.add(id);
    if (batchQueued) return;
    batchQueued = true;
    firing = firing
      // Never cleared on stop: the batch resolves within 2 ms and sees `stopped`.
      .then(() => new Promise<void>((resolve) => setTimeout(resolve, 2)))
      .then(() => {
        batchQueued = false;
        const ids = [...pending];
        pending.clear();
        return ids.length && !stopped ? fireDue(ids) : undefined;
      })
      .catch((err) => log.error('firing tasks failed', { err: err as Error }));
  };

  const fireDue = async (ids: readonly number[]): Promise<FireReport> => {
    const loaded = await repo.loadForFiring(db, ids);
    const tasks = loaded.tasks;
    const now = o.clock ? o.clock() : loaded.now;
    const report: FireReport = { now, fired: [], duplicates: 0, skipped: [], dropped: 0 };
    const inputs: Array<QueueRunInput & { taskId: number; scheduledFor: Date }> = [];
    const advance: Array<{ id: number; slot: Date }> = [];
    const notes: repo.SlotNoteValues[] = [];
    const decided = tasks.flatMap((row) => {
      const task = toTask(row);
      if (!task.enabled || task.paused || task.schedule.kind === 'manual') return [];
      const due = dueSlots(task.schedule, task.lastSlot, now, { misfire: task.misfire, maxCatchUp: task.maxCatchUp, graceSeconds: task.graceSeconds });
      return [{ row, task, due }];
    });
    // A `once` catch-up may fall back to an older missed slot (below): its calendar span starts at the task's last slot.
    const calendars = await tradeCalendars(
      decided.flatMap(({ task, due }) =>
        task.tradingDays ? [...due.fire, ...(coalesced(task, due) ? [task.lastSlot] : [])].map((slot) => ({ exchange: task.tradingDays!, slot })) : [],
      ),
    );
    for (const { row, task, due } of decided) {
      const active = { queued: row.queued, running: row.running };
      const cal = task.tradingDays ? (calendars.get(task.tradingDays)?.cal ?? null) : null;
      const slots = coalesced(task, due) && cal ? withTradingDayFallback(task, due.fire[0], cal) : due.fire;
      // A fallback slot was among the dropped ones.
      report.dropped += due.dropped - (slots.length - due.fire.length);
      for (const slot of slots) {
        // Trading-day policy first: a closed day's slot is no fire at all, so it takes no overlap room.
        const verdict = task.tradingDays ? judgeSlot(task.tradingDays, slot, calendars.get(task.tradingDays)?.cal ?? null, calendars.get(task.tradingDays)?.error) : null;
        const note = verdict?.note ? { task_id: task.id, scheduled_for: slot, day: isoDay(verdict.day), ...verdict.note } : null;
        if (verdict && !verdict.fire) {
          report.skipped.push({ taskId: task.id, scheduledFor: slot, reason: 'market_closed' });
          notes.push(note!);
          continue;
        }
        if (overlapDecision(task.overlap, active, task.maxConcurrent) === 'skip') {
          report.skipped.push({ taskId: task.id, scheduledFor: slot, reason: 'overlap' });
          continue;
        }
        active.queued++;
        inputs.push(inputFor(task, slot));
        if (note) notes.push(note);
      }
      const newest = slotsBetween(task.schedule, task.lastSlot, now, 1, false).slots[0];
      if (newest) advance.push({ id: task.id, slot: newest });
      // A timer that rang a little before the database's now: look again when the slot is due there.
      const upcoming = nextFireTimes(task.schedule, newest ?? task.lastSlot, 1)[0];
      const early = upcoming ? upcoming.getTime() - now.getTime() : Infinity;
      if (early > 0 && early < 1000 && !newest) {
        const t = setTimeout(() => {
          retryTimers.delete(t);
          request(task.id);
        }, early + 1);
        retryTimers.add(t);
      }
    }
    const valid = inputs;
    let runs: Awaited<ReturnType<RunsService['queueRuns']>> = [];
    try {
      runs = await o.runs.queueRuns(valid);
    } catch (err) {
      // One task's config no longer valid (an executor removed?): fire the others one by one.
      log.warn('a batch of fires failed; firing one by one', { err: err as Error });
      for (const input of valid) {
        try {
          const run = await o.runs.queueScheduledRun(input);
          if (run) runs.push(run);
        } catch (e) {
          log.error('task could not fire', { taskId: input.taskId, err: e as Error });
        }
      }
    }
    for (const r of runs) report.fired.push({ taskId: r.taskId!, scheduledFor: r.scheduledFor!, runId: r.id });
    report.duplicates = valid.length - runs.length;
    // A note lost (its task deleted a moment ago) must not undo the decision: the slots still advance.
    await repo.insertSlotNotes(db, notes).catch((err) => log.warn('recording skipped slots failed', { count: notes.length, err: err as Error }));
    await repo.advanceSlots(db, advance);
    if (report.fired.length) log.debug('tasks fired', { count: report.fired.length, duplicates: report.duplicates });
    o.onFire?.(report);
    return report;
  };

  /**
   * The trade calendar of each exchange over the days of these slots (one read per exchange); a
   * read that fails is reported as the reason every slot of that exchange fires unchecked.
   */
  const tradeCalendars = async (slots: ReadonlyArray<{ exchange: Exchange; slot: Date }>): Promise<Map<Exchange, { cal: TradeCalendar | null; error?: string }>> => {
    const spans = new Map<Exchange, { from: number; to: number }>();
    for (const { exchange, slot } of slots) {
      const day = exchangeDay(slot);
      const span = spans.get(exchange);
      spans.set(exchange, span ? { from: Math.min(span.from, day), to: Math.max(span.to, day) } : { from: day, to: day });
    }
    const out = new Map<Exchange, { cal: TradeCalendar | null; error?: string }>();
    for (const [exchange, { from, to }] of spans) {
      if (!o.market) {
        out.set(exchange, { cal: null, error: 'this instance has no market store' });
        continue;
      }
      try {
        out.set(exchange, { cal: await readTradeCalendar(o.market, exchange, from, to) });
      } catch (err) {
        log.warn('reading the trade calendar failed; trading-day slots fire unchecked', { exchange, err: err as Error });
        out.set(exchange, { cal: null, error: (err as Error).message });
      }
    }
    return out;
  };

  /** Sets the one timer for the earliest armed instant (or clears it when nothing is armed). */
  const setWheel = () => {
    if (stopped) return;
    let earliest = Infinity;
    for (const a of armed.values()) if (a.next !== null && a.next < earliest) earliest = a.next;
    if (wheel && earliest === wheelAt) return;
    if (wheel) clearTimeout(wheel);
    wheel = null;
    wheelAt = earliest;
    if (earliest === Infinity) return;
    wheel = setTimeout(ring, Math.min(maxWaitMs, Math.max(0, earliest - Date.now())));
  };

  /** Requests every task whose instant has come, moves each to its next instant, re-sets the timer. */
  const ring = () => {
    wheel = null;
    wheelAt = Infinity;
    const now = Date.now();
    for (const [id, a] of armed) {
      if (a.next === null || a.next > now) continue;
      request(id);
      a.next = nextAt(a.schedule, now);
    }
    setWheel();
  };

  const disarm = (id: number) => {
    if (armed.delete(id)) setWheel();
  };

  const arm = (task: Task) => {
    // A sweep or reload that was in flight when stop() ran must not re-arm (the timer would keep the process alive).
    if (stopped) return;
    const key = JSON.stringify([task.schedule, task.enabled, task.paused]);
    const current = armed.get(task.id);
    if (current?.key === key) return;
    armed.delete(task.id);
    if (task.enabled && !task.paused && task.schedule.kind !== 'manual') {
      armed.set(task.id, { key, schedule: task.schedule, next: nextAt(task.schedule, Date.now()) });
    }
    setWheel();
  };

  const reload = async (id: number) => {
    const row = await repo.findTask(db, id);
    if (!row) {
      disarm(id);
      return;
    }
    const task = toTask(row);
    arm(task);
    // Enabled or resumed: slots owed since are decided now, not at the next tick.
    if (task.enabled && !task.paused) request(id);
  };

  const sweep = async () => {
    if (stopped) return;
    const rows = await repo.listTasks(db);
    if (stopped) return;
    const seen = new Set<number>();
    for (const row of rows) {
      const t = toTask(row);
      seen.add(t.id);
      arm(t);
    }
    for (const id of [...armed.keys()]) if (!seen.has(id)) disarm(id);
    const live = rows.filter((r) => r.enabled && !r.paused).map((r) => Number(r.id));
    if (live.length) {
      firing = firing.then(() => (stopped ? undefined : fireDue(live))).catch((err) => log.error('sweep failed', { err: err as Error }));
      await firing;
    }
  };

  return {
    async start() {
      if (!stopped) return;
      stopped = false;
      unlisten = await o.pg.listen(repo.tasksChannel, (payload) => {
        const id = Number(payload);
        if (Number.isInteger(id) && !stopped) void reload(id).catch((err) => log.warn('reloading a task failed', { taskId: id, err: err as Error }));
      });
      await sweep();
      sweepTimer = setInterval(() => {
        sweeping = sweeping.then(sweep).catch((err) => log.error('sweep failed', { err: err as Error }));
      }, o.sweepMs ?? 10_000);
      log.info('scheduler started', { tasks: armed.size });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (sweepTimer) clearInterval(sweepTimer);
      for (const t of retryTimers) clearTimeout(t);
      retryTimers.clear();
      const clearWheel = () => {
        armed.clear();
        if (wheel) clearTimeout(wheel);
        wheel = null;
        wheelAt = Infinity;
      };
      clearWheel();
      await sweeping.catch(() => {});
      await firing.catch(() => {});
      clearWheel();
      await unlisten?.().catch(() => {});
      log.info('scheduler stopped');
    },
    fireDue,
    reload,
    armed: () => [...armed.keys()],
  };
}

/** A `once` catch-up of a trading-day task: older missed slots were coalesced into the one it fires. */
function coalesced(task: Task, due: { fire: Date[]; dropped: number }): boolean {
  return task.tradingDays !== null && task.misfire === 'once' && due.dropped > 0 && due.fire.length === 1;
}

/**
 * The slot a `once` catch-up fires when the newest missed slot falls on a closed day: the newest
 * missed slot on a trading day instead (fired before the closed one is recorded as skipped). Down
 * from Thursday to a Friday holiday, the Thursday sync still runs; without this nothing would until
 * Monday, whose sync fetches Monday only.
 */
function withTradingDayFallback(task: Task, newest: Date, cal: TradeCalendar): Date[] {
  if (cal.get(exchangeDay(newest)) !== false) return [newest];
  const older = slotsBetween(task.schedule, task.lastSlot, new Date(newest.getTime() - 1), 64, false).slots;
  for (let i = older.length - 1; i >= 0; i--) if (cal.get(exchangeDay(older[i])) === true) return [older[i], newest];
  return [newest];
}

function inputFor(task: Task, slot: Date): QueueRunInput & { taskId: number; scheduledFor: Date } {
  return {
    executor: task.executor,
    params: task.config,
    queuedBy: null,
    taskId: task.id,
    scheduledFor: slot,
    maxAttempts: task.maxAttempts,
    retryDelayMs: task.retryDelayMs,
    timeoutMs: task.timeoutMs,
  };
}

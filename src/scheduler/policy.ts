import { overflowCountCap, slotsBetween, type Schedule } from './schedule.ts';

/**
 * What to do with slots missed while no instance was running (or while the task was paused):
 * - `once`: fire one run for the newest missed slot (the others are coalesced into it);
 * - `each`: fire every missed slot, oldest first, up to `maxCatchUp`; older ones are dropped;
 * - `skip`: fire only slots still within the grace period; older ones are dropped.
 * A slot within the grace period is never "missed": every policy fires it.
 */
export type MisfirePolicy = 'once' | 'each' | 'skip';

/** What to do when a slot comes while earlier runs of the task are still queued or running. */
export type OverlapPolicy = 'skip' | 'queue_one' | 'allow';

export interface DueSlots {
  /** Slots to fire now, oldest first. */
  fire: Date[];
  /** Slots passed over under the misfire policy. */
  dropped: number;
}

/**
 * The slots due at `now` for a task whose newest fired (or considered) slot is `lastSlot`.
 * Pure: the caller reads `now` from the database clock.
 */
export function dueSlots(
  schedule: Schedule,
  lastSlot: Date,
  now: Date,
  policy: { misfire: MisfirePolicy; maxCatchUp: number; graceSeconds: number },
): DueSlots {
  if (policy.misfire === 'each') {
    const { slots, overflow } = slotsBetween(schedule, lastSlot, now, Math.max(1, policy.maxCatchUp));
    return { fire: slots, dropped: overflow };
  }
  // Slots at or after graceStart are on time; older ones are late. Only the on-time ones are listed
  // (the grace window bounds them); the late ones are counted, and the newest of them kept for `once`.
  const graceStart = new Date(now.getTime() - policy.graceSeconds * 1000);
  const lateTo = new Date(graceStart.getTime() - 1);
  // A grace window longer than the overflow cap's worth of slots keeps its newest ones.
  const inGrace = slotsBetween(schedule, lastSlot > lateTo ? lastSlot : lateTo, now, overflowCountCap);
  const onTime = inGrace.slots;
  const lateSlots = slotsBetween(schedule, lastSlot, lateTo, 1);
  const late = lateSlots.slots.length + lateSlots.overflow + inGrace.overflow;
  if (policy.misfire === 'skip' || late === 0) return { fire: onTime, dropped: late };
  // once: coalesce every late slot into one run of the newest slot (on-time ones included).
  const newest = onTime.length ? onTime[onTime.length - 1] : lateSlots.slots[0];
  return { fire: [newest], dropped: late + onTime.length - 1 };
}

/**
 * Whether a new slot may be queued given the task's runs that are still active.
 * - `skip`: only when nothing is queued or running;
 * - `queue_one`: when fewer than `maxConcurrent` run and nothing waits, or one may wait behind
 *   them (never more than one waiting);
 * - `allow`: when queued + running stay under `maxConcurrent`.
 */
export function overlapDecision(
  policy: OverlapPolicy,
  active: { queued: number; running: number },
  maxConcurrent: number,
): 'fire' | 'skip' {
  const max = Math.max(1, maxConcurrent);
  switch (policy) {
    case 'skip':
      return active.queued + active.running === 0 ? 'fire' : 'skip';
    case 'queue_one':
      return active.queued === 0 ? 'fire' : 'skip';
    case 'allow':
      return active.queued + active.running < max ? 'fire' : 'skip';
  }
}

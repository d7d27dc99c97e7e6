/** Shared plumbing of the signal strategies: buy into free slots of equal size, sell out. */
import type { StrategyContext } from '../context.ts';

/** Buys stock `i` with value × positionRatio / maxPositions when a slot is free; returns slots left. */
export function buyIntoSlot(ctx: StrategyContext<unknown>, i: number, slotsLeft: number, positionRatio: number, maxPositions: number): number {
  if (slotsLeft <= 0) return slotsLeft;
  const budget = Math.min(ctx.portfolio.cash, (ctx.portfolio.value * positionRatio) / maxPositions);
  if (budget <= 0) return slotsLeft;
  ctx.orderValue(i, budget);
  return slotsLeft - 1;
}

/** Free position slots today. */
export function freeSlots(ctx: StrategyContext<unknown>, maxPositions: number): number {
  return maxPositions - ctx.portfolio.count;
}

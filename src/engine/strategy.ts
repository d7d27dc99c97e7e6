/**
 * The strategy contract. `params` is any schema with `parse` (a zod schema on the host; inside the
 * sandbox the bundled zod), so the engine itself depends on nothing.
 */
import type { Order } from './types.ts';
import type { StrategyContext } from './context.ts';

export interface ParamsSchema<P> {
  parse(input: unknown): P;
}

export interface StrategyDefinition<P = Record<string, unknown>> {
  name: string;
  /** One line for the strategy list and the create page. */
  description?: string;
  params: ParamsSchema<P>;
  /**
   * The daily-basic fields (pe_ttm, pb, turnover_rate, …: src/market/panel.ts basicFields) the
   * strategy reads with ctx.field; only these are loaded into a built-in's panel (none when absent).
   * User code is given the whole daily-basic set whatever it declares.
   */
  fields?: readonly string[];
  /** The stored factors (src/factors keys) the strategy reads with ctx.factor, given its params; loaded with the panel. */
  factorsOf?(params: P): readonly string[];
  init?(ctx: StrategyContext<P>): void;
  onDay(ctx: StrategyContext<P>): void;
  /** Called after the fill phase for every order that filled (partly) or ended that day. */
  onOrder?(ctx: StrategyContext<P>, order: Readonly<Order>): void;
}

/** Declares a strategy; identity at run time, typed for authors. */
export function defineStrategy<P>(def: StrategyDefinition<P>): StrategyDefinition<P> {
  return def;
}

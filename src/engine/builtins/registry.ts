/** The built-in strategies by name, and their parameter forms as JSON Schema (the create page renders them). */
import { z } from 'zod';
import type { StrategyDefinition } from '../strategy.ts';
import { bollinger } from './bollinger.ts';
import { dualMa } from './dual-ma.ts';
import { factorRank } from './factor_rank.ts';
import { grid } from './grid.ts';
import { meanReversion } from './mean-reversion.ts';
import { momentum } from './momentum.ts';
import { rsi } from './rsi.ts';
import { simpleMa } from './simple-ma.ts';
import { turnover } from './turnover.ts';
import { value } from './value.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const builtinStrategies: Record<string, StrategyDefinition<any>> = {
  simple_ma: simpleMa,
  dual_ma: dualMa,
  momentum,
  mean_reversion: meanReversion,
  bollinger,
  rsi,
  grid,
  pe_pb_value: value,
  turnover_rate: turnover,
  factor_rank: factorRank,
};

export function getBuiltinStrategy(name: string): StrategyDefinition<unknown> | null {
  return Object.hasOwn(builtinStrategies, name) ? builtinStrategies[name] : null;
}

/** JSON Schema of a built-in's params (input side: defaults shown, fields optional). */
export function builtinParamsJsonSchema(name: string): Record<string, unknown> | null {
  const s = getBuiltinStrategy(name);
  if (!s) return null;
  return z.toJSONSchema(s.params as z.ZodType, { io: 'input' }) as Record<string, unknown>;
}

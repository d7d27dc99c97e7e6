import { z } from 'zod';
import { computeFactor, factorKinds, factorName, type FactorKind } from '../factors/factors.service.ts';
import type { MarketStore } from '../market/duckdb.ts';
import { defineExecutor } from '../runs/executor-registry.ts';

const yyyymmdd = z.number().int().min(19900101).max(21001231);

/**
 * Computes factors from the factor registry in DuckDB and replaces their values in `factor_values`
 * (from `start` on, or entirely) — one write transaction per factor, so a reader never sees half.
 */
export const factorParams = z
  .object({
    factors: z
      .array(z.object({ kind: z.enum(factorKinds as [FactorKind, ...FactorKind[]]), n: z.number().int().min(2).max(500) }).strict())
      .min(1)
      .max(50)
      .default([
        { kind: 'turnover_ma', n: 5 },
        { kind: 'momentum', n: 20 },
        { kind: 'volatility', n: 20 },
      ]),
    /** Recompute only dates from this one on (windows still look back before it). */
    start: yyyymmdd.optional(),
  })
  .strict();

/** The `factor` executor over this market store (where it reads bars and writes the values). */
export const makeFactorExecutor = (market: MarketStore) => defineExecutor({
  name: 'factor',
  description: 'computes factors (turnover-rate moving average, N-day momentum, N-day volatility) into factor_values',
  params: factorParams,
  kind: 'io',
  queueRole: 'admin',
  async run(p, ctx) {
    const out: Array<{ factor: string; rows: number }> = [];
    ctx.progress({ processed: 0, total: p.factors.length });
    for (const [i, f] of p.factors.entries()) {
      ctx.signal.throwIfAborted();
      const name = factorName(f.kind, f.n);
      const start = p.start ?? 0;
      const rows = await computeFactor(market, f.kind, f.n, start);
      out.push({ factor: name, rows });
      ctx.log('info', `${name}: ${rows} values`);
      ctx.progress({ processed: i + 1, total: p.factors.length, current: name });
    }
    return { factors: out };
  },
});

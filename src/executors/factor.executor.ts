import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/access.ts';
import type { Database } from '../db/schema.ts';
import { builtinFactorId, builtinFactorKinds, parseBuiltinFactorId, type BuiltinFactorKind } from '../factors/builtin-factors.ts';
import { computeBuiltinFactor, computeUserFactor, resolveFactor, type FactorScope } from '../factors/factors.service.ts';
import { userFactorCode } from '../factors/user-factors.service.ts';
import { AppError } from '../http/errors.ts';
import type { MarketStore } from '../market/duckdb.ts';
import { barRange } from '../market/market.service.ts';
import { isoDay } from '../market/days.ts';
import { defineExecutor, RunError } from '../runs/executor-registry.ts';
import { runOwnerOf } from '../scheduler/tasks.service.ts';

const yyyymmdd = z.number().int().min(19900101).max(21001231);

/** One factor to compute: its id (`momentum_20`, `ep`, `u12`, `u12v3`), or a built-in kind and window (the older form). */
const factorItem = z.union([
  z.object({ id: z.string().min(1).max(40).describe('factor id: momentum_20, size, u12 (current version), u12v3') }).strict(),
  z.object({ kind: z.enum(builtinFactorKinds as unknown as [BuiltinFactorKind, ...BuiltinFactorKind[]]), n: z.number().int().min(2).max(500).optional() }).strict(),
]);

/**
 * Computes factors and replaces their values in `factor_values` within the period (and stocks)
 * given — one write transaction per factor, so a reader never sees half. Built-ins are DuckDB SQL;
 * a user factor runs in the sandbox as its owner (the run's queuer, or the task's owner) may.
 */
export const factorParams = z
  .object({
    factors: z
      .array(factorItem)
      .min(1)
      .max(50)
      .default([
        { kind: 'turnover_ma', n: 5 },
        { kind: 'momentum', n: 20 },
        { kind: 'volatility', n: 20 },
      ]),
    /** Compute only days from this one on (windows still look back before it). */
    start: yyyymmdd.optional(),
    /** Compute only days up to this one (default: the last day with bars). */
    end: yyyymmdd.optional(),
    /** Only these stocks (default: every stock). */
    codes: z.array(z.string().regex(/^\d{6}\.(SH|SZ|BJ)$/, 'expected an A-share ts_code like 600000.SH')).min(1).max(6000).optional(),
  })
  .strict()
  .refine((p) => p.start === undefined || p.end === undefined || p.start <= p.end, { message: 'start must be on or before end', path: ['start'] });
export type FactorParams = z.output<typeof factorParams>;

/** The id of one item of the params. */
export function factorItemId(f: z.output<typeof factorItem>): string {
  return 'id' in f ? f.id : builtinFactorId(f.kind, f.n);
}

export interface FactorExecutorDeps {
  market: MarketStore;
  /** Where user factors' code and owners are read. */
  db: Kysely<Database>;
  /** Wall-time bound of one user factor's sandbox run (BACKTEST_TIMEOUT_MS). */
  userCodeTimeoutMs?: number;
  /**
   * Told after values were replaced (also when an error stops the run after some factors were
   * written): the web process publishes a snapshot, so workers' factor_rank backtests, ctx.factor
   * and analyses read the new values.
   */
  onValuesChanged?: () => void;
}

/** The `factor` executor over this market store (where it reads bars and writes the values). */
export const makeFactorExecutor = (deps: FactorExecutorDeps) => defineExecutor({
  name: 'factor',
  description: 'computes factors (built-ins: momentum, reversal, volatility, turnover, amihud, size, ep, bp; user factors) into factor_values; see /factors',
  params: factorParams,
  kind: 'io',
  queueRole: 'admin',
  // A task's factors are checked when it is saved: a built-in id of a known kind and window, or a user factor id.
  validate(p) {
    p.factors.forEach((f, i) => {
      const id = factorItemId(f);
      if (!parseBuiltinFactorId(id) && !/^u\d{1,10}(v\d{1,10})?$/.test(id)) {
        throw new AppError(400, 'invalid_request', `params.factors.${i}: ${id} is no factor: built-ins are momentum_N, reversal_N, volatility_N, turnover_ma_N, amihud_N (N 2–500), size, ep, bp; user factors u<id> or u<id>v<version>`, { field: `params.factors.${i}` });
      }
    });
  },
  async run(p, ctx) {
    const { market, db } = deps;
    // Unbounded by default: every day any source table has (daily_basic may reach before the bars).
    const scope: FactorScope = { start: p.start ?? 19900101, end: p.end ?? 21001231, codes: p.codes ?? null };
    const ids = p.factors.map(factorItemId);
    // User factors run as the run's owner would see them: nobody else's private code.
    let principal: Principal | null = null;
    const asOwner = async (): Promise<Principal> => {
      if (principal) return principal;
      const { owner } = await runOwnerOf(db, ctx.runId);
      if (!owner || owner.disabled) throw new RunError('no_owner', 'a user factor is computed as a user: queue it as one (POST /api/v1/factors/{id}/computations), or give the task an enabled owner', { retryable: false });
      principal = { userId: owner.id, username: owner.username, role: owner.role, via: 'token' } as Principal;
      return principal;
    };
    const out: Array<{ factor: string; key: string; rows: number }> = [];
    ctx.progress({ processed: 0, total: ids.length, current: ids[0] });
    const period = `${p.start ? isoDay(p.start) : 'the first day'} to ${p.end ? isoDay(p.end) : 'the last day'}`;
    ctx.log('info', `${period}, ${scope.codes ? `${scope.codes.length} stocks` : 'every stock'}`);
    try {
      await computeEach();
    } finally {
      if (out.length) deps.onValuesChanged?.();
    }
    return { factors: out, start: p.start ? isoDay(p.start) : null, end: p.end ? isoDay(p.end) : null };

    async function computeEach(): Promise<void> {
      for (const [i, id] of ids.entries()) {
        ctx.signal.throwIfAborted();
        const t0 = Date.now();
        let rows: number;
        let key = id;
        if (/^u\d/.test(id)) {
          const ref = await resolveFactor(db, await asOwner(), id).catch((err: unknown) => {
            if (err instanceof AppError) throw new RunError('not_found', err.message, { retryable: false });
            throw err;
          });
          key = ref.key;
          const code = await userFactorCode(db, ref.factorId!, ref.version!);
          // A user factor's panel needs real days: the scope within the bars.
          const bars = await barRange(market);
          if (!bars) throw new RunError('no_data', 'the market data has no daily bars yet: sync daily_bars or seed the demo market first', { retryable: false });
          const userScope = { ...scope, start: Math.max(scope.start, bars.first), end: Math.min(scope.end, bars.last) };
          const r = await computeUserFactor(market, key, userScope, {
            source: code.source, language: code.language, timeoutMs: deps.userCodeTimeoutMs, signal: ctx.signal,
            onProgress: (u) => ctx.progress({ fraction: (i + (u.total ? u.processed / u.total : 0)) / ids.length, current: `${id} ${u.date ? isoDay(u.date) : ''}`.trim() }),
          });
          if (!r.ok) {
            const e = r.error;
            if (e.code === 'aborted') throw ctx.signal.reason ?? new Error('aborted');
            const where = e.line ? ` at line ${e.line}, column ${e.column}` : '';
            const when = e.date ? ` on ${isoDay(e.date)}` : '';
            throw new RunError(e.code, `${id}: ${e.message}${where}${when}`, { retryable: false, detail: { factor: id, line: e.line, column: e.column, date: e.date ? isoDay(e.date) : null } });
          }
          rows = r.rows;
        } else {
          try {
            rows = await computeBuiltinFactor(market, id, scope);
          } catch (err) {
            if (/not a built-in factor id/.test(String((err as Error).message))) throw new RunError('not_found', `${id}: no such factor (built-ins: momentum_N, reversal_N, volatility_N, turnover_ma_N, amihud_N, size, ep, bp)`, { retryable: false });
            throw err;
          }
        }
        out.push({ factor: id, key, rows });
        ctx.log('info', `${id}${key !== id ? ` (${key})` : ''}: ${rows} values in ${Date.now() - t0} ms`);
        ctx.progress({ processed: i + 1, total: ids.length, current: id });
      }
    }
  },
});

/**
 * Checks user strategy code on save: syntax and shape (describeUserStrategy: it compiles, defines a
 * strategy, its params schema converts), then a dry run of 60 days on a tiny made-up panel so
 * errors in onDay surface with their line before a real backtest is queued.
 */
import type { Panel } from '../engine/panel.ts';
import { factorFieldPrefix, factorsInCode } from '../engine/market-views.ts';
import { runUserBacktest } from '../engine/sandbox/sandbox.ts';
import { describeUserStrategy } from '../engine/sandbox/sandbox.ts';
import type { UserCodeError } from '../engine/sandbox/user-code.ts';
import { addDays, isWeekend } from '../market/days.ts';

export function tinyPanel(): Panel {
  const D = 60;
  const codes = ['600000.SH', '000001.SZ', '300750.SZ', '688981.SH'];
  const N = codes.length;
  const dates = new Int32Array(D);
  for (let d = 0, day = 20230103; d < D; day = addDays(day, 1)) if (!isWeekend(day)) dates[d++] = day;
  const f = () => new Float64Array(D * N);
  const open = f(), high = f(), low = f(), close = f(), preClose = f(), volume = f(), amount = f(), adjFactor = f(), upLimit = f(), downLimit = f();
  const fields: Record<string, Float64Array> = {};
  for (const k of ['pe', 'pe_ttm', 'pb', 'ps', 'turnover_rate', 'total_mv', 'circ_mv']) fields[k] = f().fill(10);
  for (let i = 0; i < N; i++) {
    let p = 10 + i * 5;
    for (let d = 0; d < D; d++) {
      const k = d * N + i;
      const prev = p;
      // A deterministic wave: rises then falls, so crossovers and trades happen.
      p = Math.round(prev * (1 + 0.02 * Math.sin((d + i * 7) / 6)) * 100) / 100;
      preClose[k] = prev;
      open[k] = prev;
      close[k] = p;
      high[k] = Math.max(prev, p);
      low[k] = Math.min(prev, p);
      volume[k] = 1e6;
      amount[k] = 1e6 * p;
      adjFactor[k] = 1;
      upLimit[k] = Math.round(prev * 1.1 * 100) / 100;
      downLimit[k] = Math.round(prev * 0.9 * 100) / 100;
    }
  }
  const u8 = () => new Uint8Array(D * N);
  return { dates, codes, open, high, low, close, preClose, volume, amount, adjFactor, upLimit, downLimit, suspended: u8(), listed: u8().fill(1), st: u8(), fields };
}

export type CheckOutcome = { ok: true; name: string; description: string | null; paramsSchema: unknown } | { ok: false; error: UserCodeError; logs: string[] };

export async function checkStrategyCode(source: string, language: 'js' | 'ts'): Promise<CheckOutcome> {
  const described = await describeUserStrategy(source, language);
  if (!described.ok) return { ok: false, error: described.error, logs: [] };
  const run = await dryRunStrategyCode(source, language);
  if (!run.ok) return run;
  return { ...described, paramsSchema: withPropertyOrder(described.paramsSchema) };
}

/**
 * The schema with `x-order`, its properties' names in declaration order: the schema is stored as
 * jsonb, which keeps arrays in order but not an object's keys, and forms list parameters in this order.
 */
function withPropertyOrder(schema: unknown): unknown {
  const props = (schema as { properties?: unknown } | null)?.properties;
  return props && typeof props === 'object' ? { ...(schema as object), 'x-order': Object.keys(props) } : schema;
}

export type DryRunOutcome = { ok: true; logs: string[] } | { ok: false; error: UserCodeError; logs: string[] };

/** The save check's dry run alone, with the strategy's log: what the editor's reference examples run. */
export async function dryRunStrategyCode(source: string, language: 'js' | 'ts'): Promise<DryRunOutcome> {
  // Factors the code reads (ctx.factor('…')) are there, with no value: the made-up market has none stored.
  const panel = tinyPanel();
  const factors = Object.fromEntries(factorsInCode(source).map((f) => [factorFieldPrefix + f, new Float64Array(panel.close.length).fill(NaN)]));
  const run = await runUserBacktest({ source, language, panel: { ...panel, fields: { ...panel.fields, ...factors } }, params: {}, config: { initialCash: 1_000_000 }, timeoutMs: 10_000, memoryLimitMb: 64 });
  // ctx.log lines are the result's; console.log lines come through the sandbox's own log.
  return run.ok ? { ok: true, logs: [...run.result.logs, ...run.logs] } : { ok: false, error: run.error, logs: run.logs };
}

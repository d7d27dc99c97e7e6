/**
 * What a backtest submission says (the API body, snake_case as WALKTHROUGH.md journey 3 writes it;
 * the create form is turned into the same object) and its normalised snapshot, which is stored with
 * the backtest and is all the executor needs.
 */
import { z } from '@hono/zod-openapi';
import { boundedDate } from '../http/input.ts';
import type { FillTiming } from '../backtest/engine/types.ts';
import type { Board } from '../market/datasets.ts';

/** A day as requests write it: YYYY-MM-DD (or YYYYMMDD); `ymd` turns it into the stored number. */
export const dayPattern = /^\d{4}-?\d{2}-?\d{2}$/;

const day = (field: string) => boundedDate(field).describe('YYYY-MM-DD, from 1990-01-01 to 2100-12-31');

export const boards = ['main', 'chinext', 'star', 'bse'] as const;

export const submitBacktestSchema = z
  .object({
    name: z.string().max(200).optional().describe('A label for the list; the strategy name when absent'),
    strategy: z.string().min(1).max(100).optional().describe('A built-in strategy: dual_ma, simple_ma, momentum, mean_reversion, bollinger, rsi, grid, pe_pb_value, turnover_rate'),
    strategy_id: z.number().int().positive().optional().describe('Or the id of one of your own strategies (its current version runs and is recorded)'),
    params: z.record(z.string(), z.unknown()).default({}).describe("The strategy's parameters (see its JSON Schema); defaults fill the rest"),
    universe: z.enum(['all', 'codes']).optional().describe("'all': every stock listed in the range (filters: boards, exclude_st); 'codes': the stocks in `codes` (the default when codes are given)"),
    codes: z.array(z.string().regex(/^\d{6}\.(SH|SZ|BJ)$/i, 'expected ts_codes such as 600000.SH')).max(6000).optional(),
    boards: z.array(z.enum(boards)).optional().describe('With universe all: only these boards'),
    exclude_st: z.boolean().default(false).describe('With universe all: leave out stocks tagged ST on any day of the range'),
    start_date: day('start_date'),
    end_date: day('end_date'),
    capital: z.number().positive().max(1e12).default(1_000_000).describe('Starting cash, CNY'),
    benchmark: z.string().max(20).nullable().default('000300.SH').describe('Index ts_code to compare with, or null'),
    adjust: z.enum(['hfq', 'qfq', 'none']).default('hfq').describe("Prices the strategy's signals see. 'hfq': backward-adjusted (as of each day; the default); 'qfq': forward-adjusted to end_date (levels as charts show them today, which uses end_date's factors); 'none': raw prices with adjustment factors ignored. With hfq and qfq, fills are at actual prices and dividends and splits are applied to holdings on ex-dates"),
    fill_timing: z.enum(['next_open', 'same_close']).default('next_open'),
    commission_rate: z.number().min(0).max(0.01).optional(),
    min_commission: z.number().min(0).max(1000).optional(),
    stamp_duty: z.union([z.literal('schedule'), z.number().min(0).max(0.01)]).optional().describe("Stamp duty on sells: 'schedule' (0.1%, 0.05% from 2023-08-28; the default) or a fixed rate"),
    transfer_fee: z.union([z.literal('schedule'), z.number().min(0).max(0.001)]).optional().describe("Transfer fee on both sides: 'schedule' (0.001% of value on SH and SZ since 2022-04-29; the default), a fixed rate, or 0 for none"),
    slippage_bps: z.number().min(0).max(1000).optional(),
    on_error: z.enum(['fail', 'skip_day']).default('fail').describe("A strategy error: 'fail' ends the run (the default); 'skip_day' records it among the result's skipped days and carries on with the next day"),
  })
  .strict()
  .openapi('BacktestSubmit');

export type SubmitBacktest = z.output<typeof submitBacktestSchema>;

export type UniverseSpec = { kind: 'all'; boards: Board[] | null; excludeSt: boolean } | { kind: 'codes'; codes: string[] };

export interface StrategyRef {
  kind: 'builtin' | 'user';
  /** Built-in name, or the user strategy's name when it ran. */
  name: string;
  strategyId: number | null;
  versionId: number | null;
  version: number | null;
}

/** The stored config snapshot: everything a run (or a rerun) needs, camelCase. */
export interface BacktestSpec {
  strategy: StrategyRef;
  params: Record<string, unknown>;
  universe: UniverseSpec;
  startDate: number;
  endDate: number;
  capital: number;
  benchmark: string | null;
  adjust: 'hfq' | 'qfq' | 'none';
  fillTiming: FillTiming;
  /** Absent in configs stored before it existed: 'fail'. */
  onError?: 'fail' | 'skip_day';
  costs: { commissionRate?: number; minCommission?: number; stampDuty?: 'schedule' | number; transferFee?: 'schedule' | number; slippageBps?: number };
}

export const ymd = (s: string) => Number(s.replaceAll('-', ''));
export const isoDay = (d: number) => `${String(d).slice(0, 4)}-${String(d).slice(4, 6)}-${String(d).slice(6, 8)}`;

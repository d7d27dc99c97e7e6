/** zod schema of the engine configuration for the edges (API bodies, executor params): every field optional, defaults from the engine. */
import { z } from 'zod';
import { defaultConfig } from './types.ts';

const d = defaultConfig;
export const backtestConfigSchema = z.object({
  initialCash: z.number().positive().default(d.initialCash).describe('Starting cash, CNY'),
  fillTiming: z.enum(['next_open', 'same_close']).default(d.fillTiming).describe("When orders fill: the next day's open (default) or the same day's close (optimistic)"),
  commissionRate: z.number().min(0).max(0.01).default(d.commissionRate).describe('Commission per fill as a fraction of value (0.0003 = 0.03%)'),
  minCommission: z.number().min(0).default(d.minCommission).describe('Minimum commission per fill, CNY'),
  stampDuty: z.union([z.literal('schedule'), z.number().min(0).max(0.01)]).default(d.stampDuty).describe("Stamp duty: 'schedule' (dated: 0.05% on sells from 2023-08-28, 0.1% on sells from 2008-09-19, both sides before) or a fixed rate on sells (0 = none)"),
  transferFee: z.union([z.literal('schedule'), z.number().min(0).max(0.001)]).default(d.transferFee).describe("Transfer fee on buys and sells: 'schedule' (dated: 0.001% of value from 2022-04-29, 0.002% from 2015-08-01, before that Shanghai per share and Shenzhen none; Beijing none) or a fixed fraction of value (0 = none)"),
  slippageBps: z.number().min(0).max(1000).default(d.slippageBps).describe('Price impact in basis points'),
  volumeCap: z.number().gt(0).max(1).nullable().default(d.volumeCap).describe("Max share of a bar's volume one stock's fills may take; null = no cap"),
  suspendedOrders: z.enum(['wait', 'expire']).default(d.suspendedOrders).describe('Orders on a suspended stock wait for it or expire'),
  delisting: z.enum(['last_price', 'zero']).default(d.delisting).describe('A delisted holding is settled at its last price or written off'),
  onError: z.enum(['fail', 'skip_day']).default(d.onError).describe('A strategy error fails the run, or is logged and the day skipped'),
  keepSnapshots: z.boolean().default(d.keepSnapshots).describe('Keep daily position snapshots'),
});

export type BacktestConfigInput = z.input<typeof backtestConfigSchema>;

/**
 * `zquant factor analyse ID --start YYYY-MM-DD --end YYYY-MM-DD [options]`: the API's analysis in
 * command-line form, checked by the same schema and market checks, run in this process on the same
 * inputs as the `factor-analysis` executor (analysis-input.ts), with a progress bar on stderr and the
 * parameters and statistics as JSON on stdout. Nothing is stored: analyses to keep and browse go
 * through the API or the pages. The operator sees every factor (u12, u12v3 included). Refusals print
 * the API's message and exit 2.
 */
import type { CommandIo, CommandStores } from '../../admin/command-io.ts';
import type { Principal } from '../../auth/access.ts';
import { parseInput } from '../../http/contract.ts';
import { AppError } from '../../http/errors.ts';
import { isoDay } from '../../market/days.ts';
import { makePanelCache } from '../../backtests/panel-cache.ts';
import { resolveFactor } from '../factors.service.ts';
import { SubmitAnalysisSchema } from './analyses.contract.ts';
import { settleAnalysis } from './analyses.service.ts';
import { analyseFactor } from './analyse.ts';
import { analysisInput } from './analysis-input.ts';
import { storedSummaryOf } from './analysis.types.ts';
import { summarise } from './summary.ts';

export const analyseUsage =
  'zquant factor analyse ID --start YYYY-MM-DD --end YYYY-MM-DD [--horizons 1,5,20] [--quantiles 5] [--codes 600000.SH,…] [--boards main,…] [--industry-neutral] [--size-neutral] [--exclude-st] [--exclude-new-listings] [--new-listing-days 60]';

const operator = { userId: null, username: 'zquant', role: 'admin', via: 'token' } as unknown as Principal;

/** The options as the API's submission (numbers parsed where they are numbers; the schema says the rest). */
function bodyOf(values: Record<string, unknown>): Record<string, unknown> {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const list = (k: string) => str(k)?.split(',').map((x) => x.trim()).filter(Boolean);
  const num = (x: string) => (x.trim() !== '' && Number.isFinite(Number(x)) ? Number(x) : x);
  const codes = list('codes')?.map((c) => c.toUpperCase());
  return {
    ...(str('start') ? { start_date: str('start') } : {}), ...(str('end') ? { end_date: str('end') } : {}),
    ...(codes?.length ? { codes } : {}), ...(list('boards') ? { boards: list('boards') } : {}),
    ...(list('horizons') ? { horizons: list('horizons')!.map(num) } : {}), ...(str('quantiles') ? { quantiles: num(str('quantiles')!) } : {}),
    industry_neutral: values['industry-neutral'] === true, size_neutral: values['size-neutral'] === true, exclude_st: values['exclude-st'] === true,
    exclude_new_listings: values['exclude-new-listings'] === true, ...(str('new-listing-days') ? { new_listing_days: num(str('new-listing-days')!) } : {}),
  };
}

/** The API field a refusal names, as this command's option. */
const optionOf: Record<string, string> = { start_date: '--start', end_date: '--end', new_listing_days: '--new-listing-days', industry_neutral: '--industry-neutral', size_neutral: '--size-neutral', exclude_st: '--exclude-st' };

export async function analyseCommand(stores: CommandStores, io: CommandIo, values: Record<string, unknown>, id: string | undefined): Promise<number> {
  if (!id) {
    io.stderr(`usage: ${analyseUsage}\n`);
    return 2;
  }
  const t0 = Date.now();
  const market = await stores.market();
  let prepared;
  try {
    const b = parseInput(SubmitAnalysisSchema, bodyOf(values));
    const ref = await resolveFactor(/^u\d/.test(id) ? (await stores.pg()).db : (null as never), operator, id);
    prepared = { ref, params: await settleAnalysis(market, ref, b) };
  } catch (err) {
    if (err instanceof AppError && err.status >= 400 && err.status < 500) {
      const field = String((err.details as { field?: string } | undefined)?.field ?? '').split('.')[0];
      io.stderr(`zquant factor analyse: ${err.message}\n${optionOf[field] ? `(${field} is ${optionOf[field]} here)\n` : ''}usage: ${analyseUsage}\n`);
      return 2;
    }
    throw err;
  }
  const { ref, params } = prepared;
  const progress = (text: string, last = false) => io.stderr(io.tty ? `\r${text}\x1b[K${last ? '\n' : ''}` : `${text}\n`);
  progress(`${ref.id}: loading ${isoDay(params.start_date)} to ${isoDay(params.end_date)} …`);
  const { input, days, stocks } = await analysisInput(market, makePanelCache(market), params, ref.key, () => {});
  const { options, ...rest } = input;
  let shown = -1;
  const t1 = Date.now();
  const series = analyseFactor(
    {
      ...rest, signal: io.signal,
      onProgress: (done, total) => {
        const pct = total ? Math.floor((100 * done) / total) : 100;
        if (pct === shown || (!io.tty && pct % 25 !== 0)) return;
        shown = pct;
        progress(`${ref.id}: [${'#'.repeat(Math.floor(pct / 5)).padEnd(20, '.')}] ${pct}% ${done < total ? isoDay(input.market.dates[input.from + done]) : ''}`);
      },
    },
    options,
  );
  const seconds = (Date.now() - t1) / 1000;
  progress(`${ref.id}: ${days} days × ${stocks} stocks analysed in ${seconds.toFixed(2)} s`, true);
  io.stdout(JSON.stringify({
    factor: ref.id, key: ref.key, params: { ...params, start_date: isoDay(params.start_date), end_date: isoDay(params.end_date) },
    seconds: (Date.now() - t0) / 1000, summary: storedSummaryOf(summarise(series)),
  }, null, 2) + '\n');
  return 0;
}

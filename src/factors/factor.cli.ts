/**
 * `zquant factor compute ID [--start YYYY-MM-DD] [--end YYYY-MM-DD] [--codes a,b]`: computes a factor
 * into the market store in this process, as the `factor` executor does (built-ins in DuckDB SQL, a
 * user factor in the sandbox), with a progress line on stderr and the result as JSON on stdout. The
 * command runs with the operator's full access (it opens the stores directly), so any user factor
 * may be named (u12 or u12v3). Refusals print the API's message and exit 2.
 */
import type { CommandIo, CommandStores } from '../admin/command-io.ts';
import type { Principal } from '../auth/access.ts';
import { AppError } from '../http/errors.ts';
import { isoDay } from '../market/days.ts';
import { barRange, unknownCodes } from '../market/market.service.ts';
import { parseInput } from '../http/contract.ts';
import { ComputeFactorSchema } from './factors.contract.ts';
import { computeBuiltinFactor, computeUserFactor, factorCoverage, resolveFactor, type FactorScope } from './factors.service.ts';
import { userFactorCode } from './user-factors.service.ts';

export const factorCommandUsage = 'zquant factor compute ID [--start YYYY-MM-DD] [--end YYYY-MM-DD] [--codes 600000.SH,…]   (ID: momentum_20, reversal_5, size, ep, u12, u12v3 …)';

/** The command-line operator: sees every factor, as an admin would. */
const operator = { userId: null, username: 'zquant', role: 'admin', via: 'token' } as unknown as Principal;

export async function factorCommand(stores: CommandStores, io: CommandIo, values: Record<string, unknown>, positionals: string[]): Promise<number> {
  const [sub, id, ...rest] = positionals;
  if (sub !== 'compute' || !id || rest.length) {
    io.stderr(`usage: ${factorCommandUsage}\n`);
    return 2;
  }
  const t0 = Date.now();
  try {
    const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
    const codes = str('codes')?.split(',').map((c) => c.trim().toUpperCase()).filter(Boolean);
    const body = parseInput(ComputeFactorSchema, { ...(str('start') ? { start_date: str('start') } : {}), ...(str('end') ? { end_date: str('end') } : {}), ...(codes?.length ? { codes } : {}) });
    const market = await stores.market();
    const bars = await barRange(market);
    if (!bars) throw new AppError(400, 'invalid_request', 'start: the market data has no daily bars yet: sync daily_bars or seed the demo market first');
    if (body.codes) {
      const unknown = await unknownCodes(market, body.codes);
      if (unknown.length) throw new AppError(400, 'invalid_request', `codes: unknown stock${unknown.length > 1 ? 's' : ''} ${unknown.slice(0, 10).join(', ')}`);
    }
    const day = (s: string | undefined, fallback: number) => (s ? Number(s.replaceAll('-', '')) : fallback);
    const scope: FactorScope = { start: day(body.start_date, bars.first), end: day(body.end_date, bars.last), codes: body.codes ?? null };
    if (scope.start > scope.end) throw new AppError(400, 'invalid_request', `start: ${isoDay(scope.start)} is after end ${isoDay(scope.end)}`);
    const user = /^u\d/.test(id);
    // A built-in id never reaches the database; a user factor's is read there.
    const ref = await resolveFactor(user ? (await stores.pg()).db : (null as never), operator, id);
    const progress = (text: string, last = false) => io.stderr(io.tty ? `\r${text}\x1b[K${last ? '\n' : ''}` : `${text}\n`);
    progress(`${ref.id}: computing ${isoDay(scope.start)} to ${isoDay(scope.end)}, ${scope.codes ? `${scope.codes.length} stocks` : 'every stock'} …`);
    let rows: number;
    if (ref.kind === 'builtin') rows = await computeBuiltinFactor(market, ref.id, scope);
    else {
      const code = await userFactorCode((await stores.pg()).db, ref.factorId!, ref.version!);
      let shown = -1;
      const r = await computeUserFactor(market, ref.key, scope, {
        ...code, signal: io.signal,
        onProgress: (p) => {
          const pct = p.total ? Math.floor((100 * p.processed) / p.total) : 0;
          if (pct === shown || (!io.tty && pct % 10 !== 0)) return;
          shown = pct;
          const bar = '#'.repeat(Math.floor(pct / 5)).padEnd(20, '.');
          progress(`${ref.id}: [${bar}] ${pct}% ${p.date ? isoDay(p.date) : ''}`);
        },
      });
      if (!r.ok) {
        if (r.error.code === 'aborted') return 130;
        const where = r.error.line ? ` at line ${r.error.line}, column ${r.error.column}` : '';
        io.stderr(`\nzquant factor: ${ref.id}: ${r.error.message}${where}${r.error.date ? ` on ${isoDay(r.error.date)}` : ''}\n`);
        return 1;
      }
      rows = r.rows;
    }
    const seconds = (Date.now() - t0) / 1000;
    progress(`${ref.id}: ${rows} values in ${seconds.toFixed(2)} s`, true);
    const c = await factorCoverage(market, ref.key);
    io.stdout(
      JSON.stringify({
        factor: ref.id, key: ref.key, rows, seconds, start: isoDay(scope.start), end: isoDay(scope.end),
        coverage: c ? { rows: c.rows, first_date: isoDay(c.first), last_date: isoDay(c.last), codes: c.codes } : null,
      }, null, 2) + '\n',
    );
    return 0;
  } catch (err) {
    if (err instanceof AppError && err.status < 500) {
      io.stderr(`zquant factor: ${err.message}\nusage: ${factorCommandUsage}\n`);
      return 2;
    }
    throw err;
  }
}

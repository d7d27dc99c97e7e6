import type { CommandIo, CommandStores } from '../admin/command-io.ts';
import type { Config } from '../config.ts';
import { planPrune, prune, pruneReportText } from './housekeeping.service.ts';

/** `zquant prune [--dry-run]`: what retention lets go, per kind (counted, or removed and the space reclaimed). */
export async function runPruneCommand(config: Config, stores: CommandStores, io: CommandIo, values: Record<string, unknown>): Promise<number> {
  const pg = await stores.pg();
  const market = await stores.market();
  const deps = { db: pg.db, pgKind: pg.kind, market, retention: config.retention };
  const report = values['dry-run'] ? await planPrune(deps) : await prune(deps, { signal: io.signal, progress: (done) => io.stderr(`pruned ${done}\n`) });
  io.stdout(pruneReportText(report));
  return 0;
}

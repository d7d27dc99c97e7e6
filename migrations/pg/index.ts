import type { Migration } from 'kysely';
import * as m001 from './2026-11-28-001-settings.ts';
import * as m101 from './2026-11-28-101-users.ts';
import * as m102 from './2026-11-28-102-sessions.ts';
import * as m103 from './2026-11-28-103-api-tokens.ts';
import * as m104 from './2026-11-28-104-audit-log.ts';
import * as m200 from './2026-11-28-200-sync-log.ts';
import * as m300 from './2026-11-28-300-runs.ts';
import * as m310 from './2026-11-28-310-runs-queued-by-fk.ts';
import * as m400 from './2026-11-28-400-backtests.ts';
import * as m500 from './2026-11-28-500-scheduled-tasks.ts';
import * as m510 from './2026-11-29-510-runs-task-active.ts';
import * as m520 from './2026-12-06-520-runs-owner.ts';
import * as m530 from './2026-12-06-530-sync-log-owner.ts';
import * as m540 from './2026-12-06-540-login-failures.ts';
import * as m550 from './2026-12-06-550-claim-function.ts';
import * as m560 from './2026-12-06-560-snake-case-json.ts';
import * as m570 from './2026-12-06-570-backtest-runs-snake-case.ts';
import * as m580 from './2026-12-06-580-runs-tasks-snake-case.ts';
import * as m590 from './2026-12-06-590-trading-day-schedules.ts';
import * as m600 from './2026-12-06-600-sweeps.ts';
import * as m650 from './2026-12-06-650-token-scope.ts';
import * as m660 from './2026-12-06-660-step-runs-owner.ts';
import * as m700 from './2026-12-06-700-retention.ts';
import * as m750 from './2026-12-06-750-alerts.ts';
import * as m820 from './2026-12-06-820-factors.ts';
import * as m850 from './2026-12-06-850-factor-analyses.ts';
import * as m900 from './2026-12-06-900-data-versions.ts';
import * as m901 from './2026-12-06-901-factor-analysis-data-version.ts';
import * as m950 from './2026-12-06-950-user-locale.ts';

/**
 * Every Postgres migration, in order. Listed statically (not read from the directory) so that a
 * bundled single executable carries them. Names sort by date; never rename or edit a landed one.
 */
export const pgMigrations: Record<string, Migration> = {
  '2026-11-28-001-settings': m001,
  '2026-11-28-101-users': m101,
  '2026-11-28-102-sessions': m102,
  '2026-11-28-103-api-tokens': m103,
  '2026-11-28-104-audit-log': m104,
  '2026-11-28-200-sync-log': m200,
  '2026-11-28-300-runs': m300,
  '2026-11-28-310-runs-queued-by-fk': m310,
  '2026-11-28-400-backtests': m400,
  '2026-11-28-500-scheduled-tasks': m500,
  '2026-11-29-510-runs-task-active': m510,
  '2026-12-06-520-runs-owner': m520,
  '2026-12-06-530-sync-log-owner': m530,
  '2026-12-06-540-login-failures': m540,
  '2026-12-06-550-claim-function': m550,
  '2026-12-06-560-snake-case-json': m560,
  '2026-12-06-570-backtest-runs-snake-case': m570,
  '2026-12-06-580-runs-tasks-snake-case': m580,
  '2026-12-06-590-trading-day-schedules': m590,
  '2026-12-06-600-sweeps': m600,
  '2026-12-06-650-token-scope': m650,
  '2026-12-06-660-step-runs-owner': m660,
  '2026-12-06-700-retention': m700,
  '2026-12-06-750-alerts': m750,
  '2026-12-06-820-factors': m820,
  '2026-12-06-850-factor-analyses': m850,
  '2026-12-06-900-data-versions': m900,
  '2026-12-06-901-factor-analysis-data-version': m901,
  '2026-12-06-950-user-locale': m950,
};

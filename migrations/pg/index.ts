import type { Migration } from 'kysely';
import * as m001 from './2026-11-28-001-settings.ts';
import * as m300 from './2026-11-28-300-runs.ts';

/**
 * Every Postgres migration, in order. Listed statically (not read from the directory) so that a
 * bundled single executable carries them. Names sort by date; never rename or edit a landed one.
 */
export const pgMigrations: Record<string, Migration> = {
  '2026-11-28-001-settings': m001,
  '2026-11-28-300-runs': m300,
};

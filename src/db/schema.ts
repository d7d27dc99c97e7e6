import type { ColumnType, Generated } from 'kysely';

/**
 * The relational schema as Kysely sees it. Each feature adds its tables here, matching the
 * migrations under migrations/pg (which never import this file).
 */
export interface Database {
  settings: SettingsTable;
}

export interface SettingsTable {
  key: string;
  value: ColumnType<unknown, string, string>;
  updated_at: Generated<Date>;
}

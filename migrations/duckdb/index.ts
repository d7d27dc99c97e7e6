/**
 * DuckDB (market store) schema versions, applied in order inside one transaction each and
 * recorded in `schema_migrations`. Frozen once landed: add a new entry, never edit an old one.
 */
export interface DuckMigration {
  readonly id: string;
  readonly statements: readonly string[];
}

export const duckMigrations: readonly DuckMigration[] = [
  {
    id: '2026-11-28-001-market-meta',
    statements: [
      `create table market_meta (key varchar primary key, value varchar not null, updated_at timestamptz not null default now())`,
    ],
  },
];

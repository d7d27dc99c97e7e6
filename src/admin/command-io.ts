/**
 * What a store command is handed (commands.ts): its output and its stores. Kept apart from
 * commands.ts, which loads each feature's command module on demand, so those modules can name
 * these types without importing the list that imports them (issue 19: no import cycles).
 */
import type { PgStore } from '../db/database.ts';
import type { MarketStore } from '../market/duckdb.ts';
import type { MigrationStatus } from '../db/migration-status.ts';

export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** All of the caller's standard input (only read by commands that ask for it). */
  readStdin(): Promise<string>;
  /** The caller's working directory, for the file names it gives. */
  cwd: string;
  /** Whether the caller's stderr is a terminal. */
  tty: boolean;
  /** Aborted when the caller interrupts (Ctrl-C, or its connection went away). */
  signal: AbortSignal;
}

/** The stores a command asks for; a standalone process opens only those it asks for. */
export interface CommandStores {
  pg(): Promise<PgStore>;
  market(): Promise<MarketStore>;
  /** Each store's schema versions against this code's, read without migrating anything. */
  migrationStatus(): Promise<{ postgres: MigrationStatus; duckdb: MigrationStatus }>;
}

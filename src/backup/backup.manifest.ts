import { z } from 'zod';

/**
 * What a backup archive says about itself (manifest.json, the archive's first entry): who wrote it,
 * each store's schema versions at the snapshot, every other file's size and sha256, and the rows of
 * every table. Read back with zod: an archive is input from outside like any request body.
 */
export const backupFormat = 'zquant-backup';
/** 2: the market store as one DuckDB file (`duckdb/market.duckdb`); 1 (still restored): one Parquet file per market table. */
export const backupFormatVersion = 2;
export const manifestName = 'manifest.json';

const fileEntry = z.object({ path: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict();
const sequenceEntry = z.object({ name: z.string(), last_value: z.number().int().nullable(), is_called: z.boolean() }).strict();

export const manifestSchema = z
  .object({
    format: z.literal(backupFormat),
    format_version: z.number().int().positive(),
    zquant_version: z.string(),
    created_at: z.string(),
    /** Where the Postgres data came from: `pglite` (embedded) or `postgres` (a server); restores onto either. */
    postgres_kind: z.enum(['pglite', 'postgres']),
    /** The migrations each store had applied at the snapshot, in order: restore migrates the target to exactly these, loads, then to the latest. */
    schema: z.object({ postgres: z.array(z.string()), duckdb: z.array(z.string()) }).strict(),
    /** Rows per table at the snapshot, as written to the files. */
    tables: z.object({ postgres: z.record(z.string(), z.number().int().nonnegative()), duckdb: z.record(z.string(), z.number().int().nonnegative()) }).strict(),
    /** Postgres sequences' positions (set again after loading, so new ids never collide with restored ones). */
    sequences: z.array(sequenceEntry),
    /** Whether DATA_DIR/secret.key (the key that seals task and channel secrets) is in the archive; false when it came from ZQUANT_SECRET_KEY. */
    secret_key_included: z.boolean(),
    files: z.array(fileEntry),
  })
  .strict();

export type BackupManifest = z.output<typeof manifestSchema>;
export type ManifestFile = BackupManifest['files'][number];
export type SequencePosition = BackupManifest['sequences'][number];

/** Where each table's dump lives in the archive. */
export const pgTableFile = (table: string) => `postgres/${table}.ndjson`;
export const duckTableFile = (table: string) => `duckdb/${table}.parquet`;
/** The market store's copy in archives of format 2. */
export const duckStoreFile = 'duckdb/market.duckdb';
export const secretKeyEntry = 'secret.key';

/** Table names as they appear in file names and SQL: the stores' own, checked so an archive cannot name a path. */
export const tableNamePattern = /^[a-z_][a-z0-9_]{0,62}$/;

/** Parses manifest.json's text; throws one line saying what is wrong. */
export function parseManifest(text: string): BackupManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${manifestName} is not JSON; this is not a zquant backup (or it is damaged)`);
  }
  const format = (json as { format?: unknown } | null)?.format;
  if (format !== backupFormat) throw new Error(`${manifestName} does not describe a zquant backup (format ${JSON.stringify(format ?? null)})`);
  const version = (json as { format_version?: unknown }).format_version;
  if (typeof version === 'number' && version > backupFormatVersion) {
    throw new Error(`the archive's format ${version} is newer than this zquant reads (${backupFormatVersion}); restore it with the zquant version that wrote it or newer`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${manifestName}: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  for (const table of [...Object.keys(parsed.data.tables.postgres), ...Object.keys(parsed.data.tables.duckdb)]) {
    if (!tableNamePattern.test(table)) throw new Error(`${manifestName}: table name ${JSON.stringify(table)} is not one zquant writes`);
  }
  return parsed.data;
}

/**
 * The schema versions of an archive against this code's: the archive's migrations must all be
 * known here and be the first ones of this code's list (restore migrates to them, loads, then on).
 * Returns the problem, or null when this code can restore it.
 */
export function schemaProblem(store: 'postgres' | 'duckdb', archived: readonly string[], known: readonly string[], version: string): string | null {
  const knownSet = new Set(known);
  const newer = archived.filter((id) => !knownSet.has(id));
  if (newer.length) return `the archive's ${store} schema is newer than this zquant (${version}) knows (migration ${newer.join(', ')}); restore it with the zquant version that wrote it or newer`;
  const archivedSet = new Set(archived);
  if (known.slice(0, archived.length).some((id) => !archivedSet.has(id))) return `the archive's ${store} migrations (${archived.length}) are not the first ${archived.length} this zquant knows; restore it with the zquant version that wrote it`;
  return null;
}

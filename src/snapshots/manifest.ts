/**
 * A market snapshot's manifest: what a version holds (one Parquet file per table, its rows and the
 * sha256 of its bytes) and how a copy is checked. The version id is content-derived: the first 16
 * hex digits of the sha256 over every table's row count and order-independent row hash (DuckDB's
 * hash() summed over the rows), so the same data always has the same id, whichever process
 * computes it, and a sync that changed nothing publishes nothing new.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { z } from 'zod';

export const manifestFileName = 'manifest.json';

/** A version id: 16 lowercase hex digits (also safe as a directory and file name). */
export const versionPattern = /^[0-9a-f]{16}$/;
/** A data file's name inside a version: `<table>.parquet`. */
export const fileNamePattern = /^[a-z][a-z0-9_]{0,62}\.parquet$/;

export const ManifestSchema = z
  .object({
    version: z.string().regex(versionPattern),
    created_at: z.iso.datetime(),
    /** The market-store schema (DuckDB migration ids) the files were written with. */
    schema: z.array(z.string()),
    files: z.array(
      z.object({
        name: z.string().regex(fileNamePattern),
        table: z.string(),
        rows: z.number().int().min(0),
        bytes: z.number().int().min(0),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
      }).strict(),
    ),
  })
  .strict();
export type Manifest = z.infer<typeof ManifestSchema>;
export type ManifestFile = Manifest['files'][number];

/** One table's content as the version id sees it: rows and the sum of their hashes (text, it exceeds 2^53). */
export interface TableFingerprint {
  table: string;
  rows: number;
  hashSum: string;
}

/** The version id of a store's content (tables in any order). */
export function versionOf(tables: readonly TableFingerprint[]): string {
  const lines = [...tables].sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0)).map((t) => `${t.table}:${t.rows}:${t.hashSum}`);
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

/** Parses a manifest's text; the error names what is wrong (a version that cannot be used). */
export function parseManifest(text: string, where: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${where}: the manifest is not JSON`);
  }
  const r = ManifestSchema.safeParse(raw);
  if (!r.success) throw new Error(`${where}: the manifest is not valid: ${r.error.issues[0].path.join('.')}: ${r.error.issues[0].message}`);
  return r.data;
}

/** sha256 and size of a file, streamed. */
export async function fileDigest(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Throws unless the file at `path` is the one the manifest lists (size and sha256): a corrupted or truncated copy is refused. */
export async function verifyFile(path: string, file: ManifestFile, version: string): Promise<void> {
  const got = await fileDigest(path);
  if (got.bytes !== file.bytes || got.sha256 !== file.sha256) {
    throw new Error(`snapshot ${version}: ${file.name} does not match its manifest (${got.bytes} bytes, sha256 ${got.sha256.slice(0, 12)}…; expected ${file.bytes} bytes, ${file.sha256.slice(0, 12)}…): the copy is corrupted; it was discarded and will be fetched again`);
  }
}

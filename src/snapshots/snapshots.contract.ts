/** The snapshot API's contract: the versions a worker may fetch, a manifest, one file (conventions in src/http/contract.ts). */
import { z } from '@hono/zod-openapi';
import { fileNamePattern, versionPattern } from './manifest.ts';

export const ManifestJsonSchema = z
  .object({
    version: z.string().regex(versionPattern).describe('Content-derived id: 16 hex digits of the sha256 of every table’s row count and row hashes'),
    created_at: z.string().describe('When it was published, ISO 8601 UTC'),
    schema: z.array(z.string()).describe('The market-store migrations the files were written with'),
    files: z.array(z.object({
      name: z.string().describe('<table>.parquet'),
      table: z.string(),
      rows: z.number().int(),
      bytes: z.number().int(),
      sha256: z.string().describe('sha256 of the file’s bytes, hex'),
    })),
  })
  .openapi('SnapshotManifest');

export const SnapshotListSchema = z
  .object({ items: z.array(ManifestJsonSchema).describe('Newest first'), latest: z.string().nullable().describe('The newest version, or null before the first publish') })
  .openapi('SnapshotList');

export const VersionParam = z.object({
  version: z.string().regex(versionPattern, { message: 'expected a snapshot version: 16 hex digits (GET /api/v1/market/snapshots lists them)' }).openapi({ param: { name: 'version', in: 'path' }, example: '3f2a9c0d11e4b7a8' }),
});
export const FileParams = VersionParam.extend({
  name: z.string().regex(fileNamePattern, { message: 'expected a file of the manifest, <table>.parquet' }).openapi({ param: { name: 'name', in: 'path' }, example: 'daily_bars.parquet' }),
});

/**
 * GET /api/v1/market/snapshots…: the versions the web process published, for worker processes on
 * other hosts without a shared volume. Only a worker-scoped token (an admin's) may fetch them: the
 * whole market in bulk is for machines, not for a signed-in browser or an everyday token; and a
 * worker token may do nothing else (requireRole refuses scoped tokens).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { MiddlewareHandler } from 'hono';
import { unauthenticated } from '../auth/access.ts';
import type { AppEnv } from '../http/env.ts';
import { AppError } from '../http/errors.ts';
import { makeApiRouter } from '../http/api.ts';
import { json, operation } from '../http/contract.ts';
import { notFound } from '../http/errors.ts';
import { z } from '@hono/zod-openapi';
import { FileParams, ManifestJsonSchema, SnapshotListSchema, VersionParam } from './snapshots.contract.ts';
import type { SnapshotPublisher } from './snapshots.service.ts';
import { dirSource } from './snapshot-source.ts';

const tags = ['market'];
/** A worker-scoped token of an admin, and nothing else: 401 anonymous, 403 any other caller. */
const worker: MiddlewareHandler<AppEnv> = async (c, next) => {
  const p = c.get('principal');
  if (!p) throw unauthenticated();
  if (p.scope !== 'worker') {
    throw new AppError(403, 'forbidden', 'market snapshots are fetched by worker processes with a worker-scoped token (zquant token create --username <admin> --scope worker); this credential is not one');
  }
  if (p.role !== 'admin') throw new AppError(403, 'forbidden', `a worker token must belong to an admin; its user is ${p.role}`);
  await next();
};

export function snapshotsApi(deps: { snapshots: Pick<SnapshotPublisher, 'dir' | 'list'> }) {
  const api = makeApiRouter();
  const source = dirSource(deps.snapshots.dir);
  const manifestOf = async (version: string) => {
    try {
      return await source.manifest(version);
    } catch {
      throw notFound(`market snapshot ${version} (deleted by retention, or never published: GET /api/v1/market/snapshots lists them)`);
    }
  };

  api.openapi(
    operation({
      method: 'get', path: '/market/snapshots', operationId: 'listMarketSnapshots', tags, middleware: worker,
      summary: 'Market data snapshot versions, newest first (admins and worker tokens)',
      responses: { 200: json(SnapshotListSchema, 'the versions kept, with their manifests') },
    }),
    async (c) => {
      const items = await deps.snapshots.list();
      return c.json({ items, latest: items[0]?.version ?? null }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'get', path: '/market/snapshots/{version}/manifest', operationId: 'getMarketSnapshotManifest', tags, middleware: worker,
      summary: 'One version’s manifest: its files with row counts and sha256 checksums',
      request: { params: VersionParam },
      responses: { 200: json(ManifestJsonSchema, 'the manifest') },
    }),
    async (c) => c.json(await manifestOf(c.req.valid('param').version), 200),
  );

  api.openapi(
    operation({
      method: 'get', path: '/market/snapshots/{version}/files/{name}', operationId: 'getMarketSnapshotFile', tags, middleware: worker,
      summary: 'One Parquet file of a version (check it against the manifest’s sha256)',
      request: { params: FileParams },
      responses: { 200: { description: 'the file’s bytes', content: { 'application/vnd.apache.parquet': { schema: z.string().openapi({ format: 'binary' }) } } } },
    }),
    async (c) => {
      const { version, name } = c.req.valid('param');
      const manifest = await manifestOf(version);
      const file = manifest.files.find((f) => f.name === name);
      if (!file) throw notFound(`file ${name} in market snapshot ${version} (its manifest lists ${manifest.files.map((f) => f.name).join(', ')})`);
      const path = join(deps.snapshots.dir, version, name);
      const size = await stat(path).then((s) => s.size, () => null);
      if (size === null) throw notFound(`file ${name} in market snapshot ${version} (deleted by retention meanwhile)`);
      const body = Readable.toWeb(createReadStream(path)) as ReadableStream;
      return c.body(body, 200, { 'content-type': 'application/vnd.apache.parquet', 'content-length': String(size), 'x-sha256': file.sha256 }) as never;
    },
  );
  return api;
}

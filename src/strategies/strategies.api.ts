/** Strategies JSON API: built-in templates with parameter schemas, and your own (CRUD, versions kept). */
import { createRoute, z } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import { principalOf, requireRole } from '../auth/access.ts';
import { auditActor } from '../audit/audit.service.ts';
import type { Database } from '../db/schema.ts';
import { makeApiRouter } from '../http/api.ts';
import { idParam as strictIdParam, maxInt4Id } from '../http/input.ts';
import {
  builtinList, createStrategy, deleteStrategy, listUserStrategies, strategyVersions, updateStrategy, visibleStrategy, type UserStrategy,
} from './strategies.service.ts';

const idParam = strictIdParam(maxInt4Id);
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const StrategySchema = z.object({}).passthrough().openapi('Strategy');
const inputSchema = z
  .object({
    name: z.string().min(1).max(100),
    description: z.string().max(2000).optional(),
    category: z.string().max(40).optional(),
    language: z.enum(['js', 'ts']).optional(),
    code: z.string().min(1).max(200_000).describe('defineStrategy({...}) source; checked on save (syntax, then a dry run) — 400 with line and column'),
  })
  .strict()
  .openapi('StrategyInput');

export const strategyJson = (s: UserStrategy) => ({
  kind: s.kind, id: s.id, owner: { id: s.ownerId, username: s.ownerName }, name: s.name, description: s.description, category: s.category, language: s.language,
  version: s.version, versionId: s.versionId, code: s.code, paramsSchema: s.paramsSchema, createdAt: s.createdAt.toISOString(), updatedAt: s.updatedAt.toISOString(),
});

export function strategiesApi(deps: { db: Kysely<Database>; trustProxy: boolean }) {
  const { db } = deps;
  const api = makeApiRouter();

  api.openapi(
    createRoute({
      method: 'get', path: '/strategies', middleware: [requireRole('viewer')] as const,
      request: { query: z.object({ q: z.string().max(100).optional(), category: z.string().max(40).optional() }) },
      responses: { 200: json(z.object({ builtin: z.array(z.object({}).passthrough()), mine: z.array(StrategySchema) }), 'built-in templates and your strategies (admins: everyone’s)') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const mine = await listUserStrategies(db, principalOf(c), q);
      return c.json({ builtin: builtinList(), mine: mine.map(strategyJson) }, 200);
    },
  );

  api.openapi(
    createRoute({ method: 'get', path: '/strategies/{id}', middleware: [requireRole('viewer')] as const, request: { params: idParam }, responses: { 200: json(StrategySchema, 'the strategy, its current code and its versions') } }),
    async (c) => {
      const s = await visibleStrategy(db, principalOf(c), c.req.valid('param').id);
      const versions = (await strategyVersions(db, s.id)).map((v) => ({ id: v.id, version: v.version, createdAt: new Date(v.created_at).toISOString() }));
      return c.json({ ...strategyJson(s), versions }, 200);
    },
  );

  api.openapi(
    createRoute({ method: 'post', path: '/strategies', middleware: [requireRole('analyst')] as const, request: { body: { content: { 'application/json': { schema: inputSchema } }, required: true } }, responses: { 201: json(StrategySchema, 'saved as version 1') } }),
    async (c) => c.json(strategyJson(await createStrategy(db, principalOf(c), c.req.valid('json') as never)), 201),
  );

  api.openapi(
    createRoute({ method: 'put', path: '/strategies/{id}', middleware: [requireRole('analyst')] as const, request: { params: idParam, body: { content: { 'application/json': { schema: inputSchema } }, required: true } }, responses: { 200: json(StrategySchema, 'saved; a new version when the code changed') } }),
    async (c) => c.json(strategyJson(await updateStrategy(db, principalOf(c), c.req.valid('param').id, c.req.valid('json') as never)), 200),
  );

  api.openapi(
    createRoute({ method: 'delete', path: '/strategies/{id}', middleware: [requireRole('analyst')] as const, request: { params: idParam }, responses: { 200: json(z.object({ deleted: z.number() }), 'deleted (409 while backtests record its code)') } }),
    async (c) => {
      const id = c.req.valid('param').id;
      await deleteStrategy(db, principalOf(c), id, auditActor(c, deps.trustProxy));
      return c.json({ deleted: id }, 200);
    },
  );
  return api;
}

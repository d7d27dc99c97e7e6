/** Strategies JSON API: built-in templates with parameter schemas, and your own (CRUD, versions kept). */
import type { Kysely } from 'kysely';
import { principalOf, requireRole } from '../auth/access.ts';
import { auditActor } from '../audit/audit.service.ts';
import type { Database } from '../db/schema.ts';
import { makeApiRouter } from '../http/api.ts';
import { errors, json, operation } from '../http/contract.ts';
import { idParam as strictIdParam, maxInt4Id } from '../http/input.ts';
import {
  builtinStrategyJson, DeletedSchema, StrategyInputSchema, StrategyListQuery, StrategyListSchema, StrategySchema, StrategyWithVersionsSchema, strategyJson, strategyVersionJson,
} from './strategies.contract.ts';
import {
  builtinList, createStrategy, deleteStrategy, listUserStrategies, strategyVersions, updateStrategy, visibleStrategy,
} from './strategies.service.ts';

const idParam = strictIdParam(maxInt4Id);
export function strategiesApi(deps: { db: Kysely<Database>; trustProxy: boolean }) {
  const { db } = deps;
  const api = makeApiRouter();

  api.openapi(
    operation({
      method: 'get', path: '/strategies', operationId: 'listStrategies', summary: 'List built-in and your strategies', tags: ['strategies'], middleware: [requireRole('viewer')] as const,
      request: { query: StrategyListQuery },
      responses: { 200: json(StrategyListSchema, 'built-in templates and your strategies (admins: everyone’s)') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const mine = await listUserStrategies(db, principalOf(c), q);
      return c.json({ builtin: builtinList().map(builtinStrategyJson), mine: mine.map(strategyJson) }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'get', path: '/strategies/{id}', operationId: 'getStrategy', summary: 'One of your strategies, with its versions', tags: ['strategies'], middleware: [requireRole('viewer')] as const,
      request: { params: idParam }, responses: { 200: json(StrategyWithVersionsSchema, 'the strategy, its current code and its versions') },
    }),
    async (c) => {
      const s = await visibleStrategy(db, principalOf(c), c.req.valid('param').id);
      const versions = (await strategyVersions(db, s.id)).map(strategyVersionJson);
      return c.json({ ...strategyJson(s), versions }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'post', path: '/strategies', operationId: 'createStrategy', summary: 'Save a new strategy', tags: ['strategies'], middleware: [requireRole('analyst')] as const,
      request: { body: { content: { 'application/json': { schema: StrategyInputSchema } }, required: true } },
      responses: { 201: json(StrategySchema, 'saved as version 1; 400 with line and column when the code does not check'), ...errors(409) },
    }),
    async (c) => c.json(strategyJson(await createStrategy(db, principalOf(c), c.req.valid('json'))), 201),
  );

  api.openapi(
    operation({
      method: 'put', path: '/strategies/{id}', operationId: 'updateStrategy', summary: 'Save a strategy again', tags: ['strategies'], middleware: [requireRole('analyst')] as const,
      request: { params: idParam, body: { content: { 'application/json': { schema: StrategyInputSchema } }, required: true } },
      responses: { 200: json(StrategySchema, 'saved; a new version when the code changed'), ...errors(409) },
    }),
    async (c) => c.json(strategyJson(await updateStrategy(db, principalOf(c), c.req.valid('param').id, c.req.valid('json'))), 200),
  );

  api.openapi(
    operation({
      method: 'delete', path: '/strategies/{id}', operationId: 'deleteStrategy', summary: 'Delete a strategy', tags: ['strategies'], middleware: [requireRole('analyst')] as const,
      request: { params: idParam }, responses: { 200: json(DeletedSchema, 'deleted'), ...errors(409) },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      await deleteStrategy(db, principalOf(c), id, auditActor(c, deps.trustProxy));
      return c.json({ deleted: id }, 200);
    },
  );
  return api;
}

/** The factors JSON API (/api/v1): definitions with coverage, your factors (CRUD, versions kept), computations (202 + links, ?wait=). */
import type { Kysely } from 'kysely';
import { principalOf, requireRole } from '../auth/access.ts';
import { auditActor } from '../audit/audit.service.ts';
import { WaitQuery } from '../backtests/backtests.contract.ts';
import type { Database } from '../db/schema.ts';
import { makeApiRouter } from '../http/api.ts';
import { errors, json, operation } from '../http/contract.ts';
import { AppError } from '../http/errors.ts';
import type { MarketStore } from '../market/duckdb.ts';
import { RunSchema, runJson } from '../runs/runs.contract.ts';
import type { RunsService } from '../runs/runs.service.ts';
import { factorDetail, factorList, queueFactorComputation } from './factor-catalogue.service.ts';
import {
  builtinFactorJson, ComputeFactorSchema, FactorDeletedSchema, FactorIdParam, FactorInputSchema, FactorListSchema, FactorSchema, factorJson, UserFactorSchema, userFactorJson,
} from './factors.contract.ts';
import { createUserFactor, deleteUserFactor, updateUserFactor } from './user-factors.service.ts';

const tags = ['factors'];

/** The numeric id of `u<id>` for the routes that change a user factor (a version or a built-in cannot be changed). */
function userFactorNumber(id: string): number {
  const m = /^u(\d{1,10})$/.exec(id);
  if (!m) {
    if (/^u\d+v\d+$/.test(id)) throw new AppError(400, 'invalid_request', `id: ${id} names one saved version, which never changes; save or delete the factor itself, u${/^u(\d+)/.exec(id)![1]}`, { field: 'id' });
    throw new AppError(404, 'not_found', `factor ${JSON.stringify(id)} is not one of yours (built-ins cannot be changed); your factors are u<id> (GET /api/v1/factors)`);
  }
  return Number(m[1]);
}

export function factorsApi(deps: { db: Kysely<Database>; market: MarketStore; runs: RunsService; trustProxy: boolean }) {
  const { db, market, runs } = deps;
  const api = makeApiRouter();

  api.openapi(
    operation({
      method: 'get', path: '/factors', operationId: 'listFactors', summary: 'Built-in factors (parameter schemas, stored values) and yours', tags, middleware: [requireRole('viewer')] as const,
      responses: { 200: json(FactorListSchema, 'built-ins with the ids stored of each kind, and your factors (admins: everyone’s), each with its values’ coverage') },
    }),
    async (c) => {
      const l = await factorList(db, market, principalOf(c));
      return c.json({ builtin: l.builtin.map((b) => builtinFactorJson(b.info, b.stored)), mine: l.mine.map((m) => userFactorJson(m.factor, m.coverage)) }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'get', path: '/factors/{id}', operationId: 'getFactor', summary: 'One factor: definition, stored values, versions', tags, middleware: [requireRole('viewer')] as const,
      request: { params: FactorIdParam }, responses: { 200: json(FactorSchema, 'the factor') },
    }),
    async (c) => {
      const d = await factorDetail(db, market, principalOf(c), c.req.valid('param').id);
      return c.json(factorJson(d.ref, d.description, d.coverage, d.user, d.versions), 200);
    },
  );

  api.openapi(
    operation({
      method: 'post', path: '/factors', operationId: 'createFactor', summary: 'Save a new factor', tags, middleware: [requireRole('analyst')] as const,
      request: { body: { content: { 'application/json': { schema: FactorInputSchema } }, required: true } },
      responses: { 201: json(UserFactorSchema, 'saved as version 1; 400 with line and column when the code does not check'), ...errors(409) },
    }),
    async (c) => c.json(userFactorJson(await createUserFactor(db, principalOf(c), c.req.valid('json')), null), 201),
  );

  api.openapi(
    operation({
      method: 'put', path: '/factors/{id}', operationId: 'updateFactor', summary: 'Save a factor again (a new version when the code changed)', tags, middleware: [requireRole('analyst')] as const,
      request: { params: FactorIdParam, body: { content: { 'application/json': { schema: FactorInputSchema } }, required: true } },
      responses: { 200: json(UserFactorSchema, 'saved'), ...errors(409) },
    }),
    async (c) => {
      const f = await updateUserFactor(db, principalOf(c), userFactorNumber(c.req.valid('param').id), c.req.valid('json'));
      return c.json(userFactorJson(f, null), 200);
    },
  );

  api.openapi(
    operation({
      method: 'delete', path: '/factors/{id}', operationId: 'deleteFactor', summary: 'Delete a factor with every version and its stored values', tags, middleware: [requireRole('analyst')] as const,
      request: { params: FactorIdParam }, responses: { 200: json(FactorDeletedSchema, 'deleted') },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      await deleteUserFactor(db, market, principalOf(c), userFactorNumber(id), auditActor(c, deps.trustProxy));
      return c.json({ deleted: id }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'post', path: '/factors/{id}/computations', operationId: 'computeFactor', tags, middleware: [requireRole('analyst')] as const,
      summary: 'Compute a factor over a period and stocks (a run of the factor executor)',
      description: 'Replaces the factor’s stored values in the period (and stocks) atomically. Answers 202 with the run and its links (events: its SSE); ?wait=N blocks up to N seconds and answers 200 when it ended.',
      request: { params: FactorIdParam, query: WaitQuery, body: { content: { 'application/json': { schema: ComputeFactorSchema } }, required: false } },
      responses: { 202: json(RunSchema, 'queued: the run'), 200: json(RunSchema, 'with ?wait: it ended in time') },
    }),
    async (c) => {
      const body = c.req.valid('json') ?? {};
      const { run } = await queueFactorComputation({ db, market, runs }, principalOf(c), c.req.valid('param').id, body);
      const wait = c.req.valid('query').wait;
      if (wait) {
        const ac = new AbortController();
        c.req.raw.signal?.addEventListener('abort', () => ac.abort(), { once: true });
        const done = await runs.waitForRun(run.id, { timeoutMs: wait * 1000, signal: ac.signal });
        const ended = done.status === 'succeeded' || done.status === 'failed' || done.status === 'cancelled';
        return c.json(runJson(done), ended ? 200 : 202);
      }
      return c.json(runJson(run), 202);
    },
  );

  return api;
}

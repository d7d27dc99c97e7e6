/**
 * The contract check (issue 18): every answer an app gives under /api/v1 in any test is checked
 * against the OpenAPI document that app publishes.
 * - The route (method and path) must be documented, unless the answer is a 404/405 (no such route).
 * - Its status must be one the operation documents, with the content type documented for it.
 * - A JSON body must validate against the documented schema, with every object closed: a field the
 *   document does not name is a mismatch, as is a missing required field or a wrong type.
 * - Every key of a JSON body is snake_case, except inside values that are the caller's own data
 *   (strategy params, task config, JSON Schemas of params).
 * test/helpers/no-internals.setup.ts puts this in front of every app createApp builds and fails the
 * test a mismatch happened in.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { OpenApiDocument } from '../../src/http/openapi.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

type Schema = Record<string, unknown>;
interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  params: number;
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

const base = '/api/v1';
/** Values that are the caller's own data, whose keys the API does not name. */
const opaqueKeys = new Set(['params', 'params_schema', 'config_schema', 'config', 'overrides', 'schema']);

/**
 * Merges `allOf: [{$ref: A}, {properties…}]` (what an extended named zod schema becomes) into one
 * object schema, so closing it below does not refuse the fields the extension adds.
 */
function flattened(schema: Schema, components: Schema): Schema {
  if (!Array.isArray(schema.allOf)) return schema;
  const parts = (schema.allOf as Schema[]).map((p) => {
    const ref = typeof p.$ref === 'string' ? /^#\/components\/schemas\/(.+)$/.exec(p.$ref) : null;
    return flattened(ref ? ((components.schemas as Record<string, Schema>)[decodeURIComponent(ref[1])] ?? p) : p, components);
  });
  if (!parts.every((p) => p.type === 'object' || p.properties)) return schema;
  const { allOf: _a, ...rest } = schema;
  return {
    ...rest,
    type: 'object',
    properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
    required: [...new Set(parts.flatMap((p) => (p.required as string[] | undefined) ?? []))],
  };
}

/** Closes every object schema that lists properties, so an undocumented field fails validation. */
function closed(schema: unknown, components: Schema): unknown {
  if (Array.isArray(schema)) return schema.map((s) => closed(s, components));
  if (schema === null || typeof schema !== 'object') return schema;
  const flat = flattened(schema as Schema, components);
  const out: Schema = {};
  for (const [k, v] of Object.entries(flat)) {
    if (k === 'properties' && v && typeof v === 'object') out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, closed(s, components)]));
    else out[k] = closed(v, components);
  }
  if (out.properties && !out.allOf && out.additionalProperties === undefined && out.unevaluatedProperties === undefined) out.additionalProperties = false;
  return out;
}

function operationsOf(doc: OpenApiDocument): Operation[] {
  const ops: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item as Record<string, { responses?: Operation['responses'] }>)) {
      if (!op || typeof op !== 'object' || !op.responses) continue;
      const params = (template.match(/\{[^}]+\}/g) ?? []).length;
      const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`);
      ops.push({ method: method.toUpperCase(), template, pattern, params, responses: op.responses });
    }
  }
  // Literal paths before templated ones: /runs/stats is not /runs/{id}.
  return ops.sort((a, b) => a.params - b.params);
}

/** Keys that are not snake_case, with where they are. */
export function nonSnakeKeys(value: unknown, at = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => nonSnakeKeys(v, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const bad = /^[a-z0-9]+(_[a-z0-9]+)*$/.test(k) ? [] : [`${at}.${k}`];
    return opaqueKeys.has(k) ? bad : bad.concat(nonSnakeKeys(v, `${at}.${k}`));
  });
}

export interface ContractChecker {
  /** What is wrong with this answer, in words; empty when it keeps the contract. */
  problems(method: string, path: string, status: number, contentType: string, body: string): string[];
}

export function makeContractChecker(doc: OpenApiDocument): ContractChecker {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const ops = operationsOf(doc);
  const raw = ((doc as { components?: Schema }).components ?? {}) as Schema;
  const components = closed(raw, raw);
  const validators = new Map<Schema, ValidateFunction>();
  const validatorOf = (schema: Schema) => {
    let v = validators.get(schema);
    if (!v) validators.set(schema, (v = ajv.compile({ ...(closed(schema, raw) as Schema), components })));
    return v;
  };
  return {
    problems(method, path, status, contentType, body) {
      // A CORS preflight is answered by the CORS middleware for every route; it is not an operation.
      if (method === 'OPTIONS') return [];
      const rel = path.slice(base.length) || '/';
      const op = ops.find((o) => o.method === method && o.pattern.test(rel));
      if (!op) return status === 404 || status === 405 ? [] : [`${method} ${path} answered ${status} but the document has no such operation`];
      const where = `${method} ${op.template} → ${status}`;
      const response = op.responses[String(status)] ?? op.responses.default;
      if (!response) return [`${where}: status ${status} is not documented (documented: ${Object.keys(op.responses).join(', ')})`];
      const type = contentType.split(';')[0].trim().toLowerCase();
      if (!type || status === 204 || status === 304) return [];
      const media = response.content?.[type];
      if (!media) return [`${where}: content type ${type} is not documented (documented: ${Object.keys(response.content ?? {}).join(', ') || 'none'})`];
      if (type !== 'application/json' || !media.schema) return [];
      let value: unknown;
      try {
        value = JSON.parse(body);
      } catch {
        return [`${where}: the body is not JSON`];
      }
      const out: string[] = [];
      const validate = validatorOf(media.schema);
      if (!validate(value)) {
        for (const e of (validate.errors ?? []).slice(0, 8)) {
          const extra = e.keyword === 'additionalProperties' ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : '';
          out.push(`${where}: ${e.instancePath || '$'} ${e.message}${extra}`);
        }
      }
      if (op.template !== '/openapi.json') out.push(...nonSnakeKeys(value).slice(0, 8).map((k) => `${where}: key ${k} is not snake_case`));
      return out;
    },
  };
}

const recorded: string[] = [];
const pending = new Set<Promise<void>>();

/**
 * Puts the contract check in front of `app.fetch` (which `app.request` and a listening server both
 * call). Bodies are read from a clone on the side, so streams are not held back; what is wrong is
 * recorded for `takeContractProblems`.
 */
export function checkContract<A extends { fetch: (...args: any[]) => Response | Promise<Response> }>(app: A, document: () => OpenApiDocument): A {
  let checker: ContractChecker | null = null;
  const fetch = app.fetch;
  const wrapped = (async (...args: Parameters<A['fetch']>): Promise<Response> => {
    const res = await fetch(...args);
    const request = args[0] as Request;
    const path = new URL(request.url).pathname;
    if (path !== base && !path.startsWith(`${base}/`)) return res;
    const contentType = res.headers.get('content-type') ?? '';
    const streamed = contentType.startsWith('text/event-stream');
    const check = (async () => {
      const body = streamed || !res.body ? '' : await res.clone().text();
      checker ??= makeContractChecker(document());
      for (const p of checker.problems(request.method, path, res.status, contentType, body)) recorded.push(p);
    })().catch((err: Error) => void recorded.push(`${request.method} ${path}: the contract check failed: ${err.message}`));
    pending.add(check);
    void check.finally(() => pending.delete(check));
    return res;
  }) as A['fetch'];
  // Marks the wrapped fetch carried (e.g. no-internals' "checked" symbol) stay visible on the outer one.
  for (const key of Object.getOwnPropertySymbols(fetch)) Object.defineProperty(wrapped, key, Object.getOwnPropertyDescriptor(fetch, key)!);
  app.fetch = wrapped;
  return app;
}

/** The contract problems seen since the last call (after the checks still reading bodies finish); clears them. */
export async function takeContractProblems(): Promise<string[]> {
  await Promise.all([...pending]);
  return [...new Set(recorded.splice(0))];
}

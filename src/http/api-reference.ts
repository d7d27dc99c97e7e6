import type { OpenApiDocument } from './openapi.ts';

/**
 * The API reference page's model, read off the OpenAPI document (so the page and
 * /api/v1/openapi.json always agree): every operation with its parameters, body fields,
 * responses and a curl example.
 */
export interface ReferenceField {
  name: string;
  where: string;
  required: boolean;
  type: string;
  description: string;
}

export interface ReferenceEndpoint {
  id: string;
  method: string;
  path: string;
  tag: string;
  summary: string;
  description: string;
  params: ReferenceField[];
  body: { contentType: string; type: string; fields: ReferenceField[] } | null;
  responses: Array<{ status: string; description: string; type: string }>;
  curl: string;
}

export interface ReferenceModel {
  title: string;
  version: string;
  description: string;
  base: string;
  documentUrl: string;
  tags: Array<{ tag: string; endpoints: ReferenceEndpoint[] }>;
}

type Schema = Record<string, unknown>;
const methods = ['get', 'post', 'put', 'patch', 'delete'] as const;

export function referenceModel(doc: OpenApiDocument, origin: string): ReferenceModel {
  const components = (doc.components?.schemas ?? {}) as Record<string, Schema>;
  const resolve = (s: unknown): Schema => {
    let schema = (s ?? {}) as Schema;
    for (let i = 0; i < 8 && typeof schema.$ref === 'string'; i++) schema = components[schema.$ref.split('/').pop()!] ?? {};
    return schema;
  };
  const base = String(doc.servers?.[0]?.url ?? '');
  const byTag = new Map<string, ReferenceEndpoint[]>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of methods) {
      const op = (item as Record<string, Schema | undefined>)[method];
      if (!op) continue;
      const params: ReferenceField[] = ((op.parameters ?? []) as Schema[]).map((p) => {
        const schema = resolve(p.schema);
        return {
          name: String(p.name),
          where: String(p.in),
          required: p.required === true,
          type: typeName(p.schema as Schema, resolve),
          description: String(p.description ?? schema.description ?? ''),
        };
      });
      const content = ((op.requestBody as Schema | undefined)?.content ?? {}) as Record<string, { schema?: Schema }>;
      const bodyType = Object.keys(content)[0];
      const bodySchema = bodyType ? content[bodyType].schema : undefined;
      const body = bodyType
        ? { contentType: bodyType, type: typeName(bodySchema, resolve), fields: fieldsOf(resolve(bodySchema), resolve) }
        : null;
      const responses = Object.entries((op.responses ?? {}) as Record<string, Schema>).map(([status, r]) => {
        const rc = (r.content ?? {}) as Record<string, { schema?: Schema }>;
        const ct = Object.keys(rc)[0];
        return { status, description: String(r.description ?? ''), type: ct ? typeName(rc[ct].schema, resolve) : '' };
      });
      const tag = String((op.tags as string[] | undefined)?.[0] ?? 'other');
      const endpoint: ReferenceEndpoint = {
        id: `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-').replace(/-+$/, ''),
        method: method.toUpperCase(),
        path: `${base}${path}`,
        tag,
        summary: String(op.summary ?? ''),
        description: String(op.description ?? ''),
        params,
        body,
        responses,
        curl: curlFor(method, `${origin}${base}${path}`, (op.parameters ?? []) as Schema[], bodyType, bodySchema, resolve),
      };
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push(endpoint);
    }
  }
  return {
    title: doc.info.title,
    version: doc.info.version,
    description: doc.info.description ?? '',
    base: `${origin}${base}`,
    documentUrl: `${base}/openapi.json`,
    tags: [...byTag].sort(([a], [b]) => a.localeCompare(b)).map(([tag, endpoints]) => ({ tag, endpoints })),
  };
}

function fieldsOf(schema: Schema, resolve: (s: unknown) => Schema, prefix = '', depth = 0): ReferenceField[] {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  const out: ReferenceField[] = [];
  for (const [name, raw] of Object.entries(props)) {
    const s = resolve(raw);
    out.push({ name: prefix + name, where: 'body', required: required.has(name), type: typeName(raw, resolve), description: String(s.description ?? '') });
    // One level of nesting spelled out (`universe.codes`); deeper objects are named by type only.
    if (depth < 1 && s.type === 'object' && s.properties) out.push(...fieldsOf(s, resolve, `${prefix}${name}.`, depth + 1));
  }
  return out;
}

/** A short human type: `integer ≥ 1`, `"daily" | "weekly"`, `string (date)`, `Run[]`. */
export function typeName(raw: Schema | undefined, resolve: (s: unknown) => Schema, depth = 0): string {
  if (!raw) return '';
  if (typeof raw.$ref === 'string') return raw.$ref.split('/').pop()!;
  const s = raw;
  if (depth > 3) return 'object';
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if ('const' in s) return JSON.stringify(s.const);
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(s[key])) return (s[key] as Schema[]).map((x) => typeName(x, resolve, depth + 1)).join(' | ');
  }
  const types = Array.isArray(s.type) ? (s.type as string[]) : s.type ? [String(s.type)] : [];
  const parts = types.map((t) => {
    if (t === 'array') return `${typeName(s.items as Schema, resolve, depth + 1) || 'any'}[]`;
    if (t === 'string' && s.format) return `string (${s.format})`;
    return t;
  });
  let name = parts.join(' | ') || 'any';
  const bounds: string[] = [];
  if (typeof s.minimum === 'number') bounds.push(`≥ ${s.minimum}`);
  if (typeof s.exclusiveMinimum === 'number') bounds.push(`> ${s.exclusiveMinimum}`);
  if (typeof s.maximum === 'number') bounds.push(`≤ ${s.maximum}`);
  if (typeof s.exclusiveMaximum === 'number') bounds.push(`< ${s.exclusiveMaximum}`);
  if (typeof s.minLength === 'number' && s.minLength > 0) bounds.push(`length ≥ ${s.minLength}`);
  if (typeof s.maxLength === 'number') bounds.push(`length ≤ ${s.maxLength}`);
  if (typeof s.pattern === 'string') bounds.push(`matching ${s.pattern}`);
  if (bounds.length) name += ` ${bounds.join(', ')}`;
  return name;
}

/** A plausible value for a schema: its example, default or first enum value, else one of its type. */
export function exampleOf(raw: unknown, resolve: (s: unknown) => Schema, depth = 0): unknown {
  const s = resolve(raw);
  if (s.example !== undefined) return s.example;
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if (s.default !== undefined) return s.default;
  if (Array.isArray(s.enum)) return s.enum[0];
  if ('const' in s) return s.const;
  if (Array.isArray(s.anyOf)) return exampleOf(s.anyOf[0], resolve, depth + 1);
  if (Array.isArray(s.oneOf)) return exampleOf(s.oneOf[0], resolve, depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'string':
      return s.format === 'date' ? '2024-01-02' : s.format === 'date-time' ? '2024-01-02T09:30:00Z' : 'string';
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : 1;
    case 'boolean':
      return true;
    case 'array':
      return depth > 4 ? [] : [exampleOf(s.items, resolve, depth + 1)];
    case 'object': {
      if (depth > 4) return {};
      const props = (s.properties ?? {}) as Record<string, unknown>;
      const required = new Set((s.required ?? []) as string[]);
      const names = Object.keys(props).filter((n) => required.size === 0 || required.has(n));
      return Object.fromEntries(names.map((n) => [n, exampleOf(props[n], resolve, depth + 1)]));
    }
    default:
      return null;
  }
}

function curlFor(method: string, url: string, params: Schema[], bodyType: string | undefined, bodySchema: unknown, resolve: (s: unknown) => Schema): string {
  let target = url;
  const query: string[] = [];
  for (const p of params) {
    const value = String(exampleOf(p.schema, resolve) ?? '1');
    if (p.in === 'path') target = target.replace(`{${String(p.name)}}`, encodeURIComponent(value === 'string' ? 'ID' : value));
    else if (p.in === 'query' && p.required) query.push(`${encodeURIComponent(String(p.name))}=${encodeURIComponent(value)}`);
  }
  if (query.length) target += `?${query.join('&')}`;
  const lines = [`curl -s${method === 'get' ? '' : ` -X ${method.toUpperCase()}`} '${target}'`, `  -H "Authorization: Bearer $TOKEN"`];
  if (bodyType === 'application/json') {
    lines.push(`  -H 'Content-Type: application/json'`);
    lines.push(`  -d '${JSON.stringify(exampleOf(bodySchema, resolve)).replace(/'/g, `'\\''`)}'`);
  }
  return lines.join(' \\\n');
}

/**
 * Request generators for the fuzz suite (test/http/fuzz.test.ts): requests built from the OpenAPI
 * document (every operation; path ids from hostile strings; query and body values from the schema,
 * then mutated) and from the pages' forms (posted with the CSRF token, or as truncated multipart).
 */
import fc from 'fast-check';

export interface FuzzRequest {
  method: string;
  /** Path and query, already URL-encoded (hostile bytes included on purpose). */
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Who sends it: see the test's authenticate. */
  as: 'admin' | 'session' | 'anon';
  /** What the generator meant to exercise, for the failure message. */
  note: string;
}

/** Path ids a client could send: real ones, and every spelling that must not be coerced to a number. */
export const hostileIds = [
  '1', '2', '3', '+1', '%201', '%20%201', '1%20', '0x10', '1e3', '01', '1.0', '-1', '0', 'abc', 'Infinity', 'NaN', '1e309',
  '2147483647', '2147483648', '9007199254740993', '9223372036854775807', '9223372036854775808', '18446744073709551616', '99999999999999999999',
  '%00', '1%00', '%ED%A0%80', '%EF%BF%BD', '%C0%80', '..%2F1', '1,2',
];

/** Query values that broke something once: huge numbers, non-finite numbers, NUL, broken UTF-8, out-of-range dates. */
export const hostileQueryValues = [
  '1e309', '99999999999999999999', '9223372036854775808', '-1', '-0', '1.5', 'Infinity', 'NaN', '0x10', '+1', '%201', '',
  '%00', 'a%00b', '%ED%A0%80', '%F0%9F%98%80', '0000-01-01', '9999-12-31', '1989-12-31', '2101-01-01', '2024-02-30', '20240230', '00000101', '99991231',
  'x'.repeat(300), '%25', '%', '%%',
];

/** Raw JSON texts substituted for a string marker after stringify, so non-JSON numbers reach the parser. */
const rawMarker = (raw: string) => `\u0001raw:${raw}\u0001`;
export function toJsonText(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0001raw:(.*?)\\u0001"/g, '$1');
}

const deep = (n: number, open: string, close: string, inner = '1') => open.repeat(n) + inner + close.repeat(n);

/** Values to put in a JSON field in place of what the schema wants. */
export const hostileJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    'a\u0000b', '\u0000', '\ud800', 'x\udfffy', '\udc00\ud800', '', ' ', 'x'.repeat(5000),
    rawMarker('1e309'), rawMarker('-1e309'), rawMarker('99999999999999999999'), rawMarker('9223372036854775808'), 2 ** 53 + 1, 2 ** 63, -(2 ** 63), 1e308, -1, 0, 0.5, -0,
    rawMarker(deep(50, '[', ']')), rawMarker(deep(5000, '[', ']')), rawMarker(deep(2000, '{"a":', '}')),
    null, true, false, [], {}, ['\u0000'], { '\u0000': 1 }, { '\ud800': 'x' }, '0000-01-01', '9999-12-31', '2147483648', '+1',
  ),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
);

type Schema = Record<string, any>;

/** Resolves `$ref`s into the document's components. */
export function resolver(doc: Schema) {
  return function resolve(s: Schema | undefined): Schema {
    let cur = s ?? {};
    for (let i = 0; i < 10 && cur.$ref; i++) cur = cur.$ref.split('/').slice(1).reduce((o: Schema, k: string) => o?.[k], doc) ?? {};
    return cur;
  };
}

/** A value that fits the schema (roughly: the point is reaching the handler, not covering zod). */
export function valueFor(schema: Schema | undefined, resolve: (s: Schema | undefined) => Schema, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.const !== undefined) return fc.constant(s.const);
  const alts = s.anyOf ?? s.oneOf;
  if (alts?.length) return fc.oneof(...alts.map((a: Schema) => valueFor(a, resolve, depth + 1)));
  if (s.allOf?.length) return valueFor(s.allOf[0], resolve, depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  switch (type) {
    case 'string':
      if (s.format === 'date' || /YYYY-MM-DD/.test(s.description ?? '')) return fc.constantFrom('2024-01-02', '2024-06-28', '1990-01-01', '2100-12-31');
      if (s.format === 'date-time') return fc.constantFrom('2026-01-01T00:00:00Z', '2026-12-31T23:59:59+08:00');
      if (s.pattern) return fc.constantFrom('600000.SH', '000001.SZ', '20240102', '2024-01-02');
      return fc.oneof(fc.constantFrom('fuzz', 'daily', 'dual_ma', 'noop', '0 18 * * 1-5', 'Asia/Shanghai'), fc.string({ minLength: 1, maxLength: 12 }));
    case 'integer':
      return fc.integer({ min: Math.max(s.minimum ?? -1000, -1e6), max: Math.min(s.maximum ?? 1000, 1e6) });
    case 'number':
      return fc.double({ min: Math.max(s.minimum ?? -1000, -1e6), max: Math.min(s.maximum ?? 1000, 1e6), noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return depth > 4 ? fc.constant([]) : fc.array(valueFor(s.items, resolve, depth + 1), { maxLength: 3 });
    case 'object': {
      const props = Object.entries((s.properties ?? {}) as Record<string, Schema>);
      if (!props.length || depth > 4) return fc.dictionary(fc.constantFrom('a', 'fast', 'slow', 'codes', 'ms'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
      const required = new Set<string>(s.required ?? []);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of props) model[k] = valueFor(v, resolve, depth + 1);
      return fc.record(model, { requiredKeys: props.map(([k]) => k).filter((k) => required.has(k)) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A body (valid by the schema, or mutated: a hostile field value, an unknown field, a wrong shape, raw hostile text). */
export function bodyFor(schema: Schema | undefined, resolve: (s: Schema | undefined) => Schema): fc.Arbitrary<{ text: string; note: string }> {
  const valid = valueFor(schema, resolve);
  const fields = Object.keys(resolve(schema).properties ?? {});
  return fc.oneof(
    { weight: 2, arbitrary: valid.map((v) => ({ text: toJsonText(v), note: 'schema body' })) },
    {
      weight: 4,
      arbitrary: fc.tuple(valid, fc.constantFrom(...(fields.length ? fields : ['x'])), hostileJsonValue).map(([v, k, bad]) => ({
        text: toJsonText({ ...(v as object), [k]: bad }),
        note: `hostile ${k}`,
      })),
    },
    { weight: 1, arbitrary: fc.tuple(valid, fc.constantFrom('unknown', '__proto__', 'constructor', 'id', 'owner_id')).map(([v, k]) => ({ text: toJsonText({ ...(v as object), [k]: 1 }), note: `unknown field ${k}` })) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '', 'null', '[]', '"x"', '1e309', '{', '{"a":', '{"a":1,}', '\u0000', '{"name":"\\u0000"}', '{"name":"\\ud800"}', deep(100_000, '[', ']'),
        `{"config":${deep(100_000, '{"a":', '}')}}`, `{"schedule":${deep(10_000, '[', ']')}}`, '{"name":1e309}', '{"name":"a"}'.repeat(1000),
      ).map((text) => ({ text, note: 'raw body' })),
    },
  );
}

export interface FormSpec {
  action: string;
  fields: string[];
  multipart: boolean;
}

/** Forms of a page's HTML: action, field names, whether multipart. */
export function formsOf(html: string): FormSpec[] {
  const out: FormSpec[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const attrs = m[1];
    const method = /method="([^"]+)"/i.exec(attrs)?.[1] ?? (/hx-post="/.test(attrs) ? 'post' : 'get');
    const action = /(?:hx-post|action)="([^"]+)"/.exec(attrs)?.[1];
    if (!action || method.toLowerCase() !== 'post') continue;
    const fields = [...new Set([...m[2].matchAll(/\bname="([^"]+)"/g)].map((f) => f[1]))].filter((f) => f !== '_csrf');
    out.push({ action: action.replace(/&amp;/g, '&'), fields, multipart: /multipart\/form-data/.test(attrs) });
  }
  return out;
}

/** A multipart body of the fields; `cutAt` (0…1) truncates it. */
export function multipart(fields: Array<[string, string]>, boundary: string, cutAt: number | null): Uint8Array {
  let text = '';
  for (const [k, v] of fields) {
    const file = k === 'files' ? `; filename="${v.slice(0, 10) || 'a'}.csv"\r\nContent-Type: text/csv` : '';
    text += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"${file}\r\n\r\n${v}\r\n`;
  }
  text += `--${boundary}--\r\n`;
  const bytes = new TextEncoder().encode(text);
  return cutAt === null ? bytes : bytes.subarray(0, Math.floor(bytes.length * cutAt));
}

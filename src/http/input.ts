/**
 * One input layer: the rules every route (API and pages) applies to what a request carries, so a
 * hostile value is a 400 naming the field (or a 404 for an id) before it reaches SQL or DuckDB.
 *
 * - ids: digits only, no sign, space, hex or exponent, and within the column's range (else 404);
 * - `limit`/`offset`/`page`: digits only and bounded;
 * - dates: real calendar days within 1990-01-01 … 2100-12-31;
 * - strings: no NUL and no lone UTF-16 surrogate (Postgres refuses both);
 * - JSON: at most `maxJsonDepth` levels (zod and the audit scrubber recurse);
 * - bodies: unknown fields refused (the API's body schemas are strict).
 *
 * `inputGuard()` applies the string and depth rules to every query, path and body once, up front;
 * the zod pieces below are what routes declare for their own fields.
 */
import { z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from './errors.ts';
import type { AppEnv } from './env.ts';

/** Largest id of a `serial`/`integer` column. */
export const maxInt4Id = 2_147_483_647;
/** Largest id of a `bigserial` column that JavaScript numbers hold exactly (ids beyond it do not exist here). */
export const maxBigintId = Number.MAX_SAFE_INTEGER;
export const maxOffset = 10_000_000;
export const maxPage = 100_000;
export const maxJsonDepth = 32;
export const minDay = '1990-01-01';
export const maxDay = '2100-12-31';

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored, or null: NUL and lone surrogates are refused by Postgres and break JSON round trips. */
export function unsafeText(s: string): string | null {
  if (s.includes('\0')) return 'contains a NUL character';
  if (loneSurrogate.test(s)) return 'contains a lone UTF-16 surrogate (invalid Unicode)';
  return null;
}

/** A zod string that refuses NUL and lone surrogates. */
export const safeString = () => z.string().superRefine((s, ctx) => {
  const why = unsafeText(s);
  if (why) ctx.addIssue({ code: 'custom', message: why });
});

const digits = /^(0|[1-9][0-9]*)$/;

/** `s` as a whole number when it is written in digits only (no sign, space, hex, exponent or leading zero) and short enough to be exact; else NaN. */
const wholeNumber = (s: string): number => (digits.test(s) && s.length <= 16 ? Number(s) : NaN);

/** The id in a path, or a 404: `+1`, ` 1`, `0x10`, `1e3`, `01` and ids beyond the column's range name nothing. */
export function pathId(raw: string | undefined, what: string, max = maxBigintId): number {
  const id = raw === undefined ? NaN : wholeNumber(raw);
  if (!(id >= 1 && id <= max)) throw new AppError(404, 'not_found', `${what} ${JSON.stringify(String(raw ?? '').slice(0, 40))} was not found`);
  return id;
}

/** Marks a zod issue as "this names nothing": the API's validation hook answers it with 404, not 400. */
export const notFoundIssue = { notFound: true } as const;

/** A path id parameter for the API (`{id}`): strict digits within `max`, else 404. */
export const idSchema = (max = maxBigintId) =>
  z.string().transform((raw, ctx) => {
    const id = wholeNumber(raw);
    if (!(id >= 1 && id <= max)) {
      ctx.addIssue({ code: 'custom', message: `no object with id ${JSON.stringify(raw.slice(0, 40))}`, params: notFoundIssue });
      return z.NEVER;
    }
    return id;
  });

/** `{ id }` path params for the API. */
export const idParam = (max = maxBigintId) => z.object({ id: idSchema(max).openapi({ param: { name: 'id', in: 'path' }, type: 'integer' }) });

/** A whole number written in digits only, within min … max (a query value: `1e3`, `-0`, `1.0`, `Infinity` refused). */
export const boundedInt = (min: number, max: number) =>
  z
    .union([z.string(), z.number()])
    .transform((v, ctx) => {
      const n = wholeNumber(String(v));
      if (!(n >= min && n <= max)) {
        ctx.addIssue({ code: 'custom', message: `expected a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    })
    .openapi({ type: 'integer', minimum: min, maximum: max });

/** `limit` (1 … maxLimit) and `offset` (0 … maxOffset) of a list. */
export const pageQuery = (maxLimit = 500, defaultLimit = 50) =>
  z.object({
    limit: boundedInt(1, maxLimit).default(defaultLimit),
    offset: boundedInt(0, maxOffset).default(0),
  });

/** Reads a page's `offset` (pages have no schema): digits only and bounded, else a 400 naming it. */
export function offsetQuery(raw: string | undefined, field = 'offset'): number {
  if (raw === undefined || raw === '') return 0;
  const n = wholeNumber(raw);
  if (!(n >= 0 && n <= maxOffset)) throw new AppError(400, 'invalid_request', `${field}: expected a whole number from 0 to ${maxOffset}`, { field });
  return n;
}

/** Whether `s` (YYYY-MM-DD or YYYYMMDD) is a real calendar day within minDay … maxDay. */
export function dayProblem(s: string): string | null {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(s);
  if (!m) return 'expected a date YYYY-MM-DD';
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return `${s} is not a calendar day`;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  if (iso < minDay || iso > maxDay) return `expected a date from ${minDay} to ${maxDay}`;
  return null;
}

/** A date string (YYYY-MM-DD or YYYYMMDD) that is a calendar day within 1990-01-01 … 2100-12-31; the message starts with `field`. */
export const boundedDate = (field: string) =>
  z.string().superRefine((s, ctx) => {
    const why = dayProblem(s);
    if (why) ctx.addIssue({ code: 'custom', message: `${field}: ${why}` });
  });

/** An ISO date-time within the same range (run filters). */
export const boundedDateTime = () =>
  z.iso.datetime({ offset: true, message: 'expected an ISO date-time such as 2026-01-31T00:00:00Z' }).superRefine((s, ctx) => {
    const why = dayProblem(s.slice(0, 10));
    if (why) ctx.addIssue({ code: 'custom', message: why });
  });

/**
 * The depth of the deepest array or object in JSON text, stopping once it passes `limit`. A scan
 * of the text, so a hostile nesting is refused before anything recursive sees it.
 */
export function jsonDepthOver(text: string, limit = maxJsonDepth): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92) i++; // backslash: skip the escaped character
      else if (ch === 34) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 123 || ch === 91) {
      if (++depth > limit) return true;
    } else if (ch === 125 || ch === 93) depth--;
  }
  return false;
}

/** The path of the first string (key or value) in `value` that cannot be stored, with why; null when all are fine. Iterative. */
export function findUnsafeString(value: unknown, root = ''): { field: string; why: string } | null {
  const stack: Array<[unknown, string]> = [[value, root]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const why = unsafeText(v);
      if (why) return { field: path || 'body', why };
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], path ? `${path}.${i}` : String(i)]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const field = path ? `${path}.${k}` : k;
        const why = unsafeText(k);
        if (why) return { field: path || 'body', why: `a key ${why}` };
        stack.push([child, field]);
      }
    }
  }
  return null;
}

const invalid = (field: string, message: string) => new AppError(400, 'invalid_request', `${field}: ${message}`, { field });

const mediaType = (c: Context) => (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();

/**
 * Checks what every request carries before any handler sees it: the path and query strings, and a
 * JSON or form body (depth, NUL, lone surrogates, a form that cannot be read). Bodies of anonymous
 * callers are left unread except on `publicForms` (sign-in): every other route refuses them with 401
 * before reading anything. Runs after the body limit, so what it reads is bounded.
 */
export function inputGuard(options: { publicForms: readonly string[] }): MiddlewareHandler<AppEnv> {
  const publicForms = new Set(options.publicForms);
  return async (c, next) => {
    const path = c.req.path;
    const badPath = unsafeText(path);
    if (badPath) throw new AppError(404, 'not_found', `no page at this path: it ${badPath}`);
    const url = c.req.url;
    if (url.includes('?')) {
      for (const [k, values] of Object.entries(c.req.queries())) {
        const keyProblem = unsafeText(k);
        if (keyProblem) throw invalid('query', `a parameter name ${keyProblem}`);
        for (const v of values) {
          const why = unsafeText(v);
          if (why) throw invalid(k, why);
        }
      }
    }
    if (c.req.raw.body && (c.get('principal') || publicForms.has(path))) await checkBody(c);
    await next();
  };
}

async function checkBody(c: Context<AppEnv>): Promise<void> {
  const type = mediaType(c);
  if (/^application\/([a-z.-]+\+)?json$/.test(type)) {
    const text = await c.req.text();
    if (jsonDepthOver(text)) throw invalid('body', `JSON nested deeper than ${maxJsonDepth} levels`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      if (text.trim() === '') return; // an empty body: routes that need one say so
      throw invalid('body', 'malformed JSON; send a JSON object');
    }
    const bad = findUnsafeString(parsed);
    if (bad) throw invalid(bad.field, bad.why);
    // The validators read c.req.json(): hand them this parse instead of a second one.
    c.req.bodyCache.json = Promise.resolve(parsed);
  } else if (type === 'multipart/form-data' || type === 'application/x-www-form-urlencoded') {
    let form: Record<string, unknown>;
    try {
      form = await c.req.parseBody({ all: true });
    } catch {
      throw invalid('body', 'the form could not be read (truncated or malformed); submit it again');
    }
    for (const [k, v] of Object.entries(form)) {
      for (const item of Array.isArray(v) ? v : [v]) {
        const text = typeof item === 'string' ? item : item instanceof File ? item.name : '';
        const why = unsafeText(k) ?? unsafeText(text);
        if (why) throw invalid(unsafeText(k) ? 'body' : k, why);
      }
    }
  }
}

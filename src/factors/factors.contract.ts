/** The factors API's contract (conventions in src/http/contract.ts): definitions, user factors, coverage, computations. */
import { z } from '@hono/zod-openapi';
import { instant, instantSchema, isoDaySchema } from '../http/contract.ts';
import { boundedDate } from '../http/input.ts';
import { isoDay } from '../market/days.ts';
import type { UserFactor } from './factor.types.ts';
import type { BuiltinFactorInfo, FactorCoverage, FactorRef } from './factors.service.ts';

export const FactorIdParam = z.object({
  id: z
    .string()
    .max(40)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'momentum_20' })
    .describe('A built-in (momentum_20, reversal_5, volatility_20, turnover_ma_5, amihud_20, size, ep, bp) or yours: u<id> (current version) or u<id>v<version>'),
});

/** A user factor to save (POST and PUT /factors, and the editor page's form). */
export const FactorInputSchema = z
  .object({
    name: z.string().trim().min(1, 'name: give the factor a name').max(100, 'name: at most 100 characters'),
    description: z.string().max(2000, 'description: at most 2,000 characters').default(''),
    language: z.enum(['js', 'ts']).default('js'),
    code: z.string().min(1, 'code: write the factor (start from the template on /factors/new)').max(200_000).describe('defineFactor({ name, compute(ctx) }) source; checked on save (syntax, then a dry run) — 400 with line and column'),
  })
  .strict()
  .openapi('FactorInput');

/** An A-share ts_code (the form the market stores and factor_values numbers, factors.repository.ts stockCode). */
const codePattern = /^\d{6}\.(SH|SZ|BJ)$/;

/** What to compute: a period (default: every day with data) and stocks (default: all). */
export const ComputeFactorSchema = z
  .object({
    start_date: boundedDate('start_date').optional().describe('First day to compute (windows look back before it); default the first day with data'),
    end_date: boundedDate('end_date').optional().describe('Last day to compute; default the last day with data'),
    codes: z
      .array(z.string().regex(codePattern, 'codes: expected ts_codes like 600000.SH'))
      .min(1, 'codes: give at least one code, or leave codes out for every stock')
      .max(6000, 'codes: at most 6,000; leave codes out for every stock')
      .optional()
      .describe('Only these stocks; default every stock'),
  })
  .strict()
  .openapi('FactorComputation');
export type ComputeFactor = z.output<typeof ComputeFactorSchema>;

export const CoverageSchema = z
  .object({
    rows: z.number().int().describe('Values stored'),
    first_date: isoDaySchema,
    last_date: isoDaySchema,
    codes: z.number().int().describe('Stocks with a value'),
  })
  // Not a named component: it is used nullable, and a nullable $ref is not expressible in the document.
  .describe('Values stored: how many, over which days and stocks');

const coverageJson = (c: FactorCoverage | null | undefined): z.infer<typeof CoverageSchema> | null =>
  c ? { rows: c.rows, first_date: isoDay(c.first), last_date: isoDay(c.last), codes: c.codes } : null;

const links = (id: string) => ({
  self: `/api/v1/factors/${id}`,
  computations: `/api/v1/factors/${id}/computations`,
  page: `/factors/${id}`,
  analyse: `/factors/${id}/analyses/new`,
});
const LinksSchema = z.object({ self: z.string(), computations: z.string(), page: z.string(), analyse: z.string().describe('The analysis form') });

export const BuiltinFactorSchema = z
  .object({
    kind: z.string().describe('The built-in kind; with a window the id is <kind>_<n>'),
    id: z.string().describe('The id with the default window'),
    title: z.string(),
    description: z.string(),
    params_schema: z.record(z.string(), z.unknown()).describe('JSON Schema of the parameter (n: the window), empty for kinds without one'),
    stored: z.array(CoverageSchema.extend({ id: z.string() })).describe('Ids of this kind with values stored (any window), with their coverage'),
  })
  .openapi('BuiltinFactor');

export const UserFactorSchema = z
  .object({
    kind: z.literal('user'),
    id: z.string().describe('u<id>: the current version'),
    factor_id: z.number().int(),
    key: z.string().describe('Where the current version’s values are stored: u<id>v<version>'),
    owner: z.object({ id: z.number().int(), username: z.string().nullable() }),
    name: z.string(),
    description: z.string(),
    language: z.enum(['js', 'ts']),
    version: z.number().int(),
    code: z.string(),
    coverage: CoverageSchema.nullable().describe('Values stored for the current version; null before a computation'),
    created_at: instantSchema,
    updated_at: instantSchema,
    links: LinksSchema,
  })
  .describe('A user factor: its current version’s code and coverage');

export const FactorListSchema = z.object({ builtin: z.array(BuiltinFactorSchema), mine: z.array(UserFactorSchema) }).openapi('FactorList');

export const FactorSchema = z
  .object({
    id: z.string(),
    key: z.string().describe('Where its values are stored (factor_values.factor)'),
    kind: z.enum(['builtin', 'user']),
    title: z.string(),
    description: z.string(),
    coverage: CoverageSchema.nullable(),
    factor: UserFactorSchema.nullable().describe('A user factor’s definition; null for a built-in'),
    versions: z.array(z.object({ version: z.number().int(), id: z.string(), created_at: instantSchema, coverage: CoverageSchema.nullable() })).describe('A user factor’s versions, newest first'),
    links: LinksSchema,
  })
  .openapi('Factor');

export const FactorDeletedSchema = z.object({ deleted: z.string().describe('The id deleted (u<id>)') }).openapi('FactorDeleted');

export const builtinFactorJson = (b: BuiltinFactorInfo, stored: { id: string; coverage: FactorCoverage }[]): z.infer<typeof BuiltinFactorSchema> => ({
  kind: b.kind, id: b.id, title: b.title, description: b.description, params_schema: b.paramsSchema,
  stored: stored.map((s) => ({ id: s.id, ...coverageJson(s.coverage)! })),
});

export const userFactorJson = (f: UserFactor, coverage: FactorCoverage | null | undefined): z.infer<typeof UserFactorSchema> => ({
  kind: 'user', id: `u${f.id}`, factor_id: f.id, key: f.key, owner: { id: f.ownerId, username: f.ownerName }, name: f.name, description: f.description,
  language: f.language, version: f.version, code: f.code, coverage: coverageJson(coverage), created_at: instant(f.createdAt), updated_at: instant(f.updatedAt), links: links(`u${f.id}`),
});

export const factorJson = (
  ref: FactorRef,
  description: string,
  coverage: FactorCoverage | null,
  user: { factor: UserFactor; coverage: FactorCoverage | null } | null,
  versions: { version: number; created_at: Date; coverage: FactorCoverage | null }[],
): z.infer<typeof FactorSchema> => ({
  id: ref.id, key: ref.key, kind: ref.kind, title: ref.title, description, coverage: coverageJson(coverage),
  factor: user ? userFactorJson(user.factor, user.coverage) : null,
  versions: versions.map((v) => ({ version: v.version, id: `u${ref.factorId}v${v.version}`, created_at: instant(v.created_at), coverage: coverageJson(v.coverage) })),
  links: links(ref.id),
});

/** The strategies API's contract: what it reads and what it answers (conventions in src/http/contract.ts). */
import { z } from '@hono/zod-openapi';
import { instant, instantSchema } from '../http/contract.ts';
import { strategyCategories, type BuiltinStrategy, type UserStrategy } from './strategy.types.ts';

/** A strategy to save (POST and PUT /strategies, and the editor page's form). */
export const StrategyInputSchema = z
  .object({
    name: z.string().trim().min(1, 'name: give the strategy a name').max(100),
    description: z.string().max(2000).default(''),
    category: z.enum(strategyCategories).default('custom'),
    language: z.enum(['js', 'ts']).default('js'),
    code: z.string().min(1, 'code: write the strategy (start from the template)').max(200_000).describe('defineStrategy({...}) source; checked on save (syntax, then a dry run) — 400 with line and column'),
  })
  .strict()
  .openapi('StrategyInput');
export type StrategyInput = z.output<typeof StrategyInputSchema>;

export const StrategyListQuery = z.object({ q: z.string().max(100).optional(), category: z.string().max(40).optional() });

const jsonSchema = z.record(z.string(), z.unknown()).describe('JSON Schema of the params');

export const BuiltinStrategySchema = z
  .object({
    kind: z.literal('builtin'),
    name: z.string().describe('The name to submit as `strategy`'),
    title: z.string(),
    description: z.string(),
    category: z.enum(strategyCategories),
    params_schema: jsonSchema,
  })
  .openapi('BuiltinStrategy');

export const StrategySchema = z
  .object({
    kind: z.literal('user'),
    id: z.number().int(),
    owner: z.object({ id: z.number().int(), username: z.string().nullable() }),
    name: z.string(),
    description: z.string(),
    category: z.string(),
    language: z.enum(['js', 'ts']),
    version: z.number().int().describe('The current version; each save that changes the code adds one'),
    version_id: z.number().int().describe('Id of the current version (backtests record it)'),
    code: z.string(),
    params_schema: jsonSchema.nullable(),
    created_at: instantSchema,
    updated_at: instantSchema,
  })
  .openapi('Strategy');

export const StrategyVersionSchema = z.object({ id: z.number().int(), version: z.number().int(), created_at: instantSchema }).openapi('StrategyVersion');
export const StrategyWithVersionsSchema = StrategySchema.extend({ versions: z.array(StrategyVersionSchema) }).openapi('StrategyWithVersions');
export const StrategyListSchema = z.object({ builtin: z.array(BuiltinStrategySchema), mine: z.array(StrategySchema) }).openapi('StrategyList');
export const DeletedSchema = z.object({ deleted: z.number().int().describe('The id that was deleted') }).openapi('Deleted');

export const builtinStrategyJson = (b: BuiltinStrategy): z.infer<typeof BuiltinStrategySchema> => ({
  kind: 'builtin', name: b.name, title: b.title, description: b.description, category: b.category, params_schema: b.paramsSchema,
});

export const strategyJson = (s: UserStrategy): z.infer<typeof StrategySchema> => ({
  kind: s.kind, id: s.id, owner: { id: s.ownerId, username: s.ownerName }, name: s.name, description: s.description, category: s.category, language: s.language,
  version: s.version, version_id: s.versionId, code: s.code, params_schema: s.paramsSchema, created_at: instant(s.createdAt), updated_at: instant(s.updatedAt),
});

export const strategyVersionJson = (v: { id: number; version: number; created_at: Date | string }): z.infer<typeof StrategyVersionSchema> => ({
  id: v.id, version: v.version, created_at: instant(v.created_at),
});

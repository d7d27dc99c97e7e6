/**
 * The strategy's own validation of a candidate parameter set, which a sweep runs on every point so
 * that combinations the strategy would refuse (dual_ma's short_window < long_window) are skipped
 * and counted instead of failing as runs:
 * - built-ins: their zod schema's safeParse, refinements included (builtinParamsCheck);
 * - user strategies: their stored JSON Schema (types, bounds, enums, required, defaults), since
 *   their zod schema lives in the sandbox; a refinement of theirs shows up as a failed set instead.
 */
import { builtinParamsJsonSchema, getBuiltinStrategy } from '../engine/builtins/registry.ts';
import { paramValueProblem, type ParamSchemaProperty, type ParamsJsonSchema, type ParamValue } from './space.ts';

/** A full params object checked: the parsed params (defaults filled in) or why not. */
export type ParamsCheck = (params: Record<string, unknown>) => { ok: true; params: Record<string, unknown> } | { ok: false; message: string };

/** The structural part of a zod schema that checkWithSchema needs (safeParse preferred, else parse). */
export type CheckableSchema =
  | { safeParse(input: unknown): { success: true; data: unknown } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } } }
  | { parse(input: unknown): unknown };

/** A ParamsCheck from a params schema: zod's safeParse (its refinements included) or a throwing parse. */
export function checkWithSchema(schema: CheckableSchema): ParamsCheck {
  if ('safeParse' in schema) {
    return (params) => {
      const r = schema.safeParse(params);
      if (r.success) return { ok: true, params: r.data as Record<string, unknown> };
      return { ok: false, message: r.error.issues.map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ` : '') + i.message).join('; ') };
    };
  }
  return (params) => {
    try {
      return { ok: true, params: schema.parse(params) as Record<string, unknown> };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  };
}

/** A ParamsCheck from a JSON Schema of params (a user strategy's params_schema): defaults, required, types, bounds, enums. */
export function checkWithJsonSchema(schema: ParamsJsonSchema & { required?: readonly string[] }): ParamsCheck {
  const props: Readonly<Record<string, ParamSchemaProperty>> = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  return (params) => {
    const out: Record<string, unknown> = { ...params };
    for (const [name, prop] of Object.entries(props)) {
      let v = out[name];
      if (v === undefined && prop.default !== undefined) v = out[name] = prop.default;
      if (v === undefined) {
        if (required.has(name)) return { ok: false, message: `${name}: required` };
        continue;
      }
      if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean') return { ok: false, message: `${name}: ${JSON.stringify(v)} is not a number, string or boolean` };
      const problem = paramValueProblem(name, prop, v as ParamValue);
      if (problem) return { ok: false, message: problem };
    }
    return { ok: true, params: out };
  };
}

/** A built-in strategy's params as JSON Schema (bounds for the space) and its zod check, or null for an unknown name. */
export function builtinSweepSchema(name: string): { schema: ParamsJsonSchema; check: ParamsCheck } | null {
  const s = getBuiltinStrategy(name);
  if (!s) return null;
  return { schema: builtinParamsJsonSchema(name) as ParamsJsonSchema, check: checkWithSchema(s.params as unknown as CheckableSchema) };
}

/** A parameter form generated from a strategy's JSON Schema: numbers, integers, booleans, enums, strings, with defaults and descriptions. */
import type { T } from '../../src/i18n/i18n.ts';

export interface JsonSchemaProp {
  type?: string | string[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
}

/** A schema's properties in declaration order (`x-order`, kept by the strategy service because jsonb reorders keys). */
export function schemaProps(schema: unknown): [string, JsonSchemaProp][] {
  const s = schema as { properties?: Record<string, JsonSchemaProp>; 'x-order'?: unknown } | null;
  const props = s?.properties;
  if (!props) return [];
  const order = Array.isArray(s['x-order']) ? (s['x-order'] as string[]).filter((k) => k in props) : [];
  return [...order, ...Object.keys(props).filter((k) => !order.includes(k))].map((k) => [k, props[k]]);
}

/** A bound worth showing: zod writes ±9007199254740991 for "no limit" on integers. */
export const shownBound = (v: number | undefined): number | undefined => (v !== undefined && Math.abs(v) < Number.MAX_SAFE_INTEGER ? v : undefined);

const typeOf = (p: JsonSchemaProp) => (Array.isArray(p.type) ? p.type.find((t) => t !== 'null') : p.type) ?? 'string';

/**
 * The parameter fields of one strategy's schema. `strategy` names whose they are (a hidden field):
 * a form posted with another strategy chosen (JavaScript off, so the fields were not swapped) is
 * shown again with that strategy's fields instead of running it on its defaults.
 */
export function ParamsFields(props: { t: T; schema: unknown; values?: Record<string, unknown>; error?: { field: string } | null; strategy?: string }) {
  const { t } = props;
  const entries = schemaProps(props.schema);
  const owner = props.strategy ? <input type="hidden" name="params_for" value={props.strategy} /> : null;
  if (!entries.length) return <>{owner}<p class="muted">{t('backtests.params.none')}</p></>;
  return (
    <div class="param-grid">
      {owner}
      {entries.map(([name, p]) => {
        const kind = typeOf(p);
        const v = props.values?.[name] ?? p.default;
        const field = `p.${name}`;
        const bad = props.error?.field === `params.${name}`;
        const min = p.minimum ?? p.exclusiveMinimum;
        const max = p.maximum ?? p.exclusiveMaximum;
        return (
          <label class={bad ? 'invalid' : ''}>
            <span class="param-name"><code>{name}</code></span>
            {p.enum ? (
              <select name={field}>{p.enum.map((e) => <option value={String(e)} selected={String(e) === String(v)}>{String(e)}</option>)}</select>
            ) : kind === 'boolean' ? (
              <>
                <input type="hidden" name={`${field}:bool`} value="1" />
                <input type="checkbox" name={field} checked={v === true} />
              </>
            ) : (
              <input
                type={kind === 'integer' || kind === 'number' ? 'number' : 'text'}
                name={field}
                value={v === undefined || v === null ? '' : String(v)}
                step={kind === 'integer' ? '1' : kind === 'number' ? 'any' : undefined}
                min={min !== undefined ? String(min) : undefined}
                max={max !== undefined ? String(max) : undefined}
                data-type={kind}
              />
            )}
            <span class="hint">{p.description ?? ''}{p.default !== undefined ? t('backtests.params.default', { value: String(p.default) }) : ''}</span>
          </label>
        );
      })}
    </div>
  );
}

/** Form values (strings) → typed params by the schema; blanks are left out so defaults apply. */
export function paramsFromForm(schema: unknown, form: Record<string, string | string[]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, p] of schemaProps(schema)) {
    const raw = form[`p.${name}`];
    const v = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    const t = typeOf(p);
    if (t === 'boolean') {
      if (form[`p.${name}:bool`] !== undefined) out[name] = v === 'on' || v === 'true';
      continue;
    }
    if (v === undefined || v === '') continue;
    out[name] = t === 'integer' || t === 'number' ? (Number.isFinite(Number(v)) ? Number(v) : v) : v;
  }
  return out;
}

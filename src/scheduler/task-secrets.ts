import { AppError } from '../http/errors.ts';
import { isSealed, secretMask, type SealedSecret, type SecretBox } from '../secrets/secret-box.ts';

/**
 * Turns the secret entries a client sends in a `command` config (directly, or as a workflow's
 * inline command step) into sealed values before anything is validated or stored:
 *
 * - `env: {"S3_SECRET_KEY": {"value": "…", "secret": true}}` and `args: ["--password", {"value": "…", "secret": true}]`
 *   are sealed with the instance key; `{"value": "…", "secret": false}` is a plain string;
 * - `{"secret": true}`, `{"secret": true, "value": "••••"}` or `"••••"` keep the stored secret of that
 *   env name or argument position (secrets are write-only: an edit never needs to know them);
 * - a sealed value the client made up is refused: only the stored one of the same place passes.
 */
export function sealTaskConfig(executor: string, config: Record<string, unknown>, stored: Record<string, unknown> | null, box: SecretBox | null, field = 'config'): Record<string, unknown> {
  if (executor === 'command') return sealCommandConfig(config, stored, box, field);
  if (executor === 'workflow' && Array.isArray(config.steps)) {
    const storedSteps = Array.isArray(stored?.steps) ? (stored.steps as Array<Record<string, unknown>>) : [];
    const steps = config.steps.map((s: unknown, i: number) => {
      if (!isObject(s) || s.executor !== 'command' || !isObject(s.config)) return s;
      const before = storedSteps.find((x) => isObject(x) && x.id === s.id && x.executor === 'command');
      return { ...s, config: sealCommandConfig(s.config, isObject(before?.config) ? before.config : null, box, `${field}.steps.${i}.config`) };
    });
    return { ...config, steps };
  }
  return config;
}

const maxSecretChars = 10_000;

function sealCommandConfig(config: Record<string, unknown>, stored: Record<string, unknown> | null, box: SecretBox | null, field: string): Record<string, unknown> {
  const out = { ...config };
  if (isObject(config.env)) {
    const storedEnv = isObject(stored?.env) ? stored.env : {};
    const env: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(config.env)) env[name] = sealEntry(v, storedEnv[name], box, `${field}.env.${name}`);
    out.env = env;
  }
  if (Array.isArray(config.args)) {
    const storedArgs = Array.isArray(stored?.args) ? stored.args : [];
    out.args = config.args.map((v: unknown, i: number) => sealEntry(v, storedArgs[i], box, `${field}.args.${i}`));
  }
  return out;
}

function sealEntry(v: unknown, stored: unknown, box: SecretBox | null, field: string): unknown {
  const keep = (): SealedSecret => {
    if (isSealed(stored)) return stored;
    throw new AppError(400, 'invalid_request', `${field}: no secret is stored here to keep; send its value as {"value": "…", "secret": true}`, { field });
  };
  if (typeof v === 'string') return v === secretMask && isSealed(stored) ? stored : v;
  if (!isObject(v)) return v; // the executor's schema says what is wrong with it
  if ('sealed' in v) {
    if (isSealed(stored) && stored.sealed === v.sealed) return stored;
    throw new AppError(400, 'invalid_request', `${field}: a sealed value cannot be sent; send the secret as {"value": "…", "secret": true}`, { field });
  }
  const value = v.value;
  if (v.secret === true) {
    if (value === undefined || value === secretMask) return keep();
    if (typeof value !== 'string') throw new AppError(400, 'invalid_request', `${field}.value: expected the secret as a string`, { field: `${field}.value` });
    if (value.length > maxSecretChars) throw new AppError(400, 'invalid_request', `${field}.value: at most ${maxSecretChars} characters`, { field: `${field}.value` });
    if (!box) throw new AppError(503, 'secrets_unavailable', `${field}: this server has no secret key, so it cannot store secrets; start it through zquant serve (DATA_DIR/secret.key or ZQUANT_SECRET_KEY)`, { field });
    return box.seal(value);
  }
  if (typeof value !== 'string') throw new AppError(400, 'invalid_request', `${field}: expected a string, or {"value": "…", "secret": true|false}`, { field });
  if (value === secretMask && isSealed(stored)) {
    throw new AppError(400, 'invalid_request', `${field}: to make a secret plain, send its value (it is not shown)`, { field });
  }
  return value;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

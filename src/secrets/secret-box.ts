import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * Secrets kept in the database (a command task's secret environment entries and arguments) are
 * sealed with AES-256-GCM under one instance key (src/secrets/secret-key.ts). A sealed value is
 * `{"secret": true, "sealed": "zqs1.<keyId>.<iv>.<tag>.<ciphertext>"}` (base64url parts); only an
 * executor opens one, at the moment it needs the plain text. Answers and pages show `secretMask`.
 */
export interface SealedSecret {
  secret: true;
  sealed: string;
}

/** What every answer and page shows instead of a secret's value; sent back, it keeps the stored one. */
export const secretMask = '••••';

export const sealedSecretSchema = z
  .object({ secret: z.literal(true), sealed: z.string().regex(/^zqs1\.[0-9a-f]{12}\.[\w-]+\.[\w-]+\.[\w-]*$/, { message: 'expected a sealed secret' }) })
  .strict();

export interface SecretBox {
  /** Names the key without revealing it (first 12 hex digits of a hash of it). */
  readonly keyId: string;
  seal(plain: string): SealedSecret;
  open(sealed: SealedSecret): string;
}

/** A sealed value that no key of this instance can open, or that was altered. */
export class SecretUnavailableError extends Error {
  override name = 'SecretUnavailableError';
}

const aad = Buffer.from('zquant secret v1');

function keyIdOf(key: Uint8Array): string {
  return createHash('sha256').update('zquant secret key id\0').update(key).digest('hex').slice(0, 12);
}

export function makeSecretBox(key: Uint8Array): SecretBox {
  if (key.length !== 32) throw new Error(`a secret key is 32 bytes; got ${key.length}`);
  const k = Buffer.from(key);
  const keyId = keyIdOf(k);
  return {
    keyId,
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', k, iv);
      cipher.setAAD(aad);
      const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return { secret: true, sealed: ['zqs1', keyId, iv.toString('base64url'), tag.toString('base64url'), ct.toString('base64url')].join('.') };
    },
    open(s) {
      const [, id, iv, tag, ct] = s.sealed.split('.');
      if (id !== keyId) {
        throw new SecretUnavailableError(`a secret was sealed with key ${id}, this instance has key ${keyId}; give every instance the same ZQUANT_SECRET_KEY, or enter the secret again`);
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', k, Buffer.from(iv, 'base64url'));
        decipher.setAAD(aad);
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretUnavailableError('a stored secret does not decrypt (altered in the database?); enter the secret again');
      }
    },
  };
}

export function isSealed(v: unknown): v is SealedSecret {
  return v !== null && typeof v === 'object' && (v as { secret?: unknown }).secret === true && typeof (v as { sealed?: unknown }).sealed === 'string';
}

/**
 * A copy of `value` with every secret entry, however deep, replaced by `{"secret": true, "value": "••••"}`:
 * sealed ones, and `{"value": …, "secret": true}` as a client sent it (a form shown again after an error).
 */
export function redactSecrets<T>(value: T): T {
  if (isSealed(value) || (value !== null && typeof value === 'object' && (value as { secret?: unknown }).secret === true)) return { secret: true, value: secretMask } as T;
  if (Array.isArray(value)) return value.map(redactSecrets) as T;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactSecrets(v);
    return out as T;
  }
  return value;
}

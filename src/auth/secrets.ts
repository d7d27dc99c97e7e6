import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, base64url: session ids, CSRF tokens, API token secrets. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database keeps of a high-entropy secret: a fast hash suffices (no dictionary to try). */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

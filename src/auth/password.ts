import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError } from '../http/errors.ts';

/** The password rule, said in every refusal. */
export const minPasswordLength = 12;
export const maxPasswordLength = 1024;
export const passwordRule = `a password needs at least ${minPasswordLength} characters (at most ${maxPasswordLength})`;

/**
 * scrypt (memory-hard, in node:crypto, no native package needed) with N=2^15, r=8, p=1: 32 MiB and
 * ~50-100 ms per hash on these machines. The parameters are stored with the hash, so they can be
 * raised later without invalidating old hashes.
 */
const defaults = { N: 1 << 15, r: 8, p: 1, keyLength: 32 };

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize('NFKC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** Why a password is refused, or null when it meets the rule. */
export function passwordProblem(password: string): string | null {
  if (password.length < minPasswordLength || password.length > maxPasswordLength) {
    return `${passwordRule}; this one has ${password.length}`;
  }
  return null;
}

/** Throws a 400 naming the field when the password does not meet the rule. */
export function checkPasswordPolicy(password: string, field = 'password'): void {
  const problem = passwordProblem(password);
  if (problem) throw new AppError(400, 'weak_password', `${field}: ${problem}`, { field });
}

/** `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p, keyLength } = defaults;
  const key = await scrypt(password, salt, keyLength, { N, r, p, maxmem: 256 * N * r });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const salt = Buffer.from(parts[4], 'base64url');
  const expected = Buffer.from(parts[5], 'base64url');
  const key = await scrypt(password, salt, expected.length, { N, r, p, maxmem: 256 * N * r });
  return timingSafeEqual(key, expected);
}

/** A hash nobody's password matches, verified against for unknown usernames so timing does not tell. */
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(24).toString('base64url'));
  return dummyHash;
}

/** A strong random password: 24 characters from a 56-letter alphabet without look-alikes (~139 bits). */
export function generatePassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const out: string[] = [];
  while (out.length < 24) {
    for (const b of randomBytes(32)) {
      // Rejection sampling keeps every letter equally likely (256 is not a multiple of 56).
      if (b < 224 && out.length < 24) out.push(alphabet[b % alphabet.length]);
    }
  }
  return out.join('');
}

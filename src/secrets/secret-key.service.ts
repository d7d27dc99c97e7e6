import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { makeSecretBox, type SecretBox } from './secret-box.ts';
import { AppError } from '../http/errors.ts';
import { claimSecretKeyId, selectSecretKeyId } from './secret-key.repository.ts';

export const secretKeyFile = 'secret.key';

/** ZQUANT_SECRET_KEY as 32 bytes; a wrong value stops start-up with what to do. */
function keyFromBase64(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${where}: expected 32 random bytes in base64 (make one with \`openssl rand -base64 32\`), got ${key.length} bytes`);
  return key;
}

/**
 * The instance key: ZQUANT_SECRET_KEY when set, else DATA_DIR/secret.key, made once (mode 0600;
 * several instances starting at once on one DATA_DIR keep the first one written).
 */
export async function loadSecretKey(o: { dataDir: string; secretKey: string | null }): Promise<{ key: Buffer; source: string }> {
  if (o.secretKey !== null) return { key: keyFromBase64(o.secretKey, 'ZQUANT_SECRET_KEY'), source: 'ZQUANT_SECRET_KEY' };
  const path = join(o.dataDir, secretKeyFile);
  await mkdir(o.dataDir, { recursive: true });
  try {
    await writeFile(path, `${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // The umask may have widened nothing, but a copied-in file may be readable by others: close it.
  if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
  return { key: keyFromBase64(await readFile(path, 'utf8'), path), source: path };
}

const mismatch = (source: string, keyId: string, recorded: string) =>
  `secret key: ${source} (key ${keyId}) is not the key this database's secrets are sealed with (key ${recorded}); ` +
  'set ZQUANT_SECRET_KEY to the same base64 key on every instance that shares DATABASE_URL';

/**
 * Opens the instance's secret box and checks it against the database: the key that sealed the
 * first stored secret is recorded (checkSecretKey), and an instance with another key refuses to
 * start, since it could not open the secrets the others sealed.
 */
export async function openSecretBox(db: Kysely<Database>, o: { dataDir: string; secretKey: string | null }): Promise<SecretBox> {
  const { key, source } = await loadSecretKey(o);
  const box = makeSecretBox(key);
  const recorded = await selectSecretKeyId(db);
  if (recorded !== null && recorded !== box.keyId) throw new Error(mismatch(source, box.keyId, recorded));
  return box;
}

/**
 * Called when a secret is sealed: records this key as the database's, or refuses (409) when another
 * instance already stored secrets under a different key.
 */
export async function checkSecretKey(db: Kysely<Database>, box: SecretBox): Promise<void> {
  const recorded = await claimSecretKeyId(db, box.keyId);
  if (recorded !== box.keyId) throw new AppError(409, 'secret_key_mismatch', mismatch('this instance', box.keyId, recorded));
}

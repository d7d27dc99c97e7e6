import type { Config } from '../config.ts';
import { makeLogger } from '../logger.ts';
import { generatePassword } from './password.ts';
import { createToken } from './tokens.service.ts';
import { createUser, findUserByUsername, resetPassword, systemActor } from './users.service.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One password per input; the trailing newline of `echo` is not part of it.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function withStores<T>(config: Config, fn: (db: Awaited<ReturnType<typeof import('../server.ts')['openStores']>>['pg']['db']) => Promise<T>): Promise<T> {
  const { openStores } = await import('../server.ts');
  const { pg, market } = await openStores(config, makeLogger({ level: 'warn' }));
  try {
    return await fn(pg.db);
  } finally {
    await market.close();
    await pg.close();
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** zquant user create|reset-password */
export async function userCommand(config: Config, values: Record<string, unknown>, positionals: string[]): Promise<number> {
  const action = positionals[0];
  const username = str(values.username);
  if ((action !== 'create' && action !== 'reset-password') || positionals.length !== 1) {
    process.stderr.write('zquant user: expected "create" or "reset-password"\n');
    return 2;
  }
  if (!username) {
    process.stderr.write(`zquant user ${action}: --username is required\n`);
    return 2;
  }
  const given = values['password-stdin'] ? await readStdin() : null;
  const password = given ?? generatePassword();
  const actor = systemActor('zquant cli');
  return withStores(config, async (db) => {
    if (action === 'create') {
      const role = str(values.role) || 'analyst';
      const user = await createUser(db, actor, { username, role, password });
      process.stdout.write(`created user ${user.username} (${user.role})\n`);
    } else {
      const user = await findUserByUsername(db, username.trim().toLowerCase());
      if (!user) {
        process.stderr.write(`zquant user reset-password: no user "${username}"; see zquant user create\n`);
        return 1;
      }
      await resetPassword(db, actor, Number(user.id), password);
      process.stdout.write(`new password set for ${user.username}; their browser sessions were signed out\n`);
    }
    if (given === null) process.stdout.write(`password: ${password}\n`);
    return 0;
  });
}

/** zquant token create */
export async function tokenCommand(config: Config, values: Record<string, unknown>, positionals: string[]): Promise<number> {
  if (positionals[0] !== 'create' || positionals.length !== 1) {
    process.stderr.write('zquant token: expected "create"\n');
    return 2;
  }
  const username = str(values.username);
  if (!username) {
    process.stderr.write('zquant token create: --username is required\n');
    return 2;
  }
  const rawDays = str(values['expires-days']);
  const expiresDays = rawDays ? Number(rawDays) : null;
  if (expiresDays !== null && !(Number.isInteger(expiresDays) && expiresDays > 0)) {
    process.stderr.write(`zquant token create: --expires-days: expected a positive whole number of days, got "${rawDays}"\n`);
    return 2;
  }
  return withStores(config, async (db) => {
    const user = await findUserByUsername(db, username.trim().toLowerCase());
    if (!user) {
      process.stderr.write(`zquant token create: no user "${username}"; see zquant user create\n`);
      return 1;
    }
    if (user.disabled) {
      process.stderr.write(`zquant token create: user "${username}" is disabled; enable it first\n`);
      return 1;
    }
    const { token } = await createToken(db, systemActor('zquant cli'), { userId: Number(user.id), name: str(values.name) || 'cli', expiresDays, now: new Date() });
    process.stdout.write(`${token}\n`);
    return 0;
  });
}

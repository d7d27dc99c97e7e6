import type { CommandIo, CommandStores } from '../admin/command-io.ts';
import { generatePassword } from './password.ts';
import { createToken } from './tokens.service.ts';
import { createUser, findUserByUsername, resetPassword, systemActor } from './users.service.ts';

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** zquant user create|reset-password (Postgres only: never opens DuckDB) */
export async function userCommand(stores: CommandStores, io: CommandIo, values: Record<string, unknown>, positionals: string[]): Promise<number> {
  const action = positionals[0];
  const username = str(values.username);
  if ((action !== 'create' && action !== 'reset-password') || positionals.length !== 1) {
    io.stderr('zquant user: expected "create" or "reset-password"\n');
    return 2;
  }
  if (!username) {
    io.stderr(`zquant user ${action}: --username is required\n`);
    return 2;
  }
  // One password per input; the trailing newline of `echo` is not part of it.
  const given = values['password-stdin'] ? (await io.readStdin()).replace(/\r?\n$/, '') : null;
  const password = given ?? generatePassword();
  const actor = systemActor('zquant cli');
  const { db } = await stores.pg();
  if (action === 'create') {
    const role = str(values.role) || 'analyst';
    const user = await createUser(db, actor, { username, role, password });
    io.stdout(`created user ${user.username} (${user.role})\n`);
  } else {
    const user = await findUserByUsername(db, username.trim().toLowerCase());
    if (!user) {
      io.stderr(`zquant user reset-password: no user "${username}"; see zquant user create\n`);
      return 1;
    }
    // An operator's reset, like an admin's on the users page: the old credentials all end, API
    // tokens included, unless --keep-tokens says otherwise.
    const keepTokens = values['keep-tokens'] === true;
    const { revokedTokens } = await resetPassword(db, actor, Number(user.id), password, { revokeTokens: !keepTokens });
    const tokens = keepTokens ? 'their API tokens were kept' : `${revokedTokens} API token${revokedTokens === 1 ? '' : 's'} revoked`;
    io.stdout(`new password set for ${user.username}; their browser sessions were signed out, ${tokens}\n`);
  }
  if (given === null) io.stdout(`password: ${password}\n`);
  return 0;
}

/** zquant token create (Postgres only: never opens DuckDB) */
export async function tokenCommand(stores: CommandStores, io: CommandIo, values: Record<string, unknown>, positionals: string[]): Promise<number> {
  if (positionals[0] !== 'create' || positionals.length !== 1) {
    io.stderr('zquant token: expected "create"\n');
    return 2;
  }
  const username = str(values.username);
  if (!username) {
    io.stderr('zquant token create: --username is required\n');
    return 2;
  }
  const scope = str(values.scope);
  if (scope && scope !== 'metrics' && scope !== 'worker') {
    io.stderr(`zquant token create: --scope: "metrics" (a token that may read /metrics only) or "worker" (one that may fetch market snapshots only), got "${scope}"\n`);
    return 2;
  }
  const rawDays = str(values['expires-days']);
  const expiresDays = rawDays ? Number(rawDays) : null;
  if (expiresDays !== null && !(Number.isInteger(expiresDays) && expiresDays > 0)) {
    io.stderr(`zquant token create: --expires-days: expected a positive whole number of days, got "${rawDays}"\n`);
    return 2;
  }
  const { db } = await stores.pg();
  const user = await findUserByUsername(db, username.trim().toLowerCase());
  if (!user) {
    io.stderr(`zquant token create: no user "${username}"; see zquant user create\n`);
    return 1;
  }
  if (user.disabled) {
    io.stderr(`zquant token create: user "${username}" is disabled; enable it first\n`);
    return 1;
  }
  if (scope && user.role !== 'admin') {
    io.stderr(`zquant token create: --scope ${scope}: ${scope === 'metrics' ? '/metrics is' : 'market snapshots are'} for admins; "${username}" is ${user.role}\n`);
    return 1;
  }
  const { token } = await createToken(db, systemActor('zquant cli'), { userId: Number(user.id), name: str(values.name) || 'cli', expiresDays, now: new Date(), scope: scope === 'metrics' || scope === 'worker' ? scope : null, role: user.role });
  io.stdout(`${token}\n`);
  return 0;
}

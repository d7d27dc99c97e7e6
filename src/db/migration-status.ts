/**
 * Which schema versions a store has, against the ones this code knows: what `zquant migrate
 * --dry-run` lists, and what stops a server from opening a store a newer zquant has upgraded
 * (its code would misread tables it does not know). Pure: the callers read the applied names.
 */
export interface MigrationStatus {
  /** Known to this code and applied. */
  applied: string[];
  /** Known to this code, not applied yet: what migrating would apply, in order. */
  pending: string[];
  /** Applied, but unknown to this code: the store was upgraded by a newer zquant. */
  newer: string[];
}

export function migrationStatus(known: readonly string[], appliedNames: Iterable<string>): MigrationStatus {
  const done = new Set(appliedNames);
  const knownSet = new Set(known);
  return {
    applied: known.filter((n) => done.has(n)),
    pending: known.filter((n) => !done.has(n)),
    newer: [...done].filter((n) => !knownSet.has(n)).sort(),
  };
}

/** The one line a server (or command) says when a store is newer than its code. */
export function newerSchemaMessage(store: string, newer: readonly string[], version: string): string {
  return `${store}: the schema is newer than this zquant (${version}) knows: migration ${newer.join(', ')} came from a later version; run that version (or newer), or restore a backup taken before the upgrade`;
}

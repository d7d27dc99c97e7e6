/**
 * Which snapshot versions to delete: all but the newest `keep`, never one that queued or running
 * work pins, nor one in use here. Pure, so the rule is tested without files.
 */
export function versionsToDelete(newestFirst: readonly string[], keep: number, pinned: ReadonlySet<string>, inUse: ReadonlySet<string> = new Set()): string[] {
  return newestFirst.slice(Math.max(1, keep)).filter((v) => !pinned.has(v) && !inUse.has(v));
}

import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { accessChannel, encodeAccessEvent, type AccessEvent } from './access-events.ts';

/** Queues the notification (access-events.ts); call it on the transaction that makes the change. */
export async function notifyAccessEnded(db: Kysely<Database>, event: AccessEvent): Promise<void> {
  await sql`select pg_notify(${accessChannel}, ${encodeAccessEvent(event)})`.execute(db);
}

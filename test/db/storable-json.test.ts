import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storableJson } from '../../src/db/storable-json.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

/** What jsonb gives back for the text: the proof that Postgres accepts it. */
async function roundTrip(text: string): Promise<unknown> {
  const r = await sql<{ v: unknown }>`select ${text}::text::jsonb as v`.execute(db.store.db);
  const v = r.rows[0].v;
  return typeof v === 'string' ? JSON.parse(v) : v;
}

describe('storableJson', () => {
  it('is JSON.stringify for ordinary values, undefined stored as null', () => {
    const value = { a: [1, 2.5, null], s: 'line\n"quoted" \\ tab\t é 中 😀', nested: { ok: true } };
    expect(storableJson(value)).toBe(JSON.stringify(value));
    expect(storableJson(undefined)).toBe('null');
  });

  it('turns a NUL into the visible text \\u0000 and a lone surrogate into U+FFFD, which jsonb accepts', async () => {
    const value = { log: 'a\u0000b', half: 'x\ud83dy', low: '\ude00', pair: '😀', 'key\u0000': 1 };
    // Postgres refuses the plain JSON text: this is the failure being escaped.
    await expect(roundTrip(JSON.stringify(value))).rejects.toThrow(/Unicode|surrogate/i);
    expect(await roundTrip(storableJson(value))).toEqual({ log: 'a\\u0000b', half: 'x\ufffdy', low: '\ufffd', pair: '😀', 'key\\u0000': 1 });
  });

  it('leaves an escaped backslash followed by "u0000" alone (it is text, not a NUL)', async () => {
    const value = ['\\u0000', '\\\u0000', '\\ud800'];
    expect(await roundTrip(storableJson(value))).toEqual(['\\u0000', '\\\\u0000', '\\ud800']);
  });
});

/**
 * Migrations 560 and 570 (issue 18): JSON the server stored with camelCase keys before the API
 * named everything in snake_case is rewritten, values kept — audit details, and the params,
 * checkpoint and result of backtest runs (a queued one must still run after the upgrade).
 */
import { Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { pgMigrations } from '../../migrations/pg/index.ts';
import { openPostgres } from '../../src/db/database.ts';

const before = '2026-12-06-550-claim-function';

describe('snake_case migrations of stored JSON', () => {
  it('rewrite camelCase keys at every depth and keep the values', async () => {
    const store = await openPostgres({ databaseUrl: null, pgliteDir: null });
    try {
      const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => pgMigrations } });
      const to = await migrator.migrateTo(before);
      expect(to.error).toBeUndefined();
      await sql`insert into audit_log (action, outcome, details) values
        ('token.create', 'success', ${JSON.stringify({ name: 'ci', ownerId: 3, expiresAt: null, nested: [{ revokedApiKeys: 2 }] })}::jsonb),
        ('auth.login', 'failure', '{"reason": "wrong password"}'::jsonb)`.execute(store.db);
      await sql`insert into runs (executor, params, status, checkpoint, result) values
        ('backtest', '{"backtestId": 7}'::jsonb, 'queued', null, null),
        ('scheduled_backtest', '{"strategy": "dual_ma", "params": {"short_window": 5}}'::jsonb, 'succeeded', '{"backtestId": 8}'::jsonb,
         '{"backtestId": 8, "totalReturn": 0.125, "maxDrawdown": -0.05}'::jsonb),
        ('sleep', '{"ms": 10}'::jsonb, 'succeeded', null, '{"sleptMs": 10}'::jsonb)`.execute(store.db);

      const after = await migrator.migrateTo('2026-12-06-570-backtest-runs-snake-case');
      expect(after.error).toBeUndefined();
      expect(after.results?.map((r) => r.migrationName)).toEqual(['2026-12-06-560-snake-case-json', '2026-12-06-570-backtest-runs-snake-case']);

      const audit = await sql<{ details: unknown }>`select details from audit_log order by id`.execute(store.db);
      expect(audit.rows.map((r) => r.details)).toEqual([
        { name: 'ci', owner_id: 3, expires_at: null, nested: [{ revoked_api_keys: 2 }] },
        { reason: 'wrong password' },
      ]);
      const runs = await sql<{ executor: string; params: unknown; checkpoint: unknown; result: unknown }>`select executor, params, checkpoint, result from runs order by id`.execute(store.db);
      expect(runs.rows).toEqual([
        { executor: 'backtest', params: { backtest_id: 7 }, checkpoint: null, result: null },
        { executor: 'scheduled_backtest', params: { strategy: 'dual_ma', params: { short_window: 5 } }, checkpoint: { backtest_id: 8 }, result: { backtest_id: 8, total_return: 0.125, max_drawdown: -0.05 } },
        // Other executors' runs are not touched by 570.
        { executor: 'sleep', params: { ms: 10 }, checkpoint: null, result: { sleptMs: 10 } },
      ]);
    } finally {
      await store.close();
    }
  });
});

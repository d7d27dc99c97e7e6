// Run machinery numbers on the local Postgres server (shared 2-core machine: expect noise).
//   runs_per_s          trivial runs queued, claimed and finished, with their history rows (BENCH_IO_SLOTS slots, default 64;
//                       runs_per_s_default_slots with the server's default of 4)
//   sse_fanout_clients  concurrent SSE clients following one busy run, every event delivered to each
//   sse_first_event_ms  median time from POST /api/v1/runs to the first event after `queued` on its stream
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from '../../src/app.tsx';
import { loadConfig } from '../../src/config.ts';
import { diagnosticExecutors } from '../../src/executors/diagnostic.executors.ts';
import { silentLogger } from '../../src/logger.ts';
import { openMarketStore } from '../../src/market/duckdb.ts';
import { makeExecutorRegistry } from '../../src/runs/executor-registry.ts';
import { defaultAssets } from '../../src/server.ts';
import { insertPrincipals } from '../helpers/accounts.ts';
import { actingAs, principal } from '../helpers/auth.ts';
import { createTestDatabase, testServerUrl } from '../helpers/pg.ts';
import { startTestWorkers } from '../helpers/runs-runtime.ts';

const runsN = Number(process.env.BENCH_RUNS ?? 3000);
const clientsN = Number(process.env.BENCH_SSE_CLIENTS ?? 1000);
const ioSlots = Number(process.env.BENCH_IO_SLOTS ?? 64);

async function main() {
  if (!(await testServerUrl())) throw new Error('runs bench needs the local Postgres server (127.0.0.1:5432 or TEST_DATABASE_URL)');
  const db = await createTestDatabase();
  const market = await openMarketStore(':memory:');
  const registry = makeExecutorRegistry(diagnosticExecutors);
  const start = (io: number) =>
    startTestWorkers(db.store, registry, {
      settings: { concurrency: { backtest: 1, io }, leaseMs: 30_000, heartbeatMs: 10_000, pollMs: 1000, reaperMs: 15_000, maxRetryDelayMs: 60_000, abortGraceMs: 2000, flushIntervalMs: 100 },
    });
  /** Queues `runsN` noop runs and waits until all of them succeeded; runs per second. */
  const succeeded = async () =>
    Number((await db.store.db.selectFrom('runs').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'succeeded').executeTakeFirstOrThrow()).n);
  const runsPerS = async (rt: Awaited<ReturnType<typeof start>>) => {
    const before = await succeeded();
    const t0 = performance.now();
    for (let i = 0; i < runsN; i += 500) await rt.service.queueRuns(Array.from({ length: Math.min(500, runsN - i) }, () => ({ executor: 'noop' })));
    while ((await succeeded()) - before < runsN) await new Promise((r) => setTimeout(r, 20));
    return Math.round(runsN / ((performance.now() - t0) / 1000));
  };
  // The default io slots (RUN_IO_CONCURRENCY=4) first, on their own runtime; then the configured slots.
  {
    const small = await start(4);
    const rate = await runsPerS(small);
    await small.stop(2000);
    console.log(`runs_per_s_default_slots: ${rate} runs/s (${runsN} noop runs, 4 io slots = RUN_IO_CONCURRENCY default, one process)`);
  }
  const rt = await start(ioSlots);
  // The caller exists as a user: runs.queued_by references users.
  const admin = principal('admin');
  await insertPrincipals(db.store.db, [admin]);
  const app = createApp({
    // One principal opens every stream here: the per-caller API rate limit (default 600/min) is lifted for the bench.
    config: loadConfig({ LOG_LEVEL: 'silent', API_RATE_LIMIT_PER_MINUTE: '1000000' }),
    logger: silentLogger,
    pg: db.store,
    market,
    assets: defaultAssets(),
    version: 'bench',
    startedAt: new Date(),
    runs: rt.service,
    executors: registry,
    authenticate: actingAs(admin),
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    // runs_per_s
    console.log(`runs_per_s: ${await runsPerS(rt)} runs/s (${runsN} noop runs, ${ioSlots} io slots = RUN_IO_CONCURRENCY=${ioSlots}, one process)`);

    // sse_fanout_clients
    const busy = await rt.service.queueRun({ executor: 'sleep', params: { ms: 6000, steps: 120 }, delayMs: 3000 });
    const clients = await Promise.all(
      Array.from({ length: clientsN }, async () => {
        const res = await fetch(`${base}/api/v1/runs/${busy.id}/events`);
        const reader = res.body!.getReader();
        return (async () => {
          const dec = new TextDecoder();
          let text = '';
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            text += dec.decode(value, { stream: true });
          }
          return text;
        })();
      }),
    );
    const texts = await Promise.all(clients);
    const final = (await rt.service.getRun(busy.id))!;
    const expected = Array.from({ length: final.eventSeq }, (_, i) => i + 1).join(',');
    let complete = 0;
    let shown = 0;
    for (const t of texts) {
      const ids = [...t.matchAll(/^id: (\d+)$/gm)].map((m) => m[1]).join(',');
      if (ids === expected && t.includes('event: done')) complete++;
      else if (shown++ < 3) console.error(`# incomplete stream: ${ids.split(',').length} ids (${ids.slice(0, 40)}…${ids.slice(-40)}), done ${t.includes('event: done')}, ${t.length} chars, ends ${JSON.stringify(t.slice(-200))}`);
    }
    console.log(`sse_fanout_clients: ${complete} clients (of ${clientsN}, each got all ${final.eventSeq} events and done)`);

    // sse_first_event_ms
    const samples: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      const res = await fetch(`${base}/api/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ executor: 'sleep', params: { ms: 50, steps: 1 } }) });
      const posted = (await res.json()) as { id: number };
      if (res.status !== 202 && res.status !== 201) throw new Error(`POST /api/v1/runs answered ${res.status}: ${JSON.stringify(posted)}`);
      const { id } = posted;
      const stream = await fetch(`${base}/api/v1/runs/${id}/events`, { headers: { 'Last-Event-ID': '1' } });
      const reader = stream.body!.getReader();
      const dec = new TextDecoder();
      let text = '';
      while (!/^id: /m.test(text)) {
        const { done, value } = await reader.read();
        if (done) throw new Error(`run ${id}: the event stream ended before any event after queued: ${JSON.stringify(text)}`);
        text += dec.decode(value, { stream: true });
      }
      samples.push(performance.now() - t);
      await reader.cancel();
    }
    samples.sort((a, b) => a - b);
    console.log(`sse_first_event_ms: ${samples[10].toFixed(1)} ms (median of 20; p95 ${samples[18].toFixed(1)} ms)`);
  } finally {
    server.close();
    if ('closeAllConnections' in server) server.closeAllConnections();
    await rt.stop(2000);
    await market.close();
    await db.drop();
  }
}

await main();

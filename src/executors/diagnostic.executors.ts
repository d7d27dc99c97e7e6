import { z } from 'zod';
import { defineExecutor, RunError, type ExecutorDefinition } from '../runs/executor-registry.ts';

/** The start of the log line a traced noop writes on each execution (what duplicate checks count). */
export const executionTraceMessage = 'noop executed:';

/**
 * Two harmless executors for tests, benchmarks and operators checking that workers are alive.
 * Admin-only to queue: they do nothing useful and could fill the queue.
 */
export const noopExecutor = defineExecutor({
  name: 'noop',
  description: 'finishes at once; measures the machinery itself',
  params: z
    .object({
      note: z.string().max(200).optional(),
      /**
       * Record this execution as a log line on the run. Duplicate-fire checks count these instead of
       * runs rows, so they still see a slot executed twice if the runs table ever allows two rows.
       */
      trace: z.boolean().optional(),
    })
    .strict(),
  kind: 'io',
  queueRole: 'admin',
  async run(params, ctx) {
    if (params.trace) ctx.log('info', `${executionTraceMessage} run ${ctx.runId} attempt ${ctx.attempt} pid ${process.pid}`);
    return { ok: true, note: params.note ?? null };
  },
});

const sleepParams = z
  .object({
    ms: z.number().int().min(0).max(3_600_000).default(1000),
    steps: z.number().int().min(1).max(10_000).default(10),
    /** Fail attempts up to this number (retry tests); later attempts succeed. */
    fail_attempts: z.number().int().min(0).max(100).default(0),
    /** Fail for good on this step (a failed run keeps its partial progress). */
    fail_at_step: z.number().int().min(1).optional(),
    /** Keep sleeping after an abort (tests of a stuck executor). */
    ignore_abort: z.boolean().default(false),
  })
  .strict();

export const sleepExecutor = defineExecutor({
  name: 'sleep',
  description: 'sleeps `ms` in `steps` steps, reporting progress and checkpointing each step; honours cancel and pause',
  params: sleepParams,
  kind: 'io',
  queueRole: 'admin',
  async run(p, ctx) {
    const start = typeof (ctx.resume as { step?: unknown } | null)?.step === 'number' ? (ctx.resume as { step: number }).step : 0;
    if (start > 0) ctx.log('info', `resuming at step ${start + 1} of ${p.steps}`);
    else ctx.log('info', `sleeping ${p.ms} ms in ${p.steps} steps`);
    ctx.progress({ processed: start, total: p.steps, current: `step ${start}` });
    const stepMs = p.ms / p.steps;
    for (let step = start; step < p.steps; step++) {
      await sleep(stepMs, p.ignore_abort ? undefined : ctx.signal);
      if (ctx.attempt <= p.fail_attempts) throw new Error(`failing attempt ${ctx.attempt} on purpose (fail_attempts ${p.fail_attempts})`);
      if (p.fail_at_step === step + 1) throw new RunError('failed_on_purpose', `failing at step ${step + 1} on purpose`, { retryable: false });
      ctx.progress({ processed: step + 1, total: p.steps, current: `step ${step + 1}` });
      ctx.log('debug', `step ${step + 1} of ${p.steps} done`);
      await ctx.checkpoint({ step: step + 1 });
      if (!p.ignore_abort) ctx.signal.throwIfAborted();
    }
    if (p.steps === 0 || p.ms === 0) ctx.signal.throwIfAborted();
    return { steps: p.steps, resumed_from: start, attempt: ctx.attempt };
  },
});

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const diagnosticExecutors: readonly ExecutorDefinition[] = [noopExecutor, sleepExecutor];

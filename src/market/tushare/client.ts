import { z } from 'zod';
import { boardOf, type DatasetDef } from '../datasets.ts';
import { makeBatch, type Batch } from '../store/batch.ts';
import { concatBatches } from '../store/concat.ts';
import { classifyApiError, TushareError } from './errors.ts';
import { fastDecode } from './fast-decode.ts';
import { makeRateLimiter, realSleep, type Clock, type RateLimiter, type Sleep } from './limiter.ts';

/** The answer envelope of every Tushare endpoint (rows are checked column by column in decodeRows). */
const envelopeSchema = z.object({
  code: z.number(),
  msg: z.string().nullable().optional(),
  data: z
    .object({
      fields: z.array(z.string()),
      // Rows are checked in decodeRows with a plain loop: zod walking every value cost 4× the HTTP call.
      items: z.custom<unknown[][]>(Array.isArray, { message: 'expected an array of rows' }),
      has_more: z.boolean().optional(),
    })
    .nullable()
    .optional(),
});

export type TushareParams = Record<string, string | number | undefined>;

export interface TushareClientOptions {
  url: string;
  token: string;
  /** null: no limit (the local fake server in benchmarks). */
  callsPerMinute: number | null;
  timeoutMs?: number;
  /** Retries after the first attempt, for network errors, timeouts and quota answers. */
  maxRetries?: number;
  baseDelayMs?: number;
  /** Quota answers wait at least this long before the next attempt (the quota is per minute). */
  quotaDelayMs?: number;
  maxDelayMs?: number;
  /** Rows asked per page (Tushare caps `daily` near 6,000). */
  pageLimit?: number;
  clock?: Clock;
  sleep?: Sleep;
  random?: () => number;
  fetch?: typeof fetch;
  /** Told before each retry: what failed and how long until the next attempt. */
  onRetry?: (info: { apiName: string; attempt: number; delayMs: number; error: TushareError }) => void;
}

export interface TushareClient {
  /** One call (one page). */
  call(apiName: string, params: TushareParams, fields: readonly string[], signal?: AbortSignal): Promise<{ fields: string[]; items: unknown[][]; hasMore: boolean }>;
  /** Every page of a query, decoded into a batch of `def`'s columns. */
  fetchBatch(def: DatasetDef, params: TushareParams, signal?: AbortSignal): Promise<Batch>;
}

export function makeTushareClient(options: TushareClientOptions): TushareClient {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxRetries = options.maxRetries ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 1_000;
  const quotaDelayMs = options.quotaDelayMs ?? 15_000;
  const maxDelayMs = options.maxDelayMs ?? 120_000;
  const pageLimit = options.pageLimit ?? 6_000;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const doFetch = options.fetch ?? fetch;
  const limiter: RateLimiter = makeRateLimiter({ perMinute: options.callsPerMinute, clock: options.clock, sleep });

  // ts_code strings shared across pages and days (fastDecode interns them).
  const interned = new Map<number, string>();
  const utf8 = new TextDecoder();

  type Page = { fields: string[]; items: unknown[][]; hasMore: boolean; batch?: undefined } | { batch: Batch; hasMore: boolean };

  /**
   * One attempt. With `def`, a successful answer is decoded straight from its bytes into a batch
   * (fastDecode) when it can be; otherwise it is parsed and checked as JSON, as without `def`.
   */
  async function attempt(apiName: string, params: TushareParams, fields: readonly string[], signal?: AbortSignal, def?: DatasetDef, capacity = 0): Promise<Page> {
    await limiter.acquire(signal);
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const onAbort = () => timeout.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let bytes: Uint8Array;
    try {
      const res = await doFetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ api_name: apiName, token: options.token, params, fields: fields.join(',') }),
        signal: timeout.signal,
      });
      bytes = new Uint8Array(await res.arrayBuffer());
      if (res.status >= 500 || res.status === 429) throw new TushareError('network', apiName, `Tushare ${apiName}: HTTP ${res.status}`);
      if (res.status !== 200) throw new TushareError('api', apiName, `Tushare ${apiName}: HTTP ${res.status}: ${utf8.decode(bytes).slice(0, 200)}`);
    } catch (err) {
      if (err instanceof TushareError) throw err;
      if (signal?.aborted) throw new TushareError('aborted', apiName, `Tushare ${apiName}: cancelled`);
      if (timeout.signal.aborted) throw new TushareError('timeout', apiName, `Tushare ${apiName}: no answer within ${timeoutMs} ms`);
      throw new TushareError('network', apiName, `Tushare ${apiName}: ${(err as Error).message}${causeOf(err)}`);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    if (def) {
      const fast = fastDecode(def, bytes, capacity, interned);
      if (fast) return fast;
    }
    const text = utf8.decode(bytes);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new TushareError('malformed', apiName, `Tushare ${apiName} answered something that is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
    }
    const parsed = envelopeSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TushareError('malformed', apiName, `Tushare ${apiName} answered an unexpected shape at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    const env = parsed.data;
    if (env.code !== 0) throw classifyApiError(apiName, env.code, env.msg ?? '');
    if (!env.data) throw new TushareError('malformed', apiName, `Tushare ${apiName} answered code 0 without data`);
    return { fields: env.data.fields, items: env.data.items, hasMore: env.data.has_more ?? false };
  }

  async function withRetries(apiName: string, params: TushareParams, fields: readonly string[], signal?: AbortSignal, def?: DatasetDef, capacity = 0): Promise<Page> {
    for (let n = 0; ; n++) {
      try {
        return await attempt(apiName, params, fields, signal, def, capacity);
      } catch (err) {
        if (signal?.aborted) throw new TushareError('aborted', apiName, `Tushare ${apiName}: cancelled`);
        const error = err instanceof TushareError ? err : new TushareError('network', apiName, String(err));
        if (!error.retryable || n >= maxRetries || signal?.aborted) {
          if (error.retryable && n >= maxRetries) error.message += ` (gave up after ${n + 1} attempts)`;
          throw error;
        }
        const exp = Math.min(maxDelayMs, baseDelayMs * 2 ** n);
        const floor = error.kind === 'quota' ? quotaDelayMs : 0;
        // Full exponential step plus up to 50% jitter, so parallel clients do not retry in lockstep.
        const delayMs = Math.round(Math.max(floor, exp) * (1 + 0.5 * random()));
        options.onRetry?.({ apiName, attempt: n + 1, delayMs, error });
        await sleep(delayMs, signal).catch(() => {
          throw new TushareError('aborted', apiName, `Tushare ${apiName}: cancelled`);
        });
      }
    }
  }

  return {
    async call(apiName, params, fields, signal) {
      return (await withRetries(apiName, params, fields, signal)) as { fields: string[]; items: unknown[][]; hasMore: boolean };
    },
    async fetchBatch(def, params, signal) {
      if (!def.apiName) throw new Error(`dataset ${def.name} has no Tushare endpoint`);
      const fields = def.columns.filter((c) => !c.derived).map((c) => c.name);
      const parts: Batch[] = [];
      let rows = 0;
      for (let offset = 0; ; ) {
        const page = await withRetries(def.apiName, { ...params, offset, limit: pageLimit }, fields, signal, def, pageLimit);
        // Pages the fast decoder declined are decoded (and checked) here, numbered from the query's first row.
        const batch = page.batch ? withDerived(page.batch) : decodeRows(def, [page], rows);
        parts.push(batch);
        rows += batch.length;
        offset += batch.length;
        if (!(page.hasMore || batch.length >= pageLimit) || batch.length === 0) break;
      }
      return parts.length === 1 ? parts[0] : concatBatches(parts);
    },
  };
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause ? ` (${cause.code ?? cause.message})` : '';
}

/**
 * Turns pages of Tushare rows into a column batch, checking each value against its column's kind
 * in a plain loop (a zod schema per row would cost more than the rest of a sync). A bad value is
 * a malformed answer naming the endpoint, row and field.
 */
export function decodeRows(def: DatasetDef, pages: readonly { fields: string[]; items: unknown[][] }[], firstRow = 0): Batch {
  const total = pages.reduce((n, p) => n + p.items.length, 0);
  const batch = makeBatch(def, total);
  const api = def.apiName ?? def.name;
  let at = 0;
  // Row numbers in messages count from the query's first row (`firstRow` rows came in earlier pages).
  const bad = (_api: string, row: number, field: string, v: unknown) => badValue(api, firstRow + row, field, v);
  const notArray = (row: number) => new TushareError('malformed', api, `Tushare ${api} answered a row that is not an array (row ${firstRow + row + 1})`);
  for (const page of pages) {
    const src = def.columns.map((c) => page.fields.indexOf(c.name));
    def.columns.forEach((c, k) => {
      if (c.required && !c.derived && src[k] < 0) throw new TushareError('malformed', api, `Tushare ${api} answered without the field ${c.name}`);
    });
    for (let k = 0; k < def.columns.length; k++) {
      const column = def.columns[k];
      const j = src[k];
      if (j < 0) continue;
      const out = batch.columns[k];
      const items = page.items;
      for (let r = 0; r < items.length; r++) {
        const row = items[r];
        if (!Array.isArray(row)) throw notArray(at + r);
        const v = row[j];
        if (v === null || v === undefined || v === '') {
          if (column.required) throw bad(api, at + r, column.name, v);
          continue;
        }
        switch (column.kind) {
          case 'num':
            if (typeof v !== 'number') throw bad(api, at + r, column.name, v);
            (out as Float64Array)[at + r] = v;
            break;
          case 'int':
            if (typeof v !== 'number' || !Number.isInteger(v)) throw bad(api, at + r, column.name, v);
            (out as Int32Array)[at + r] = v;
            break;
          case 'date': {
            const n = typeof v === 'string' && v.length === 8 ? Number(v) : NaN;
            if (!(n >= 19000101 && n <= 29991231)) throw bad(api, at + r, column.name, v);
            (out as Int32Array)[at + r] = n;
            break;
          }
          case 'str':
            if (typeof v !== 'string') throw bad(api, at + r, column.name, v);
            (out as (string | null)[])[at + r] = v;
            break;
        }
      }
    }
    at += page.items.length;
  }
  for (let k = 0; k < def.columns.length; k++) if (def.columns[k].derived) fillDerived(batch, k);
  return batch;
}

function badValue(api: string, row: number, field: string, v: unknown): TushareError {
  return new TushareError('malformed', api, `Tushare ${api} answered a bad ${field} in row ${row + 1}: ${JSON.stringify(v) ?? 'undefined'}`);
}

function withDerived(batch: Batch): Batch {
  for (let k = 0; k < batch.def.columns.length; k++) if (batch.def.columns[k].derived) fillDerived(batch, k);
  return batch;
}

function fillDerived(batch: Batch, k: number): void {
  const name = batch.def.columns[k].name;
  if (name === 'board') {
    const codes = batch.columns[0] as (string | null)[];
    const out = batch.columns[k] as (string | null)[];
    for (let i = 0; i < batch.length; i++) out[i] = boardOf(codes[i]!);
  }
}

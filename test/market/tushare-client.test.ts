import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasets } from '../../src/market/datasets.ts';
import { makeTushareClient, type TushareClientOptions } from '../../src/market/tushare/client.ts';
import { TushareError } from '../../src/market/tushare/errors.ts';
import { makeRateLimiter } from '../../src/market/tushare/limiter.ts';
import { FAKE_TOKEN, startFakeTushare, type FakeTushare } from '../helpers/fake-tushare.ts';

let fake: FakeTushare;
beforeAll(async () => {
  fake = await startFakeTushare({ params: { seed: 3, stocks: 30, years: 1, end: 20261127 } });
});
afterAll(() => fake?.close());

function client(extra: Partial<TushareClientOptions> = {}) {
  const sleeps: number[] = [];
  const c = makeTushareClient({
    url: fake.url,
    token: FAKE_TOKEN,
    callsPerMinute: null,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0,
    ...extra,
  });
  return { c, sleeps };
}

const lastTradeDate = () => fake.market.dates[fake.market.dates.length - 1];

describe('Tushare client against the local protocol server', () => {
  it('pages with offset/limit until the answer runs out', async () => {
    const { c } = client({ pageLimit: 7 });
    fake.calls.length = 0;
    const b = await c.fetchBatch(datasets.daily_bars, { trade_date: String(lastTradeDate()) });
    const expected = fake.market.stocks.filter((_, i) => fake.market.closeCents[(fake.market.dates.length - 1) * 30 + i] > 0).length;
    expect(b.length).toBe(expected);
    expect(fake.calls.map((x) => x.params.offset)).toEqual(Array.from({ length: Math.ceil(expected / 7) }, (_, k) => k * 7));
    expect(new Set(b.columns[0] as string[]).size).toBe(expected);
  });

  it('retries a quota answer with backoff and then succeeds', async () => {
    const { c, sleeps } = client({ baseDelayMs: 100, quotaDelayMs: 1000 });
    fake.inject({ kind: 'quota' }, { times: 2 });
    const b = await c.fetchBatch(datasets.adj_factors, { trade_date: String(lastTradeDate()) });
    expect(b.length).toBeGreaterThan(0);
    // Two waits, each at least the quota floor (1000 ms; jitter 0 from random() = 0).
    expect(sleeps).toEqual([1000, 1000]);
  });

  it('backs off exponentially on network failures, with jitter, and gives up after maxRetries', async () => {
    const { c, sleeps } = client({ baseDelayMs: 100, maxRetries: 3, random: () => 1 });
    fake.inject({ kind: 'http_500' }, { times: 4 });
    const err = await c.call('daily', {}, ['ts_code']).catch((e) => e);
    expect(err).toBeInstanceOf(TushareError);
    expect(err.kind).toBe('network');
    expect(err.message).toMatch(/gave up after 4 attempts/);
    // 100·2^n × (1 + 0.5 × random()=1)
    expect(sleeps).toEqual([150, 300, 600]);
  });

  it('does not retry a bad token and says what to do', async () => {
    const { c, sleeps } = client({ token: 'nope' });
    const err = await c.fetchBatch(datasets.daily_bars, { trade_date: '20261127' }).catch((e) => e);
    expect(err.kind).toBe('auth');
    expect(err.message).toMatch(/daily/);
    expect(err.message).toMatch(/TUSHARE_TOKEN/);
    expect(sleeps).toEqual([]);
  });

  it('names the endpoint and the fix when the account lacks permission', async () => {
    const { c, sleeps } = client();
    fake.inject({ kind: 'no_permission' });
    const err = await c.fetchBatch(datasets.daily_basic, { trade_date: '20261127' }).catch((e) => e);
    expect(err.kind).toBe('permission');
    expect(err.message).toMatch(/may not call daily_basic/);
    expect(sleeps).toEqual([]);
  });

  it('refuses a malformed envelope and a malformed row', async () => {
    const { c } = client();
    fake.inject({ kind: 'malformed' });
    const e1 = await c.fetchBatch(datasets.daily_bars, { trade_date: String(lastTradeDate()) }).catch((e) => e);
    expect(e1.kind).toBe('malformed');
    expect(e1.message).toMatch(/data\.fields/);
    fake.inject({ kind: 'bad_row' });
    const e2 = await c.fetchBatch(datasets.daily_bars, { trade_date: String(lastTradeDate()) }).catch((e) => e);
    expect(e2.kind).toBe('malformed');
    expect(e2.message).toMatch(/bad trade_date in row 1/);
  });

  it('times out a slow answer and retries it', async () => {
    const { c, sleeps } = client({ timeoutMs: 50, baseDelayMs: 10 });
    fake.inject({ kind: 'delay', ms: 400 });
    const b = await c.fetchBatch(datasets.adj_factors, { trade_date: String(lastTradeDate()) });
    expect(b.length).toBeGreaterThan(0);
    expect(sleeps).toEqual([10]);
  });

  it('stops when its AbortSignal fires', async () => {
    const { c } = client({ timeoutMs: 5000 });
    fake.inject({ kind: 'delay', ms: 400 }, { apiName: 'slow_endpoint' });
    const ac = new AbortController();
    const p = c.call('slow_endpoint', {}, ['ts_code'], ac.signal).catch((e) => e);
    // Abort once the request is on the wire.
    while (!fake.calls.some((x) => x.apiName === 'slow_endpoint')) await new Promise((r) => setImmediate(r));
    ac.abort();
    expect((await p).kind).toBe('aborted');
  });
});

describe('token-bucket limiter', () => {
  it('lets a burst through, then spaces calls at the configured rate', async () => {
    let now = 0;
    const waits: number[] = [];
    const limiter = makeRateLimiter({
      perMinute: 60,
      burst: 2,
      clock: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    });
    for (let i = 0; i < 4; i++) await limiter.acquire();
    // 60/min = one per 1000 ms after the burst of 2.
    expect(waits).toEqual([1000, 1000]);
    expect(now).toBe(2000);
  });
});

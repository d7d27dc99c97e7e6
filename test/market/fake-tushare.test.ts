import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_TOKEN, startFakeTushare, tushareSamples, type FakeTushare } from '../helpers/fake-tushare.ts';

/**
 * The fake Tushare server against the recorded sample responses it is built from
 * (test/fixtures/tushare/*.json): each endpoint answers the documented fields in the documented
 * order, each value of the same JSON type as the sample's, a requested subset in Tushare's order,
 * and an undocumented field is refused.
 */
let fake: FakeTushare;
beforeAll(async () => {
  fake = await startFakeTushare({ params: { seed: 3, stocks: 30, years: 1, end: 20261127 } });
});
afterAll(async () => {
  await fake.close();
});

async function call(apiName: string, params: Record<string, unknown>, fields?: string) {
  const res = await fetch(fake.url, { method: 'POST', body: JSON.stringify({ api_name: apiName, token: FAKE_TOKEN, params, fields }) });
  return (await res.json()) as { code: number; msg: string; data: { fields: string[]; items: unknown[][] } | null };
}

const type = (v: unknown) => (v === null ? 'null' : typeof v);

describe('fake Tushare server', () => {
  it('has a sample for every endpoint the sync uses', () => {
    expect([...tushareSamples.keys()].sort()).toEqual(['adj_factor', 'daily', 'daily_basic', 'index_daily', 'namechange', 'stk_limit', 'stock_basic', 'suspend_d', 'trade_cal']);
  });

  it('answers every endpoint with the sample\'s fields, in order, and values of the sample\'s types', async () => {
    const day = String(fake.market.dates[5]);
    const from = String(fake.market.dates[0]);
    const paramsFor: Record<string, Record<string, unknown>> = {
      stock_basic: { list_status: 'L' },
      trade_cal: { exchange: 'SSE', start_date: from, end_date: day },
      index_daily: { ts_code: '000300.SH', start_date: from, end_date: day },
      namechange: {},
      suspend_d: { start_date: from, end_date: String(fake.market.dates[fake.market.dates.length - 1]) },
    };
    for (const [api, sample] of tushareSamples) {
      const r = await call(api, paramsFor[api] ?? { trade_date: day });
      expect(r.code, api).toBe(0);
      expect(r.data!.fields, api).toEqual(sample.response.data.fields);
      expect(r.data!.items.length, `${api} has rows`).toBeGreaterThan(0);
      const sampleRow = sample.response.data.items[0];
      const wrong: string[] = [];
      for (const row of r.data!.items) {
        row.forEach((v, j) => {
          const want = type(sampleRow[j]);
          // A null in either is an absent value (Tushare sends null for what it lacks).
          if (v !== null && want !== 'null' && type(v) !== want) wrong.push(`${api}.${sample.response.data.fields[j]}: ${type(v)} ${JSON.stringify(v)}, sample has ${want}`);
        });
      }
      expect(wrong.slice(0, 5), api).toEqual([]);
    }
  });

  it('answers a requested subset in its own order and refuses a field it does not document', async () => {
    const day = String(fake.market.dates[5]);
    const r = await call('daily', { trade_date: day }, 'vol,ts_code,close');
    expect(r.data!.fields).toEqual(['ts_code', 'close', 'vol']);
    const bad = await call('daily', { trade_date: day }, 'ts_code,volume');
    expect(bad.code).not.toBe(0);
    expect(bad.msg).toContain('volume');
  });
});

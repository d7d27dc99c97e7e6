import { describe, expect, it } from 'vitest';
import { datasets, type DatasetDef } from '../../src/market/datasets.ts';
import type { Batch } from '../../src/market/store/batch.ts';
import { decodeRows } from '../../src/market/tushare/client.ts';
import { fastDecode } from '../../src/market/tushare/fast-decode.ts';

// The fast decoder must give exactly the batch of the general path (JSON.parse + decodeRows), or
// decline (null) so that path runs. Each document below is checked against JSON.parse.

const enc = new TextEncoder();

function general(def: DatasetDef, text: string): { batch: Batch; hasMore: boolean } {
  const j = JSON.parse(text);
  return { batch: decodeRows(def, [j.data]), hasMore: j.data.has_more ?? false };
}

function plain(b: Batch) {
  return b.columns.map((c) => (Array.isArray(c) ? c.slice(0, b.length) : Array.from(c.subarray(0, b.length))));
}

function same(def: DatasetDef, text: string, capacity = 4) {
  const fast = fastDecode(def, enc.encode(text), capacity, new Map());
  expect(fast).not.toBeNull();
  const slow = general(def, text);
  expect(fast!.hasMore).toBe(slow.hasMore);
  expect(fast!.batch.length).toBe(slow.batch.length);
  // Object.is per value: -0, NaN and every bit of each double must match.
  const a = plain(fast!.batch);
  const b = plain(slow.batch);
  for (let k = 0; k < a.length; k++) for (let i = 0; i < a[k].length; i++) if (!Object.is(a[k][i], b[k][i])) expect([k, i, a[k][i]]).toEqual([k, i, b[k][i]]);
}

const bars = datasets.daily_bars;
const fields = JSON.stringify(bars.columns.map((c) => c.name));

describe('fastDecode', () => {
  it('decodes plain Tushare pages exactly as JSON.parse does, growing past the capacity', () => {
    same(
      bars,
      `{"code":0,"msg":"","data":{"fields":${fields},"items":[["000001.SZ","20261127",10.5,10.8,10.1,10.7,10.4,0.3,2.8846,123456.78,98765.432],` +
        `["600000.SH","20261127",-0.0,0,1e3,1.5E-7,null,-12.25,0.1,0.000123,123456789012345],` +
        `["600000.SH","20261126",0.30000000000000004,1.7976931348623157e308,5e-324,123456789.12345678,2,3,4,5,6],` +
        `["688001.SH","20261126",1,2,3,4,5,6,7,8,9],["830001.BJ","20261125",null,null,null,null,null,null,null,null,null]],"has_more":true}}`,
      2,
    );
  });

  it('matches JSON.parse on many random doubles as String() writes them', () => {
    let seed = 42;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const rows: string[] = [];
    for (let r = 0; r < 3000; r++) {
      const v = Array.from({ length: 9 }, (_, k) => {
        const x = rnd() * 10 ** Math.floor(rnd() * 12 - 4) * (rnd() < 0.2 ? -1 : 1);
        return k % 3 === 0 ? String(Math.round(x * 100) / 100) : k % 3 === 1 ? String(x) : x.toFixed(Math.floor(rnd() * 6));
      });
      rows.push(`["${String(r).padStart(6, '0')}.SZ","2026${String(1 + (r % 12)).padStart(2, '0')}01",${v.join(',')}]`);
    }
    same(bars, `{"code":0,"msg":"","data":{"fields":${fields},"items":[${rows.join(',')}],"has_more":false}}`, 6000);
  });

  it('accepts whitespace, unknown members and fields it does not store, in any order of members', () => {
    same(
      datasets.adj_factors,
      ` { "request_id" : "a\\"b\\u4e2d", "msg" : null, "data" : { "count": -1, "fields" : ["trade_date", "extra", "ts_code", "adj_factor"],\n` +
        ` "items" : [ [ "20261127" , {"x":[1,true,false,null]} , "000001.SZ" , 108.5 ] ] }, "code" : 0 } \n`,
    );
  });

  it('decodes strings with non-ASCII text and interns repeated codes', () => {
    const text = `{"code":0,"msg":"","data":{"fields":["exchange","cal_date","is_open","pretrade_date"],"items":[["上交所","20261127",1,"20261126"],["SSE","20261126",0,null]]}}`;
    same(datasets.trade_calendar, text);
    const interned = new Map<number, string>();
    const t2 = `{"code":0,"msg":"","data":{"fields":${fields},"items":[["000001.SZ","20261127",1,1,1,1,1,1,1,1,1]]}}`;
    const a = fastDecode(bars, enc.encode(t2), 1, interned)!.batch.columns[0][0];
    const b = fastDecode(bars, enc.encode(t2), 1, interned)!.batch.columns[0][0];
    expect(a).toBe('000001.SZ');
    expect(interned.size).toBe(1);
    expect(b).toBe(a);
  });

  it('declines what the general path must judge: errors, bad values, escapes, odd rows, invalid JSON', () => {
    const row = (r: string) => `{"code":0,"msg":"","data":{"fields":${fields},"items":[${r}],"has_more":false}}`;
    const ok = `["000001.SZ","20261127",1,1,1,1,1,1,1,1,1]`;
    expect(fastDecode(bars, enc.encode(row(ok)), 4, new Map())).not.toBeNull();
    const declined = [
      `{"code":40203,"msg":"quota","data":null}`,
      `{"code":0,"msg":"","data":null}`,
      `{"code":0,"msg":"","data":{"items":[${ok}],"fields":${fields}}}`,
      `{"code":0,"msg":"","data":{"fields":${fields},"items":[${ok}],"has_more":null}}`,
      `{"code":0,"code":0,"msg":"","data":{"fields":${fields},"items":[${ok}]}}`,
      row(`["000001.SZ","20261127",1,1,1,1,1,1,1,1]`), // short row
      row(`["000001.SZ","20261127",1,1,1,1,1,1,1,1,1,1]`), // long row
      row(`[null,"20261127",1,1,1,1,1,1,1,1,1]`), // required code missing
      row(`["","20261127",1,1,1,1,1,1,1,1,1]`), // required code empty
      row(`["000001.SZ","2026112",1,1,1,1,1,1,1,1,1]`), // bad date
      row(`["000001.SZ","18991231",1,1,1,1,1,1,1,1,1]`), // date out of range
      row(`["000001.SZ",20261127,1,1,1,1,1,1,1,1,1]`), // date as number
      row(`["000001.SZ","20261127","1",1,1,1,1,1,1,1,1]`), // number as string
      row(`["000001.SZ","20261127","",1,1,1,1,1,1,1,1]`), // '' (null to the general path)
      row(`["000\\u0030001.SZ","20261127",1,1,1,1,1,1,1,1,1]`), // escape
      row(`["000001.SZ","20261127",01,1,1,1,1,1,1,1,1]`), // leading zero: not JSON
      row(`["000001.SZ","20261127",1.,1,1,1,1,1,1,1,1]`), // not JSON
      row(`["000001.SZ","20261127",NaN,1,1,1,1,1,1,1,1]`), // not JSON
      row(`{"a":1}`), // row not an array
      row(ok) + 'x', // trailing bytes
      row(ok).slice(0, -3), // truncated
    ];
    for (const text of declined) expect([text, fastDecode(bars, enc.encode(text), 4, new Map())]).toEqual([text, null]);
    // An int column with a fraction.
    const cal = `{"code":0,"msg":"","data":{"fields":["exchange","cal_date","is_open","pretrade_date"],"items":[["SSE","20261127",1.5,null]]}}`;
    expect(fastDecode(datasets.trade_calendar, enc.encode(cal), 4, new Map())).toBeNull();
  });
});

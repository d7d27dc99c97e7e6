import { describe, expect, it } from 'vitest';
import { INT_NULL } from '../../src/market/store/batch.ts';
import { isStName, stPeriodsFromNames, type NameRecord } from '../../src/market/st-periods.ts';

const rowsOf = (records: NameRecord[]) => {
  const b = stPeriodsFromNames(records);
  const [code, start, end] = b.columns as [(string | null)[], Int32Array, Int32Array];
  return Array.from({ length: b.length }, (_, i) => [code[i], start[i], end[i] === INT_NULL ? null : end[i]]);
};

describe('isStName', () => {
  it('takes the risk-warning prefixes and nothing else', () => {
    expect(['ST康美', '*ST康美', 'SST华新', 'S*ST天颐', ' ST中葡'].map(isStName)).toEqual([true, true, true, true, true]);
    expect(['康美药业', '中国平安', 'S佳通', '华夏ST'].map(isStName)).toEqual([false, false, false, false]);
  });
});

describe('stPeriodsFromNames', () => {
  it('joins ST and *ST names in a row into one period ending where the plain name returns', () => {
    // 600518.SH: plain until 2019-05-20, ST from 05-21, *ST from 2020-05-11, plain again from 2021-06-04.
    const rows = rowsOf([
      { code: '600518.SH', name: '*ST康美', start: 20200511, end: 20210603 },
      { code: '600518.SH', name: '康美药业', start: 20010319, end: 20190520 },
      { code: '600518.SH', name: 'ST康美', start: 20190521, end: 20200510 },
      { code: '600518.SH', name: '康美药业', start: 20210604, end: null },
    ]);
    expect(rows).toEqual([['600518.SH', 20190521, 20210604]]);
  });

  it('leaves the end empty while the stock is still tagged, and counts a repeated record once', () => {
    const rows = rowsOf([
      { code: '000001.SZ', name: '平安银行', start: 20120801, end: null },
      { code: '000002.SZ', name: '万科A', start: 19910129, end: 20231130 },
      { code: '000002.SZ', name: 'ST万科', start: 20231201, end: null },
      { code: '000002.SZ', name: 'ST万科', start: 20231201, end: null },
    ]);
    expect(rows).toEqual([['000002.SZ', 20231201, null]]);
  });

  it('gives two periods when the tag comes back, and ends a history that stops tagged the day after its end', () => {
    const rows = rowsOf([
      { code: '600001.SH', name: 'ST甲', start: 20100104, end: 20110228 },
      { code: '600001.SH', name: '甲股份', start: 20110301, end: 20150630 },
      { code: '600001.SH', name: '*ST甲', start: 20150701, end: 20151231 },
    ]);
    // 2015-12-31 + 1 day = 2016-01-01 (a calendar day: the first day without the tag).
    expect(rows).toEqual([
      ['600001.SH', 20100104, 20110301],
      ['600001.SH', 20150701, 20160101],
    ]);
  });
});

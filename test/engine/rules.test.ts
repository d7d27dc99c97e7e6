// The A-share rules of src/engine/rules.ts, tested directly. Every expected number is a
// literal worked out by hand from the rule and its date (the sources are cited beside each constant
// in rules.ts), never one of the module's own constants.
import { describe, expect, it } from 'vitest';
import {
  boardOf,
  downLimitCents,
  exchangeOf,
  limitPercent,
  limitPrices,
  lotStep,
  roundBuyShares,
  roundSellShares,
  stampDutyRate,
  transferFee,
  unlimitedDays,
  upLimitCents,
} from '../../src/engine/rules.ts';

describe('boards and exchanges', () => {
  it('from the ts_code', () => {
    expect(['600000.SH', '000001.SZ', '300750.SZ', '301001.SZ', '688981.SH', '689009.SH', '830799.BJ'].map(boardOf)).toEqual(['main', 'main', 'chinext', 'chinext', 'star', 'star', 'bse']);
    expect(['600000.SH', '000001.SZ', '688981.SH', '830799.BJ'].map(exchangeOf)).toEqual(['SH', 'SZ', 'SH', 'BJ']);
  });
});

describe('limit percentages by board, ST and date', () => {
  it('main board ±10%; ST ±5% up to 2025-07-04, ±10% from 2025-07-07 (SSE/SZSE risk-warning revision)', () => {
    expect(limitPercent('main', false, 20250704)).toBe(10);
    expect(limitPercent('main', true, 20250704)).toBe(5); // last trading day (Friday) under the old rule
    expect(limitPercent('main', true, 20250707)).toBe(10); // first day of the new rule (Monday)
    expect(limitPercent('main', true, 20100104)).toBe(5);
  });
  it('ChiNext ±10% (ST ±5%) before 2020-08-24, ±20% (ST too) from that day', () => {
    expect(limitPercent('chinext', false, 20200821)).toBe(10);
    expect(limitPercent('chinext', true, 20200821)).toBe(5);
    expect(limitPercent('chinext', false, 20200824)).toBe(20);
    expect(limitPercent('chinext', true, 20200824)).toBe(20);
    expect(limitPercent('chinext', true, 20250707)).toBe(20); // the 2025 change is for main boards only
  });
  it('STAR ±20% and Beijing ±30%, ST included', () => {
    expect(limitPercent('star', true, 20190722)).toBe(20);
    expect(limitPercent('bse', true, 20211115)).toBe(30);
  });
});

describe('limit prices: previous close × (1 ± p%), rounded half-up to the cent', () => {
  it('10.05 × 1.1 = 11.055 → 11.06 and 10.05 × 0.9 = 9.045 → 9.05 (binary floats would give 11.05 / 9.04)', () => {
    expect(upLimitCents(1005, 10)).toBe(1106);
    expect(downLimitCents(1005, 10)).toBe(905);
    expect(limitPrices(10.05, 'main', false, 20240102)).toEqual([11.06, 9.05]);
  });
  it('per board and date', () => {
    // ST main board 10.05: ±5% → 10.5525 → 10.55, 9.5475 → 9.55 (2025-07-04); ±10% from 2025-07-07 → 11.06 / 9.05.
    expect(limitPrices(10.05, 'main', true, 20250704)).toEqual([10.55, 9.55]);
    expect(limitPrices(10.05, 'main', true, 20250707)).toEqual([11.06, 9.05]);
    // ChiNext 12.34 ± 20% = 14.808 → 14.81, 9.872 → 9.87 (from 2020-08-24); ±10% the trading day before: 13.574 → 13.57, 11.106 → 11.11.
    expect(limitPrices(12.34, 'chinext', false, 20200824)).toEqual([14.81, 9.87]);
    expect(limitPrices(12.34, 'chinext', false, 20200821)).toEqual([13.57, 11.11]);
    // STAR 33.33 ± 20% = 39.996 → 40.00, 26.664 → 26.66. Beijing 7.77 ± 30% = 10.101 → 10.10, 5.439 → 5.44.
    expect(limitPrices(33.33, 'star', false, 20240102)).toEqual([40, 26.66]);
    expect(limitPrices(7.77, 'bse', false, 20240102)).toEqual([10.1, 5.44]);
    // A half cent exactly rounds up: 0.05 × 1.1 = 0.055 → 0.06; × 0.9 = 0.045 → 0.05.
    expect(limitPrices(0.05, 'main', false, 20240102)).toEqual([0.06, 0.05]);
  });
});

describe('new listings without limits', () => {
  it('STAR 5 days; ChiNext 5 from 2020-08-24 (1 before); main 5 from 2023-04-10 (1 before); Beijing 1', () => {
    expect(unlimitedDays('star', 20190722)).toBe(5);
    expect(unlimitedDays('chinext', 20200821)).toBe(1);
    expect(unlimitedDays('chinext', 20200824)).toBe(5);
    expect(unlimitedDays('main', 20230407)).toBe(1);
    expect(unlimitedDays('main', 20230410)).toBe(5);
    expect(unlimitedDays('bse', 20240102)).toBe(1);
  });
});

describe('lots', () => {
  it('main boards and ChiNext whole 100s; STAR ≥ 200 then steps of 1; Beijing ≥ 100 then steps of 1', () => {
    expect([roundBuyShares('main', 150), roundBuyShares('main', 99), roundBuyShares('chinext', 1299)]).toEqual([100, 0, 1200]);
    expect([roundBuyShares('star', 199), roundBuyShares('star', 200), roundBuyShares('star', 251)]).toEqual([0, 200, 251]);
    expect([roundBuyShares('bse', 150), roundBuyShares('bse', 99), roundBuyShares('bse', 100), roundBuyShares('bse', 1001)]).toEqual([150, 0, 100, 1001]);
    expect([lotStep('main'), lotStep('chinext'), lotStep('star'), lotStep('bse')]).toEqual([100, 100, 1, 1]);
  });
  it('sells: the same lots, or the whole sellable remainder in one go', () => {
    expect(roundSellShares('main', 150, 1000)).toBe(100);
    expect(roundSellShares('main', 1050, 1050)).toBe(1050); // clears the position: the odd 50 go too
    expect(roundSellShares('bse', 150, 1000)).toBe(150);
    expect(roundSellShares('bse', 99, 1000)).toBe(0);
    expect(roundSellShares('bse', 99, 99)).toBe(99);
    expect(roundSellShares('star', 199, 1000)).toBe(0);
    expect(roundSellShares('star', 150, 150)).toBe(150);
  });
});

describe('stamp duty', () => {
  it('sells: 0.1% up to 2023-08-25, 0.05% from 2023-08-28 (财政部 税务总局公告2023年第39号); buys none', () => {
    expect(stampDutyRate(20230825, 'sell')).toBe(0.001);
    expect(stampDutyRate(20230828, 'sell')).toBe(0.0005);
    expect(stampDutyRate(20230825, 'buy')).toBe(0);
    expect(stampDutyRate(20230828, 'buy')).toBe(0);
  });
  it('both sides before 2008-09-19: 0.1% from 2008-04-24, 0.3% from 2007-05-30, 0.1% before', () => {
    expect([stampDutyRate(20080918, 'buy'), stampDutyRate(20080918, 'sell')]).toEqual([0.001, 0.001]);
    expect([stampDutyRate(20080919, 'buy'), stampDutyRate(20080919, 'sell')]).toEqual([0, 0.001]);
    expect([stampDutyRate(20080423, 'buy'), stampDutyRate(20080424, 'buy')]).toEqual([0.003, 0.001]);
    expect([stampDutyRate(20070529, 'sell'), stampDutyRate(20070530, 'sell')]).toEqual([0.001, 0.003]);
    expect([stampDutyRate(20050121, 'sell'), stampDutyRate(20050124, 'sell')]).toEqual([0.002, 0.001]);
  });
});

describe('transfer fee', () => {
  // 100,000 CNY of a 10 CNY stock = 10,000 shares.
  it('SH and SZ: 0.001% of value from 2022-04-29, 0.002% from 2015-08-01 to 2022-04-28', () => {
    expect(transferFee('SH', 20220429, 10_000, 100_000)).toBeCloseTo(1, 12); // 100,000 × 0.00001
    expect(transferFee('SZ', 20220429, 10_000, 100_000)).toBeCloseTo(1, 12);
    expect(transferFee('SH', 20220428, 10_000, 100_000)).toBeCloseTo(2, 12); // 100,000 × 0.00002
    expect(transferFee('SZ', 20220428, 10_000, 100_000)).toBeCloseTo(2, 12);
    expect(transferFee('SZ', 20150803, 10_000, 100_000)).toBeCloseTo(2, 12); // first trading day of the 2015 rate
  });
  it('before 2015-08-01: Shanghai by shares (0.6 CNY per 1,000 from 2012-09-01, 1 CNY before), Shenzhen none', () => {
    expect(transferFee('SH', 20150731, 10_000, 100_000)).toBeCloseTo(6, 12); // 10,000 × 0.0006
    expect(transferFee('SH', 20120831, 10_000, 100_000)).toBeCloseTo(10, 12); // 10,000 × 0.001
    expect(transferFee('SH', 20120903, 10_000, 100_000)).toBeCloseTo(6, 12);
    expect(transferFee('SZ', 20150731, 10_000, 100_000)).toBe(0);
  });
  it('Beijing: none', () => {
    expect(transferFee('BJ', 20240102, 10_000, 100_000)).toBe(0);
  });
});

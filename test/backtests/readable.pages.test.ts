import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { actingAs, principal } from '../helpers/auth.ts';
import { insertBacktestFixture } from '../helpers/backtests.ts';

// Parameters and costs read as tables (issue 24): the backtest page, its HTML report and the compare
// page show them as lists and rows, not JSON, and compare marks the rows that differ.
let t: TestApp;
const analyst = principal('analyst', 10, 'ana');
let a = 0;
let b = 0;
let c = 0;

beforeAll(async () => {
  t = await makeTestApp({}, { principals: [analyst] });
  const db = t.deps.pg.db;
  a = await insertBacktestFixture(db, analyst.userId!, 'succeeded', { params: { short_window: 3, long_window: 10 } });
  b = await insertBacktestFixture(db, analyst.userId!, 'succeeded', { params: { short_window: 5, long_window: 10 }, costs: { commissionRate: 0.0005, slippageBps: 5 } });
  // The default commission (0.0003) given explicitly: the same cost as a's default.
  c = await insertBacktestFixture(db, analyst.userId!, 'succeeded', { params: { short_window: 3, long_window: 10 }, costs: { commissionRate: 0.0003 } });
});
afterAll(() => t?.close());

const page = async (path: string) => {
  const res = await t.appWith({ authenticate: actingAs(analyst) }).request(path, { headers: { 'Accept-Language': 'en' } });
  expect(res.status, path).toBe(200);
  return res.text();
};
const rowOf = (html: string, label: string) => {
  const i = html.indexOf(`>${label}<`);
  expect(i, label).toBeGreaterThan(0);
  return html.slice(html.lastIndexOf('<tr', i), html.indexOf('</tr>', i));
};

describe('parameters and costs', () => {
  it('are a list and a table on the backtest page and in its HTML report', async () => {
    for (const path of [`/backtests/${b}`, `/backtests/${b}/export/report.html`]) {
      const html = await page(path);
      expect(html, path).not.toContain('{&quot;short_window');
      expect(html, path).not.toContain('{&quot;commissionRate');
      expect(html).toContain('<dt><code>short_window</code></dt><dd>5</dd>');
      expect(rowOf(html, 'Commission')).toContain('0.05%');
      expect(rowOf(html, 'Slippage')).toContain('5 bp');
      expect(rowOf(html, 'Stamp duty')).toContain('(default)');
    }
  });

  it('are compared row by row, the rows that differ marked', async () => {
    const html = await page(`/backtests/compare?ids=${a}&ids=${b}`);
    expect(html).not.toContain('{&quot;short_window');
    expect(rowOf(html, 'short_window')).toContain('differs');
    expect(rowOf(html, 'short_window')).toMatch(/<td class="num">3<\/td><td class="num">5<\/td>/);
    expect(rowOf(html, 'long_window')).not.toContain('differs');
    expect(rowOf(html, 'Commission')).toContain('differs');
    expect(rowOf(html, 'Commission')).toMatch(/0\.03%.*0\.05%/);
    expect(rowOf(html, 'Stamp duty')).not.toContain('differs');
    // A default and the same value given are the same cost: not marked.
    const same = await page(`/backtests/compare?ids=${a}&ids=${c}`);
    expect(rowOf(same, 'Commission')).not.toContain('differs');
    expect(rowOf(same, 'short_window')).not.toContain('differs');
  });
});

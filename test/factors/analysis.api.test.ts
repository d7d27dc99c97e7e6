/**
 * Factor analyses over HTTP on the seeded demo market (30 stocks × 2 years, test/helpers/backtests.ts),
 * with the server's own executors and worker thread: a curl user computes momentum_20, analyses it
 * with ?wait and reads the JSON and the CSV (which must agree: the summary's means are recomputed
 * here from the CSV's daily columns), lists the factor's analyses; access between analysts; the
 * options run; bad input is a 4xx naming the field.
 */
import { describe, expect, it } from 'vitest';
import { postJson, useBacktestEnv } from '../helpers/backtests.ts';

const env = useBacktestEnv();

function parseCsv(text: string): { header: string[]; rows: string[][] } {
  const lines = text.trimEnd().split('\r\n');
  return { header: lines[0].split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}
const meanOf = (xs: string[]) => {
  const v = xs.filter((x) => x !== '').map(Number);
  return v.reduce((a, b) => a + b, 0) / v.length;
};

describe('factor analyses API', () => {
  let self = '';

  it('computes a built-in, analyses it with ?wait, reads the JSON and the CSV', async () => {
    env.as(env.users.analyst);
    const computed = await postJson(env.app, '/api/v1/factors/momentum_20/computations?wait=60', { start_date: '2025-06-02' });
    expect((await computed.json()).status).toBe('succeeded');

    const res = await postJson(env.app, '/api/v1/factors/momentum_20/analyses?wait=120', { start_date: '2025-07-01', end_date: '2026-10-30' });
    const a = await res.json();
    expect(a.error).toBeNull();
    expect(res.status).toBe(200);
    expect(a).toMatchObject({
      factor: { id: 'momentum_20', key: 'momentum_20' }, status: 'succeeded', owner: { id: env.users.analyst.userId },
      params: { universe: 'all', start_date: '2025-07-01', end_date: '2026-10-30', horizons: [1, 5, 20], quantiles: 5, industry_neutral: false, size_neutral: false },
    });
    expect(a.links).toEqual({
      self: `/api/v1/factors/momentum_20/analyses/${a.id}`, events: `/api/v1/runs/${a.run_id}/events`, csv: `/api/v1/factors/momentum_20/analyses/${a.id}.csv`, page: `/factors/momentum_20/analyses/${a.id}`,
    });
    self = a.links.self;
    const s = a.summary;
    expect(s.horizons.map((h: { horizon: number }) => h.horizon)).toEqual([1, 5, 20]);
    for (const h of s.horizons) {
      expect(h.ic.days).toBeGreaterThan(200);
      expect(Math.abs(h.ic.mean)).toBeLessThan(1);
      expect(h.rank_ic.positive).toBeGreaterThanOrEqual(0);
      expect(h.quantile_means).toHaveLength(5);
    }
    expect(s.coverage.mean_universe).toBeGreaterThan(25);
    expect(s.coverage.coverage).toBeGreaterThan(0.9);

    const json = await (await env.app.request(self)).json();
    expect(json.summary).toEqual(s);

    // The CSV: one row per trading day of the period; its daily columns give back the summary's means.
    const csvRes = await env.app.request(a.links.csv);
    expect(csvRes.status).toBe(200);
    expect(csvRes.headers.get('content-type')).toContain('text/csv');
    const text = await csvRes.text();
    expect(await (await env.app.request(`${self}?format=csv`)).text()).toBe(text);
    const { header, rows } = parseCsv(text);
    expect(header.slice(0, 12)).toEqual(['date', 'universe', 'names', 'tradable', 'ic_1d', 'rank_ic_1d', 'pairs_1d', 'q1_1d', 'q2_1d', 'q3_1d', 'q4_1d', 'q5_1d']);
    expect(header).toContain('spread_20d');
    expect(header).toContain('q5_cumulative_1d');
    expect(header).toContain('q1_turnover');
    const days = await env.market.query(`select count(distinct trade_date) n from daily_bars where trade_date between 20250701 and 20261030`);
    expect(rows.length).toBe(Number(days[0].n));
    expect(rows[0][0]).toBe('2025-07-01');
    const col = (name: string) => rows.map((r) => r[header.indexOf(name)]);
    expect(meanOf(col('ic_1d'))).toBeCloseTo(s.horizons[0].ic.mean, 12);
    expect(meanOf(col('rank_ic_5d'))).toBeCloseTo(s.horizons[1].rank_ic.mean, 12);
    expect(meanOf(col('q3_20d'))).toBeCloseTo(s.horizons[2].quantile_means[2], 12);
    expect(meanOf(col('spread_1d'))).toBeCloseTo(s.horizons[0].spread.mean, 12);
    expect(meanOf(col('q2_turnover'))).toBeCloseTo(s.turnover[1], 12);
    // Quantile sizes add up to the tradable names on each day with quantiles.
    for (const r of rows.slice(0, 20)) {
      const sizes = [1, 2, 3, 4, 5].map((q) => Number(r[header.indexOf(`q${q}_names`)]));
      expect(sizes.reduce((x, y) => x + y, 0)).toBe(Number(r[header.indexOf('tradable')]));
    }

    const list = await (await env.app.request('/api/v1/factors/momentum_20/analyses')).json();
    expect(list.analyses.map((x: { id: number }) => x.id)).toContain(a.id);

    // The data it read is recorded (issue 23), shown on its page, and given back as data_version
    // repeats the analysis on the same data: the same statistics, the same version.
    expect(a.data_version).toMatch(/^[0-9a-f]{16}$/);
    const page = await (await env.app.request(a.links.page)).text();
    expect(page).toContain(`<code title=`);
    expect(page).toContain(`>${a.data_version}</code>`);
    const again = await (await postJson(env.app, '/api/v1/factors/momentum_20/analyses?wait=120', { start_date: '2025-07-01', end_date: '2026-10-30', data_version: a.data_version })).json();
    expect(again.status).toBe('succeeded');
    expect(again.id).not.toBe(a.id);
    expect(again.data_version).toBe(a.data_version);
    expect(again.summary).toEqual(a.summary);
  });

  it('runs the options: industry and size neutral, no ST, no new listings', async () => {
    env.as(env.users.analyst);
    const res = await postJson(env.app, '/api/v1/factors/momentum_20/analyses?wait=120', {
      start_date: '2026-01-05', end_date: '2026-09-30', horizons: [10, 2], quantiles: 3,
      industry_neutral: true, size_neutral: true, exclude_st: true, exclude_new_listings: true, new_listing_days: 120,
    });
    const a = await res.json();
    expect(a.error).toBeNull();
    expect(a.status).toBe('succeeded');
    expect(a.params.horizons).toEqual([2, 10]);
    expect(a.summary.horizons[0].quantile_means).toHaveLength(3);
    expect(a.summary.horizons[0].ic.days).toBeGreaterThan(100);
  });

  it('keeps an analysis from other analysts; admins see it', async () => {
    env.as(env.users.analyst2);
    expect((await env.app.request(self)).status).toBe(404);
    expect((await env.app.request(`${self}.csv`)).status).toBe(404);
    expect((await env.app.request(self, { method: 'DELETE' })).status).toBe(404);
    const theirs = await (await env.app.request('/api/v1/factors/momentum_20/analyses')).json();
    expect(theirs.total).toBe(0);
    // Under another factor's id the analysis does not exist either.
    env.as(env.users.analyst);
    expect((await env.app.request(self.replace('momentum_20', 'volatility_20'))).status).toBe(404);
    env.as(env.users.admin);
    expect((await env.app.request(self)).status).toBe(200);
  });

  it('answers bad input with a 4xx naming the field', async () => {
    env.as(env.users.analyst);
    const bad = async (path: string, body: unknown, status: number, field?: string) => {
      const res = await postJson(env.app, path, body);
      const e = await res.json();
      expect(res.status, `${path} ${JSON.stringify(body)}: ${JSON.stringify(e)}`).toBe(status);
      if (field) expect(e.error.message).toContain(field);
      return e;
    };
    const path = '/api/v1/factors/momentum_20/analyses';
    await bad(path, { start_date: '2026-05-01', end_date: '2026-04-01' }, 400, 'end_date');
    await bad(path, { start_date: '2026-02-30', end_date: '2026-04-01' }, 400, 'start_date');
    await bad(path, { start_date: '2026-01-05', end_date: '2026-04-01', horizons: [0] }, 400, 'horizons');
    await bad(path, { start_date: '2026-01-05', end_date: '2026-04-01', horizons: [] }, 400, 'horizons');
    await bad(path, { start_date: '2026-01-05', end_date: '2026-04-01', quantiles: 1 }, 400, 'quantiles');
    await bad(path, { start_date: '2026-01-05', end_date: '2026-04-01', codes: ['999999.SH'] }, 400, 'codes');
    await bad(path, { start_date: '2026-01-05', end_date: '2026-04-01', wat: 1 }, 400, 'wat');
    await bad(path, { start_date: '2026-01-05', end_date: '2026-04-01', data_version: 'latest!' }, 400, 'data_version');
    await bad(path, { start_date: '2010-01-04', end_date: '2010-04-01' }, 400, 'end_date'); // before the market data
    await bad(path, { start_date: '2024-12-02', end_date: '2025-03-03' }, 400, 'start_date'); // before the values stored (from 2025-06-02)
    await bad('/api/v1/factors/volatility_7/analyses', { start_date: '2026-01-05', end_date: '2026-04-01' }, 409, 'factor');
    await bad('/api/v1/factors/nonsense_1/analyses', { start_date: '2026-01-05', end_date: '2026-04-01' }, 404);
    expect((await env.app.request(`${path}/abc`)).status).toBe(400);
    expect((await env.app.request(`${path}/999999`)).status).toBe(404);
    env.as(env.users.viewer);
    await bad(path, { start_date: '2026-01-05', end_date: '2026-04-01' }, 403);
  });
});

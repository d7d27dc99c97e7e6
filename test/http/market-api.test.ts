import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoMarket } from '../../src/market/demo/seed.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { actingAs, principal } from '../helpers/auth.ts';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({}, { authenticate: actingAs(principal('viewer')) });
  await seedDemoMarket(t.market, { seed: 2, stocks: 40, years: 1, end: 20261127 });
});
afterAll(() => t?.close());

const get = async (path: string) => {
  const res = await t.app.request(path);
  return { status: res.status, body: (await res.json()) as any };
};

describe('/api/v1/market', () => {
  it('refuses anonymous callers on every market endpoint', async () => {
    const anon = t.appWith({ authenticate: actingAs(null) });
    for (const p of ['/api/v1/market/stocks', '/api/v1/market/coverage', '/api/v1/market/sync-log', '/api/v1/market/calendar?start_date=20260101&end_date=20260110']) {
      expect((await anon.request(p)).status, p).toBe(401);
    }
    // Pages send an anonymous browser to sign in, then back.
    for (const p of ['/market', '/market/coverage', '/market/log']) {
      const res = await anon.request(p);
      expect(res.status, p).toBe(302);
      expect(res.headers.get('location'), p).toBe(`/login?next=${encodeURIComponent(p)}`);
    }
  });

  it('lets only admins sync or import from pages', async () => {
    const res = await t.app.request('/market/sync', { method: 'POST', body: new URLSearchParams({ dataset: 'stocks', source: 'demo' }) });
    expect(res.status).toBe(403);
    const res2 = await t.app.request('/market/import', { method: 'POST', body: new FormData() });
    expect(res2.status).toBe(403);
  });

  it('pages stocks with a total and filters by board and status', async () => {
    const all = await get('/api/v1/market/stocks?limit=10');
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(40);
    expect(all.body.items).toHaveLength(10);
    const page2 = await get('/api/v1/market/stocks?limit=10&offset=10');
    expect(page2.body.items[0].ts_code > all.body.items[9].ts_code).toBe(true);
    const star = await get('/api/v1/market/stocks?board=star&limit=500');
    expect(star.body.items.every((s: any) => s.ts_code.startsWith('688'))).toBe(true);
    expect(star.body.total).toBe(star.body.items.length);
    const bad = await get('/api/v1/market/stocks?board=moon');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^board/);
  });

  it('serves daily bars with qfq = price × factor / latest factor and hfq = price × factor', async () => {
    const [row] = await t.market.query(`select ts_code from adj_factors group by ts_code having count(distinct adj_factor) > 1 limit 1`);
    const code = String(row.ts_code);
    const none = await get(`/api/v1/market/daily?ts_code=${code}&start_date=2025-11-27&end_date=2026-11-27&adj=none`);
    const hfq = await get(`/api/v1/market/daily?ts_code=${code}&start_date=2025-11-27&end_date=2026-11-27&adj=hfq`);
    const qfq = await get(`/api/v1/market/daily?ts_code=${code}&start_date=2025-11-27&end_date=2026-11-27&adj=qfq`);
    // Tushare's YYYYMMDD reads as the same days.
    expect((await get(`/api/v1/market/daily?ts_code=${code}&start_date=20251127&end_date=20261127&adj=none`)).body).toEqual(none.body);
    const n = none.body.trade_date.length;
    expect(n).toBeGreaterThan(100);
    expect(none.body.trade_date.at(-1)).toBe('2026-11-27');
    const last = none.body.adj_factor[n - 1];
    for (const i of [0, Math.floor(n / 2), n - 1]) {
      const f = none.body.adj_factor[i];
      expect(hfq.body.close[i]).toBeCloseTo(none.body.close[i] * f, 3);
      expect(qfq.body.close[i]).toBeCloseTo((none.body.close[i] * f) / last, 3);
    }
    expect(qfq.body.close[n - 1]).toBe(none.body.close[n - 1]);
    expect((await get(`/api/v1/market/daily?ts_code=600000&adj=qfq`)).status).toBe(400);
    expect((await get(`/api/v1/market/daily?ts_code=999999.SH`)).status).toBe(404);
    // A misspelt or old parameter name is refused, not silently ignored.
    const old = await get(`/api/v1/market/daily?ts_code=${code}&start=20251127`);
    expect(old.status).toBe(400);
    expect(old.body.error.message).toMatch(/start/);
    const badDay = await get(`/api/v1/market/daily?ts_code=${code}&start_date=2025-02-30`);
    expect(badDay.status).toBe(400);
    expect(badDay.body.error.details.field).toBe('start_date');
  });

  it('answers the calendar, coverage and the sync log', async () => {
    const cal = await get('/api/v1/market/calendar?start_date=2026-10-01&end_date=20261010&is_open=1');
    expect(cal.body.items.map((d: any) => d.cal_date)).toEqual(['2026-10-08', '2026-10-09']);
    const cov = await get('/api/v1/market/coverage');
    const bars = cov.body.items.find((r: any) => r.dataset === 'daily_bars');
    expect(bars.stocks).toBeGreaterThan(30);
    expect(bars.last).toBe('2026-11-27');
    const log = await get('/api/v1/market/sync-log?limit=5&result=failed');
    expect(log.body).toMatchObject({ total: 0, items: [], limit: 5, offset: 0 });
  });

  it('renders the stock page with an SVG chart and the adjustment toggle', async () => {
    const [row] = await t.market.query(`select ts_code from stocks where list_status = 'L' limit 1`);
    const res = await t.app.request(`/market/stocks/${row.ts_code}?adj=hfq&range=3m`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<svg class="chart candles"');
    expect(html).toMatch(/aria-current="true">Backward \(hfq\)/);
  });

  it('tells the snapshot publisher when a CSV import from the page wrote rows, and not when it was refused (issue 23)', async () => {
    const told: string[] = [];
    const admin = t.appWith({ authenticate: actingAs(principal('admin')), onMarketChanged: (reason) => told.push(reason) });
    const upload = async (text: string) => {
      const form = new FormData();
      form.set('dataset', 'daily_bars');
      form.append('files', new File([text], 'bars.csv', { type: 'text/csv' }));
      return admin.request('/market/import', { method: 'POST', body: form });
    };
    const refused = await upload('ts_code,trade_date,close\n000001.SZ,2024-13-40,1\n');
    expect(refused.status).toBeLessThan(500);
    expect(told).toEqual([]);
    const ok = await upload('ts_code,trade_date,open,high,low,close,pre_close,change,pct_chg,vol,amount\n000001.SZ,20100104,10,11,9,10.5,10,0.5,5,1000,1050\n');
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('1 inserted');
    expect(told).toEqual(['a CSV import of daily_bars']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { Browser, makeUser } from '../helpers/accounts.ts';
import { strategyTemplate } from '../../src/strategies/template.ts';

describe('a saved strategy’s parameters', () => {
  let t: TestApp;
  let b: Browser;
  beforeAll(async () => {
    t = await makeTestApp();
    await makeUser(t, 'params.analyst', 'analyst');
    b = new Browser(t);
    await b.login('params.analyst');
  });
  afterAll(() => t?.close());

  it('are listed in the order the schema declares them, with only the bounds they have', async () => {
    const csrf = await b.csrfFrom('/strategies/new');
    // The template declares lookback (min 2), top (min 1), every (min 1); jsonb would give top, every, lookback (shorter keys first).
    const saved = await b.post('/strategies', { _csrf: csrf, name: 'Ordered', description: '', category: 'custom', language: 'js', code: strategyTemplate });
    expect(saved.status).toBe(303);
    const html = await (await b.request(saved.headers.get('location')!)).text();
    const table = html.slice(html.indexOf('<h2>Parameters</h2>'), html.indexOf('<h2>Code'));
    expect([...table.matchAll(/<td><code>([a-z_]+)<\/code><\/td>/g)].map((m) => m[1])).toEqual(['lookback', 'top', 'every']);
    expect(table).not.toContain('9007199254740991');
    expect(table).toContain('≥ 2');
    // The backtest form's fields, from the same schema, in the same order.
    const form = await (await b.request(`/backtests/new?strategy=user:${saved.headers.get('location')!.split('/').pop()}`)).text();
    expect([...form.matchAll(/name="p\.([a-z_]+)"/g)].map((m) => m[1])).toEqual(['lookback', 'top', 'every']);
  });
});

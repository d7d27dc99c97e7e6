import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/access.ts';
import type { RunsService } from '../../src/runs/runs.service.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { actingAs, principal } from '../helpers/auth.ts';

// Run pages for a person (issue 24): params and result drawn as lists and tables, not JSON; times
// in the reader's zone; durations in s/min; the owner linked by name. Runs are finished by hand
// (no workers), so the page is read against exact values.
let t: TestApp;
let runs: RunsService;
// insertPrincipals names them alice-10 and bob-11.
const alice = principal('analyst', 10, 'alice');
const bob = principal('analyst', 11, 'bob');
const admin = principal('admin', 1);

beforeAll(async () => {
  t = await makeTestApp({}, { principals: [alice, bob, admin] });
  runs = t.deps.runs!;
});
afterAll(() => t?.close());

const page = async (p: Principal, path: string, cookie?: string) => {
  const res = await t.appWith({ authenticate: actingAs(p) }).request(path, { headers: { 'Accept-Language': 'en', ...(cookie ? { Cookie: cookie } : {}) } });
  expect(res.status).toBe(200);
  return res.text();
};

describe('a finished run’s page', () => {
  let id = 0;
  let step = 0;
  beforeAll(async () => {
    step = (await runs.queueRun({ executor: 'noop', queuedBy: alice.userId })).id;
    id = (await runs.queueRun({ executor: 'noop', queuedBy: alice.userId })).id;
    await runs.queueRun({ executor: 'noop', queuedBy: bob.userId });
    // Started 2026-12-01 01:00:00 UTC, finished 125 s later: 09:00:00 in Shanghai, 10:00:00 in Tokyo.
    await t.deps.pg.db
      .updateTable('runs')
      .set({ params: JSON.stringify({ note: 'nightly', ratio: 0.123456789, codes: ['600007.SH', '000006.SZ'] }) as never, status: 'succeeded', started_at: new Date('2026-12-01T01:00:00Z'), finished_at: new Date('2026-12-01T01:02:05Z'), result: JSON.stringify({ steps: [{ id: 'sync', status: 'succeeded', run_id: step, error: null }], rows: 1234567 }) as never })
      .where('id', '=', id)
      .execute();
  });

  it('shows params and result as lists and tables, with rounded numbers and linked step runs', async () => {
    const html = await page(alice, `/runs/${id}`);
    expect(html).not.toContain('{&quot;note&quot;');
    expect(html).toContain('<dt><code>ratio</code></dt><dd>0.1235</dd>');
    expect(html).toContain('600007.SH, 000006.SZ');
    // The workflow-like result: a table of steps whose run id links to the step's run.
    expect(html).toMatch(new RegExp(`<td>sync</td><td>succeeded</td><td><a href="/runs/${step}">#${step}</a></td>`));
    expect(html).toContain('<dd>1,234,567</dd>');
  });

  it('says when in the reader’s zone (Asia/Shanghai by default, the browser’s from its tz cookie) and how long in minutes', async () => {
    const shanghai = await page(alice, `/runs/${id}`);
    expect(shanghai).toContain('2026-12-01 09:00:00');
    expect(shanghai).toContain('took 2 min 5 s');
    expect(shanghai).toContain('Times are Asia/Shanghai.');
    const tokyo = await page(alice, `/runs/${id}`, 'tz=Asia%2FTokyo');
    expect(tokyo).toContain('2026-12-01 10:00:00');
    // A zone Intl does not know falls back to the default.
    expect(await page(alice, `/runs/${id}`, 'tz=Mars%2FOlympus')).toContain('2026-12-01 09:00:00');
    const list = await page(admin, '/runs');
    expect(list).toContain('2 min 5 s');
    expect(list).not.toMatch(/\d{4,} ms/);
  });

  it('links the owner by name to the runs they queued', async () => {
    const html = await page(admin, `/runs/${id}`);
    expect(html).toContain('by <a href="/runs?by=10">alice-10</a>');
    const theirs = await page(admin, '/runs?by=10');
    expect(theirs).toContain('Runs queued by alice-10');
    expect(theirs).toContain(`href="/runs/${id}"`);
    expect(theirs).not.toMatch(/>bob-11</);
    const ids = [...theirs.matchAll(/<a href="\/runs\/(\d+)">#/g)].map((m) => Number(m[1]));
    for (const r of ids) expect((await runs.getRun(r))!.queuedBy).toBe(alice.userId);
  });
});

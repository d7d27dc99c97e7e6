/**
 * /admin/alerts over the real app with a signed-in admin: a webhook channel made from the form
 * (its secret shown as •••• only), an edit that leaves the secret blank keeps it (the test send
 * is still signed with it), a rule added, the test send's outcome and the delivery log on the page,
 * a rule and a channel deleted only after their confirmation page, and a refused form shown again
 * with the field named.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSecretBox } from '../../src/secrets/secret-box.ts';
import { Browser, makeUser } from '../helpers/accounts.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { startReceiver } from './receiver.ts';

const secret = `whsec-${randomBytes(12).toString('hex')}`;
let t: TestApp;
let browser: Browser;
let csrf: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  t = await makeTestApp({}, { secrets: makeSecretBox(randomBytes(32)) });
  await makeUser(t, 'root', 'admin');
  receiver = await startReceiver();
  browser = new Browser(t);
  expect((await browser.login('root')).status).toBe(303);
  csrf = await browser.csrfFrom('/admin/alerts');
}, 60_000);
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

const page = async (path = '/admin/alerts') => {
  const res = await browser.request(path);
  const html = await res.text();
  expect(html).not.toContain(secret);
  return { status: res.status, html };
};

describe('/admin/alerts', () => {
  it('makes a channel from the form, keeps its secret through an edit, sends a test and lists the delivery', async () => {
    const empty = await page();
    expect(empty.status).toBe(200);
    expect(empty.html).toContain('No channels yet.');

    const made = await browser.post('/admin/alerts/channels', { _csrf: csrf, name: 'ops hook', kind: 'webhook', url: `${receiver.url}/hook`, secret, enabled: 'on' });
    expect(made.status).toBe(303);
    const listed = await page();
    expect(listed.html).toContain('ops hook');
    const id = /\/admin\/alerts\/channels\/(\d+)\/edit/.exec(listed.html)![1];

    const edit = await page(`/admin/alerts/channels/${id}/edit`);
    expect(edit.html).toContain('•••• (blank keeps the stored value)');
    const saved = await browser.post(`/admin/alerts/channels/${id}`, { _csrf: csrf, name: 'ops hook 2', url: `${receiver.url}/hook2`, secret: '', enabled: 'on', shared: 'on' });
    expect(saved.status).toBe(303);

    const tested = await browser.post(`/admin/alerts/channels/${id}/test`, { _csrf: csrf });
    const html = await tested.text();
    expect(tested.status).toBe(200);
    expect(html).toContain('Test message sent to &quot;ops hook 2&quot; (200).');
    const got = receiver.received.at(-1)!;
    expect(got.url).toBe('/hook2');
    const ts = String(got.headers['x-zquant-timestamp']);
    expect(got.headers['x-zquant-signature']).toBe(`sha256=${createHmac('sha256', secret).update(`${ts}.${got.body}`).digest('hex')}`);
    // The delivery log on the page.
    expect(html).toMatch(/<td>test<\/td>/);

    const rule = await browser.post('/admin/alerts/rules', { _csrf: csrf, name: 'any failure', event: 'run_failed', task_id: '', channel_id: id });
    expect(rule.status).toBe(303);
    expect((await page()).html).toContain('any failure');

    // Deletes ask first (no JavaScript: a page that says what goes); only the confirmation deletes.
    const ruleId = /\/admin\/alerts\/rules\/(\d+)\/delete/.exec((await page()).html)![1];
    const ask = await browser.post(`/admin/alerts/rules/${ruleId}/delete`, { _csrf: csrf });
    expect(ask.status).toBe(200);
    const asked = await ask.text();
    expect(asked).toContain('Delete alert rule “any failure”?');
    expect(asked).toContain('name="confirm" value="yes"');
    expect((await page()).html).toContain('any failure');
    expect((await browser.post(`/admin/alerts/rules/${ruleId}/delete`, { _csrf: csrf, confirm: 'yes' })).status).toBe(303);
    expect((await page()).html).not.toContain('any failure');
    const askChannel = await browser.post(`/admin/alerts/channels/${id}/delete`, { _csrf: csrf });
    expect(await askChannel.text()).toContain('Delete alert channel “ops hook 2”?');
    expect((await browser.post(`/admin/alerts/channels/${id}/delete`, { _csrf: csrf, confirm: 'yes' })).status).toBe(303);
    expect((await page()).html).toContain('No channels yet.');
  });

  it('shows a refused form again naming the field', async () => {
    const res = await browser.post('/admin/alerts/channels', { _csrf: csrf, name: 'no secret', kind: 'webhook', url: `${receiver.url}/hook` });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('config.secret: required');
    const bad = await browser.post('/admin/alerts/rules', { _csrf: csrf, name: 'x', event: 'run_failed', channel_id: 'abc' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('channel_id: expected an id');
  });
});

/**
 * Alerts end to end over real HTTP and SMTP: a failed scheduled task's alert reaches a local webhook
 * receiver exactly once (two instances scanning at once), signed with the channel's secret (the
 * HMAC recomputed here independently), after a retry when the receiver first answers 500; and an
 * e-mail reaches a local SMTP sink (the smtp-server package) with the SMTP password used but never
 * shown. Channel secrets never appear in API answers or log lines.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLogger } from '../../src/logger.ts';
import { makeSecretBox, secretMask } from '../../src/secrets/secret-box.ts';
import { scanAlerts } from '../../src/alerts/alerts.service.ts';
import { bearer, makeUser } from '../helpers/accounts.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { startReceiver, until } from './receiver.ts';

// Random per run, so finding one anywhere cannot be a coincidence.
const webhookSecret = `whsec-${randomBytes(12).toString('hex')}`;
const smtpPassword = `smtp-${randomBytes(12).toString('hex')}`;
const box = makeSecretBox(randomBytes(32));
const serverLog: string[] = [];

let t: TestApp;
let admin: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let smtp: SMTPServer;
let smtpPort = 0;
const mails: Array<{ from: string; to: string[]; data: string; user: string | undefined }> = [];

beforeAll(async () => {
  const logger = makeLogger({ level: 'debug', write: (l) => serverLog.push(l) });
  t = await makeTestApp({ LOG_LEVEL: 'debug', API_RATE_LIMIT_PER_MINUTE: '100000' }, { logger, secrets: box, serverExecutors: true, workers: {} });
  admin = (await makeUser(t, 'root', 'admin')).token;
  receiver = await startReceiver();
  smtp = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'alerts' && auth.password === smtpPassword) return cb(null, { user: auth.username });
      return cb(new Error('bad credentials'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(chunks).toString('utf8'),
          user: session.user as string | undefined,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
}, 60_000);
afterAll(async () => {
  await t?.close();
  await receiver?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
}, 30_000);

const call = async (method: string, path: string, body?: unknown) => {
  const res = await t.app.request(path, { method, headers: { ...bearer(admin), 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  expect(text).not.toContain(webhookSecret);
  expect(text).not.toContain(smtpPassword);
  expect(text).not.toContain('zqs1.');
  return { status: res.status, text, json: text.startsWith('{') ? JSON.parse(text) : null };
};

/** A manual task whose every run fails on its first step, and one triggered run of it, failed. */
async function failedTaskRun(name: string): Promise<{ taskId: number; runId: number }> {
  const task = await call('POST', '/api/v1/scheduler/tasks', { name, executor: 'sleep', schedule: { kind: 'manual' }, config: { ms: 1, steps: 1, fail_at_step: 1 }, max_attempts: 1 });
  expect(task.status, task.text).toBe(201);
  return { taskId: task.json.id, runId: 0 };
}
async function trigger(taskId: number): Promise<number> {
  const run = await call('POST', `/api/v1/scheduler/tasks/${taskId}/trigger`, {});
  expect(run.status, run.text).toBe(202);
  const done = await t.runtime!.service.waitForRun(run.json.id, { timeoutMs: 20_000 });
  expect(done.status).toBe('failed');
  return done.id;
}

describe('a failed task alert', () => {
  it('reaches the webhook once, signed, after a retry on a 500', async () => {
    const channel = await call('POST', '/api/v1/alerts/channels', { name: 'ops hook', kind: 'webhook', config: { url: `${receiver.url}/hook`, secret: webhookSecret } });
    expect(channel.status, channel.text).toBe(201);
    expect(channel.json.config).toEqual({ url: `${receiver.url}/hook`, secret: secretMask });
    const { taskId } = await failedTaskRun('nightly export');
    const rule = await call('POST', '/api/v1/alerts/rules', { name: 'export failed', event: 'run_failed', task_id: taskId, channel_id: channel.json.id });
    expect(rule.status, rule.text).toBe(201);

    receiver.script({ status: 500, body: '{"error":"down for a moment"}' });
    const runId = await trigger(taskId);

    // Two instances scan at once, then again: the event is recorded once.
    const second = await t.secondInstance();
    const runs = t.runtime!.service;
    const [a, b] = await Promise.all([scanAlerts({ db: t.deps.pg.db, runs, defaultLocale: 'en' }), scanAlerts({ db: second.pg.db, runs, defaultLocale: 'en' })]);
    expect([...a, ...b]).toHaveLength(1);
    expect(await scanAlerts({ db: t.deps.pg.db, runs, defaultLocale: 'en' })).toEqual([]);

    await until(() => receiver.received.length >= 2, 'the retried delivery');
    const [first, retry] = receiver.received;
    expect(first.body).toBe(retry.body);
    expect(retry.headers['content-type']).toBe('application/json');
    expect(retry.headers['x-zquant-event']).toBe('run_failed');
    // Recomputed here as the README tells receivers to: hex HMAC-SHA256 of `${timestamp}.${body}` under the secret.
    const ts = String(retry.headers['x-zquant-timestamp']);
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
    expect(retry.headers['x-zquant-signature']).toBe(`sha256=${createHmac('sha256', webhookSecret).update(`${ts}.${retry.body}`).digest('hex')}`);
    expect(retry.headers['x-zquant-signature']).not.toBe(`sha256=${createHmac('sha256', 'another secret').update(`${ts}.${retry.body}`).digest('hex')}`);
    const body = JSON.parse(retry.body);
    expect(body).toMatchObject({ kind: 'run_failed', rule: { id: rule.json.id, name: 'export failed' }, run: { id: runId, executor: 'sleep', status: 'failed', task_id: taskId, task_name: 'nightly export' } });
    expect(body.title).toContain('nightly export');

    // The delivery log: attempt 1 got the 500, attempt 2 was taken.
    await until(async () => (await call('GET', '/api/v1/alerts/deliveries')).json.deliveries.length >= 2, 'two logged attempts');
    const log = (await call('GET', '/api/v1/alerts/deliveries')).json.deliveries;
    expect(log.map((d: { attempt: number; status_code: number; ok: boolean; subject_run_id: number }) => [d.attempt, d.status_code, d.ok, d.subject_run_id])).toEqual([
      [2, 200, true, runId],
      [1, 500, false, runId],
    ]);
    expect(log[1].error).toContain('HTTP 500');

    // Nothing more arrives: a later scan and the delivery's end add no request.
    await scanAlerts({ db: t.deps.pg.db, runs, defaultLocale: 'en' });
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received).toHaveLength(2);
    await second.close();
  });

  it('is e-mailed over SMTP with the sealed password, once', async () => {
    const channel = await call('POST', '/api/v1/alerts/channels', {
      name: 'ops mail', kind: 'email', config: { host: '127.0.0.1', port: smtpPort, secure: false, username: 'alerts', password: smtpPassword, from: 'zquant@example.com', to: ['ops@example.com'] },
    });
    expect(channel.status, channel.text).toBe(201);
    expect(channel.json.config.password).toBe(secretMask);
    // An edit that sends the mask keeps the stored password.
    const edited = await call('PATCH', `/api/v1/alerts/channels/${channel.json.id}`, { config: { ...channel.json.config, password: secretMask, to: ['oncall@example.com'] } });
    expect(edited.status, edited.text).toBe(200);
    const { taskId } = await failedTaskRun('nightly sync');
    const rule = await call('POST', '/api/v1/alerts/rules', { name: 'sync gave up', event: 'retries_exhausted', task_id: taskId, channel_id: channel.json.id });
    expect(rule.status, rule.text).toBe(201);
    const runId = await trigger(taskId);
    const events = await scanAlerts({ db: t.deps.pg.db, runs: t.runtime!.service, defaultLocale: 'en' });
    expect(events).toHaveLength(1);
    await until(() => mails.length >= 1, 'the e-mail');
    expect(mails[0]).toMatchObject({ from: 'zquant@example.com', to: ['oncall@example.com'], user: 'alerts' });
    expect(mails[0].data).toContain('nightly sync');
    expect(mails[0].data).toContain(`"id": ${runId}`);
    await scanAlerts({ db: t.deps.pg.db, runs: t.runtime!.service, defaultLocale: 'en' });
    await new Promise((r) => setTimeout(r, 300));
    expect(mails).toHaveLength(1);
  });

  it('never writes a channel secret to a log line', () => {
    const all = serverLog.join('');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(webhookSecret);
    expect(all).not.toContain(smtpPassword);
  });
});

/**
 * Issue 24: what an alert or e-mail says comes from the catalogue, in one language. Channel alerts
 * (a webhook, a team's mailbox) are written in the server's DEFAULT_LOCALE: zh-CN when it is not set,
 * English when it says en. A user's own "finished" alert is in that user's language (users.locale),
 * else DEFAULT_LOCALE. Checked on what arrives: a local webhook receiver and a local SMTP sink.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRule } from '../../src/alerts/alerts.repository.ts';
import { scanAlerts } from '../../src/alerts/alerts.service.ts';
import { loadConfig } from '../../src/config.ts';
import { makeSecretBox } from '../../src/secrets/secret-box.ts';
import { insertTask } from '../../src/scheduler/tasks.repository.ts';
import { bearer, makeUser } from '../helpers/accounts.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { startReceiver, until, type Received } from './receiver.ts';

let t: TestApp;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let smtp: SMTPServer;
const mails: string[] = [];
let taskId = 0;
let ana = 0;
let bo = 0;

/** A MIME message's subject and text, decoded (encoded words, quoted-printable or base64). */
function decodeMail(raw: string): { subject: string; text: string } {
  const split = raw.search(/\r?\n\r?\n/);
  const head = raw.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
  const body = raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const qp = (s: string) => {
    const soft = s.replace(/=\r?\n/g, '');
    const bytes: number[] = [];
    for (let i = 0; i < soft.length; i++) {
      const hex = soft.slice(i + 1, i + 3);
      if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else bytes.push(...Buffer.from(soft[i], 'utf8'));
    }
    return Buffer.from(bytes);
  };
  const subjectRaw = /^Subject: (.*)$/im.exec(head)![1];
  // Adjacent encoded words join without the space between them (RFC 2047 §6.2), bytes first.
  const parts: Buffer[] = [];
  for (const m of subjectRaw.matchAll(/=\?UTF-8\?([BQ])\?([^?]*)\?=|([^=]+)/gi)) {
    if (m[3] !== undefined) {
      if (m[3].trim()) parts.push(Buffer.from(m[3]));
    } else parts.push(m[1].toUpperCase() === 'B' ? Buffer.from(m[2], 'base64') : qp(m[2].replace(/_/g, ' ')));
  }
  const cte = /^Content-Transfer-Encoding: (\S+)/im.exec(head)?.[1].toLowerCase();
  const text = cte === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : cte === 'quoted-printable' ? qp(body).toString('utf8') : body;
  return { subject: Buffer.concat(parts).toString('utf8'), text };
}

beforeAll(async () => {
  t = await makeTestApp({ API_RATE_LIMIT_PER_MINUTE: '100000' }, { secrets: makeSecretBox(randomBytes(32)), serverExecutors: true, workers: {} });
  const root = await makeUser(t, 'root', 'admin');
  const admin = root.token;
  ana = (await makeUser(t, 'ana', 'analyst')).id;
  bo = (await makeUser(t, 'bo', 'analyst')).id;
  const db = t.deps.pg.db;
  // ana chose English on her account page; bo chose nothing.
  await sql`update users set locale = 'en' where id = ${ana}`.execute(db);

  receiver = await startReceiver();
  smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push(Buffer.concat(chunks).toString('utf8'));
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const channel = async (body: unknown) => {
    const res = await t.app.request('/api/v1/alerts/channels', { method: 'POST', headers: { ...bearer(admin), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: number }).id;
  };
  const hook = await channel({ name: 'team hook', kind: 'webhook', config: { url: `${receiver.url}/hook`, secret: 'whsec-locale-test' }, shared: true });
  const mail = await channel({ name: 'team mail', kind: 'email', config: { host: '127.0.0.1', port: smtpPort, secure: false, from: 'zquant@example.com', to: ['team@example.com'] } });
  const task = await insertTask(db, {
    name: 'nightly', description: '', executor: 'noop', config: '{}', schedule: JSON.stringify({ kind: 'manual', timezone: 'Asia/Shanghai' }), timezone: 'Asia/Shanghai',
    enabled: true, overlap: 'allow', max_concurrent: 5, misfire: 'once', max_catch_up: 1, grace_seconds: 60, max_attempts: 1, retry_delay_ms: 1000, timeout_ms: null, owner_id: null,
  });
  taskId = Number(task!.id);
  const adminId = root.id;
  await insertRule(db, { name: 'nightly failed', event: 'run_failed', task_id: taskId, channel_id: hook, email: null, owner_id: adminId, enabled: true });
  await insertRule(db, { name: 'nightly failed (mail)', event: 'run_failed', task_id: taskId, channel_id: mail, email: null, owner_id: adminId, enabled: true });
  await insertRule(db, { name: 'my backtests', event: 'backtest_finished', task_id: null, channel_id: hook, email: null, owner_id: ana, enabled: true });
  await insertRule(db, { name: '我的回测', event: 'backtest_finished', task_id: null, channel_id: hook, email: null, owner_id: bo, enabled: true });
  await sql`update alert_rules set created_at = now() - interval '1 hour'`.execute(db);
}, 60_000);
afterAll(async () => {
  await t?.close();
  await receiver?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

const run = async (v: Record<string, unknown>) =>
  Number((await t.deps.pg.db.insertInto('runs').values({ params: '{}', finished_at: sql`now()`, ...v } as never).returning('id').executeTakeFirstOrThrow()).id);
/** The failed task run, ana's and bo's finished backtests: new runs each round. */
const round = async () => ({
  failed: await run({ executor: 'noop', status: 'failed', task_id: taskId, attempt: 1, max_attempts: 1, error: sql`${JSON.stringify({ code: 'boom', message: 'disk full' })}::text::jsonb` }),
  anas: await run({ executor: 'backtest', status: 'succeeded', queued_by: ana }),
  bos: await run({ executor: 'sweep', status: 'succeeded', queued_by: bo }),
});
const arrivedFor = (runId: number) => receiver.received.find((r: Received) => JSON.parse(r.body).run?.id === runId);
const payloadFor = (runId: number) => JSON.parse(arrivedFor(runId)!.body) as { title: string; lines: string[]; locale: string };

describe('alert texts', () => {
  it('are zh-CN on channels when DEFAULT_LOCALE is not set, and in the owner’s language for their own finished runs', async () => {
    const defaultLocale = loadConfig({ LOG_LEVEL: 'silent' }).defaultLocale;
    expect(defaultLocale).toBe('zh-CN');
    const r = await round();
    expect(await scanAlerts({ db: t.deps.pg.db, runs: t.runtime!.service, defaultLocale })).toHaveLength(4);
    await until(() => [r.failed, r.anas, r.bos].every((id) => arrivedFor(id)) && mails.length >= 1, 'three webhook posts and a mail');

    const failed = payloadFor(r.failed);
    expect(failed.locale).toBe('zh-CN');
    expect(failed.title).toBe(`zquant：任务“nightly”的运行 #${r.failed} 失败`);
    expect(failed.lines).toContain('规则：nightly failed');
    expect(failed.lines).toContain(`运行：#${r.failed}（noop），失败，第 1/1 次尝试`);
    expect(failed.lines).toContain('错误：disk full');
    expect(failed.lines.some((l) => /^结束时间：\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(Asia\/Shanghai\)$/.test(l))).toBe(true);
    // ana chose English: her alert is English whatever the server's default.
    expect(payloadFor(r.anas)).toMatchObject({ locale: 'en', title: `zquant: backtest run ${r.anas} succeeded` });
    expect(payloadFor(r.anas).lines).toContain('rule: my backtests');
    // bo chose nothing: the server's default.
    expect(payloadFor(r.bos)).toMatchObject({ locale: 'zh-CN', title: `zquant：参数扫描运行 #${r.bos} 成功` });

    const mail = decodeMail(mails[0]);
    expect(mail.subject).toBe(`zquant：任务“nightly”的运行 #${r.failed} 失败`);
    expect(mail.text).toContain('规则：nightly failed (mail)');
    expect(mail.text).toContain('错误：disk full');
    expect(mail.text).toContain('详细信息（JSON，供程序读取）：');
    expect(mail.text).not.toContain('rule:');
  });

  it('are English on channels when DEFAULT_LOCALE=en; a user who chose nothing follows it', async () => {
    const defaultLocale = loadConfig({ LOG_LEVEL: 'silent', DEFAULT_LOCALE: 'en' }).defaultLocale;
    const r = await round();
    expect(await scanAlerts({ db: t.deps.pg.db, runs: t.runtime!.service, defaultLocale })).toHaveLength(4);
    await until(() => [r.failed, r.anas, r.bos].every((id) => arrivedFor(id)) && mails.length >= 2, 'three more posts and a second mail');

    expect(payloadFor(r.failed)).toMatchObject({ locale: 'en', title: `zquant: task "nightly" run ${r.failed} failed` });
    expect(payloadFor(r.failed).lines).toContain(`run: ${r.failed} (noop), failed, attempt 1 of 1`);
    expect(payloadFor(r.anas)).toMatchObject({ locale: 'en', title: `zquant: backtest run ${r.anas} succeeded` });
    expect(payloadFor(r.bos)).toMatchObject({ locale: 'en', title: `zquant: sweep run ${r.bos} succeeded` });
    const mail = decodeMail(mails[1]);
    expect(mail.subject).toBe(`zquant: task "nightly" run ${r.failed} failed`);
    expect(mail.text).toContain('Details (JSON, for programs):');
    expect(mail.text).not.toContain('规则');
  });
});

/**
 * The chat-bot channels' message formats and signatures, each bot URL pointed at a local receiver,
 * checked against what each platform documents:
 * - DingTalk 自定义机器人 (https://open.dingtalk.com/document/robots/custom-robot-access, 加签):
 *   `timestamp` (ms) and `sign` query parameters, sign = urlEncode(base64(HmacSHA256(key=secret,
 *   msg=timestamp + "\n" + secret))); body {"msgtype":"markdown","markdown":{"title","text"}}; answer {"errcode":0}.
 * - Feishu/Lark 自定义机器人 (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot,
 *   签名校验): `timestamp` (s) and `sign` in the body, sign = base64(HmacSHA256(key=timestamp + "\n" +
 *   secret, msg="")); {"msg_type":"text","content":{"text"}}; answer {"code":0}.
 * - WeCom 群机器人 (https://developer.work.weixin.qq.com/document/path/91770): the key in the URL;
 *   {"msgtype":"markdown","markdown":{"content"}}; answer {"errcode":0}.
 * Bot URLs carry their keys: none may appear in an answer or the delivery log.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSecretBox, secretMask } from '../../src/secrets/secret-box.ts';
import { bearer, makeUser } from '../helpers/accounts.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { startReceiver } from './receiver.ts';

const hex = () => randomBytes(10).toString('hex');
const dingToken = `ding${hex()}`;
const dingSecret = `SEC${hex()}`;
const feishuHook = `hook${hex()}`;
const feishuSecret = `fs${hex()}`;
const wecomKey = `key${hex()}`;
const secrets = [dingToken, dingSecret, feishuHook, feishuSecret, wecomKey];

let t: TestApp;
let admin: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  t = await makeTestApp({ API_RATE_LIMIT_PER_MINUTE: '100000' }, { secrets: makeSecretBox(randomBytes(32)) });
  admin = (await makeUser(t, 'root', 'admin')).token;
  receiver = await startReceiver();
  receiver.answerBy((r) => (r.url.startsWith('/open-apis/') ? { status: 200, body: '{"code":0,"msg":"success","data":{}}' } : { status: 200, body: '{"errcode":0,"errmsg":"ok"}' }));
}, 60_000);
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

const call = async (method: string, path: string, body?: unknown) => {
  const res = await t.app.request(path, { method, headers: { ...bearer(admin), 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  for (const s of secrets) expect(text).not.toContain(s);
  return { status: res.status, text, json: text.startsWith('{') ? JSON.parse(text) : null };
};
const make = async (body: unknown) => {
  const res = await call('POST', '/api/v1/alerts/channels', body);
  expect(res.status, res.text).toBe(201);
  return res.json as { id: number; config: Record<string, unknown> };
};
const sendTest = async (id: number) => {
  const before = receiver.received.length;
  const res = await call('POST', `/api/v1/alerts/channels/${id}/test`);
  expect(res.status, res.text).toBe(200);
  expect(receiver.received.length).toBe(before + 1);
  return { answer: res.json as { ok: boolean; status_code: number | null; error: string | null }, request: receiver.received[before] };
};
const nearNow = (seconds: number) => expect(Math.abs(seconds - Date.now() / 1000)).toBeLessThan(60);

describe('bot channels', () => {
  it('DingTalk: markdown, timestamp and URL-encoded sign in the query', async () => {
    const ch = await make({ name: 'ding', kind: 'dingtalk', config: { url: `${receiver.url}/robot/send?access_token=${dingToken}`, secret: dingSecret } });
    expect(ch.config).toEqual({ url: secretMask, secret: secretMask });
    const { answer, request } = await sendTest(ch.id);
    expect(answer).toMatchObject({ ok: true, status_code: 200, error: null });
    const [path, rawQuery] = request.url.split('?');
    expect(path).toBe('/robot/send');
    const query = new URLSearchParams(rawQuery);
    expect(query.get('access_token')).toBe(dingToken);
    const ts = query.get('timestamp')!;
    nearNow(Number(ts) / 1000);
    const expected = createHmac('sha256', dingSecret).update(`${ts}\n${dingSecret}`).digest('base64');
    expect(query.get('sign')).toBe(expected);
    // Sent URL-encoded: base64's + / = never appear raw in the query.
    expect(rawQuery).toContain(`sign=${encodeURIComponent(expected)}`);
    const body = JSON.parse(request.body);
    expect(Object.keys(body).sort()).toEqual(['markdown', 'msgtype']);
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.title).toContain('test message');
    expect(body.markdown.text).toContain('**zquant: test message');

    // The robot refusing the message (its errcode, HTTP 200) is a failed delivery, logged.
    receiver.script({ status: 200, body: '{"errcode":310000,"errmsg":"sign not match"}' });
    const refused = await sendTest(ch.id);
    expect(refused.answer.ok).toBe(false);
    expect(refused.answer.error).toContain('310000');
    const log = await call('GET', `/api/v1/alerts/deliveries?channel_id=${ch.id}`);
    expect(log.json.deliveries.map((d: { ok: boolean; target: string }) => [d.ok, d.target])).toEqual([[false, 'dingtalk'], [true, 'dingtalk']]);
  });

  it('Feishu: text message with timestamp and sign in the body', async () => {
    const ch = await make({ name: 'feishu', kind: 'feishu', config: { url: `${receiver.url}/open-apis/bot/v2/hook/${feishuHook}`, secret: feishuSecret } });
    const { answer, request } = await sendTest(ch.id);
    expect(answer.ok, answer.error ?? '').toBe(true);
    expect(request.url).toBe(`/open-apis/bot/v2/hook/${feishuHook}`);
    const body = JSON.parse(request.body);
    expect(Object.keys(body).sort()).toEqual(['content', 'msg_type', 'sign', 'timestamp']);
    expect(typeof body.timestamp).toBe('string');
    nearNow(Number(body.timestamp));
    expect(body.sign).toBe(createHmac('sha256', `${body.timestamp}\n${feishuSecret}`).update('').digest('base64'));
    expect(body.msg_type).toBe('text');
    expect(body.content.text).toMatch(/^zquant: test message/);
    receiver.script({ status: 200, body: '{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}' });
    expect((await sendTest(ch.id)).answer).toMatchObject({ ok: false, error: expect.stringContaining('19021') });
  });

  it('WeCom: markdown to the URL with its key; an edit sending •••• keeps the URL', async () => {
    const ch = await make({ name: 'wecom', kind: 'wecom', config: { url: `${receiver.url}/cgi-bin/webhook/send?key=${wecomKey}` } });
    const renamed = await call('PATCH', `/api/v1/alerts/channels/${ch.id}`, { name: 'wecom ops', config: { url: secretMask } });
    expect(renamed.status, renamed.text).toBe(200);
    const { answer, request } = await sendTest(ch.id);
    expect(answer.ok, answer.error ?? '').toBe(true);
    expect(request.url).toBe(`/cgi-bin/webhook/send?key=${wecomKey}`);
    const body = JSON.parse(request.body);
    expect(body).toEqual({ msgtype: 'markdown', markdown: { content: expect.stringContaining('**zquant: test message to channel "wecom ops"**') } });
  });

  it('lets analysts make backtest_finished rules of their own on shared channels only', async () => {
    const analyst = (await makeUser(t, 'ana', 'analyst')).token;
    const as = async (method: string, path: string, body?: unknown) => {
      const res = await t.app.request(path, { method, headers: { ...bearer(analyst), 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      for (const s of secrets) expect(text).not.toContain(s);
      return { status: res.status, json: JSON.parse(text) };
    };
    const shared = await make({ name: 'team mail', kind: 'email', shared: true, config: { host: '127.0.0.1', port: 2525, from: 'zquant@example.com', to: ['team@example.com'] } });
    const privateId = (await call('GET', '/api/v1/alerts/channels')).json.channels.find((c: { name: string }) => c.name === 'ding').id;
    // Analysts see the shared channels only.
    expect((await as('GET', '/api/v1/alerts/channels')).json.channels.map((c: { name: string }) => c.name)).toEqual(['team mail']);
    const own = await as('POST', '/api/v1/alerts/rules', { name: 'my backtests', event: 'backtest_finished', channel_id: shared.id, email: 'ana@example.com' });
    expect(own.status).toBe(201);
    expect(own.json).toMatchObject({ event: 'backtest_finished', email: 'ana@example.com', owner_name: 'ana', task_id: null });
    const notMine = await as('POST', '/api/v1/alerts/rules', { name: 'all failures', event: 'run_failed', channel_id: shared.id });
    expect(notMine.status).toBe(403);
    expect(notMine.json.error.message).toMatch(/^event: only admins/);
    const notShared = await as('POST', '/api/v1/alerts/rules', { name: 'x', event: 'backtest_finished', channel_id: privateId });
    expect([notShared.status, notShared.json.error.details.field]).toEqual([400, 'channel_id']);
    const emailToBot = await call('POST', '/api/v1/alerts/rules', { name: 'x', event: 'run_failed', channel_id: privateId, email: 'a@example.com' });
    expect([emailToBot.status, emailToBot.json.error.details.field]).toEqual([400, 'email']);
    // Their own rules only; the admin sees every rule.
    expect((await as('GET', '/api/v1/alerts/rules')).json.rules.map((r: { name: string }) => r.name)).toEqual(['my backtests']);
    expect((await call('GET', '/api/v1/alerts/rules')).json.rules).toHaveLength(1);
    await call('DELETE', `/api/v1/alerts/channels/${shared.id}`);
  });

  it('refuses bad settings naming the field', async () => {
    const noSecret = await call('POST', '/api/v1/alerts/channels', { name: 'unsigned', kind: 'webhook', config: { url: `${receiver.url}/hook` } });
    expect(noSecret.status).toBe(400);
    expect(noSecret.json.error.details.field).toBe('config.secret');
    const badUrl = await call('POST', '/api/v1/alerts/channels', { name: 'bad', kind: 'wecom', config: { url: 'qyapi.weixin.qq.com/send' } });
    expect(badUrl.status).toBe(400);
    expect(badUrl.json.error.message).toMatch(/^config\.url: expected an http/);
    const dup = await call('POST', '/api/v1/alerts/channels', { name: 'ding', kind: 'wecom', config: { url: `${receiver.url}/x` } });
    expect(dup.status).toBe(409);
    const list = await call('GET', '/api/v1/alerts/channels');
    expect(list.json.channels.map((c: { name: string }) => c.name)).toEqual(['ding', 'feishu', 'wecom ops']);
  });
});

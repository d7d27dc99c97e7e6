import { createHmac } from 'node:crypto';
import { createTransport } from 'nodemailer';
import type { OpenChannelConfig } from './channel-config.ts';
import type { AlertPayload, SendOutcome } from './alert.types.ts';
import { detailsHeading } from './alert-text.ts';

/**
 * One message to one channel, in the channel's own format, signed as it expects. Errors are
 * outcomes (the delivery log records them, the run machinery retries), and never carry a URL or a
 * secret: bot URLs hold their keys.
 */
export interface SendOptions {
  signal?: AbortSignal;
  /** An e-mail channel's recipients replaced (a user's rule naming their own address). */
  emailTo?: string | null;
  /** Seconds since the epoch; tests fix it. */
  now?: () => number;
}

const requestTimeoutMs = 10_000;

/** The generic webhook's signature: hex HMAC-SHA256 under the channel secret of `${timestamp}.${body}`. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** DingTalk 加签: base64 HMAC-SHA256 under the secret of `${timestampMs}\n${secret}` (URL-encoded by the caller). */
export function dingtalkSign(secret: string, timestampMs: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** Feishu/Lark: base64 HMAC-SHA256 keyed by `${timestampSeconds}\n${secret}` over an empty message. */
export function feishuSign(secret: string, timestampSeconds: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

/** Markdown as the bots render it: a bold title and one line per fact. */
function markdownOf(p: AlertPayload): string {
  return [`**${p.title}**`, '', ...p.lines.map((l) => `> ${l}`)].join('\n');
}
function textOf(p: AlertPayload): string {
  return [p.title, ...p.lines].join('\n');
}

export async function sendAlert(channel: OpenChannelConfig, payload: AlertPayload, o: SendOptions = {}): Promise<SendOutcome> {
  const nowMs = o.now ? o.now() * 1000 : Date.now();
  switch (channel.kind) {
    case 'webhook': {
      const body = JSON.stringify(payload);
      const timestamp = String(Math.floor(nowMs / 1000));
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'zquant-alerts', 'x-zquant-event': payload.kind, 'x-zquant-timestamp': timestamp };
      if (channel.config.secret) headers['x-zquant-signature'] = `sha256=${webhookSignature(channel.config.secret, timestamp, body)}`;
      return post(channel.config.url, headers, body, o.signal, null);
    }
    case 'wecom': {
      // https://developer.work.weixin.qq.com/document/path/91770 (群机器人配置说明): msgtype markdown, content ≤ 4096 bytes.
      const body = JSON.stringify({ msgtype: 'markdown', markdown: { content: truncateBytes(markdownOf(payload), 4000) } });
      return post(channel.config.url, { 'content-type': 'application/json' }, body, o.signal, 'errcode');
    }
    case 'dingtalk': {
      // https://open.dingtalk.com/document/robots/custom-robot-access (自定义机器人): markdown {title, text}; 加签 in the query.
      let url = channel.config.url;
      if (channel.config.secret) {
        const timestamp = String(nowMs);
        url += `${url.includes('?') ? '&' : '?'}timestamp=${timestamp}&sign=${encodeURIComponent(dingtalkSign(channel.config.secret, timestamp))}`;
      }
      const body = JSON.stringify({ msgtype: 'markdown', markdown: { title: payload.title, text: markdownOf(payload) } });
      return post(url, { 'content-type': 'application/json' }, body, o.signal, 'errcode');
    }
    case 'feishu': {
      // https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot (自定义机器人): msg_type text; timestamp (seconds) and sign in the body.
      const signed: Record<string, string> = {};
      if (channel.config.secret) {
        const timestamp = String(Math.floor(nowMs / 1000));
        signed.timestamp = timestamp;
        signed.sign = feishuSign(channel.config.secret, timestamp);
      }
      const body = JSON.stringify({ ...signed, msg_type: 'text', content: { text: textOf(payload) } });
      return post(channel.config.url, { 'content-type': 'application/json' }, body, o.signal, 'code');
    }
    case 'email':
      return sendMail(channel.config, payload, o);
  }
}

/** POSTs and reads the answer; `codeField`: the bot's JSON answer carries its own error code there (0 = sent). */
async function post(url: string, headers: Record<string, string>, body: string, signal: AbortSignal | undefined, codeField: 'errcode' | 'code' | null): Promise<SendOutcome> {
  const timeout = AbortSignal.timeout(requestTimeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  } catch (err) {
    return { ok: false, statusCode: null, error: networkError(err, timeout) };
  }
  const text = await res.text().catch(() => '');
  if (res.status < 200 || res.status >= 300) return { ok: false, statusCode: res.status, error: `HTTP ${res.status}${snippet(text)}` };
  if (codeField) {
    let answer: Record<string, unknown> | null = null;
    try {
      answer = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return { ok: false, statusCode: res.status, error: `the bot answered ${res.status} without JSON${snippet(text)}` };
    }
    // Feishu's older answers carry StatusCode; newer ones code.
    const code = answer?.[codeField] ?? answer?.StatusCode;
    if (code !== 0) return { ok: false, statusCode: res.status, error: `the bot refused the message: ${codeField} ${String(code)} ${String(answer?.errmsg ?? answer?.msg ?? '')}`.trim() };
  }
  return { ok: true, statusCode: res.status, error: null };
}

function networkError(err: unknown, timeout: AbortSignal): string {
  if (timeout.aborted) return `no answer within ${requestTimeoutMs / 1000} s`;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  // The code, or a message that quotes no URL (a URL holds a bot's key).
  const why = cause?.code ?? (cause?.message && !cause.message.includes('/') ? cause.message : null) ?? 'network error';
  return `could not reach the channel (${why})`;
}

/** The start of an answer's body, for the log; bot keys are never in answers. */
function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return t ? `: ${t}` : '';
}

function truncateBytes(s: string, max: number): string {
  const b = Buffer.from(s, 'utf8');
  return b.length <= max ? s : b.subarray(0, max).toString('utf8').replace(/\uFFFD*$/, '') + '…';
}

async function sendMail(c: Extract<OpenChannelConfig, { kind: 'email' }>['config'], p: AlertPayload, o: SendOptions): Promise<SendOutcome> {
  const transport = createTransport({
    host: c.host, port: c.port, secure: c.secure,
    auth: c.username ? { user: c.username, pass: c.password ?? '' } : undefined,
    connectionTimeout: requestTimeoutMs, greetingTimeout: requestTimeoutMs, socketTimeout: requestTimeoutMs,
  });
  try {
    const info = await transport.sendMail({ from: c.from, to: o.emailTo ? [o.emailTo] : c.to, subject: p.title, text: `${textOf(p)}\n\n${detailsHeading(p.locale ?? 'en')}\n${JSON.stringify(p, null, 2)}\n` });
    const code = Number(/^(\d{3})/.exec(info.response ?? '')?.[1] ?? 250);
    return { ok: true, statusCode: code, error: null };
  } catch (err) {
    const e = err as { responseCode?: number; code?: string; message?: string };
    // nodemailer's messages name the server and the SMTP reply, never the password.
    return { ok: false, statusCode: e.responseCode ?? null, error: `SMTP: ${e.code ?? ''} ${(e.message ?? '').slice(0, 300)}`.trim() };
  } finally {
    transport.close();
  }
}

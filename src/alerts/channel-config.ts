import { z } from '@hono/zod-openapi';
import { AppError } from '../http/errors.ts';
import { parseInput } from '../http/contract.ts';
import { isSealed, secretMask, type SecretBox } from '../secrets/secret-box.ts';
import type { ChannelKind } from './alert.types.ts';

/**
 * Each channel kind's settings, and which of them are secret. Secret settings (a webhook's signing
 * secret, a bot URL that carries its key, a bot's signing secret, an SMTP password) are stored
 * sealed with the instance key like a task's secret config (src/scheduler/task-secrets.ts), shown
 * as `••••`, and opened only by the delivery executor. Sent back as `••••` (or left out of an
 * edit) a secret keeps its stored value.
 */
const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((s) => s === secretMask || /^https?:\/\/[^\s]+$/i.test(s), { message: 'expected an http:// or https:// URL' });
const secretText = z.string().min(1, { message: 'expected the secret' }).max(2000);
const emailAddress = z.string().trim().max(320).regex(/^[^\s@<>]+@[^\s@<>]+$/, { message: 'expected an e-mail address such as ops@example.com' });

export const WebhookConfigSchema = z
  .object({ url: httpUrl.describe('Where the JSON body is POSTed'), secret: secretText.optional().describe('HMAC-SHA256 key of the X-Zquant-Signature header (secret)') })
  .strict()
  .openapi('WebhookChannelConfig');
export const WecomConfigSchema = z
  .object({ url: httpUrl.describe('The group bot webhook URL with its key=… (secret): https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…') })
  .strict()
  .openapi('WecomChannelConfig');
export const DingtalkConfigSchema = z
  .object({
    url: httpUrl.describe('The robot webhook URL with its access_token (secret): https://oapi.dingtalk.com/robot/send?access_token=…'),
    secret: secretText.optional().describe('The robot’s 加签 secret (SEC…); timestamp and sign are added to the URL (secret)'),
  })
  .strict()
  .openapi('DingtalkChannelConfig');
export const FeishuConfigSchema = z
  .object({
    url: httpUrl.describe('The custom bot webhook URL (secret): https://open.feishu.cn/open-apis/bot/v2/hook/…'),
    secret: secretText.optional().describe('The bot’s signature verification secret; timestamp and sign go in the body (secret)'),
  })
  .strict()
  .openapi('FeishuChannelConfig');
export const EmailConfigSchema = z
  .object({
    host: z.string().trim().min(1, { message: 'expected the SMTP server’s host name' }).max(255),
    port: z.number().int().min(1).max(65535).default(587),
    secure: z.boolean().default(false).describe('TLS from the start (port 465); false: STARTTLS when the server offers it'),
    username: z.string().max(320).optional(),
    password: secretText.optional().describe('SMTP password (secret)'),
    from: emailAddress,
    to: z.array(emailAddress).min(1, { message: 'expected at least one recipient' }).max(50),
  })
  .strict()
  .openapi('EmailChannelConfig');

export const channelConfigSchemas = {
  webhook: WebhookConfigSchema,
  wecom: WecomConfigSchema,
  dingtalk: DingtalkConfigSchema,
  feishu: FeishuConfigSchema,
  email: EmailConfigSchema,
} as const;

export type WebhookConfig = z.output<typeof WebhookConfigSchema>;
export type WecomConfig = z.output<typeof WecomConfigSchema>;
export type DingtalkConfig = z.output<typeof DingtalkConfigSchema>;
export type FeishuConfig = z.output<typeof FeishuConfigSchema>;
export type EmailConfig = z.output<typeof EmailConfigSchema>;
/** A channel's settings with its secrets opened: what a sender gets. */
export type OpenChannelConfig =
  | { kind: 'webhook'; config: WebhookConfig }
  | { kind: 'wecom'; config: WecomConfig }
  | { kind: 'dingtalk'; config: DingtalkConfig }
  | { kind: 'feishu'; config: FeishuConfig }
  | { kind: 'email'; config: EmailConfig };

/** The secret settings of each kind; `required` ones must be stored (a URL holding a key). */
export const secretFields: Record<ChannelKind, readonly { name: string; required: boolean }[]> = {
  webhook: [{ name: 'secret', required: true }],
  wecom: [{ name: 'url', required: true }],
  dingtalk: [{ name: 'url', required: true }, { name: 'secret', required: false }],
  feishu: [{ name: 'url', required: true }, { name: 'secret', required: false }],
  email: [{ name: 'password', required: false }],
};

/**
 * Checks `input` against the kind's schema and seals its secret settings; a secret sent as `••••`
 * or left out keeps the `stored` one. 400s name `config.<field>`; 503 when this server has no key.
 */
export function sealChannelConfig(kind: ChannelKind, input: Record<string, unknown>, stored: Record<string, unknown> | null, box: SecretBox | null): Record<string, unknown> {
  // Fill kept secrets with a placeholder that passes the schema, then put the sealed values back.
  const probe = { ...input };
  for (const { name } of secretFields[kind]) {
    if ((probe[name] === undefined || probe[name] === secretMask) && isSealed(stored?.[name])) probe[name] = name === 'url' ? 'https://kept.invalid/' : 'kept';
    else if (probe[name] === secretMask) delete probe[name];
  }
  const parsed = parseInput(channelConfigSchemas[kind], probe) as Record<string, unknown>;
  const out: Record<string, unknown> = { ...parsed };
  for (const { name, required } of secretFields[kind]) {
    const sent = input[name];
    if ((sent === undefined || sent === secretMask) && isSealed(stored?.[name])) {
      out[name] = stored![name];
      continue;
    }
    if (sent === undefined || sent === secretMask) {
      if (required) throw new AppError(400, 'invalid_request', `config.${name}: required; send the value (it is stored sealed and shown as ${secretMask})`, { field: `config.${name}` });
      delete out[name];
      continue;
    }
    if (!box) throw new AppError(503, 'secrets_unavailable', `config.${name}: this server has no secret key, so it cannot store secrets; start it through zquant serve (DATA_DIR/secret.key or ZQUANT_SECRET_KEY)`, { field: `config.${name}` });
    out[name] = box.seal(String(parsed[name]));
  }
  return out;
}

/** The stored settings as answers show them: each stored secret as `••••`. */
export function maskChannelConfig(kind: ChannelKind, stored: Record<string, unknown>): Record<string, unknown> {
  const out = { ...stored };
  for (const { name } of secretFields[kind]) if (name in out) out[name] = secretMask;
  return out;
}

/** The stored settings with their secrets opened (SecretUnavailableError when the key differs). */
export function openChannelConfig(kind: ChannelKind, stored: Record<string, unknown>, box: SecretBox | null): OpenChannelConfig {
  const out = { ...stored };
  for (const { name } of secretFields[kind]) {
    const v = out[name];
    if (!isSealed(v)) continue;
    if (!box) throw new AppError(503, 'secrets_unavailable', 'this server has no secret key to open the channel’s secrets');
    out[name] = box.open(v);
  }
  return { kind, config: out } as OpenChannelConfig;
}

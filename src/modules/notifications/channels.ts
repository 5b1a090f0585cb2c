import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { Cipher } from '../../platform/crypto.js';
import { errors } from '../../platform/errors.js';
import { SECRET_MASK, type ChannelKind } from './schema.js';

/**
 * Notification channels: where a message leaves SatuKota. `console` prints to stdout (the default,
 * so a fresh install works without a gateway), `smtp` sends e-mail, `webhook` hands the message to an
 * SMS / WhatsApp gateway over HTTP. An adapter throws when the message did not go out; the job runner
 * then retries it with back-off.
 */
export interface OutgoingMessage {
  /** Phone (E.164) for webhook, e-mail for smtp; console takes anything or nothing. */
  to: string | null;
  subject: string;
  body: string;
  topic: string;
  trackingNo?: string | undefined;
}

export const consoleConfigSchema = z.object({});

export const smtpConfigSchema = z.object({
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535).default(587),
  secure: z.boolean().default(false).describe('true: TLS from the start (port 465); false: STARTTLS when offered'),
  user: z.string().max(255).optional(),
  password: z.string().max(500).optional(),
  from: z.string().min(3).max(320).describe('e.g. "SatuKota Cilegon <noreply@cilegon.go.id>"'),
});

export const webhookConfigSchema = z.object({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  secret: z.string().min(1).max(500).optional().describe('signs each request: X-SatuKota-Signature: sha256=<HMAC of the body>'),
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/), z.string().max(2000)).optional().describe('e.g. the gateway’s API key'),
  timeoutMs: z.number().int().min(500).max(60_000).optional(),
});

export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;
export type SmtpConfig = z.infer<typeof smtpConfigSchema>;
export type WebhookConfig = z.infer<typeof webhookConfigSchema>;
export type ChannelConfig = ConsoleConfig | SmtpConfig | WebhookConfig;

export const CONFIG_SCHEMAS = { console: consoleConfigSchema, smtp: smtpConfigSchema, webhook: webhookConfigSchema } as const;

export interface ChannelAdapter {
  readonly kind: ChannelKind;
  send(message: OutgoingMessage, config: ChannelConfig): Promise<void>;
}

// --- secrets in configs ---------------------------------------------------------------------------

const SECRET_FIELDS: Record<ChannelKind, readonly string[]> = { console: [], smtp: ['password'], webhook: ['secret'] };

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The config as the admin sees it: secrets (and webhook header values, which carry API keys) masked. */
export function presentConfig(kind: ChannelKind, config: ChannelConfig): Json {
  const shown: Json = { ...config };
  for (const f of SECRET_FIELDS[kind]) if (shown[f] !== undefined) shown[f] = SECRET_MASK;
  if (isRecord(shown.headers)) shown.headers = Object.fromEntries(Object.keys(shown.headers).map((k) => [k, SECRET_MASK]));
  return shown;
}

/**
 * Applies the admin's changes to the stored config (none when creating): fields left out keep their
 * value, `null` clears an optional field, and a secret sent back as the mask keeps the stored secret,
 * so a form can round-trip what `presentConfig` showed. Throws a 400 when the result is not valid.
 */
export function mergeConfig(kind: ChannelKind, stored: ChannelConfig | undefined, changes: Json): ChannelConfig {
  const old: Json = { ...stored };
  const merged: Json = { ...old, ...changes };
  for (const [k, v] of Object.entries(changes)) if (v === null) delete merged[k];
  for (const f of SECRET_FIELDS[kind]) {
    if (changes[f] !== SECRET_MASK) continue;
    if (old[f] === undefined) delete merged[f];
    else merged[f] = old[f];
  }
  if (isRecord(changes.headers)) {
    const oldHeaders = isRecord(old.headers) ? old.headers : {};
    merged.headers = Object.fromEntries(
      Object.entries(changes.headers).flatMap(([k, v]) => (v !== SECRET_MASK ? [[k, v]] : oldHeaders[k] !== undefined ? [[k, oldHeaders[k]]] : [])),
    );
  }
  return parseConfig(kind, merged);
}

/** A channel's stored (encrypted) config, as its adapter takes it. */
export function readConfig(cipher: Cipher, configEnc: string): ChannelConfig {
  return JSON.parse(cipher.decrypt(configEnc)) as ChannelConfig;
}

export function parseConfig(kind: ChannelKind, value: unknown): ChannelConfig {
  const result = CONFIG_SCHEMAS[kind].safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({ field: ['config', ...i.path].join('.'), message: i.message }));
    throw errors.badRequest(
      'channel_config_invalid',
      { id: `Konfigurasi kanal tidak valid (${issues[0]?.field}: ${issues[0]?.message}).`, en: `Invalid channel configuration (${issues[0]?.field}: ${issues[0]?.message}).` },
      { issues, field: issues[0]?.field },
    );
  }
  return result.data;
}

// --- masking --------------------------------------------------------------------------------------

/** 'budi@example.id' → 'b***@example.id'; '+6281234567890' → '+6281******890'; anything else as is. */
export function maskRecipient(to: string): string {
  const at = to.indexOf('@');
  if (at > 0) return `${to[0]}***${to.slice(at)}`;
  const digits = to.replace(/^\+/, '');
  if (/^[0-9]{8,15}$/.test(digits)) {
    const plus = to.startsWith('+') ? '+' : '';
    return `${plus}${digits.slice(0, 4)}${'*'.repeat(digits.length - 7)}${digits.slice(-3)}`;
  }
  return to;
}

// --- adapters -------------------------------------------------------------------------------------

const E164 = /^\+[1-9][0-9]{7,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isE164(value: string): boolean {
  return E164.test(value);
}
export function isEmail(value: string): boolean {
  return EMAIL.test(value);
}

/** Prints to stdout, not the log: the log is scrubbed of phone numbers and shipped elsewhere. */
export function consoleAdapter(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): ChannelAdapter {
  return {
    kind: 'console',
    async send(message) {
      const to = message.to ? maskRecipient(message.to) : '-';
      write(`[notifikasi → ${to}] ${message.subject} — ${message.body.replace(/\s*\n\s*/g, ' ')}`);
    },
  };
}

/** Sends e-mail through the channel's SMTP server (nodemailer, loaded only where e-mail is sent). */
export function smtpAdapter(): ChannelAdapter {
  return {
    kind: 'smtp',
    async send(message, config) {
      const c = config as SmtpConfig;
      if (!message.to || !isEmail(message.to)) throw new Error('smtp needs an e-mail address');
      const { default: nodemailer } = await import('nodemailer'); // only nodes that send e-mail need it
      const transport = nodemailer.createTransport({
        host: c.host,
        port: c.port,
        secure: c.secure,
        ...(c.user ? { auth: { user: c.user, pass: c.password ?? '' } } : {}),
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      });
      try {
        await transport.sendMail({ from: c.from, to: message.to, subject: message.subject, text: message.body });
      } finally {
        transport.close();
      }
    },
  };
}

/** The X-SatuKota-Signature header's value: the HMAC-SHA256 of the raw body under the channel's secret. */
export function signWebhook(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** Hands the message to an SMS / WhatsApp gateway: a JSON POST, signed when the channel has a secret. */
export function webhookAdapter(): ChannelAdapter {
  return {
    kind: 'webhook',
    async send(message, config) {
      const c = config as WebhookConfig;
      if (!message.to || !isE164(message.to)) throw new Error('webhook needs a phone number in E.164 form (+628…)');
      const sentAt = new Date();
      const raw = JSON.stringify({
        to: message.to,
        subject: message.subject,
        message: message.body,
        topic: message.topic,
        trackingNo: message.trackingNo ?? null,
        sentAt: sentAt.toISOString(),
      });
      const timeoutMs = c.timeoutMs ?? 10_000;
      const headers: Record<string, string> = { ...c.headers, 'content-type': 'application/json' };
      if (c.secret) {
        headers['x-satukota-signature'] = signWebhook(c.secret, raw);
        headers['x-satukota-timestamp'] = String(Math.floor(sentAt.getTime() / 1000));
      }
      let response: Response;
      try {
        response = await fetch(c.url, { method: 'POST', headers, body: raw, signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        const e = error as { name?: string; cause?: { code?: string }; message?: string };
        if (e.name === 'TimeoutError') throw new Error(`webhook did not answer within ${timeoutMs} ms`, { cause: error });
        // Not the URL: it may carry the gateway's key in its query.
        throw new Error(`webhook request failed: ${e.cause?.code ?? e.message ?? 'unknown error'}`, { cause: error });
      }
      await response.body?.cancel();
      if (!response.ok) throw new Error(`webhook answered HTTP ${response.status}`);
    },
  };
}

export type Adapters = Record<ChannelKind, ChannelAdapter>;

/** The real adapters, one per channel kind (tests replace them). */
export function defaultAdapters(): Adapters {
  return { console: consoleAdapter(), smtp: smtpAdapter(), webhook: webhookAdapter() };
}

import { z } from 'zod';

/** The kinds of notification channel (src/modules/notifications/channels.ts has their adapters). */
export const CHANNEL_KINDS = ['console', 'smtp', 'webhook'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** What the admin sees in place of a stored secret, and sends back to keep it. */
export const SECRET_MASK = '********';

/** A notification channel as the admin sees it. */
export const channelSchema = z.object({
  id: z.string(),
  kind: z.enum(CHANNEL_KINDS),
  name: z.string(),
  enabled: z.boolean(),
  config: z.record(z.string(), z.unknown()).describe(`secrets shown as ${SECRET_MASK}`),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ChannelView = z.infer<typeof channelSchema>;

/** One message to one recipient through one channel, and how sending it went. */
export const deliverySchema = z.object({
  id: z.number(),
  channelId: z.string(),
  channelName: z.string(),
  channelKind: z.enum(CHANNEL_KINDS),
  recipient: z.string().nullable().describe('masked address; null for a console message to an account holder, and when recipientHidden'),
  recipientHidden: z.boolean().describe('the recipient may be the reporter of an anonymous report: neither address nor account is shown'),
  recipientUserId: z.string().nullable().describe("the officer's account; null for citizens"),
  topic: z.string(),
  subject: z.string(),
  reportId: z.string().nullable(),
  status: z.enum(['pending', 'sent', 'failed', 'skipped']),
  attempts: z.number(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});
export type DeliveryView = z.infer<typeof deliverySchema>;
export type DeliveryStatus = DeliveryView['status'];

/** The answer to a test message: whether it went out, and the gateway's error if not. */
export const channelTestResultSchema = z.object({ ok: z.boolean(), error: z.string().nullable() });

import { z } from 'zod';
import { errorSchema, requestMeta, type HttpApp } from '../../platform/http.js';
import { notificationsPolicy } from './policy.js';
import { consoleConfigSchema, smtpConfigSchema, webhookConfigSchema } from './channels.js';
import { channelSchema, channelTestResultSchema, deliverySchema, SECRET_MASK } from './schema.js';
import type { NotificationsService } from './service.js';

const name = z.string().trim().min(1).max(100);
const enabled = z.boolean().default(true);
const createChannelBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('console'), name, enabled, config: consoleConfigSchema.default({}) }),
  z.object({ kind: z.literal('smtp'), name, enabled, config: smtpConfigSchema }),
  z.object({ kind: z.literal('webhook'), name, enabled, config: webhookConfigSchema }),
]);

const updateChannelBody = z.object({
  name: name.optional(),
  enabled: z.boolean().optional(),
  config: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(`fields to change; null clears an optional field; a secret sent as ${SECRET_MASK} (or left out) keeps the stored one`),
});

const channelParams = z.object({ id: z.uuid() });

/** Admin only: the notification channels and the delivery log. */
export function notificationRoutes(app: HttpApp, notifications: NotificationsService): void {
  const tags = ['notifications'];
  const errs = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };
  const admin = (request: Parameters<typeof requestMeta>[0]) => {
    const p = notificationsPolicy.authorize(request.principal, 'notifications.configure');
    return { actor: { id: p.userId, label: p.role }, ip: requestMeta(request).ip };
  };

  app.get(
    '/api/v1/notification-channels',
    { schema: { tags, summary: 'Notification channels (admin)', response: { 200: z.object({ channels: z.array(channelSchema) }), ...errs } } },
    async (request) => {
      admin(request);
      return { channels: await notifications.listChannels() };
    },
  );

  app.post(
    '/api/v1/notification-channels',
    { schema: { tags, summary: 'Add a notification channel (admin)', body: createChannelBody, response: { 201: z.object({ channel: channelSchema }), ...errs } } },
    async (request, reply) => {
      const { actor, ip } = admin(request);
      const channel = await notifications.createChannel(request.body, actor, ip);
      return reply.status(201).send({ channel });
    },
  );

  app.patch(
    '/api/v1/notification-channels/:id',
    {
      schema: { tags, summary: 'Change a notification channel (admin)', params: channelParams, body: updateChannelBody, response: { 200: z.object({ channel: channelSchema }), ...errs } },
    },
    async (request) => {
      const { actor, ip } = admin(request);
      return { channel: await notifications.updateChannel(request.params.id, request.body, actor, ip) };
    },
  );

  app.delete(
    '/api/v1/notification-channels/:id',
    { schema: { tags, summary: 'Remove a notification channel (admin)', params: channelParams, response: { 204: z.null(), ...errs } } },
    async (request, reply) => {
      const { actor, ip } = admin(request);
      await notifications.deleteChannel(request.params.id, actor, ip);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/notification-channels/:id/test',
    {
      schema: {
        tags,
        summary: 'Send a test message now (admin)',
        params: channelParams,
        body: z.object({ to: z.string().max(320).optional().describe('a phone number (webhook) or an e-mail address (smtp)') }),
        response: { 200: channelTestResultSchema, ...errs },
      },
    },
    async (request) => {
      const { actor, ip } = admin(request);
      return notifications.testChannel(request.params.id, request.body.to, actor, ip);
    },
  );

  app.get(
    '/api/v1/notification-deliveries',
    {
      schema: {
        tags,
        summary: 'Notification deliveries, newest first (admin)',
        querystring: z.object({
          status: z.enum(['pending', 'sent', 'failed', 'skipped']).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          before: z.coerce.number().int().positive().optional(),
        }),
        response: { 200: z.object({ deliveries: z.array(deliverySchema), nextCursor: z.number().nullable() }), ...errs },
      },
    },
    async (request) => {
      admin(request);
      return notifications.deliveries.list(request.query);
    },
  );

  app.post(
    '/api/v1/notification-deliveries/:id/retry',
    {
      schema: {
        tags,
        summary: 'Send a failed delivery again (admin)',
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 200: z.object({ delivery: deliverySchema }), ...errs },
      },
    },
    async (request) => {
      const { actor, ip } = admin(request);
      return { delivery: await notifications.deliveries.retry(request.params.id, actor, ip) };
    },
  );
}

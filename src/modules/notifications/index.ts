/**
 * Notifications' public face: channels (console, SMTP, webhook), deliveries with retries, and the
 * subscriber that turns report events into messages.
 */
import type { AuditRecorder } from '../../platform/audit.js';
import type { Cipher } from '../../platform/crypto.js';
import type { Database } from '../../platform/db.js';
import type { JobRunner } from '../../platform/jobs.js';
import type { Logger } from '../../platform/logger.js';
import type { FeatureModule } from '../../platform/module.js';
import { notificationRoutes } from './routes.js';
import { NotificationsService, type NotificationsOptions, type ReportsLookup } from './service.js';

export {
  consoleAdapter,
  defaultAdapters,
  maskRecipient,
  mergeConfig,
  presentConfig,
  signWebhook,
  smtpAdapter,
  webhookAdapter,
  type Adapters,
  type ChannelAdapter,
  type ChannelConfig,
  type OutgoingMessage,
} from './channels.js';
export {
  DELIVER_JOB,
  MAX_ATTEMPTS,
  type NotificationsService,
  type NotificationMessage,
  type NotificationsOptions,
  type Recipient,
  type ReportsLookup,
} from './service.js';
export { CHANNEL_KINDS, SECRET_MASK, type ChannelKind, type ChannelView, type DeliveryStatus, type DeliveryView } from './schema.js';

export interface NotificationsModule extends FeatureModule {
  service: NotificationsService;
}

export interface NotificationsDeps {
  db: Database;
  cipher: Cipher;
  audit: AuditRecorder;
  log: Logger;
  jobs: JobRunner;
  reports: ReportsLookup;
  options: NotificationsOptions;
}

export function notificationsModule(deps: NotificationsDeps): NotificationsModule {
  const service = new NotificationsService(deps.db, deps.cipher, deps.audit, deps.log, deps.jobs, deps.options);
  return {
    name: 'notifications',
    service,
    routes: (app) => notificationRoutes(app, service),
    subscribe: (events) => void service.subscribe(events, deps.reports),
  };
}

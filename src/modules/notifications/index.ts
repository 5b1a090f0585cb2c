/**
 * Notifications' public face: channels (console, SMTP, webhook), deliveries with retries, and the
 * subscriber that turns report events into messages. Who the people are comes from identity's
 * functions and what a report holds from the reports module's, both passed in.
 */
import type { AuditRecorder } from '../../platform/audit.js';
import type { Cipher } from '../../platform/crypto.js';
import type { Database } from '../../platform/db.js';
import type { JobRunner } from '../../platform/jobs.js';
import type { Logger } from '../../platform/logger.js';
import type { FeatureModule } from '../../platform/module.js';
import type { People } from './deliveries.js';
import { ReportMessages, type ReportsLookup } from './report-messages.js';
import { notificationRoutes } from './routes.js';
import { NotificationsService, type NotificationsOptions } from './service.js';

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
export { DELIVER_JOB, MAX_ATTEMPTS, type Deliveries, type NotificationMessage, type People, type Recipient, type ReportFacts } from './deliveries.js';
export type { ReportsLookup } from './report-messages.js';
export type { NotificationsOptions, NotificationsService } from './service.js';
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
  /** Identity's accounts: the officers of a unit, the coordinators, how each person is reached. */
  people: People;
  reports: ReportsLookup;
  options: NotificationsOptions;
}

/** Notifications as a module: the admin's routes, the delivery job (registered on `jobs`) and the report-event subscriber. */
export function notificationsModule(deps: NotificationsDeps): NotificationsModule {
  const service = new NotificationsService(deps, deps.options);
  const reportMessages = new ReportMessages(deps.db, service.deliveries, deps.people, deps.reports, deps.options.publicUrl);
  return {
    name: 'notifications',
    service,
    routes: (app) => notificationRoutes(app, service),
    subscribe: (events) => void reportMessages.subscribe(events),
  };
}

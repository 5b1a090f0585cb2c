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
  NotificationsService,
  type NotificationMessage,
  type NotificationsOptions,
  type Recipient,
  type ReportsLookup,
} from './service.js';
export { notificationRoutes } from './routes.js';
export { CHANNEL_KINDS, SECRET_MASK, type ChannelKind, type ChannelView, type DeliveryStatus, type DeliveryView } from './schema.js';

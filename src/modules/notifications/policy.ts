import { definePolicy } from '../../platform/policy.js';
import { roles } from '../identity/index.js';

/** Notification channels (gateways, their secrets) are configured by the admin only. */
export const notificationsPolicy = definePolicy({
  general: { 'notifications.configure': roles('admin') },
  onResource: {},
});

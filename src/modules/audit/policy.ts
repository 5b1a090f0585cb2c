import { definePolicy } from '../../platform/policy.js';
import { roles } from '../identity/index.js';

/** The audit trail is read (and verified) by the admin only. */
export const auditPolicy = definePolicy({
  general: { 'audit.read': roles('admin') },
  onResource: {},
});

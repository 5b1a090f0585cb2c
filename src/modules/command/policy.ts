import { definePolicy } from '../../platform/policy.js';
import { roles } from '../identity/index.js';

/** The command center's figures are for officers and those who watch the city; each sees them within their scope. */
export const commandPolicy = definePolicy({
  general: { 'stats.read': roles('admin', 'coordinator', 'pimpinan', 'command', 'officer') },
  onResource: {},
});

import { definePolicy } from '../../platform/policy.js';
import { roles } from '../identity/index.js';

/** Agencies are public to read; the admin adds and changes them. */
export const agenciesPolicy = definePolicy({
  general: { 'agencies.write': roles('admin') },
  onResource: {},
});

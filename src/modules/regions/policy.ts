import { definePolicy } from '../../platform/policy.js';
import { roles } from '../identity/index.js';

/** Regions' actions: the area tree and boundaries are public; only the admin imports boundaries. */
export const regionsPolicy = definePolicy({
  general: { 'regions.import': roles('admin') },
  onResource: {},
});

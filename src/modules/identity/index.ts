/**
 * Identity's public face: citizens and officers, roles and scopes, sessions and authentication, the
 * in-person NIK claim, and the event that ends a viewer's access. Other modules import from here,
 * never from identity's files; identity imports no other module (names of units come in as a function).
 */
import type { FeatureModule } from '../../platform/module.js';
import { createIdentity, type Identity, type IdentityDeps } from './identity.js';
import { identityRoutes, registerAuthentication } from './routes.js';

export { ACCESS_CHANGED, losesAccess, type AccessChanged } from './access-events.js';
export type { Me, Reachable } from './accounts.js';
export type { Identity } from './identity.js';
export type { OfficerInput } from './officers.js';
export { maskPhone, normalisePhone } from './personal-data.js';
export type { PreparedCitizen } from './registration.js';
export { anyone, CITY_WIDE_READERS, covers, OFFICER_ROLES, roles, type Principal, type Role, type Scope } from './roles.js';

export interface IdentityModule extends FeatureModule, Identity {}

/** Identity as a module: authentication on every request, its routes, and the hourly sweep of attempt counters. */
export function identityModule(deps: IdentityDeps): IdentityModule {
  const identity = createIdentity(deps);
  return {
    ...identity,
    name: 'identity',
    hooks: (app) => registerAuthentication(app, identity.sessions),
    routes: (app) => identityRoutes(app, identity),
    jobs: [{ kind: 'identity.throttle_sweep', everyMs: 3600_000, run: () => identity.sessions.sweepThrottling() }],
  };
}

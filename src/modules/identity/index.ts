/**
 * Identity's public face: citizens and officers, sessions and authentication, the policy (who may do
 * what, with the resource), the in-person NIK claim and the event that ends a viewer's access. Other
 * modules import from here, never from identity's files.
 */
export { ACCESS_CHANGED, losesAccess, type AccessChanged } from './access-events.js';
export { NikClaims } from './nik-claims.js';
export { maskPhone, normalisePhone } from './personal-data.js';
export { authorize, can, OFFICER_ROLES, type Action, type Principal, type ReportResource, type Role, type Scope } from './policy.js';
export { identityRoutes, registerAuthentication, requestMeta } from './routes.js';
export { errorSchema } from './schema.js';
export { IdentityService, type PreparedCitizen, type RequestMeta } from './service.js';

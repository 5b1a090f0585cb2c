/** The audit trail's public face: appending entries, verifying the chain, and its admin routes. */
export { AuditTrail, canonicalJson, type AuditActor } from './audit.js';
export { auditRoutes } from './routes.js';

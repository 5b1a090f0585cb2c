/**
 * The audit trail's public face: the HMAC-chained trail (modules append through platform/audit's
 * AuditRecorder, which it implements), its verification, and the admin's routes.
 */
import type { Database } from '../../platform/db.js';
import type { FeatureModule } from '../../platform/module.js';
import { AuditTrail } from './audit.js';
import { auditRoutes } from './routes.js';

export { canonicalJson, type AuditTrail } from './audit.js';

export interface AuditModule extends FeatureModule {
  trail: AuditTrail;
}

/** Builds the audit module with the HMAC key derived from the secret key. */
export function auditModule(deps: { db: Database; key: Buffer }): AuditModule {
  const trail = new AuditTrail(deps.db, deps.key);
  return { name: 'audit', trail, routes: (app) => auditRoutes(app, trail) };
}

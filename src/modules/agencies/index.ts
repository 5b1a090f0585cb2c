/**
 * Agencies' public face: the city's OPDs and external agencies, their names and heads (the head is an
 * officer that identity knows; it comes in as a function), and their routes.
 */
import type { AuditRecorder } from '../../platform/audit.js';
import type { Database } from '../../platform/db.js';
import type { FeatureModule } from '../../platform/module.js';
import { agencyRoutes } from './routes.js';
import { AgenciesService, type HeadLookup } from './service.js';

export type { Agency } from './schema.js';
export type { AgenciesService, AgencyInput } from './service.js';

export interface AgenciesModule extends FeatureModule {
  /** Lists, names and creates agencies: what other modules and the demo seed call. */
  service: AgenciesService;
}

/** Builds the agencies module; `headOf` finds an agency's head (identity knows officers). */
export function agenciesModule(deps: { db: Database; audit: AuditRecorder; headOf: HeadLookup }): AgenciesModule {
  const service = new AgenciesService(deps.db, deps.audit, deps.headOf);
  return { name: 'agencies', service, routes: (app) => agencyRoutes(app, service) };
}

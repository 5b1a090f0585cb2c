/**
 * Regions' public face: the city's area tree (Kemendagri codes), kelurahan boundaries and the point →
 * kelurahan lookup, and their routes.
 */
import type { Database } from '../../platform/db.js';
import type { FeatureModule } from '../../platform/module.js';
import { regionRoutes } from './routes.js';
import { RegionsService } from './service.js';

export { bboxOf, geometryContains, type AreaGeometry } from '../../shared/geometry.js';
export { normaliseRegionCode, type RegionsService } from './service.js';

export interface RegionsModule extends FeatureModule {
  /** Names, the tree, locate(point) and the boundary import: what other modules, the CLI and the demo call. */
  service: RegionsService;
}

/** Builds the regions module for the configured city. */
export function regionsModule(deps: { db: Database; cityCode: string }): RegionsModule {
  const service = new RegionsService(deps.db, deps.cityCode);
  return { name: 'regions', service, routes: (app) => regionRoutes(app, service) };
}

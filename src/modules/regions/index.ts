/** Regions' public face: the area tree and boundaries service, its routes, and point-in-polygon geometry. */
export { bboxOf, geometryContains, type AreaGeometry } from '../../shared/geometry.js';
export { regionRoutes } from './routes.js';
export { normaliseRegionCode, RegionsService } from './service.js';

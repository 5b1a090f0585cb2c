/**
 * Shared by the server (regions: boundary import, point → kelurahan) and the web app (the kelurahan under
 * the report form's pin, found on the phone): pure and dependency-free.
 *
 * Just enough planar geometry for boundaries in lng/lat degrees: validation of GeoJSON polygons,
 * bounding boxes and an even-odd point-in-polygon test that honours holes. At city scale the error
 * of treating degrees as planar is far below the precision of any boundary data.
 */
export type Position = [number, number];
export type Ring = Position[];
export type PolygonCoords = Ring[];

export interface PolygonGeometry {
  type: 'Polygon';
  coordinates: PolygonCoords;
}
export interface MultiPolygonGeometry {
  type: 'MultiPolygon';
  coordinates: PolygonCoords[];
}
export type AreaGeometry = PolygonGeometry | MultiPolygonGeometry;

export interface BBox {
  minLng: number;
  minLat: number;
  maxLng: number;
  maxLat: number;
}

function polygonsOf(geometry: AreaGeometry): PolygonCoords[] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}

/** The bounding box of an area (its least and greatest longitude and latitude). */
export function bboxOf(geometry: AreaGeometry): BBox {
  const box = { minLng: Infinity, minLat: Infinity, maxLng: -Infinity, maxLat: -Infinity };
  for (const polygon of polygonsOf(geometry))
    for (const [lng, lat] of polygon[0] ?? []) {
      box.minLng = Math.min(box.minLng, lng);
      box.maxLng = Math.max(box.maxLng, lng);
      box.minLat = Math.min(box.minLat, lat);
      box.maxLat = Math.max(box.maxLat, lat);
    }
  return box;
}

function ringContains(ring: Ring, lng: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether a point (longitude, latitude) lies inside the area (holes excluded). */
export function geometryContains(geometry: AreaGeometry, lng: number, lat: number): boolean {
  return polygonsOf(geometry).some(
    ([outer, ...holes]) => outer !== undefined && ringContains(outer, lng, lat) && !holes.some((h) => ringContains(h, lng, lat)),
  );
}

/** Problems with a GeoJSON geometry as a list of sentences; empty when it is a usable area. */
export function validateAreaGeometry(geometry: unknown): string[] {
  const g = geometry as { type?: unknown; coordinates?: unknown } | null;
  if (!g || typeof g !== 'object') return ['geometry is missing'];
  if (g.type !== 'Polygon' && g.type !== 'MultiPolygon') return [`geometry type ${String(g.type)} is not Polygon or MultiPolygon`];
  const polygons = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as unknown;
  if (!Array.isArray(polygons) || polygons.length === 0) return ['geometry has no coordinates'];
  const problems: string[] = [];
  polygons.forEach((polygon, p) => {
    if (!Array.isArray(polygon) || polygon.length === 0) {
      problems.push(`polygon ${p + 1} has no rings`);
      return;
    }
    polygon.forEach((ring: unknown, r: number) => {
      if (!Array.isArray(ring) || ring.length < 4) {
        problems.push(`polygon ${p + 1} ring ${r + 1} needs at least 4 positions`);
        return;
      }
      const bad = ring.findIndex(
        (pos: unknown) =>
          !Array.isArray(pos) ||
          pos.length < 2 ||
          !Number.isFinite(pos[0]) ||
          !Number.isFinite(pos[1]) ||
          Math.abs(pos[0] as number) > 180 ||
          Math.abs(pos[1] as number) > 90,
      );
      if (bad >= 0) {
        problems.push(`polygon ${p + 1} ring ${r + 1} position ${bad + 1} is not a [longitude, latitude] pair`);
        return;
      }
      const first = ring[0] as number[];
      const last = ring[ring.length - 1] as number[];
      if (first[0] !== last[0] || first[1] !== last[1]) problems.push(`polygon ${p + 1} ring ${r + 1} is not closed`);
    });
  });
  return problems;
}

/** Drops altitude and keeps only [lng, lat], so stored geometry has one shape. */
export function normaliseGeometry(geometry: AreaGeometry): AreaGeometry {
  const ring = (r: Ring): Ring => r.map(([lng, lat]) => [lng, lat]);
  return geometry.type === 'Polygon'
    ? { type: 'Polygon', coordinates: geometry.coordinates.map(ring) }
    : { type: 'MultiPolygon', coordinates: geometry.coordinates.map((p) => p.map(ring)) };
}

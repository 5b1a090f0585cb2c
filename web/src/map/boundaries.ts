// The city's kelurahan boundaries (GeoJSON), asked for once per page load and shared by every map (the
// citizen's, the officer's, the command center's) and by the kelurahan lookup of the report form's pin;
// apart from the map base (CityMap.tsx) so that /lapor can start the download before Leaflet has
// arrived. The copy kept on the device from the last download serves at once (a later visit draws the
// maps without waiting for the network, offline too) while a fresh one is fetched for the next visit.
import { geometryContains, type AreaGeometry } from '../../../src/shared/geometry';
import { keptCopyFirst } from '../offline';

let cache: Promise<GeoJSON.FeatureCollection | null> | null = null;

export function boundaries(): Promise<GeoJSON.FeatureCollection | null> {
  cache ??= keptCopyFirst('boundaries', async () => {
    const r = await fetch('/api/v1/regions/boundaries.geojson', { credentials: 'same-origin' });
    if (!r.ok) throw new Error(`boundaries: HTTP ${r.status}`);
    return (await r.json()) as GeoJSON.FeatureCollection;
  })
    .catch(() => null)
    .then((fc) => {
      if (!fc) cache = null; // offline with no copy, or failed: try again with the next map
      return fc;
    });
  return cache;
}

export interface Kelurahan {
  code: string;
  name: string;
}

/**
 * The kelurahan at a point, found on the phone with the same point-in-polygon test as the server's (which
 * routes the report when it arrives): no round trip per move of the pin, and it works offline. `null`
 * when the point is outside every kelurahan; `undefined` when the boundaries are not available.
 */
export async function kelurahanAt(lat: number, lng: number): Promise<Kelurahan | null | undefined> {
  const fc = await boundaries();
  if (!fc) return undefined;
  for (const f of fc.features) {
    const g = f.geometry;
    if ((g?.type === 'Polygon' || g?.type === 'MultiPolygon') && geometryContains(g as AreaGeometry, lng, lat)) {
      const p = f.properties as { code?: string; name?: string } | null;
      if (p?.code && p.name) return { code: p.code, name: p.name };
    }
  }
  return null;
}

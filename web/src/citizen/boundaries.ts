// The city's kelurahan boundaries (GeoJSON), asked for once per page load and shared by every map; kept
// apart from MapView so that /lapor can start the download before Leaflet has arrived.
let cache: Promise<GeoJSON.FeatureCollection | null> | null = null;

export function boundaries(): Promise<GeoJSON.FeatureCollection | null> {
  cache ??= fetch('/api/v1/regions/boundaries.geojson', { credentials: 'same-origin' })
    .then((r) => (r.ok ? (r.json() as Promise<GeoJSON.FeatureCollection>) : null))
    .catch(() => null)
    .then((fc) => {
      if (!fc) cache = null; // offline or failed: try again with the next map
      return fc;
    });
  return cache;
}

// The one map base of the web app, under the citizen's maps (MapView), the officer's report map and the
// command center's wall: a Leaflet map with the city's tiles when the city has a tile server (its
// config, GET /city), the kelurahan boundaries (./boundaries.ts: downloaded once per page load, kept on
// the device) drawn with their names, the city's extent to start from, and one legend. Each page adds
// what is its own (a pin, report points, the command center's layers) and styles the boundaries.
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import type { City } from '../api';
import './map.css';

/** Where a map starts when the city has no boundaries yet (an installation before its import). */
const FALLBACK_VIEW: { center: L.LatLngTuple; zoom: number } = { center: [-6.0, 106.05], zoom: 12 };

export interface CityMapOptions extends L.MapOptions {
  /** A class for the tile layer (the command center darkens its tiles with it). */
  tileClassName?: string;
}

/**
 * A map in `el` with the city's tiles (none when `tiles` is null: the boundaries are the map then),
 * following its box when that is resized (a phone turned, the wall gone full screen). `map.remove()`
 * ends it.
 */
export function createCityMap(el: HTMLElement, tiles: City['mapTiles'], { tileClassName, ...options }: CityMapOptions = {}): L.Map {
  const map = L.map(el, { zoomSnap: 0.25, ...options });
  if (tiles) L.tileLayer(tiles.url, { attribution: tiles.attribution, maxZoom: 19, ...(tileClassName ? { className: tileClassName } : {}) }).addTo(map);
  const resized = new ResizeObserver(() => map.invalidateSize());
  resized.observe(el);
  map.on('unload', () => resized.disconnect());
  return map;
}

type Feature = GeoJSON.Feature<GeoJSON.Geometry | null, { code?: string; name?: string } | null>;

export interface BoundaryOptions {
  style: L.PathOptions | ((feature: Feature) => L.PathOptions);
  /** Pointer events and the kelurahan's name on hover; off where the map is for picking a place. */
  interactive?: boolean;
  /** A class for the name tooltips. */
  tooltipClassName?: string;
}

/** The kelurahan boundaries as one layer, each named on hover when interactive. */
export function boundaryLayer(fc: GeoJSON.FeatureCollection | null, { style, interactive = true, tooltipClassName }: BoundaryOptions): L.GeoJSON {
  return L.geoJSON(fc ?? undefined, {
    style: (f) => (typeof style === 'function' ? style(f as Feature) : style),
    interactive,
    onEachFeature: (f, layer) => {
      const name = (f as Feature).properties?.name;
      if (interactive && typeof name === 'string') layer.bindTooltip(name, { sticky: true, ...(tooltipClassName ? { className: tooltipClassName } : {}) });
    },
  });
}

/** The code of the kelurahan a boundary layer's part was drawn from. */
export function kelurahanCodeOf(layer: L.Layer): string | undefined {
  return (layer as L.Layer & { feature?: Feature }).feature?.properties?.code;
}

/** Shows the whole city (its kelurahan), or the fallback view when it has none. */
export function showCity(map: L.Map, fc: GeoJSON.FeatureCollection | null, padding: number): void {
  const bounds = fc && fc.features.length > 0 ? L.geoJSON(fc).getBounds() : null;
  // No animation: a page left mid-zoom would make Leaflet's transition end on a removed map.
  if (bounds?.isValid()) map.fitBounds(bounds, { padding: [padding, padding], animate: false });
  else map.setView(FALLBACK_VIEW.center, FALLBACK_VIEW.zoom, { animate: false });
}

export interface LegendKey {
  /** The key's look: classes of the page's own markers (e.g. the command center's `cc-overdue`). */
  className: string;
  text: string;
}

/** What the colours on a map mean, over its lower left corner. */
export function MapLegend({ label, keys, className }: { label: string; keys: LegendKey[]; className?: string }) {
  return (
    <ul className={'map-legend' + (className ? ' ' + className : '')} aria-label={label}>
      {keys.map((k) => (
        <li key={k.text}>
          <span className={'map-legend-key ' + k.className} />
          {k.text}
        </li>
      ))}
    </ul>
  );
}

// The live map: a dark Leaflet map with every registered layer (see layers.ts), re-queried when the
// map moves and whenever `refreshKey` changes (a live event arrived).
import { useEffect, useRef } from 'react';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import type { City } from '../api';
import { registeredLayers, type LayerInstance, type LiveReport } from './layers';
import './reportLayers';
import type { CommandStrings } from './strings';

interface Props {
  city: City;
  strings: CommandStrings;
  refreshKey: number;
  /** The latest report from the live stream (a new object each time). */
  live: LiveReport | null;
}

export function CommandMap({ city, strings, refreshKey, live }: Props) {
  const el = useRef<HTMLDivElement>(null);
  const instances = useRef<LayerInstance[]>([]);

  useEffect(() => {
    const node = el.current;
    if (!node) return;
    let alive = true;
    let map: L.Map | undefined;
    const created: LayerInstance[] = [];
    let ro: ResizeObserver | undefined;

    void fetch('/api/v1/regions/boundaries.geojson', { credentials: 'same-origin' })
      .then((r) => (r.ok ? (r.json() as Promise<GeoJSON.FeatureCollection>) : null))
      .catch(() => null)
      .then((boundaries) => {
        if (!alive) return;
        map = L.map(node, { zoomControl: true, attributionControl: Boolean(city.mapTiles), preferCanvas: false, zoomSnap: 0.25 });
        if (city.mapTiles) L.tileLayer(city.mapTiles.url, { attribution: city.mapTiles.attribution, className: 'cc-tiles', maxZoom: 19 }).addTo(map);
        const bounds = boundaries && boundaries.features.length ? L.geoJSON(boundaries).getBounds() : null;
        if (bounds?.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
        else map.setView([-6.0, 106.05], 12);
        const m = map;

        const switcher: Record<string, L.Layer> = {};
        for (const def of registeredLayers()) {
          const inst = def.create({ map: m, city, strings, boundaries });
          created.push(inst);
          switcher[def.label(strings)] = inst.layer;
          if (def.defaultOn) inst.layer.addTo(m);
        }
        L.control.layers(undefined, switcher, { collapsed: true, position: 'topright' }).addTo(m);
        instances.current = created;
        const refreshAll = () => created.forEach((i) => void i.refresh?.());
        m.on('moveend', refreshAll);
        refreshAll();
        // The wall goes full screen, the window is resized: the map follows its box.
        ro = new ResizeObserver(() => m.invalidateSize());
        ro.observe(node);
      });

    return () => {
      alive = false;
      ro?.disconnect();
      created.forEach((i) => i.dispose?.());
      instances.current = [];
      map?.remove();
    };
  }, [city, strings]);

  useEffect(() => {
    if (refreshKey === 0) return;
    instances.current.forEach((i) => void i.refresh?.());
  }, [refreshKey]);

  useEffect(() => {
    if (live) instances.current.forEach((i) => i.onReport?.(live));
  }, [live]);

  return (
    <div className="cc-map-wrap">
      <div ref={el} className="cc-map" role="region" aria-label={strings.map} />
      <ul className="cc-legend" aria-label={strings.map}>
        <li><span className="cc-dot cc-overdue" />{strings.legendOverdue}</li>
        <li><span className="cc-dot cc-open" />{strings.legendOpen}</li>
        <li><span className="cc-dot cc-done" />{strings.legendDone}</li>
        <li><span className="cc-dot cc-overdue cc-pulse" />{strings.legendEmergency}</li>
      </ul>
    </div>
  );
}

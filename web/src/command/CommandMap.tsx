// The live map: a dark map (the map base, ../map/CityMap.tsx) with every registered layer (see
// layers.ts), re-queried when the map moves and whenever `refreshKey` changes (a live event arrived).
import { useEffect, useRef } from 'react';
import L from 'leaflet';
import type { City } from '../api';
import { boundaries } from '../map/boundaries';
import { createCityMap, MapLegend, showCity } from '../map/CityMap';
import { registeredLayers, type LayerInstance, type LivePoint } from './layers';
import './reportLayers';
import type { CommandStrings } from './strings';

interface Props {
  city: City;
  strings: CommandStrings;
  refreshKey: number;
  /** The latest report from the live stream (a new object each time). */
  live: LivePoint | null;
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

    // The layers query the view: the map is made once it can show the whole city.
    void boundaries().then((fc) => {
      if (!alive) return;
      const m = createCityMap(node, city.mapTiles, { zoomControl: true, attributionControl: Boolean(city.mapTiles), tileClassName: 'cc-tiles' });
      map = m;
      showCity(m, fc, 12);

      const switcher: Record<string, L.Layer> = {};
      for (const def of registeredLayers()) {
        const inst = def.create({ map: m, city, strings, boundaries: fc });
        created.push(inst);
        switcher[def.label(strings)] = inst.layer;
        if (def.defaultOn) inst.layer.addTo(m);
      }
      L.control.layers(undefined, switcher, { collapsed: true, position: 'topright' }).addTo(m);
      instances.current = created;
      const refreshAll = () => created.forEach((i) => void i.refresh?.());
      m.on('moveend', refreshAll);
      refreshAll();
    });

    return () => {
      alive = false;
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
      <MapLegend
        label={strings.map}
        keys={[
          { className: 'cc-overdue', text: strings.legendOverdue },
          { className: 'cc-open', text: strings.legendOpen },
          { className: 'cc-done', text: strings.legendDone },
          { className: 'cc-overdue cc-pulse', text: strings.legendEmergency },
        ]}
      />
    </div>
  );
}

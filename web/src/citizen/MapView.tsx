// The citizen's map, loaded lazily by the pages that show one (with Leaflet): the map base (the city's
// tiles when it has them, the kelurahan boundaries always), an optional draggable pin and optional
// report points.
import { useEffect, useRef } from 'react';
import L from 'leaflet';
import { boundaries } from '../map/boundaries';
import { boundaryLayer, createCityMap, showCity } from '../map/CityMap';
import { useSession } from '../session';

export interface LatLng {
  lat: number;
  lng: number;
}
export interface MapPoint extends LatLng {
  label: string;
  color?: string;
}

interface Props {
  label: string;
  pin?: LatLng | null;
  /** when given, a tap on the map or a drag of the pin moves it */
  onPick?: (p: LatLng) => void;
  points?: MapPoint[];
  className?: string;
}

const pinIcon = L.divIcon({
  className: 'ct-pin',
  html: '<svg viewBox="0 0 32 44" width="32" height="44" aria-hidden="true"><path d="M16 1C7.7 1 1 7.6 1 15.8 1 27 16 43 16 43s15-16 15-27.2C31 7.6 24.3 1 16 1z" fill="#b42318" stroke="#fff" stroke-width="2"/><circle cx="16" cy="16" r="6" fill="#fff"/></svg>',
  iconSize: [32, 44],
  iconAnchor: [16, 43],
});

export default function MapView({ label, pin, onPick, points, className }: Props) {
  const { city } = useSession();
  const el = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const marker = useRef<L.Marker | null>(null);
  const pointLayer = useRef<L.LayerGroup | null>(null);
  const pick = useRef(onPick);
  pick.current = onPick;
  const fitted = useRef(false);

  useEffect(() => {
    if (!el.current) return;
    const m = createCityMap(el.current, city?.mapTiles ?? null, { zoomControl: true, attributionControl: true });
    showCity(m, null, 0);
    map.current = m;
    pointLayer.current = L.layerGroup().addTo(m);
    let alive = true;
    void boundaries().then((fc) => {
      if (!alive || !fc) return;
      const layer = boundaryLayer(fc, { style: { color: '#0f766e', weight: 1.5, fillColor: '#14b8a6', fillOpacity: 0.08 }, interactive: !onPick }).addTo(m);
      layer.bringToBack();
      if (!fitted.current && !pin) showCity(m, fc, 8);
      fitted.current = true;
    });
    if (onPick) m.on('click', (e: L.LeafletMouseEvent) => pick.current?.({ lat: e.latlng.lat, lng: e.latlng.lng }));
    return () => {
      alive = false;
      m.remove();
      map.current = null;
      marker.current = null;
    };
    // The map is made once; pin and points follow in the effects below.
  }, [city?.mapTiles?.url]);

  useEffect(() => {
    const m = map.current;
    if (!m) return;
    if (!pin) {
      marker.current?.remove();
      marker.current = null;
      return;
    }
    if (!marker.current) {
      marker.current = L.marker([pin.lat, pin.lng], { icon: pinIcon, draggable: Boolean(onPick), keyboard: true, title: label }).addTo(m);
      marker.current.on('dragend', () => {
        const p = marker.current?.getLatLng();
        if (p) pick.current?.({ lat: p.lat, lng: p.lng });
      });
      // No animation: a page left mid-zoom would make Leaflet's transition end on a removed map.
      // Without tiles, a little less zoom keeps the kelurahan outlines around the pin in view.
      m.setView([pin.lat, pin.lng], Math.max(m.getZoom(), city?.mapTiles ? 16 : 14), { animate: false });
      fitted.current = true;
    } else marker.current.setLatLng([pin.lat, pin.lng]);
  }, [pin, onPick, label, city?.mapTiles]);

  useEffect(() => {
    const g = pointLayer.current;
    if (!g) return;
    g.clearLayers();
    for (const p of points ?? []) {
      L.circleMarker([p.lat, p.lng], { radius: 7, color: '#fff', weight: 2, fillColor: p.color ?? '#123a6b', fillOpacity: 0.9 })
        .bindPopup(p.label)
        .addTo(g);
    }
  }, [points]);

  return <div ref={el} className={'ct-map ' + (className ?? '')} role="region" aria-label={label} />;
}

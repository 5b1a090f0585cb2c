// A small map with the report's pin on the map base: the city's tiles when it has them, otherwise the
// kelurahan boundaries with the report's own kelurahan marked.
import { useEffect, useRef } from 'react';
import L from 'leaflet';
import { boundaries } from '../map/boundaries';
import { boundaryLayer, createCityMap, kelurahanCodeOf } from '../map/CityMap';
import { useSession } from '../session';

export function ReportMap({ lat, lng, label, kelurahanCode }: { lat: number; lng: number; label: string; kelurahanCode: string | null }) {
  const ref = useRef<HTMLDivElement>(null);
  const { city } = useSession();

  useEffect(() => {
    if (!ref.current || !city) return;
    const map = createCityMap(ref.current, city.mapTiles, { scrollWheelZoom: false, zoomControl: true }).setView([lat, lng], 16);
    let alive = true;
    if (!city.mapTiles) {
      map.setZoom(14);
      void boundaries().then((fc) => {
        if (!alive || !fc) return;
        const layer = boundaryLayer(fc, {
          style: (f) => {
            const own = f.properties?.code === kelurahanCode;
            return { className: own ? 'of-boundary of-boundary--own' : 'of-boundary', color: own ? '#0f766e' : '#6b7785', weight: own ? 2.5 : 1, fillColor: own ? '#14b8a6' : '#dfe6ee', fillOpacity: own ? 0.25 : 0.35 };
          },
          interactive: false,
        }).addTo(map);
        // Show the whole kelurahan around the pin.
        layer.eachLayer((l) => {
          if (kelurahanCode && kelurahanCodeOf(l) === kelurahanCode && l instanceof L.Polygon) map.fitBounds(l.getBounds(), { padding: [12, 12], maxZoom: 16 });
        });
        marker.bringToFront();
      });
    }
    const marker = L.circleMarker([lat, lng], { radius: 9, color: '#fff', weight: 3, fillColor: '#b42318', fillOpacity: 1 }).addTo(map);
    marker.bindTooltip(label);
    return () => {
      alive = false;
      map.remove();
    };
  }, [city, lat, lng, label, kelurahanCode]);

  // A region, not an image: Leaflet puts focusable controls (zoom) inside it.
  return <div ref={ref} className="of-map" role="region" aria-label={label} />;
}

// A small map with the report's pin: the city's tiles when it has them, otherwise the kelurahan boundaries.
import { useEffect, useRef } from 'react';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import type { GeoJsonObject } from 'geojson';
import { request } from '../api';
import { useSession } from '../session';
import { once } from './shared';

export function ReportMap({ lat, lng, label, kelurahanCode }: { lat: number; lng: number; label: string; kelurahanCode: string | null }) {
  const ref = useRef<HTMLDivElement>(null);
  const { city } = useSession();
  const tiles = city?.mapTiles ?? null;
  const tileUrl = tiles?.url;
  const tileAttribution = tiles?.attribution;

  useEffect(() => {
    if (!ref.current || !city) return;
    const map = L.map(ref.current, { scrollWheelZoom: false, zoomControl: true }).setView([lat, lng], 16);
    let alive = true;
    if (tileUrl) {
      L.tileLayer(tileUrl, { attribution: tileAttribution ?? '', maxZoom: 19 }).addTo(map);
    } else {
      map.setZoom(14);
      once('boundaries', () => request<GeoJsonObject>('GET', '/regions/boundaries.geojson')).then(
        (geo) => {
          if (!alive) return;
          const layer = L.geoJSON(geo, {
            style: (f) => {
              const own = f?.properties && (f.properties as { code?: string }).code === kelurahanCode;
              return { className: own ? 'of-boundary of-boundary--own' : 'of-boundary', color: own ? '#0f766e' : '#6b7785', weight: own ? 2.5 : 1, fillColor: own ? '#14b8a6' : '#dfe6ee', fillOpacity: own ? 0.25 : 0.35 };
            },
            interactive: false,
          }).addTo(map);
          // Show the whole kelurahan around the pin.
          layer.eachLayer((l) => {
            const code = (l as L.Layer & { feature?: { properties?: { code?: string } } }).feature?.properties?.code;
            if (code && code === kelurahanCode && 'getBounds' in l) map.fitBounds((l as L.Polygon).getBounds(), { padding: [12, 12], maxZoom: 16 });
          });
          marker.bringToFront();
        },
        () => undefined,
      );
    }
    const marker = L.circleMarker([lat, lng], { radius: 9, color: '#fff', weight: 3, fillColor: '#b42318', fillOpacity: 1 }).addTo(map);
    marker.bindTooltip(label);
    return () => {
      alive = false;
      map.remove();
    };
  }, [city, lat, lng, label, kelurahanCode, tileUrl, tileAttribution]);

  // A region, not an image: Leaflet puts focusable controls (zoom) inside it.
  return <div ref={ref} className="of-map" role="region" aria-label={label} />;
}

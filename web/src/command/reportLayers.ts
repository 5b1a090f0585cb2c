// The two layers the command map starts with: kelurahan boundaries and server-clustered reports.
import L from 'leaflet';
import type { ReportCluster } from '@api';
import { boundaryLayer } from '../map/CityMap';
import { loadClusters } from './data';
import { registerLayer } from './layers';

registerLayer({
  id: 'boundaries',
  order: 10,
  label: (s) => s.layerBoundaries,
  defaultOn: true,
  create: ({ boundaries }) => ({
    layer: boundaryLayer(boundaries, {
      style: { color: '#38bdf8', weight: 1.2, opacity: 0.7, fillColor: '#0ea5e9', fillOpacity: 0.06 },
      tooltipClassName: 'cc-tooltip',
    }),
  }),
});

/** The reports layer and the heat layer ask for the same view at once: one request serves both. */
let lastQuery: { key: string; result: Promise<ReportCluster[]> } | null = null;
function clustersFor(map: L.Map): Promise<ReportCluster[]> {
  const b = map.getBounds();
  const bbox: [number, number, number, number] = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
  // Fractional zooms (zoomSnap 0.25) ask for the coarser grid: clusters never crowd each other.
  const zoom = Math.floor(map.getZoom());
  const key = `${bbox.map((n) => n.toFixed(5)).join(',')}|${zoom}`;
  if (lastQuery?.key !== key) lastQuery = { key, result: loadClusters(bbox, zoom) };
  const q = lastQuery;
  // A failed answer is not kept: the next move or event asks again.
  q.result.catch(() => {
    if (lastQuery === q) lastQuery = null;
  });
  return q.result;
}

/** overdue red, open amber, otherwise (all resolved) green */
function tone(c: ReportCluster): 'overdue' | 'open' | 'done' {
  if (c.overdue > 0) return 'overdue';
  if (c.open > 0) return 'open';
  return 'done';
}

function marker(c: ReportCluster, reportsLabel: (n: number) => string, emergencyLabel: string): L.Marker {
  const single = c.count === 1 && c.report;
  const size = single ? 16 : Math.round(Math.min(76, 28 + 9 * Math.log2(c.count)));
  const classes = ['cc-cluster', `cc-${tone(c)}`, single ? 'cc-single' : '', c.emergency > 0 ? 'cc-pulse' : ''].filter(Boolean).join(' ');
  const label = single ? c.report!.trackingNo : reportsLabel(c.count);
  const icon = L.divIcon({
    className: 'cc-cluster-icon',
    iconSize: [size, size],
    // Sized by iconSize on Leaflet's box (set through the DOM): a style attribute in this markup would break the CSP.
    html: `<span class="${classes}">${single ? '' : String(c.count)}</span>`,
  });
  const m = L.marker([c.lat, c.lng], { icon, title: label, alt: label, keyboard: true, zIndexOffset: c.emergency > 0 ? 1000 : 0 });
  m.bindTooltip(c.emergency > 0 ? `${label} · ${emergencyLabel}` : label, { direction: 'top', offset: [0, -size / 2], className: 'cc-tooltip' });
  return m;
}

registerLayer({
  id: 'reports',
  order: 20,
  label: (s) => s.layerReports,
  defaultOn: true,
  create: ({ map, strings }) => {
    const group = L.layerGroup();
    let seq = 0;
    const refresh = async () => {
      const mine = ++seq;
      try {
        const clusters = await clustersFor(map);
        if (mine !== seq) return;
        group.clearLayers();
        // Emergencies last, so they are drawn on top.
        for (const c of [...clusters].sort((a, b) => a.emergency - b.emergency)) group.addLayer(marker(c, strings.reports, strings.emergency));
      } catch {
        // keep what is shown; the next event or move tries again
      }
    };
    return { layer: group, refresh };
  },
});

/** How long a report that just arrived is marked on the map. */
const PING_MS = 60_000;
const MAX_PINGS = 5;

registerLayer({
  id: 'live',
  order: 30,
  label: (s) => s.layerLive,
  defaultOn: true,
  create: ({ strings }) => {
    const group = L.layerGroup();
    const timers = new Set<number>();
    return {
      layer: group,
      onReport: (r) => {
        if (!r.isNew) return;
        const icon = L.divIcon({
          className: 'cc-cluster-icon',
          iconSize: [24, 24],
          html: `<span class="cc-ping ${r.emergency ? 'cc-ping-emergency' : ''}"></span>`,
        });
        const label = r.emergency ? `${r.trackingNo} · ${strings.emergency}` : r.trackingNo;
        const m = L.marker([r.lat, r.lng], { icon, title: label, alt: label, zIndexOffset: 2000, keyboard: false });
        m.bindTooltip(label, { direction: 'top', offset: [0, -14], className: 'cc-tooltip', permanent: true });
        group.addLayer(m);
        // At most a handful at once: a burst of reports must not bury the map in labels.
        const shown = group.getLayers();
        if (shown.length > MAX_PINGS) shown.slice(0, shown.length - MAX_PINGS).forEach((old) => group.removeLayer(old));
        const t = window.setTimeout(() => {
          group.removeLayer(m);
          timers.delete(t);
        }, PING_MS);
        timers.add(t);
      },
      dispose: () => timers.forEach((t) => window.clearTimeout(t)),
    };
  },
});

registerLayer({
  id: 'heat',
  order: 15,
  label: (s) => s.layerHeat,
  defaultOn: false,
  create: ({ map }) => {
    // Soft blobs in a blurred pane of their own, weighted by the open reports in each cluster.
    if (!map.getPane('cc-heat')) map.createPane('cc-heat').classList.add('cc-heat-pane');
    const group = L.layerGroup();
    let seq = 0;
    const refresh = async () => {
      if (!map.hasLayer(group)) return;
      const mine = ++seq;
      try {
        const clusters = await clustersFor(map);
        if (mine !== seq) return;
        group.clearLayers();
        const max = Math.max(1, ...clusters.map((c) => c.open));
        for (const c of clusters) {
          if (c.open === 0) continue;
          const w = c.open / max;
          group.addLayer(
            L.circleMarker([c.lat, c.lng], {
              pane: 'cc-heat',
              radius: 18 + 30 * Math.sqrt(w),
              stroke: false,
              fillColor: w > 0.66 ? '#ef4444' : w > 0.33 ? '#f97316' : '#facc15',
              fillOpacity: 0.35 + 0.4 * w,
              interactive: false,
            }),
          );
        }
      } catch {
        // keep what is shown
      }
    };
    group.on('add', () => void refresh());
    return { layer: group, refresh };
  },
});

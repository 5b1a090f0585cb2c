// /lapor on a slow phone connection: every request that waits for another costs a round trip (2 s on
// 3G). So the categories come inlined in the page the server sends for /lapor (src/platform/web-shell.ts),
// and the citizen area asks for the rest of the form's data as soon as it knows the page is /lapor —
// beside the session check (/me) instead of after it — and fetches the map (Leaflet) and the kelurahan
// boundaries at the same time, so that choosing a category shows the map without another wait. Each is
// kept on the phone too: the form opens offline.
import type { CategoryView, RegionNode } from '@api';
import { bootCategories, request } from '../api';
import { boundaries } from '../map/boundaries';
import { withOfflineCopy } from '../offline';

export interface LaporData {
  categories: Promise<{ categories: CategoryView[] }>;
  regions: Promise<{ region: RegionNode }>;
}

let prefetched = false;
let started: LaporData | null = null;

/** `inlined`: the categories the page came with, current when it was sent (only the first form uses them). */
function fetchLaporData(inlined: CategoryView[] | null = null): LaporData {
  return {
    categories: withOfflineCopy('categories', async () => (inlined ? { categories: inlined } : request<{ categories: CategoryView[] }>('GET', '/report-categories'))),
    regions: withOfflineCopy('regions', () => request<{ region: RegionNode }>('GET', '/regions')),
  };
}

/**
 * Starts /lapor's downloads, once per page load (the area renders again and again; later visits find the
 * session known and the map cached). The form takes them with takeLaporData.
 */
export function prefetchLapor(): void {
  if (prefetched) return;
  prefetched = true;
  const data = fetchLaporData(bootCategories());
  // A visitor who is not logged in never shows the form: no unhandled rejection for that.
  data.categories.catch(() => undefined);
  data.regions.catch(() => undefined);
  started = data;
  void import('./MapView').catch(() => undefined);
  void boundaries();
}

/** The prefetched data for the form, or a fresh request when there is none (e.g. the form again). */
export function takeLaporData(): LaporData {
  const data = started ?? fetchLaporData();
  started = null;
  return data;
}

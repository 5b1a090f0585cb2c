/**
 * Point → kelurahan: what the service does (an in-memory R-tree of the boundaries plus the exact test),
 * the SQL alternative (the GiST bounding-box index, then the exact test), and fetching and testing every
 * polygon. Prints lookups per second for each and the ratios. Run: npx tsx bench/locate.ts
 * (PGlite; set DATABASE_URL=postgres://… and SATUKOTA_SECRET_KEY to run it against PostgreSQL — it
 * creates its regions in whatever database it is given, so use an empty one).
 */
import { performance } from 'node:perf_hooks';
import { openPglite, openPostgres } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrate.js';
import { RegionsService } from '../src/modules/regions/service.js';
import { geometryContains, type AreaGeometry } from '../src/shared/geometry.js';
import path from 'node:path';

const N = Number(process.env.N ?? 5000);
const db = process.env.DATABASE_URL ? await openPostgres(process.env.DATABASE_URL) : await openPglite();
await migrate(db);
const regions = new RegionsService(db, '36.72');
await regions.importRegency('36.72');
await regions.importBoundaries({ file: path.join(import.meta.dirname, '..', 'src/modules/regions/demo/cilegon-approx.geojson') }, { approximate: true });

// A fixed pseudo-random walk over the city's bounding box: some points fall outside every kelurahan.
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const points = Array.from({ length: N }, () => ({ lat: -6.1 + rand() * 0.22, lng: 105.93 + rand() * 0.17 }));

const percentile = (xs: number[], p: number) => xs.sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]!;

async function measure(name: string, fn: (p: { lat: number; lng: number }) => Promise<unknown>) {
  for (const p of points.slice(0, 200)) await fn(p); // warm-up
  const times: number[] = [];
  let hits = 0;
  const start = performance.now();
  for (const p of points) {
    const t = performance.now();
    if (await fn(p)) hits++;
    times.push(performance.now() - t);
  }
  const seconds = (performance.now() - start) / 1000;
  const rate = N / seconds;
  console.log(`${name.padEnd(34)} ${rate.toFixed(0).padStart(7)} lookups/s  p50 ${percentile(times, 0.5).toFixed(3)} ms  p99 ${percentile(times, 0.99).toFixed(3)} ms  hits ${hits}`);
  return { rate, hits };
}

const service = await measure('service (in-memory R-tree + exact)', (p) => regions.locate(p.lat, p.lng));
const indexed = await measure(`SQL (${db.kind}, GiST bbox + exact)`, async (p) => {
  const candidates = await db.query<{ code: string; geometry: AreaGeometry }>(
    `select code, geometry from regions where level = 'village' and bbox is not null and bbox @> point($1, $2)`,
    [p.lng, p.lat],
  );
  return candidates.find((c) => geometryContains(c.geometry, p.lng, p.lat));
});
const all = await db.query<{ code: string; geometry: AreaGeometry }>(`select code, geometry from regions where geometry is not null`);
const scan = await measure('full scan (SQL fetch + test all)', async (p) => {
  const rows = await db.query<{ code: string; geometry: AreaGeometry }>(`select code, geometry from regions where geometry is not null`);
  return rows.find((r) => geometryContains(r.geometry, p.lng, p.lat));
});
const memory = await measure('in-memory scan (no database)', async (p) => all.find((r) => geometryContains(r.geometry, p.lng, p.lat)));
if (service.hits !== scan.hits || indexed.hits !== scan.hits || scan.hits !== memory.hits) console.log('MISMATCH: the methods disagree on hits');
console.log(`ratios: service / SQL GiST ${(service.rate / indexed.rate).toFixed(1)}x, SQL GiST / full scan ${(indexed.rate / scan.rate).toFixed(1)}x   (${all.length} polygons, ${N} points)`);
await db.close();

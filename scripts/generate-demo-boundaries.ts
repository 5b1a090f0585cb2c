/**
 * Generates APPROXIMATE kelurahan boundary polygons for the demo city,
 * Kota Cilegon (Kemendagri 36.72, Banten).
 *
 * These shapes are NOT official boundaries. They are a deterministic,
 * synthetic partition meant only to make the demo map look plausible:
 *
 *   1. a hand-drawn convex outline roughly following Kota Cilegon
 *      (Sunda Strait coast on the west, Merak port in the north-west);
 *   2. a Voronoi partition of that outline by approximate kecamatan centres;
 *   3. inside each kecamatan cell, a Voronoi partition by kelurahan sites
 *      placed on a small golden-angle spiral around the kecamatan centre.
 *
 * Voronoi cells are computed by clipping convex polygons with the half-planes
 * of perpendicular bisectors (Sutherland–Hodgman), so the kelurahan tile the
 * kecamatan, which tile the outline, without overlaps or gaps. Shared vertices
 * are merged and T-junctions split before rounding to 6 decimals, so adjacent
 * polygons share bit-identical edges in the output.
 *
 * Official boundaries come from BIG (Badan Informasi Geospasial) or the city's
 * own GIS and can be imported instead.
 *
 * Usage: npx tsx scripts/generate-demo-boundaries.ts
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

type Pt = readonly [number, number]; // [lng, lat]

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA_DIR = resolve(ROOT, 'node_modules/idn-area-data/data');
const OUT_FILE = resolve(ROOT, 'src/modules/regions/demo/cilegon-approx.geojson');
const REGENCY = '36.72';

/**
 * Rough convex outline of Kota Cilegon, [lng, lat]. Starts at the northern tip
 * near Suralaya, runs down the eastern (inland) side, along the southern border
 * and back north along the Sunda Strait coast past Ciwandan, Citangkil and Merak.
 * Orientation is normalised to counter-clockwise below.
 */
const OUTLINE_RAW: Pt[] = [
  [106.02, -5.88],
  [106.05, -5.89],
  [106.085, -5.935],
  [106.1, -5.99],
  [106.098, -6.045],
  [106.075, -6.09],
  [106.03, -6.1],
  [105.975, -6.095],
  [105.94, -6.075],
  [105.96, -6.01],
  [105.985, -5.935],
  [106.0, -5.9],
];

/** Approximate kecamatan centres, [lng, lat], keyed by Kemendagri code. */
const KECAMATAN_CENTRES: Record<string, Pt> = {
  '36.72.03': [106.0, -5.935], // Pulomerak — Merak / Suralaya, north-west
  '36.72.06': [106.03, -5.965], // Gerogol — north
  '36.72.07': [106.02, -5.99], // Purwakarta
  '36.72.05': [106.06, -5.995], // Jombang — city centre
  '36.72.02': [106.045, -6.02], // Cilegon
  '36.72.01': [106.075, -6.04], // Cibeber — south-east
  '36.72.08': [106.005, -6.03], // Citangkil — west coast, steel works
  '36.72.04': [105.985, -6.07], // Ciwandan — south-west coast
};

/** Fixed seed for the PRNG (deterministic output). */
const PRNG_SEED = 0x36_72_c1e9;

// ---------------------------------------------------------------------------
// Small deterministic helpers
// ---------------------------------------------------------------------------

/** mulberry32: tiny fixed-seed PRNG, used only for small angular jitter. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function readCsv(file: string): string[][] {
  return readFileSync(resolve(DATA_DIR, file), 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .slice(1)
    .map((l) => {
      // idn-area-data rows are `code,parent_code,name`; names may be quoted.
      const m = /^([^,]*),([^,]*),(.*)$/.exec(l);
      if (!m) throw new Error(`bad CSV line in ${file}: ${l}`);
      return [m[1]!, m[2]!, m[3]!.replace(/^"(.*)"$/, '$1').replace(/""/g, '"')];
    });
}

// ---------------------------------------------------------------------------
// Geometry
// ---------------------------------------------------------------------------

function signedArea(ring: readonly Pt[]): number {
  let s = 0;
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[(i + 1) % ring.length]!;
    s += a[0] * b[1] - b[0] * a[1];
  }
  return s / 2;
}

function assertConvexCcw(ring: readonly Pt[]): void {
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[(i + 1) % ring.length]!;
    const c = ring[(i + 2) % ring.length]!;
    const cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]);
    if (cross <= 0) throw new Error(`outline is not strictly convex at vertex ${(i + 1) % ring.length}`);
  }
}

/** Strictly inside a convex CCW polygon. */
function insideConvex(ring: readonly Pt[], p: Pt): boolean {
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[(i + 1) % ring.length]!;
    if ((b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]) <= 0) return false;
  }
  return true;
}

/**
 * Sutherland–Hodgman: clip a convex polygon to the half-plane of points closer
 * to `site` than to `other`, i.e. (p − m)·(other − site) ≤ 0 with m the midpoint.
 */
function clipToBisector(poly: readonly Pt[], site: Pt, other: Pt): Pt[] {
  const nx = other[0] - site[0];
  const ny = other[1] - site[1];
  const mx = (site[0] + other[0]) / 2;
  const my = (site[1] + other[1]) / 2;
  const f = (p: Pt) => (p[0] - mx) * nx + (p[1] - my) * ny; // ≤ 0 keeps
  const out: Pt[] = [];
  for (let i = 0; i < poly.length; i++) {
    const cur = poly[i]!;
    const next = poly[(i + 1) % poly.length]!;
    const fc = f(cur);
    const fn = f(next);
    if (fc <= 0) out.push(cur);
    if ((fc < 0 && fn > 0) || (fc > 0 && fn < 0)) {
      const t = fc / (fc - fn);
      out.push([cur[0] + t * (next[0] - cur[0]), cur[1] + t * (next[1] - cur[1])]);
    }
  }
  // drop consecutive near-duplicates produced by vertices lying on the bisector
  const dedup: Pt[] = [];
  for (const p of out) {
    const last = dedup[dedup.length - 1];
    if (!last || Math.hypot(p[0] - last[0], p[1] - last[1]) > 1e-12) dedup.push(p);
  }
  while (dedup.length > 1) {
    const a = dedup[0]!;
    const z = dedup[dedup.length - 1]!;
    if (Math.hypot(a[0] - z[0], a[1] - z[1]) > 1e-12) break;
    dedup.pop();
  }
  return dedup;
}

function voronoiCell(bounds: readonly Pt[], sites: readonly Pt[], i: number): Pt[] {
  let cell: Pt[] = [...bounds];
  const s = sites[i]!;
  for (let j = 0; j < sites.length; j++) {
    if (j === i) continue;
    cell = clipToBisector(cell, s, sites[j]!);
    if (cell.length < 3) throw new Error('empty Voronoi cell (site outside its bounds?)');
  }
  return cell;
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

interface Kel {
  code: string;
  name: string;
  kecamatan: string;
  cell: Pt[];
}

function main(): void {
  const districts = readCsv('districts.csv').filter((r) => r[1] === REGENCY);
  const villages = readCsv('villages.csv').filter((r) => r[0]!.startsWith(`${REGENCY}.`));
  if (districts.length !== 8) throw new Error(`expected 8 kecamatan, found ${districts.length}`);
  if (villages.length !== 43) throw new Error(`expected 43 kelurahan, found ${villages.length}`);

  const outline = signedArea(OUTLINE_RAW) < 0 ? [...OUTLINE_RAW].reverse() : [...OUTLINE_RAW];
  assertConvexCcw(outline);

  districts.sort((a, b) => a[0]!.localeCompare(b[0]!));
  const kecSites = districts.map(([code]) => {
    const c = KECAMATAN_CENTRES[code!];
    if (!c) throw new Error(`no centre for kecamatan ${code}`);
    if (!insideConvex(outline, c)) throw new Error(`kecamatan centre ${code} outside outline`);
    return c;
  });

  const rand = mulberry32(PRNG_SEED);
  const GOLDEN = Math.PI * (3 - Math.sqrt(5));
  const kels: Kel[] = [];

  districts.forEach(([kecCode, , kecName], ki) => {
    const kecCell = voronoiCell(outline, kecSites, ki);
    const centre = kecSites[ki]!;
    const members = villages
      .filter((v) => v[1] === kecCode)
      .sort((a, b) => a[0]!.localeCompare(b[0]!));
    const n = members.length;
    // spiral radius scaled to the cell size
    const radius = 0.8 * Math.sqrt(Math.abs(signedArea(kecCell)) / Math.PI);
    const phase = rand() * 2 * Math.PI;
    const sites: Pt[] = members.map((_, k) => {
      const r = radius * Math.sqrt((k + 0.5) / n);
      const theta = phase + k * GOLDEN + (rand() - 0.5) * 0.3;
      let p: Pt = [centre[0] + r * Math.cos(theta), centre[1] + r * Math.sin(theta)];
      // keep the site inside the kecamatan cell: pull towards the centre
      for (let tries = 0; !insideConvex(kecCell, p); tries++) {
        if (tries > 60) throw new Error(`cannot place site for ${members[k]![0]}`);
        p = [(p[0] + centre[0]) / 2, (p[1] + centre[1]) / 2];
      }
      return p;
    });
    members.forEach(([code, , name], k) => {
      kels.push({ code: code!, name: name!, kecamatan: kecName!, cell: voronoiCell(kecCell, sites, k) });
    });
  });

  // --- Make the mesh topologically consistent before rounding ----------------
  // 1. merge vertices that coincide up to floating point
  const canon: Pt[] = [];
  const canonOf = (p: Pt): Pt => {
    for (const q of canon) if (Math.abs(p[0] - q[0]) < 1e-9 && Math.abs(p[1] - q[1]) < 1e-9) return q;
    canon.push(p);
    return p;
  };
  for (const k of kels) k.cell = k.cell.map(canonOf);
  // 2. split edges at T-junctions (vertices of neighbours lying on an edge)
  for (const k of kels) {
    const ring: Pt[] = [];
    for (let i = 0; i < k.cell.length; i++) {
      const a = k.cell[i]!;
      const b = k.cell[(i + 1) % k.cell.length]!;
      ring.push(a);
      const dx = b[0] - a[0];
      const dy = b[1] - a[1];
      const len2 = dx * dx + dy * dy;
      const onEdge: { t: number; p: Pt }[] = [];
      for (const v of canon) {
        if (v === a || v === b) continue;
        const t = ((v[0] - a[0]) * dx + (v[1] - a[1]) * dy) / len2;
        if (t <= 1e-9 || t >= 1 - 1e-9) continue;
        const dist = Math.abs(dx * (v[1] - a[1]) - dy * (v[0] - a[0])) / Math.sqrt(len2);
        if (dist < 1e-9) onEdge.push({ t, p: v });
      }
      onEdge.sort((u, w) => u.t - w.t);
      for (const e of onEdge) ring.push(e.p);
    }
    k.cell = ring;
  }
  // 3. round every canonical vertex once (so shared vertices stay identical)
  const rounded = new Map<Pt, [number, number]>();
  const round6 = (x: number) => Math.round(x * 1e6) / 1e6 + 0; // +0 turns -0 into 0
  for (const v of canon) rounded.set(v, [round6(v[0]), round6(v[1])]);

  const features = kels
    .sort((a, b) => a.code.localeCompare(b.code))
    .map((k) => {
      const ring: [number, number][] = [];
      for (const v of k.cell) {
        const r = rounded.get(v)!;
        const last = ring[ring.length - 1];
        if (!last || last[0] !== r[0] || last[1] !== r[1]) ring.push(r);
      }
      const first = ring[0]!;
      const last = ring[ring.length - 1]!;
      if (first[0] === last[0] && first[1] === last[1]) ring.pop();
      if (ring.length < 3) throw new Error(`degenerate polygon for ${k.code}`);
      if (signedArea(ring) <= 0) ring.reverse(); // RFC 7946: CCW exterior ring
      ring.push([ring[0]![0], ring[0]![1]]); // close the ring
      return {
        type: 'Feature' as const,
        properties: { KDEPUM: k.code, name: k.name, kecamatan: k.kecamatan, approximate: true },
        geometry: { type: 'Polygon' as const, coordinates: [ring] },
      };
    });

  const outlineRing = outline.map((p) => [round6(p[0]), round6(p[1])] as [number, number]);
  outlineRing.push([outlineRing[0]![0], outlineRing[0]![1]]);
  const lngs = outlineRing.map((p) => p[0]);
  const lats = outlineRing.map((p) => p[1]);

  const fc = {
    type: 'FeatureCollection',
    name: 'Kota Cilegon — approximate kelurahan boundaries (demo)',
    approximate: true,
    note:
      'Generated approximation for the SatuKota demo (Voronoi partition of a hand-drawn outline ' +
      'around approximate kecamatan/kelurahan centres, scripts/generate-demo-boundaries.ts). ' +
      'These are NOT official boundaries; official kelurahan boundaries come from BIG ' +
      "(Badan Informasi Geospasial) or the city's own GIS and can be imported instead.",
    bbox: [Math.min(...lngs), Math.min(...lats), Math.max(...lngs), Math.max(...lats)],
    cityOutline: { type: 'Polygon', coordinates: [outlineRing] },
    features,
  };

  const json = JSON.stringify(fc, null, 2).replace(
    /\[\s+(-?\d+(?:\.\d+)?),\s+(-?\d+(?:\.\d+)?)\s+\]/g,
    '[$1, $2]',
  );
  mkdirSync(dirname(OUT_FILE), { recursive: true });
  writeFileSync(OUT_FILE, `${json}\n`);
  console.log(`wrote ${features.length} kelurahan polygons to ${OUT_FILE}`);
}

main();

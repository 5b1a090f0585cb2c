import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geometryContains, type AreaGeometry, type Position, type Ring } from '../../src/shared/geometry.js';
import type { RegionNode } from '../../src/modules/regions/schema.js';
import { bearer, describeEachDatabase, startHarness, type Harness } from '../support/harness.js';

/** Regions over HTTP: the demo city's tree, its (approximate) boundaries, point lookup and boundary import. */
interface BoundaryFeature {
  type: 'Feature';
  id: string;
  geometry: AreaGeometry;
  properties: { code: string; name: string; kind: string; districtCode: string; districtName: string; approximate: boolean; source: string | null };
}
interface BoundaryCollection {
  type: 'FeatureCollection';
  approximate: boolean;
  note?: string;
  features: BoundaryFeature[];
}

/** The average of a ring's vertices (without the closing repeat). */
function vertexAverage(ring: Ring): Position {
  const open = ring.slice(0, -1);
  return [open.reduce((s, p) => s + p[0], 0) / open.length, open.reduce((s, p) => s + p[1], 0) / open.length];
}

/** The ring scaled by `f` toward `c` (still closed). */
function scaleRing(ring: Ring, c: Position, f: number): Ring {
  return ring.map(([lng, lat]) => [c[0] + f * (lng - c[0]), c[1] + f * (lat - c[1])] as Position);
}

function outerRing(g: AreaGeometry): Ring {
  return g.type === 'Polygon' ? g.coordinates[0]! : g.coordinates[0]![0]!;
}

const isTitleCase = (name: string) => name.split(/([ -])/).every((w) => w === ' ' || w === '-' || /^[A-Z][a-z']*$/.test(w) || /^[IVX]+$/.test(w));

describeEachDatabase('regions', (kind) => {
  let h: Harness;
  let admin: string;
  beforeAll(async () => {
    h = await startHarness(kind);
    admin = await bearer(h.app, 'admin');
  });
  afterAll(async () => h?.close());

  const boundaries = async () => (await h.app.inject('/api/v1/regions/boundaries.geojson')).json() as BoundaryCollection;
  const featureOf = async (code: string) => (await boundaries()).features.find((f) => f.id === code);
  const locate = (lng: number, lat: number) => h.app.inject(`/api/v1/regions/locate?lat=${lat}&lng=${lng}`);
  const importBoundaries = (body: unknown, query = '') =>
    h.app.inject({ method: 'POST', url: `/api/v1/regions/boundaries${query}`, headers: { authorization: `Bearer ${admin}` }, payload: body as Record<string, unknown> });

  it('lists Kota Cilegon with 8 kecamatan and 43 kelurahan, names in title case', async () => {
    const res = await h.app.inject('/api/v1/regions');
    expect(res.statusCode).toBe(200);
    const { region } = res.json() as { region: RegionNode };
    expect(region).toMatchObject({ code: '36.72', name: 'Kota Cilegon', level: 'regency' });
    const districts = region.children ?? [];
    expect(districts).toHaveLength(8);
    const villages = districts.flatMap((d) => d.children ?? []);
    expect(villages).toHaveLength(43);
    for (const d of districts) {
      expect(d.level).toBe('district');
      expect(d.code).toMatch(/^36\.72\.\d{2}$/);
      expect(d.children!.length).toBeGreaterThan(0);
      for (const v of d.children!) {
        expect(v.code.startsWith(`${d.code}.`)).toBe(true);
        expect(v).toMatchObject({ level: 'village', villageKind: 'kelurahan', hasBoundary: true, boundaryApproximate: true });
        expect(v.children).toBeUndefined();
      }
    }
    const names = [region.name, ...districts.map((d) => d.name), ...villages.map((v) => v.name)];
    const notTitle = names.filter((n) => !isTitleCase(n));
    expect(notTitle).toEqual([]);
    expect(names).toContain('Purwakarta');
    expect(villages.find((v) => v.code === '36.72.07.1001')?.name).toBe('Ramanuju');
  });

  it('serves the boundaries as GeoJSON, marked approximate', async () => {
    const res = await h.app.inject('/api/v1/regions/boundaries.geojson');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/geo\+json/);
    const fc = res.json() as BoundaryCollection;
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.approximate).toBe(true);
    expect(fc.note).toMatch(/approximate/);
    expect(fc.features).toHaveLength(43);
    for (const f of fc.features) {
      expect(f.type).toBe('Feature');
      expect(f.id).toBe(f.properties.code);
      expect(f.properties.approximate).toBe(true);
      expect(f.properties.code.startsWith(`${f.properties.districtCode}.`)).toBe(true);
      expect(['Polygon', 'MultiPolygon']).toContain(f.geometry.type);
    }
  });

  it('sends the boundaries compressed as the client accepts, and 304 when it has them', async () => {
    const plain = await h.app.inject('/api/v1/regions/boundaries.geojson');
    const etag = plain.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/accept-encoding/i);
    for (const [accept, encoding, decode] of [
      ['gzip, deflate, br', 'br', zlib.brotliDecompressSync],
      ['gzip', 'gzip', zlib.gunzipSync],
    ] as const) {
      const res = await h.app.inject({ url: '/api/v1/regions/boundaries.geojson', headers: { 'accept-encoding': accept } });
      expect(res.headers['content-encoding']).toBe(encoding);
      expect(res.headers.etag).toBe(etag);
      expect(res.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
      expect(JSON.parse(decode(res.rawPayload).toString())).toEqual(plain.json());
    }
    const again = await h.app.inject({ url: '/api/v1/regions/boundaries.geojson', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
    const stale = await h.app.inject({ url: '/api/v1/regions/boundaries.geojson', headers: { 'if-none-match': '"something-else"' } });
    expect(stale.statusCode).toBe(200);
  });

  it('locates a point inside a kelurahan', async () => {
    const fc = await boundaries();
    let checked = 0;
    for (const f of fc.features.slice(0, 10)) {
      const [lng, lat] = vertexAverage(outerRing(f.geometry));
      if (!geometryContains(f.geometry, lng, lat)) continue;
      const res = await locate(lng, lat);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ code: f.id, name: f.properties.name, districtCode: f.properties.districtCode, approximate: true });
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });

  it('answers 404 for a point in the sea and 400 for an impossible one', async () => {
    const sea = await locate(105.5, -5.6);
    expect(sea.statusCode).toBe(404);
    expect(sea.json().error.code).toBe('not_found');
    expect((await locate(106, -95)).statusCode).toBe(400);
    expect((await h.app.inject('/api/v1/regions/locate?lat=abc&lng=106')).statusCode).toBe(400);
  });

  describe('boundary import', () => {
    it('needs an admin', async () => {
      const body = { type: 'FeatureCollection', features: [] };
      expect((await h.app.inject({ method: 'POST', url: '/api/v1/regions/boundaries', payload: body })).statusCode).toBe(401);
      const officer = await bearer(h.app, 'lurah.ramanuju');
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/regions/boundaries', headers: { authorization: `Bearer ${officer}` }, payload: body });
      expect(res.statusCode).toBe(403);
    });

    it('refuses what is not a FeatureCollection', async () => {
      const res = await importBoundaries({ type: 'Feature', features: [] });
      expect(res.statusCode).toBe(400);
    });

    it('refuses a collection with one unclosed ring and changes nothing', async () => {
      const valid = (await featureOf('36.72.07.1002'))!;
      const broken = (await featureOf('36.72.07.1003'))!;
      const before = await boundaries();
      const newRing = scaleRing(outerRing(valid.geometry), vertexAverage(outerRing(valid.geometry)), 0.5);
      const unclosed = outerRing(broken.geometry).slice(0, -1);
      const res = await importBoundaries({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: { KDEPUM: valid.id }, geometry: { type: 'Polygon', coordinates: [newRing] } },
          { type: 'Feature', properties: { KDEPUM: broken.id }, geometry: { type: 'Polygon', coordinates: [unclosed] } },
        ],
      });
      expect(res.statusCode).toBe(422);
      const error = res.json().error as { code: string; details: { problems: string[] } };
      expect(error.code).toBe('geojson_invalid_features');
      expect(error.details.problems).toEqual([expect.stringMatching(/feature 2 \(36\.72\.07\.1003\).*not closed/)]);
      const after = await boundaries();
      expect(after).toEqual(before);
      expect((await featureOf(valid.id))!.geometry).toEqual(valid.geometry);
    });

    it('refuses a code given twice', async () => {
      const f = (await featureOf('36.72.07.1002'))!;
      const res = await importBoundaries({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: { KDEPUM: f.id }, geometry: f.geometry },
          { type: 'Feature', properties: { KDEPUM: f.id.replace(/\./g, '') }, geometry: f.geometry },
        ],
      });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.details.problems[0]).toMatch(/more than once/);
    });

    it('skips codes outside the city, reads a custom code property with undotted codes, and replaces the geometry', async () => {
      const target = (await featureOf('36.72.07.1001'))!;
      const c = vertexAverage(outerRing(target.geometry));
      expect(geometryContains(target.geometry, c[0], c[1])).toBe(true);
      // Shrunk toward an inside point, with an altitude on every position (dropped on import).
      const ring = scaleRing(outerRing(target.geometry), c, 0.6).map(([lng, lat]) => [lng, lat, 12]);
      const res = await importBoundaries(
        {
          type: 'FeatureCollection',
          features: [
            { type: 'Feature', properties: { kode: '31.71.01.1001' }, geometry: target.geometry },
            { type: 'Feature', properties: { kode: '3672071001' }, geometry: { type: 'Polygon', coordinates: [ring] } },
          ],
        },
        '?codeProperty=kode',
      );
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ imported: 1, approximate: false, skipped: [{ code: '31.71.01.1001', reason: expect.stringMatching(/not a kelurahan\/desa of 36\.72/) }] });
      const now = (await featureOf('36.72.07.1001'))!;
      expect(now.properties.approximate).toBe(false);
      expect(now.properties.source).toBe('api upload');
      expect(now.geometry).toEqual({ type: 'Polygon', coordinates: [ring.map(([lng, lat]) => [lng, lat])] });
      expect(now.geometry).not.toEqual(target.geometry);
      // The others are still approximate, so the collection is too.
      const fc = await boundaries();
      expect(fc.approximate).toBe(true);
      expect(fc.features.filter((f) => !f.properties.approximate).map((f) => f.id)).toEqual(['36.72.07.1001']);
      const tree = (await h.app.inject('/api/v1/regions')).json() as { region: RegionNode };
      const node = tree.region.children!.flatMap((d) => d.children!).find((v) => v.code === '36.72.07.1001');
      expect(node).toMatchObject({ hasBoundary: true, boundaryApproximate: false });
      // The new shape is what locate uses: the centre is still inside, a point near an old vertex no longer.
      expect(await (await locate(c[0], c[1])).json()).toMatchObject({ code: '36.72.07.1001', approximate: false });
      const v0 = outerRing(target.geometry)[0]!;
      const nearOldEdge: Position = [c[0] + 0.9 * (v0[0] - c[0]), c[1] + 0.9 * (v0[1] - c[1])];
      if (geometryContains(target.geometry, nearOldEdge[0], nearOldEdge[1])) {
        const res2 = await locate(nearOldEdge[0], nearOldEdge[1]);
        expect(res2.statusCode === 404 || res2.json().code !== '36.72.07.1001').toBe(true);
      }
    });

    it('reports features without a usable code as skipped', async () => {
      const res = await importBoundaries({
        type: 'FeatureCollection',
        features: [{ type: 'Feature', properties: { name: 'no code' }, geometry: null }, { type: 'Feature', properties: null, geometry: null }],
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ imported: 0, skipped: [{ code: null }, { code: null }] });
    });

    it('reads a large national file as a stream: 2 MB of other regencies around one kelurahan of the city', async () => {
      const target = (await featureOf('36.72.07.1005'))!;
      const ring = Array.from({ length: 200 }, (_, i) => [106.3 + 0.01 * Math.cos(i / 30), -6.2 + 0.01 * Math.sin(i / 30)]);
      const filler = (i: number) => JSON.stringify({ type: 'Feature', properties: { KDEPUM: `36.73.01.${1000 + i}` }, geometry: { type: 'Polygon', coordinates: [[...ring, ring[0]]] } });
      const others = Array.from({ length: 400 }, (_, i) => filler(i));
      const body = `{"type":"FeatureCollection","features":[${others.slice(0, 200).join(',')},${JSON.stringify({ type: 'Feature', properties: { KDEPUM: target.id }, geometry: target.geometry })},${others.slice(200).join(',')}]}`;
      expect(body.length).toBeGreaterThan(2 * 1024 * 1024);
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/regions/boundaries', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/geo+json' }, payload: body });
      expect(res.statusCode).toBe(200);
      expect(res.json().imported).toBe(1);
      expect(res.json().skipped).toHaveLength(400);
    });

    it('refuses a file cut off in the middle with 400, and one declared over 64 MB with 413 before reading it; nothing changes', async () => {
      const before = await boundaries();
      const cut = await h.app.inject({ method: 'POST', url: '/api/v1/regions/boundaries', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, payload: '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"KDEP' });
      expect(cut.statusCode).toBe(400);
      expect(cut.json().error).toEqual({ code: 'geojson_invalid', message: 'Data yang dikirim bukan JSON yang valid.' });
      const huge = await h.app.inject({
        method: 'POST',
        url: '/api/v1/regions/boundaries',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', 'content-length': String(65 * 1024 * 1024) },
        payload: '{}',
      });
      expect(huge.statusCode).toBe(413);
      expect(huge.json().error.code).toBe('body_too_large');
      expect(await boundaries()).toEqual(before);
    });

    it('a MultiPolygon with a hole: a point in the hole is not in the kelurahan, its other part is', async () => {
      const target = (await featureOf('36.72.07.1004'))!;
      const outer = outerRing(target.geometry);
      const c = vertexAverage(outer);
      expect(geometryContains(target.geometry, c[0], c[1])).toBe(true);
      const hole = scaleRing(outer, c, 0.3).reverse();
      const island: Ring = [
        [105.8, -6.0],
        [105.82, -6.0],
        [105.82, -5.98],
        [105.8, -5.98],
        [105.8, -6.0],
      ];
      const geometry: AreaGeometry = { type: 'MultiPolygon', coordinates: [[scaleRing(outer, c, 0.8), hole], [island]] };
      const res = await importBoundaries({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { KDEPUM: target.id }, geometry }] });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ imported: 1, skipped: [] });
      expect((await featureOf(target.id))!.geometry).toEqual(geometry);

      // The centre is in the hole: no kelurahan there (the old shape covered it alone).
      expect(geometryContains(geometry, c[0], c[1])).toBe(false);
      expect((await locate(c[0], c[1])).statusCode).toBe(404);
      // Between the hole and the outer ring.
      const v0 = outer[0]!;
      const ringPoint: Position = [c[0] + 0.55 * (v0[0] - c[0]), c[1] + 0.55 * (v0[1] - c[1])];
      expect(geometryContains(geometry, ringPoint[0], ringPoint[1])).toBe(true);
      expect((await locate(ringPoint[0], ringPoint[1])).json()).toMatchObject({ code: target.id });
      // The island far west belongs to it too.
      expect((await locate(105.81, -5.99)).json()).toMatchObject({ code: target.id, districtCode: '36.72.07' });
    });
  });
});

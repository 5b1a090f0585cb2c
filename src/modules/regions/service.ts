import fs from 'node:fs';
import type { Readable } from 'node:stream';
import Flatbush from 'flatbush';
import type { Database, Queryable } from '../../platform/db.js';
import { encodeJson, type EncodedDocument } from '../../platform/encoded.js';
import { errors } from '../../platform/errors.js';
import type { Progress } from '../../platform/progress.js';
import { regencyArea, villageKind } from '../../shared/kemendagri.js';
import { bboxOf, geometryContains, normaliseGeometry, validateAreaGeometry, type AreaGeometry } from '../../shared/geometry.js';
import { readFeatureCollection } from './geojson-stream.js';
import type { BoundaryImportResult, RegionNode } from './schema.js';

/**
 * Regions: the city's Kemendagri areas (kecamatan and kelurahan/desa, names in title case) and their
 * boundaries. Point → kelurahan: the GiST index on the bounding boxes narrows the candidates in SQL,
 * the exact polygon test (holes included) decides in code — no PostGIS needed.
 */
interface RegionRow {
  code: string;
  level: RegionNode['level'];
  parent_code: string | null;
  name: string;
  village_kind: 'kelurahan' | 'desa' | null;
  has_boundary: boolean;
  geometry_approximate: boolean;
}

export const DEFAULT_CODE_PROPERTY = 'KDEPUM';

/** '3672011001', '36.72.01.1001' and '36 72 01 1001' all mean the village 36.72.01.1001. */
export function normaliseRegionCode(raw: unknown): string | null {
  if (typeof raw !== 'string' && typeof raw !== 'number') return null;
  const digits = String(raw).replace(/\D/g, '');
  const parts = [2, 2, 2, 4];
  if (![2, 4, 6, 10].includes(digits.length)) return null;
  const out: string[] = [];
  let at = 0;
  for (const len of parts) {
    if (at >= digits.length) break;
    out.push(digits.slice(at, at + len));
    at += len;
  }
  return out.join('.');
}

/** How long a node keeps its in-memory boundary index; an import on another node shows within it. */
const BOUNDARY_CACHE_MS = 60_000;

interface BoundaryIndex {
  at: number;
  index: Flatbush | null;
  areas: { code: string; name: string; districtCode: string; approximate: boolean; geometry: AreaGeometry }[];
}

/** The city's regions: the area tree, kelurahan boundaries, names and the point → kelurahan lookup. */
export class RegionsService {
  private boundaryIndex: BoundaryIndex | undefined;
  private boundaryDocument: { at: number; doc: Promise<EncodedDocument> } | undefined;

  constructor(
    private readonly db: Database,
    private readonly cityCode: string,
  ) {}

  /** Imports a regency's province, kecamatan and villages from the Kemendagri list. Idempotent. */
  async importRegency(regencyCode: string, progress?: Progress): Promise<{ districts: number; villages: number }> {
    const area = regencyArea(regencyCode);
    if (!area) {
      throw errors.notFound({ id: `Kabupaten/kota dengan kode ${regencyCode}`, en: `Regency with code ${regencyCode}` });
    }
    const rows = [
      { code: area.province.code, level: 'province', parent: null, name: area.province.name, kind: null },
      { code: area.regency.code, level: 'regency', parent: area.province.code, name: area.regency.name, kind: null },
      ...area.districts.map((d) => ({ code: d.code, level: 'district', parent: area.regency.code, name: d.name, kind: null })),
      ...area.villages.map((v) => ({ code: v.code, level: 'village', parent: v.parentCode, name: v.name, kind: villageKind(v.code) })),
    ];
    progress?.start(rows.length, `regions ${regencyCode}`);
    await this.db.transaction(async (tx) => {
      const chunk = 500;
      for (let i = 0; i < rows.length; i += chunk) {
        const part = rows.slice(i, i + chunk);
        await tx.query(
          `insert into regions (code, level, parent_code, name, village_kind)
           select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
           on conflict (code) do update set name = excluded.name, parent_code = excluded.parent_code, village_kind = excluded.village_kind`,
          [part.map((r) => r.code), part.map((r) => r.level), part.map((r) => r.parent), part.map((r) => r.name), part.map((r) => r.kind)],
        );
        progress?.update(Math.min(rows.length, i + chunk));
      }
    });
    progress?.stop();
    return { districts: area.districts.length, villages: area.villages.length };
  }

  /** Whether the regency's regions were imported (the configured city by default). */
  async hasRegency(code = this.cityCode): Promise<boolean> {
    return Boolean(await this.db.maybeOne('select 1 from regions where code = $1', [code]));
  }

  /** The city itself (code, name, province name); undefined before its regions are imported. */
  async city(): Promise<{ code: string; name: string; provinceName: string } | undefined> {
    return this.db.maybeOne<{ code: string; name: string; provinceName: string }>(
      `select r.code, r.name, p.name as "provinceName" from regions r join regions p on p.code = r.parent_code where r.code = $1`,
      [this.cityCode],
    );
  }

  /** The configured city as a tree: regency → kecamatan → kelurahan/desa. */
  async tree(): Promise<RegionNode | undefined> {
    const rows = await this.db.query<RegionRow>(
      `select code, level, parent_code, name, village_kind, geometry is not null as has_boundary, geometry_approximate
       from regions where code = $1 or code like $2 order by code`,
      [this.cityCode, `${this.cityCode}.%`],
    );
    const nodes = new Map<string, RegionNode>();
    let root: RegionNode | undefined;
    for (const row of rows) {
      const node: RegionNode = {
        code: row.code,
        name: row.name,
        level: row.level,
        ...(row.village_kind ? { villageKind: row.village_kind } : {}),
        hasBoundary: row.has_boundary,
        boundaryApproximate: row.geometry_approximate,
        ...(row.level !== 'village' ? { children: [] } : {}),
      };
      nodes.set(row.code, node);
      if (row.code === this.cityCode) root = node;
      else nodes.get(row.parent_code ?? '')?.children?.push(node);
    }
    return root;
  }

  /** The names of the city's kecamatan and kelurahan, by code (for presenting many reports at once). */
  async areaNames(): Promise<Map<string, string>> {
    const rows = await this.db.query<{ code: string; name: string }>(`select code, name from regions where level in ('district', 'village') and code like $1`, [`${this.cityCode}.%`]);
    return new Map(rows.map((r) => [r.code, r.name]));
  }

  /** Whether a kecamatan or kelurahan of this city has this code (inside the caller's transaction when given one). */
  async isArea(kind: 'kecamatan' | 'kelurahan', code: string, q: Queryable = this.db): Promise<boolean> {
    const row = await q.maybeOne('select 1 from regions where code = $1 and level = $2 and code like $3', [code, kind === 'kecamatan' ? 'district' : 'village', `${this.cityCode}.%`]);
    return row !== undefined;
  }

  /** The box around the city's kelurahan boundaries: [west, south, east, north]; null before any are imported. */
  async extent(): Promise<[number, number, number, number] | null> {
    const row = await this.db.maybeOne<{ x1: number | null; y1: number | null; x2: number | null; y2: number | null }>(
      `select min(least((bbox[0])[0], (bbox[1])[0])) as x1, min(least((bbox[0])[1], (bbox[1])[1])) as y1,
              max(greatest((bbox[0])[0], (bbox[1])[0])) as x2, max(greatest((bbox[0])[1], (bbox[1])[1])) as y2
       from regions where level = 'village' and bbox is not null and code like $1`,
      [`${this.cityCode}.%`],
    );
    return row && row.x1 !== null && row.y1 !== null && row.x2 !== null && row.y2 !== null ? [row.x1, row.y1, row.x2, row.y2] : null;
  }

  /** One region by Kemendagri code, with its level and parent; undefined when unknown. */
  async get(code: string): Promise<{ code: string; name: string; level: string; parentCode: string | null } | undefined> {
    return this.db.maybeOne(`select code, name, level, parent_code as "parentCode" from regions where code = $1`, [code]);
  }

  /**
   * Imports kelurahan boundaries from a GeoJSON FeatureCollection, all or nothing. Features whose code
   * is not a village of this city are skipped and listed (official files often cover neighbours too).
   */
  async importBoundaries(
    input: { file: string } | { stream: Readable; maxBytes?: number },
    options: { codeProperty?: string | undefined; approximate?: boolean | undefined; source?: string | undefined; progress?: Progress | undefined } = {},
  ): Promise<BoundaryImportResult> {
    const codeProperty = options.codeProperty ?? DEFAULT_CODE_PROPERTY;
    const villages = new Set(
      (await this.db.query<{ code: string }>(`select code from regions where level = 'village' and code like $1`, [`${this.cityCode}.%`])).map((r) => r.code),
    );
    if (villages.size === 0) {
      throw errors.badRequest('regions_missing', {
        id: `Wilayah ${this.cityCode} belum diimpor; jalankan "satukota import regions ${this.cityCode}" dahulu.`,
        en: `The regions of ${this.cityCode} are not imported yet; run "satukota import regions ${this.cityCode}" first.`,
      });
    }
    const problems: string[] = [];
    const skipped: BoundaryImportResult['skipped'] = [];
    const accepted = new Map<string, { geometry: AreaGeometry; approximate: boolean }>();
    const keep = (feature: unknown, i: number) => {
      const f = feature as { type?: unknown; properties?: Record<string, unknown> | null; geometry?: unknown };
      const code = normaliseRegionCode(f?.properties?.[codeProperty]);
      if (!code) {
        skipped.push({ code: null, reason: `feature ${i + 1} has no usable "${codeProperty}" property` });
        return;
      }
      if (!villages.has(code)) {
        skipped.push({ code, reason: `feature ${i + 1}: ${code} is not a kelurahan/desa of ${this.cityCode}` });
        return;
      }
      const geometryProblems = validateAreaGeometry(f.geometry);
      if (geometryProblems.length > 0) {
        problems.push(...geometryProblems.map((p) => `feature ${i + 1} (${code}): ${p}`));
        return;
      }
      if (accepted.has(code)) {
        problems.push(`feature ${i + 1}: ${code} appears more than once`);
        return;
      }
      accepted.set(code, {
        geometry: normaliseGeometry(f.geometry as AreaGeometry),
        approximate: f.properties?.approximate === true,
      });
    };
    const source = 'file' in input ? fs.createReadStream(input.file) : input.stream;
    const header = await readFeatureCollection(source, keep, { maxBytes: 'file' in input ? undefined : input.maxBytes, name: 'file' in input ? input.file : undefined });
    if (header.type !== 'FeatureCollection') {
      throw errors.badRequest('geojson_invalid', {
        id: 'Berkas bukan GeoJSON FeatureCollection.',
        en: 'The file is not a GeoJSON FeatureCollection.',
      });
    }
    if (options.approximate ?? header.approximate === true) for (const area of accepted.values()) area.approximate = true;
    if (problems.length > 0) {
      throw errors.unprocessable(
        'geojson_invalid_features',
        {
          id: `GeoJSON berisi ${problems.length} fitur yang tidak valid; tidak ada yang diimpor.`,
          en: `The GeoJSON has ${problems.length} invalid feature(s); nothing was imported.`,
        },
        { problems: problems.slice(0, 50) },
      );
    }
    options.progress?.start(accepted.size, 'boundaries');
    let done = 0;
    await this.db.transaction(async (tx) => {
      for (const [code, { geometry, approximate }] of accepted) {
        await setBoundary(tx, code, geometry, approximate, options.source ?? null);
        options.progress?.update(++done);
      }
    });
    options.progress?.stop();
    this.boundaryIndex = undefined;
    this.boundaryDocument = undefined;
    return { imported: accepted.size, approximate: [...accepted.values()].some((a) => a.approximate), skipped };
  }

  /**
   * The kelurahan/desa containing a point, or undefined (outside the city or between polygons).
   * Every report is located, so the boundaries are kept in memory behind an R-tree (Flatbush);
   * the exact point-in-polygon test (holes included) decides among the bounding-box candidates.
   */
  async locate(lat: number, lng: number): Promise<{ code: string; name: string; districtCode: string; approximate: boolean } | undefined> {
    const { index, areas } = await this.boundaries();
    if (!index) return undefined;
    for (const i of index.search(lng, lat, lng, lat)) {
      const area = areas[i]!;
      if (geometryContains(area.geometry, lng, lat)) return { code: area.code, name: area.name, districtCode: area.districtCode, approximate: area.approximate };
    }
    return undefined;
  }

  private async boundaries(): Promise<BoundaryIndex> {
    if (this.boundaryIndex && Date.now() - this.boundaryIndex.at < BOUNDARY_CACHE_MS) return this.boundaryIndex;
    const rows = await this.db.query<{ code: string; name: string; parent_code: string; geometry: AreaGeometry; geometry_approximate: boolean }>(
      `select code, name, parent_code, geometry, geometry_approximate from regions where level = 'village' and geometry is not null order by code`,
    );
    let index: Flatbush | null = null;
    if (rows.length > 0) {
      index = new Flatbush(rows.length);
      for (const r of rows) {
        const b = bboxOf(r.geometry);
        index.add(b.minLng, b.minLat, b.maxLng, b.maxLat);
      }
      index.finish();
    }
    this.boundaryIndex = {
      at: Date.now(),
      index,
      areas: rows.map((r) => ({ code: r.code, name: r.name, districtCode: r.parent_code, approximate: r.geometry_approximate, geometry: r.geometry })),
    };
    return this.boundaryIndex;
  }

  /**
   * The boundaries GeoJSON ready to send: every map page loads it, it is the largest API answer, and it
   * changes only on an import; kept as long as the locate index (an import elsewhere shows within it).
   */
  boundariesDocument(): Promise<EncodedDocument> {
    const cached = this.boundaryDocument;
    if (cached && Date.now() - cached.at < BOUNDARY_CACHE_MS) return cached.doc;
    // The promise is kept, not its result: requests arriving while it is built wait for the same one
    // instead of each querying and compressing again. A failure is forgotten at once.
    const previous = cached?.doc.catch(() => undefined);
    const entry = { at: Date.now(), doc: (async () => encodeJson(await this.boundariesGeoJson(), 'application/geo+json; charset=utf-8', await previous))() };
    this.boundaryDocument = entry;
    entry.doc.catch(() => {
      if (this.boundaryDocument === entry) this.boundaryDocument = undefined;
    });
    return entry.doc;
  }

  /** The city's boundaries as one FeatureCollection (kelurahan with their kecamatan). */
  private async boundariesGeoJson(): Promise<Record<string, unknown>> {
    const rows = await this.db.query<{
      code: string;
      name: string;
      village_kind: string;
      district_code: string;
      district_name: string;
      geometry: AreaGeometry;
      geometry_approximate: boolean;
      geometry_source: string | null;
    }>(
      `select v.code, v.name, v.village_kind, d.code as district_code, d.name as district_name, v.geometry, v.geometry_approximate, v.geometry_source
       from regions v join regions d on d.code = v.parent_code
       where v.level = 'village' and v.code like $1 and v.geometry is not null order by v.code`,
      [`${this.cityCode}.%`],
    );
    const approximate = rows.some((r) => r.geometry_approximate);
    return {
      type: 'FeatureCollection',
      approximate,
      ...(approximate
        ? { note: 'Some or all boundaries are approximate (generated for the demo), not official. Batas wilayah ini perkiraan, bukan batas resmi.' }
        : {}),
      features: rows.map((r) => ({
        type: 'Feature',
        id: r.code,
        geometry: r.geometry,
        properties: {
          code: r.code,
          name: r.name,
          kind: r.village_kind,
          districtCode: r.district_code,
          districtName: r.district_name,
          approximate: r.geometry_approximate,
          source: r.geometry_source,
        },
      })),
    };
  }
}

async function setBoundary(tx: Queryable, code: string, geometry: AreaGeometry, approximate: boolean, source: string | null) {
  const b = bboxOf(geometry);
  await tx.query(
    `update regions set geometry = $2, bbox = box(point($3, $4), point($5, $6)),
       geometry_approximate = $7, geometry_source = $8, geometry_updated_at = now()
     where code = $1`,
    [code, JSON.stringify(geometry), b.minLng, b.minLat, b.maxLng, b.maxLat, approximate, source],
  );
}


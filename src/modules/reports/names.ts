import type { Database } from '../../platform/db.js';
import type { Scope } from '../identity/index.js';

/** How long a node trusts its copy of the names; renames are rare. */
const CACHE_MS = 60_000;

export interface Names {
  region(code: string | null): { code: string; name: string } | null;
  agency(code: string): { code: string; name: string; shortName: string };
  category(code: string): { code: string; name: { id: string; en: string }; icon: string };
  /** A unit as a citizen reads it: "Kelurahan Ramanuju", "DPUPR", "Koordinator pengaduan". */
  unit(kind: 'kelurahan' | 'kecamatan' | 'opd' | 'coordinator' | Scope['kind'], code: string): string;
}

/**
 * Names of regions, agencies and categories for presenting reports, loaded in three queries and
 * kept for a minute, so a page of 50 reports does not cost 150 lookups.
 */
export class NameDirectory {
  private cached: { at: number; names: Names } | undefined;

  constructor(private readonly db: Database) {}

  /** Forgets the names now (after a local change), rather than within the minute. */
  invalidate(): void {
    this.cached = undefined;
  }

  /** The names, loaded at most once a minute. */
  async get(): Promise<Names> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.names;
    const [regions, agencies, categories] = [
      await this.db.query<{ code: string; name: string; level: string }>(`select code, name, level from regions where level in ('district', 'village')`),
      await this.db.query<{ code: string; name: string; short_name: string }>('select code, name, short_name from agencies'),
      await this.db.query<{ code: string; name_id: string; name_en: string; icon: string }>('select code, name_id, name_en, icon from report_categories'),
    ];
    const regionMap = new Map(regions.map((r) => [r.code, r]));
    const agencyMap = new Map(agencies.map((a) => [a.code, { code: a.code, name: a.name, shortName: a.short_name }]));
    const categoryMap = new Map(categories.map((c) => [c.code, { code: c.code, name: { id: c.name_id, en: c.name_en }, icon: c.icon }]));
    const names: Names = {
      region: (code) => {
        if (!code) return null;
        const r = regionMap.get(code);
        return { code, name: r?.name ?? code };
      },
      agency: (code) => agencyMap.get(code) ?? { code, name: code, shortName: code },
      category: (code) => categoryMap.get(code) ?? { code, name: { id: code, en: code }, icon: 'other' },
      unit: (kind, code) => {
        if (kind === 'coordinator' || kind === 'city') return 'Koordinator pengaduan';
        if (kind === 'opd') return agencyMap.get(code)?.shortName ?? code;
        const r = regionMap.get(code);
        return `${kind === 'kecamatan' ? 'Kecamatan' : 'Kelurahan'} ${r?.name ?? code}`;
      },
    };
    this.cached = { at: Date.now(), names };
    return names;
  }
}

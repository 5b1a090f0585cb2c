import type { Database } from '../../platform/db.js';
import type { Scope } from '../identity/index.js';
import type { Neighbours } from './neighbours.js';

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

  constructor(
    private readonly db: Database,
    private readonly neighbours: Pick<Neighbours, 'areaNames' | 'agencyNames'>,
  ) {}

  /** Forgets the names now (after a local change), rather than within the minute. */
  invalidate(): void {
    this.cached = undefined;
  }

  /** The names, loaded at most once a minute. */
  async get(): Promise<Names> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.names;
    const [regions, agencies, categories] = [
      await this.neighbours.areaNames(),
      await this.neighbours.agencyNames(),
      await this.db.query<{ code: string; name_id: string; name_en: string; icon: string }>('select code, name_id, name_en, icon from report_categories'),
    ];
    const agencyMap = new Map(agencies.map((a) => [a.code, a]));
    const categoryMap = new Map(categories.map((c) => [c.code, { code: c.code, name: { id: c.name_id, en: c.name_en }, icon: c.icon }]));
    const names: Names = {
      region: (code) => {
        if (!code) return null;
        return { code, name: regions.get(code) ?? code };
      },
      agency: (code) => agencyMap.get(code) ?? { code, name: code, shortName: code },
      category: (code) => categoryMap.get(code) ?? { code, name: { id: code, en: code }, icon: 'other' },
      unit: (kind, code) => {
        if (kind === 'coordinator' || kind === 'city') return 'Koordinator pengaduan';
        if (kind === 'opd') return agencyMap.get(code)?.shortName ?? code;
        return `${kind === 'kecamatan' ? 'Kecamatan' : 'Kelurahan'} ${regions.get(code) ?? code}`;
      },
    };
    this.cached = { at: Date.now(), names };
    return names;
  }
}

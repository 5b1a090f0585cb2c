import type { Queryable } from '../../platform/db.js';

/**
 * What reports asks of other modules — identity (people), regions (areas), agencies — as functions
 * that app.ts passes in, so reports reads no other module's tables. Those taking `q` may be called
 * inside a transaction, and must then run on it: PGlite's one connection would wait for itself.
 */
export interface Neighbours {
  /** A reporter's name and phone, decrypted (identity). */
  nameAndPhone(userId: string, q?: Queryable): Promise<{ name: string; phone: string | null } | undefined>;
  /** Officers' names by id, decrypted; others left out (identity). */
  officerNames(ids: readonly string[], q?: Queryable): Promise<Map<string, string>>;
  /** The active head of a unit, or with no unit the first pimpinan (identity). */
  headId(unit: { kind: 'kelurahan' | 'kecamatan' | 'opd'; code: string } | undefined, q?: Queryable): Promise<string | undefined>;
  /** The box around the city's kelurahan: [west, south, east, north] (regions). */
  cityExtent(): Promise<[number, number, number, number] | null>;
  /** The names of the city's kecamatan and kelurahan by code (regions). */
  areaNames(): Promise<Map<string, string>>;
  /** Whether this kecamatan or kelurahan is the city's (regions). */
  isArea(kind: 'kecamatan' | 'kelurahan', code: string, q?: Queryable): Promise<boolean>;
  /** Every agency's names (agencies). */
  agencyNames(): Promise<{ code: string; name: string; shortName: string }[]>;
  /** Whether an agency has this code (agencies). */
  agencyExists(code: string, q?: Queryable): Promise<boolean>;
}

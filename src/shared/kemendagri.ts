/**
 * The national Kemendagri (Ministry of Home Affairs) area code list. Reference data without a
 * database, shared by regions (the city's area tree) and identity (the kecamatan a NIK names).
 *
 * Source: the npm package `idn-area-data` 3.x, which ships the official list as CSV files
 * (provinces, regencies = kabupaten/kota, districts = kecamatan, villages = kelurahan/desa).
 * The CSVs are parsed here synchronously, lazily on first use, and cached:
 *   - provinces, regencies and districts (small) are parsed together on the first lookup;
 *   - villages (83k rows) are parsed only when a village function is first called.
 *
 * Codes are dotted as in Permendagri: `36` (province), `36.72` (regency), `36.72.01`
 * (kecamatan), `36.72.01.1001` (village). Lookups also accept the undotted form
 * (`3672`, `367201`, `3672011001`).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type AreaLevel = 'province' | 'regency' | 'district' | 'village';

export interface Area {
  code: string;
  name: string;
  level: AreaLevel;
  parentCode: string | null;
}

// ---------------------------------------------------------------------------
// Title case
// ---------------------------------------------------------------------------

/** Roman numerals I..XXXIX, as used in area names ("WEK II", "IV KOTO"). */
const ROMAN = /^X{0,3}(?:IX|IV|V?I{0,3})$/i;
/** Abbreviations kept upper case. */
const ACRONYMS = new Set(['DKI']);
/** After these characters the next letter is not capitalised ("JA'AN" → "Ja'an"). */
const NO_CAPITAL_AFTER = /['’‘`"]$/;
const TOKEN = /[\p{L}\p{M}\p{N}]+|[^\p{L}\p{M}\p{N}]+/gu;
const WORD = /^[\p{L}\p{M}\p{N}]/u;

/**
 * Title-cases an upper-case area name: "KABUPATEN ACEH SELATAN" → "Kabupaten Aceh Selatan",
 * "KEP. SERIBU" → "Kep. Seribu". Separators (space, hyphen, slash, parentheses, apostrophes,
 * dots, …) are kept as they are; roman numerals ("II", "IV") stay upper case; a letter right
 * after an apostrophe is not capitalised ("O'O'U" → "O'o'u").
 */
export function titleCase(name: string): string {
  const tokens = name.match(TOKEN);
  if (!tokens) return name;
  let out = '';
  let prevSeparator = '';
  for (const token of tokens) {
    if (!WORD.test(token)) {
      out += token;
      prevSeparator = token;
      continue;
    }
    const upper = token.toUpperCase();
    if (ROMAN.test(token) || ACRONYMS.has(upper)) {
      out += upper;
    } else if (NO_CAPITAL_AFTER.test(prevSeparator) && out.length > 0) {
      out += token.toLowerCase();
    } else {
      const chars = Array.from(token);
      out += (chars[0] ?? '').toUpperCase() + chars.slice(1).join('').toLowerCase();
    }
    prevSeparator = '';
  }
  return out;
}

/** Province and regency names are upper case in the source; kecamatan and village names are
 *  already properly cased ("STM Hilir", "2 x 11 Kayu Tanam") and are kept. */
function displayName(raw: string): string {
  const trimmed = raw.trim();
  return /\p{Ll}/u.test(trimmed) ? trimmed : titleCase(trimmed);
}

// ---------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------

/**
 * Parses CSV text (RFC 4180): fields separated by commas, records by LF or CRLF, a field
 * starting with `"` is quoted (may contain commas, line breaks and `""` for a quote).
 * Leniency: a `"` in the middle of an unquoted field is kept literally (the village list has
 * names like `Soka"an`). Empty lines are skipped.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // BOM
  let atFieldStart = true;
  let quoted = false;

  const endRecord = (): void => {
    row.push(field);
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
    field = '';
    atFieldStart = true;
  };

  while (i < n) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        continue;
      }
      field += c;
      i += 1;
      continue;
    }
    if (c === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
      i += 1;
      continue;
    }
    if (c === ',') {
      row.push(field);
      field = '';
      atFieldStart = true;
      i += 1;
      continue;
    }
    if (c === '\r' && text[i + 1] === '\n') {
      endRecord();
      i += 2;
      continue;
    }
    if (c === '\n' || c === '\r') {
      endRecord();
      i += 1;
      continue;
    }
    field += c;
    atFieldStart = false;
    i += 1;
  }
  if (field !== '' || row.length > 0) endRecord();
  return rows;
}

// ---------------------------------------------------------------------------
// Data loading (lazy, cached)
// ---------------------------------------------------------------------------

let dataDir: string | undefined;

function dataFolder(): string {
  if (dataDir === undefined) {
    const pkg = createRequire(import.meta.url).resolve('idn-area-data/package.json');
    dataDir = join(dirname(pkg), 'data');
  }
  return dataDir;
}

/** Reads one CSV file and returns the given columns (by header name) of every record. */
function readTable(file: string, columns: readonly string[]): string[][] {
  const rows = parseCsv(readFileSync(join(dataFolder(), file), 'utf8'));
  const header = (rows[0] ?? []).map((h) => h.trim());
  const index = columns.map((col) => {
    const at = header.indexOf(col);
    if (at < 0) throw new Error(`idn-area-data ${file}: missing column "${col}"`);
    return at;
  });
  const out: string[][] = [];
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r]!;
    out.push(index.map((at) => (row[at] ?? '').trim()));
  }
  return out;
}

interface CoreData {
  provinces: Map<string, Area>;
  regencies: Map<string, Area>;
  districts: Map<string, Area>;
  districtsByRegency: Map<string, Area[]>;
  regenciesByProvince: Map<string, Area[]>;
}

let core: CoreData | undefined;
let villagesByDistrict: Map<string, Area[]> | undefined;

function area(code: string, name: string, level: AreaLevel, parentCode: string | null): Area {
  return Object.freeze({ code, name: displayName(name), level, parentCode });
}

function pushTo(map: Map<string, Area[]>, key: string, value: Area): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function loadCore(): CoreData {
  if (core) return core;
  const provinces = new Map<string, Area>();
  for (const [code, name] of readTable('provinces.csv', ['code', 'name'])) {
    provinces.set(code!, area(code!, name!, 'province', null));
  }
  const regencies = new Map<string, Area>();
  const regenciesByProvince = new Map<string, Area[]>();
  for (const [code, parent, name] of readTable('regencies.csv', ['code', 'province_code', 'name'])) {
    const a = area(code!, name!, 'regency', parent!);
    regencies.set(code!, a);
    pushTo(regenciesByProvince, parent!, a);
  }
  const districts = new Map<string, Area>();
  const districtsByRegency = new Map<string, Area[]>();
  for (const [code, parent, name] of readTable('districts.csv', ['code', 'regency_code', 'name'])) {
    const a = area(code!, name!, 'district', parent!);
    districts.set(code!, a);
    pushTo(districtsByRegency, parent!, a);
  }
  core = { provinces, regencies, districts, districtsByRegency, regenciesByProvince };
  return core;
}

function loadVillages(): Map<string, Area[]> {
  if (villagesByDistrict) return villagesByDistrict;
  const map = new Map<string, Area[]>();
  for (const [code, parent, name] of readTable('villages.csv', ['code', 'district_code', 'name'])) {
    pushTo(map, parent!, area(code!, name!, 'village', parent!));
  }
  villagesByDistrict = map;
  return map;
}

// ---------------------------------------------------------------------------
// Codes
// ---------------------------------------------------------------------------

const DOTTED = {
  province: /^\d{2}$/,
  regency: /^\d{2}\.\d{2}$/,
  district: /^\d{2}\.\d{2}\.\d{2}$/,
  village: /^\d{2}\.\d{2}\.\d{2}\.\d{4}$/,
} as const;
const UNDOTTED_LENGTH: Record<AreaLevel, number> = { province: 2, regency: 4, district: 6, village: 10 };

/**
 * Normalises an area code of the given level to the dotted form (`3672` → `36.72`).
 * Returns undefined when the input is not a well-formed code of that level (ASCII digits only).
 */
export function normalizeAreaCode(code: unknown, level: AreaLevel): string | undefined {
  if (typeof code !== 'string') return undefined;
  const c = code.trim();
  if (DOTTED[level].test(c)) return c;
  if (c.length === UNDOTTED_LENGTH[level] && /^\d+$/.test(c)) {
    const parts = [c.slice(0, 2), c.slice(2, 4), c.slice(4, 6), c.slice(6)].filter((p) => p !== '');
    return parts.join('.');
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Lookups
// ---------------------------------------------------------------------------

export function province(code: string): Area | undefined {
  const c = normalizeAreaCode(code, 'province');
  return c === undefined ? undefined : loadCore().provinces.get(c);
}

export function regency(code: string): Area | undefined {
  const c = normalizeAreaCode(code, 'regency');
  return c === undefined ? undefined : loadCore().regencies.get(c);
}

/** A kecamatan. */
export function district(code: string): Area | undefined {
  const c = normalizeAreaCode(code, 'district');
  return c === undefined ? undefined : loadCore().districts.get(c);
}

/** A kelurahan or desa. Loads the village list on first use. */
export function village(code: string): Area | undefined {
  const c = normalizeAreaCode(code, 'village');
  if (c === undefined) return undefined;
  return loadVillages()
    .get(c.slice(0, 8))
    ?.find((v) => v.code === c);
}

export function allProvinces(): Area[] {
  return [...loadCore().provinces.values()];
}

export function regenciesOfProvince(code: string): Area[] {
  const c = normalizeAreaCode(code, 'province');
  return c === undefined ? [] : [...(loadCore().regenciesByProvince.get(c) ?? [])];
}

export function districtsOfRegency(code: string): Area[] {
  const c = normalizeAreaCode(code, 'regency');
  return c === undefined ? [] : [...(loadCore().districtsByRegency.get(c) ?? [])];
}

/** Kelurahan and desa of a kecamatan. Loads the village list on first use. */
export function villagesOfDistrict(code: string): Area[] {
  const c = normalizeAreaCode(code, 'district');
  return c === undefined ? [] : [...(loadVillages().get(c) ?? [])];
}

/** Everything needed to import one regency (kabupaten/kota). Loads the village list. */
export function regencyArea(
  code: string,
): { province: Area; regency: Area; districts: Area[]; villages: Area[] } | undefined {
  const reg = regency(code);
  if (!reg || reg.parentCode === null) return undefined;
  const prov = province(reg.parentCode);
  if (!prov) return undefined;
  const districts = districtsOfRegency(reg.code);
  const byDistrict = loadVillages();
  const villages: Area[] = [];
  for (const d of districts) villages.push(...(byDistrict.get(d.code) ?? []));
  return { province: prov, regency: reg, districts, villages };
}

/**
 * In Kemendagri village codes the 4-digit serial starts with 1 for a kelurahan (urban, led by
 * a civil servant lurah) and with 2 for a desa (3 is used for desa adat, also a desa).
 * Accepts a dotted (`36.72.01.1001`) or undotted (`3672011001`) village code, or the serial.
 */
export function villageKind(code: string): 'kelurahan' | 'desa' {
  const c = typeof code === 'string' ? code.trim() : '';
  let serial: string;
  if (c.includes('.')) serial = c.slice(c.lastIndexOf('.') + 1);
  else if (c.length === 10) serial = c.slice(6);
  else serial = c;
  return serial.startsWith('1') ? 'kelurahan' : 'desa';
}

/** The kecamatan coded by the first six digits of a NIK: '367201' → 36.72.01 (Cibeber). */
export function districtFromNikDigits(sixDigits: string): Area | undefined {
  if (typeof sixDigits !== 'string' || !/^[0-9]{6}$/.test(sixDigits)) return undefined;
  return district(sixDigits);
}

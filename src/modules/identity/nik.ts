/**
 * NIK (Nomor Induk Kependudukan) validation.
 *
 * A NIK has 16 ASCII digits: PP RR KK DDMMYY SSSS
 *   PP     province code (must exist in the Kemendagri list);
 *   RR     regency part, KK kecamatan part — looked up, but an unknown kecamatan/regency is
 *          accepted with a flag, because a NIK keeps the code of the place that issued it even
 *          after regions are split or renumbered;
 *   DDMMYY birth date, with 40 added to DD for women; the century is not written, so it is
 *          taken from the birth date the person gives, or else chosen so the date is not in
 *          the future (2000s if possible, else 1900s);
 *   SSSS   serial, never 0000.
 *
 * Any Indonesian NIK is valid, not only one city's. `validateNik` never throws.
 * All date arithmetic is done on UTC calendar dates.
 */
import { districtFromNikDigits, province, regency } from '../../shared/kemendagri.js';

export type NikErrorCode =
  | 'nik_required'
  | 'nik_invalid_length'
  | 'nik_invalid_characters'
  | 'nik_invalid_province'
  | 'nik_invalid_date'
  | 'nik_invalid_serial'
  | 'nik_birthdate_mismatch'
  | 'nik_birthdate_invalid'
  | 'nik_birthdate_future';

export interface NikFacts {
  nik: string;
  provinceCode: string;
  provinceName: string;
  regencyCode: string;
  regencyName: string | null;
  districtCode: string;
  districtName: string | null;
  /** YYYY-MM-DD */
  birthDate: string;
  sex: 'male' | 'female';
  serial: string;
  flags: { unknownDistrict: boolean; unknownRegency: boolean };
}

export type NikResult =
  | { ok: true; facts: NikFacts }
  | { ok: false; code: NikErrorCode; message: { id: string; en: string } };

export interface NikOptions {
  /** The birth date the person gives, YYYY-MM-DD. Absent when undefined, null or ''. */
  birthDate?: string;
  /** Reference "today" (its UTC calendar date is used). Defaults to now. */
  today?: Date;
}

const NIK_LENGTH = 16;

const MONTHS_ID = [
  'Januari',
  'Februari',
  'Maret',
  'April',
  'Mei',
  'Juni',
  'Juli',
  'Agustus',
  'September',
  'Oktober',
  'November',
  'Desember',
];
const MONTHS_EN = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

// ---------------------------------------------------------------------------
// Dates (pure calendar arithmetic; no local time zone involved)
// ---------------------------------------------------------------------------

interface YMD {
  y: number;
  m: number;
  d: number;
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function isRealDate({ y, m, d }: YMD): boolean {
  return Number.isInteger(y) && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** Orders dates: negative when a < b. */
function compareDates(a: YMD, b: YMD): number {
  return a.y - b.y || a.m - b.m || a.d - b.d;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

function formatDate({ y, m, d }: YMD): string {
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
}

function todayUtc(today: unknown): YMD {
  const t = today instanceof Date && !Number.isNaN(today.getTime()) ? today : new Date();
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

// ---------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------

function fail(code: NikErrorCode, id: string, en: string): NikResult {
  return { ok: false, code, message: { id, en } };
}

/** Describes an offending character for a message. */
function describeChar(ch: string): { id: string; en: string } {
  if (ch === ' ') return { id: 'spasi', en: 'a space' };
  const hex = `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  if (/^\s$/u.test(ch)) return { id: `spasi/jeda (${hex})`, en: `a blank (${hex})` };
  if (/^\p{Nd}$/u.test(ch)) {
    return { id: `angka "${ch}" yang bukan angka biasa 0–9`, en: `the non-standard digit "${ch}"` };
  }
  if (/^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch)) {
    return { id: `karakter "${ch}"`, en: `the character "${ch}"` };
  }
  return { id: `karakter tak terlihat (${hex})`, en: `an invisible character (${hex})` };
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

/**
 * Validates a NIK. Returns the facts it encodes, or an error code with a short message in
 * Bahasa Indonesia and English. Never throws.
 */
export function validateNik(input: unknown, options?: NikOptions): NikResult {
  // --- presence and shape -------------------------------------------------
  if (input === undefined || input === null || input === '') {
    return fail('nik_required', 'NIK wajib diisi.', 'The NIK is required.');
  }
  if (typeof input !== 'string') {
    return fail(
      'nik_invalid_characters',
      'NIK harus diisi sebagai teks berisi 16 angka.',
      'The NIK must be given as text of 16 digits.',
    );
  }
  let position = 0;
  for (const ch of input) {
    position += 1;
    if (ch < '0' || ch > '9' || ch.length !== 1) {
      const what = describeChar(ch);
      return fail(
        'nik_invalid_characters',
        `NIK hanya boleh berisi angka 0–9; ${what.id} pada posisi ke-${position} tidak diperbolehkan.`,
        `A NIK may contain only the digits 0–9; ${what.en} at position ${position} is not allowed.`,
      );
    }
  }
  if (input.length !== NIK_LENGTH) {
    const n = input.length;
    return fail(
      'nik_invalid_length',
      `NIK harus terdiri dari 16 angka; yang Anda masukkan ${n} angka.`,
      `A NIK must have 16 digits; you entered ${n} ${n === 1 ? 'digit' : 'digits'}.`,
    );
  }
  const nik = input;

  // --- province -------------------------------------------------------------
  const provinceCode = nik.slice(0, 2);
  const prov = province(provinceCode);
  if (!prov) {
    return fail(
      'nik_invalid_province',
      `Dua angka pertama NIK (${provinceCode}) bukan kode provinsi yang dikenal.`,
      `The first two digits of the NIK (${provinceCode}) are not a known province code.`,
    );
  }

  // --- birth date (DDMMYY, women +40) -------------------------------------
  const ddRaw = Number(nik.slice(6, 8));
  const mm = Number(nik.slice(8, 10));
  const yy = Number(nik.slice(10, 12));
  const female = ddRaw >= 41 && ddRaw <= 71;
  if (!(female || (ddRaw >= 1 && ddRaw <= 31))) {
    const dd = nik.slice(6, 8);
    return fail(
      'nik_invalid_date',
      `Angka ke-7 dan ke-8 NIK (${dd}) bukan tanggal lahir yang sah: harus 01–31 untuk laki-laki atau 41–71 untuk perempuan.`,
      `Digits 7–8 of the NIK (${dd}) are not a valid day of birth: they must be 01–31 for a man or 41–71 for a woman.`,
    );
  }
  if (mm < 1 || mm > 12) {
    const m = nik.slice(8, 10);
    return fail(
      'nik_invalid_date',
      `Angka ke-9 dan ke-10 NIK (${m}) bukan bulan lahir yang sah (01–12).`,
      `Digits 9–10 of the NIK (${m}) are not a valid month of birth (01–12).`,
    );
  }
  const day = female ? ddRaw - 40 : ddRaw;
  const in2000s: YMD = { y: 2000 + yy, m: mm, d: day };
  const in1900s: YMD = { y: 1900 + yy, m: mm, d: day };
  if (!isRealDate(in2000s) && !isRealDate(in1900s)) {
    const monthId = MONTHS_ID[mm - 1]!;
    const monthEn = MONTHS_EN[mm - 1]!;
    if (mm === 2 && day === 29) {
      return fail(
        'nik_invalid_date',
        `Tanggal lahir pada NIK tidak ada: tahun ${in1900s.y} dan ${in2000s.y} bukan tahun kabisat, jadi tidak ada tanggal 29 Februari.`,
        `The birth date in the NIK does not exist: ${in1900s.y} and ${in2000s.y} are not leap years, so there is no 29 February.`,
      );
    }
    return fail(
      'nik_invalid_date',
      `Tanggal lahir pada NIK tidak ada: bulan ${monthId} tidak memiliki tanggal ${day}.`,
      `The birth date in the NIK does not exist: ${monthEn} has no day ${day}.`,
    );
  }

  // --- serial -----------------------------------------------------------------
  const serial = nik.slice(12, 16);
  if (serial === '0000') {
    return fail(
      'nik_invalid_serial',
      'Empat angka terakhir NIK (nomor urut) tidak boleh 0000.',
      'The last four digits of the NIK (the serial number) cannot be 0000.',
    );
  }

  // --- century: from the given birth date, or the latest date not in the future ---
  let opts: { birthDate?: unknown; today?: unknown } = {};
  try {
    if (options !== null && typeof options === 'object') {
      opts = { birthDate: options.birthDate, today: options.today };
    }
  } catch {
    opts = {};
  }
  const today = todayUtc(opts.today);
  let birth: YMD;
  const given = opts.birthDate;
  if (given === undefined || given === null || given === '') {
    if (isRealDate(in2000s) && compareDates(in2000s, today) <= 0) birth = in2000s;
    else if (isRealDate(in1900s) && compareDates(in1900s, today) <= 0) birth = in1900s;
    else {
      const shown = formatDate(isRealDate(in1900s) ? in1900s : in2000s);
      return fail(
        'nik_invalid_date',
        `Tanggal lahir pada NIK (${shown}) belum terjadi.`,
        `The birth date in the NIK (${shown}) is in the future.`,
      );
    }
  } else {
    const parsed = typeof given === 'string' ? /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(given) : null;
    if (!parsed) {
      return fail(
        'nik_birthdate_invalid',
        'Tanggal lahir tidak valid; gunakan format TTTT-BB-HH, misalnya 1990-08-17.',
        'The birth date is not valid; use the format YYYY-MM-DD, for example 1990-08-17.',
      );
    }
    const b: YMD = { y: Number(parsed[1]), m: Number(parsed[2]), d: Number(parsed[3]) };
    const text = parsed[0];
    if (!isRealDate(b)) {
      return fail(
        'nik_birthdate_invalid',
        `Tanggal lahir ${text} tidak ada di kalender.`,
        `The birth date ${text} does not exist in the calendar.`,
      );
    }
    if (b.y < 1900 || b.y > 2099) {
      return fail(
        'nik_birthdate_invalid',
        `Tahun lahir ${b.y} tidak mungkin; tahun lahir harus antara 1900 dan 2099.`,
        `The birth year ${b.y} is not possible; it must be between 1900 and 2099.`,
      );
    }
    if (compareDates(b, today) > 0) {
      return fail(
        'nik_birthdate_future',
        `Tanggal lahir ${text} belum terjadi; periksa kembali tanggal lahir Anda.`,
        `The birth date ${text} is in the future; please check your date of birth.`,
      );
    }
    if (b.m !== mm || b.d !== day || b.y % 100 !== yy) {
      return fail(
        'nik_birthdate_mismatch',
        `Tanggal lahir ${text} tidak cocok dengan NIK, yang mencatat kelahiran tanggal ${day} ${MONTHS_ID[mm - 1]} pada tahun berakhiran ${pad2(yy)}.`,
        `The birth date ${text} does not match the NIK, which records a birth on ${day} ${MONTHS_EN[mm - 1]} in a year ending in ${pad2(yy)}.`,
      );
    }
    birth = b;
  }

  // --- regency and kecamatan (unknown ones are accepted and flagged) -------
  const regencyCode = `${provinceCode}.${nik.slice(2, 4)}`;
  const districtCode = `${regencyCode}.${nik.slice(4, 6)}`;
  const reg = regency(regencyCode);
  const dist = districtFromNikDigits(nik.slice(0, 6));

  return {
    ok: true,
    facts: {
      nik,
      provinceCode,
      provinceName: prov.name,
      regencyCode,
      regencyName: reg?.name ?? null,
      districtCode,
      districtName: dist?.name ?? null,
      birthDate: formatDate(birth),
      sex: female ? 'female' : 'male',
      serial,
      flags: { unknownDistrict: !dist, unknownRegency: !reg },
    },
  };
}

/**
 * Masks a NIK for display: '3672011708900001' → '3672**********01' (first 4 and last 2
 * characters shown). Anything that is not 16 characters long is masked completely, keeping
 * its length; a non-string gives ''.
 */
export function maskNik(nik: string): string {
  if (typeof nik !== 'string') return '';
  const chars = Array.from(nik);
  if (chars.length === NIK_LENGTH) {
    return chars.slice(0, 4).join('') + '*'.repeat(10) + chars.slice(14).join('');
  }
  return '*'.repeat(chars.length);
}

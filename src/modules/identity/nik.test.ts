import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { maskNik, validateNik, type NikErrorCode, type NikResult } from './nik.js';

const TODAY = new Date(Date.UTC(2026, 0, 15, 12, 0, 0)); // 2026-01-15

function expectError(result: NikResult, code: NikErrorCode): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.code).toBe(code);
  expect(result.message.id.length).toBeGreaterThan(10);
  expect(result.message.en.length).toBeGreaterThan(10);
}

function facts(result: NikResult) {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.message.en}`);
  return result.facts;
}

describe('validateNik — valid NIKs', () => {
  it('accepts a male NIK from Cibeber, Kota Cilegon', () => {
    expect(validateNik('3672011708900001')).toEqual({
      ok: true,
      facts: {
        nik: '3672011708900001',
        provinceCode: '36',
        provinceName: 'Banten',
        regencyCode: '36.72',
        regencyName: 'Kota Cilegon',
        districtCode: '36.72.01',
        districtName: 'Cibeber',
        birthDate: '1990-08-17',
        sex: 'male',
        serial: '0001',
        flags: { unknownDistrict: false, unknownRegency: false },
      },
    });
  });

  it('accepts a female NIK (day + 40)', () => {
    const f = facts(validateNik('3672024503850002', { today: TODAY }));
    expect(f.sex).toBe('female');
    expect(f.birthDate).toBe('1985-03-05');
    expect(f.districtName).toBe('Cilegon');
    expect(f.serial).toBe('0002');
  });

  it('accepts the day bounds 01, 31, 41 and 71', () => {
    expect(facts(validateNik('3672010101900001', { today: TODAY })).birthDate).toBe('1990-01-01');
    expect(facts(validateNik('3672013112900001', { today: TODAY })).birthDate).toBe('1990-12-31');
    expect(facts(validateNik('3672014101900001', { today: TODAY })).sex).toBe('female');
    const f = facts(validateNik('3672017112900001', { today: TODAY }));
    expect([f.sex, f.birthDate]).toEqual(['female', '1990-12-31']);
  });

  it('accepts NIKs from any region of Indonesia, not only one city', () => {
    const aceh = facts(validateNik('1101011708900001', { today: TODAY }));
    expect([aceh.provinceName, aceh.regencyName, aceh.districtName]).toEqual([
      'Aceh',
      'Kabupaten Aceh Selatan',
      'Bakongan',
    ]);
    expect(facts(validateNik('3171011708900001', { today: TODAY })).provinceName).toBe('DKI Jakarta');
  });

  it('accepts an unknown kecamatan with a flag (region split or renumbered)', () => {
    const f = facts(validateNik('3672991708900001', { today: TODAY }));
    expect(f.districtCode).toBe('36.72.99');
    expect(f.districtName).toBeNull();
    expect(f.regencyName).toBe('Kota Cilegon');
    expect(f.flags).toEqual({ unknownDistrict: true, unknownRegency: false });
  });

  it('accepts an unknown regency with both flags', () => {
    const f = facts(validateNik('3699011708900001', { today: TODAY }));
    expect(f.regencyName).toBeNull();
    expect(f.districtName).toBeNull();
    expect(f.flags).toEqual({ unknownDistrict: true, unknownRegency: true });
  });
});

describe('validateNik — century', () => {
  it('uses the 2000s when that date is not in the future, else the 1900s', () => {
    expect(facts(validateNik('3672011708250001', { today: TODAY })).birthDate).toBe('2025-08-17');
    expect(facts(validateNik('3672011501260001', { today: TODAY })).birthDate).toBe('2026-01-15');
    expect(facts(validateNik('3672011601260001', { today: TODAY })).birthDate).toBe('1926-01-16');
    expect(facts(validateNik('3672011708900001', { today: TODAY })).birthDate).toBe('1990-08-17');
    const before = new Date(Date.UTC(2025, 7, 16));
    expect(facts(validateNik('3672011708250001', { today: before })).birthDate).toBe('1925-08-17');
  });

  it('uses the UTC calendar date of today', () => {
    // 2025-08-17 06:00 in Jakarta (UTC+7) is still 2025-08-16 in UTC
    const t = new Date('2025-08-16T23:00:00Z');
    expect(facts(validateNik('3672011608250001', { today: t })).birthDate).toBe('2025-08-16');
    expect(facts(validateNik('3672011708250001', { today: t })).birthDate).toBe('1925-08-17');
  });

  it('takes the century from the birth date the person gives', () => {
    const f = facts(validateNik('3672011708250001', { today: TODAY, birthDate: '1925-08-17' }));
    expect(f.birthDate).toBe('1925-08-17');
    const g = facts(validateNik('3672014503850002', { today: TODAY, birthDate: '1985-03-05' }));
    expect([g.birthDate, g.sex]).toEqual(['1985-03-05', 'female']);
  });

  it('handles 29 February only in leap years', () => {
    expect(facts(validateNik('3672012902000001', { today: TODAY })).birthDate).toBe('2000-02-29');
    expect(facts(validateNik('3672016902040001', { today: TODAY })).birthDate).toBe('2004-02-29');
    expect(facts(validateNik('3672012902960001', { today: TODAY })).birthDate).toBe('1996-02-29');
    expectError(validateNik('3672012902010001', { today: TODAY }), 'nik_invalid_date');
    expectError(validateNik('3672016902990001', { today: TODAY }), 'nik_invalid_date');
    // 1900 was not a leap year, 2000 was
    expectError(
      validateNik('3672012902000001', { today: TODAY, birthDate: '1900-02-29' }),
      'nik_birthdate_invalid',
    );
    expect(
      facts(validateNik('3672012902000001', { today: TODAY, birthDate: '2000-02-29' })).birthDate,
    ).toBe('2000-02-29');
  });
});

describe('validateNik — errors', () => {
  it('nik_required', () => {
    expectError(validateNik(''), 'nik_required');
    expectError(validateNik(undefined), 'nik_required');
    expectError(validateNik(null), 'nik_required');
  });

  it('nik_invalid_length names the number of digits entered', () => {
    const r = validateNik('367201170890001');
    expectError(r, 'nik_invalid_length');
    if (!r.ok) {
      expect(r.message.id).toBe('NIK harus terdiri dari 16 angka; yang Anda masukkan 15 angka.');
      expect(r.message.en).toContain('15 digits');
    }
    expectError(validateNik('36720117089000011'), 'nik_invalid_length');
    expectError(validateNik('3'), 'nik_invalid_length');
  });

  it('nik_invalid_characters names the character and its position', () => {
    const r = validateNik('3672 0117 0890 0001');
    expectError(r, 'nik_invalid_characters');
    if (!r.ok) {
      expect(r.message.id).toContain('spasi');
      expect(r.message.id).toContain('posisi ke-5');
      expect(r.message.en).toContain('position 5');
    }
    expectError(validateNik('367201170890000A'), 'nik_invalid_characters');
    expectError(validateNik(' 3672011708900001'), 'nik_invalid_characters');
    expectError(validateNik('3672011708900001\n'), 'nik_invalid_characters');
    // Arabic-Indic and full-width digits are not accepted
    const arabic = validateNik('٣٦٧٢٠١١٧٠٨٩٠٠٠٠١');
    expectError(arabic, 'nik_invalid_characters');
    if (!arabic.ok) expect(arabic.message.en).toContain('non-standard digit');
    expectError(validateNik('３６７２０１１７０８９０００１'), 'nik_invalid_characters');
    expectError(validateNik('367201170890000١'), 'nik_invalid_characters');
    expectError(validateNik('36720117089000\u200b01'), 'nik_invalid_characters');
    // non-strings
    expectError(validateNik(3672011708900001), 'nik_invalid_characters');
    expectError(validateNik({ nik: '3672011708900001' }), 'nik_invalid_characters');
  });

  it('nik_invalid_province', () => {
    expectError(validateNik('0072011708900001'), 'nik_invalid_province');
    const r = validateNik('9972011708900001');
    expectError(r, 'nik_invalid_province');
    if (!r.ok) expect(r.message.id).toContain('(99)');
    expectError(validateNik('2072011708900001'), 'nik_invalid_province');
  });

  it('nik_invalid_date', () => {
    for (const nik of [
      '3672010008900001', // day 00
      '3672013208900001', // day 32
      '3672014008900001', // day 40
      '3672017208900001', // day 72
      '3672011700900001', // month 00
      '3672011713900001', // month 13
      '3672013104900001', // 31 April
      '3672017104900001', // 31 April, female
      '3672013002900001', // 30 February
    ]) {
      expectError(validateNik(nik, { today: TODAY }), 'nik_invalid_date');
    }
    const r = validateNik('3672013104900001');
    if (!r.ok) expect(r.message.en).toBe('The birth date in the NIK does not exist: April has no day 31.');
  });

  it('nik_invalid_serial', () => {
    expectError(validateNik('3672011708900000'), 'nik_invalid_serial');
  });

  it('nik_birthdate_invalid', () => {
    for (const birthDate of ['17-08-1990', '1990/08/17', '1990-8-17', '1990-02-30', '1990-13-01', '1899-08-17', '2100-08-17', 'x']) {
      expectError(validateNik('3672011708900001', { today: TODAY, birthDate }), 'nik_birthdate_invalid');
    }
    expectError(
      validateNik('3672011708900001', { today: TODAY, birthDate: 19900817 as unknown as string }),
      'nik_birthdate_invalid',
    );
  });

  it('nik_birthdate_future', () => {
    expectError(
      validateNik('3672011708260001', { today: TODAY, birthDate: '2026-08-17' }),
      'nik_birthdate_future',
    );
  });

  it('nik_birthdate_mismatch', () => {
    const r = validateNik('3672011708900001', { today: TODAY, birthDate: '1990-08-18' });
    expectError(r, 'nik_birthdate_mismatch');
    if (!r.ok) {
      expect(r.message.id).toContain('17 Agustus');
      expect(r.message.en).toContain('17 August');
    }
    expectError(validateNik('3672011708900001', { today: TODAY, birthDate: '1991-08-17' }), 'nik_birthdate_mismatch');
    expectError(validateNik('3672011708900001', { today: TODAY, birthDate: '1990-07-17' }), 'nik_birthdate_mismatch');
    // women: the birth date is the real day, not day + 40
    expectError(validateNik('3672024503850002', { today: TODAY, birthDate: '1985-03-45' }), 'nik_birthdate_invalid');
    expect(validateNik('3672024503850002', { today: TODAY, birthDate: '1985-03-05' }).ok).toBe(true);
  });

  it('an empty birth date counts as not given', () => {
    expect(facts(validateNik('3672011708900001', { today: TODAY, birthDate: '' })).birthDate).toBe('1990-08-17');
  });

  it('ignores a malformed today or options object', () => {
    expect(validateNik('3672011708900001', { today: new Date(Number.NaN) }).ok).toBe(true);
    expect(validateNik('3672011708900001', 'nonsense' as unknown as undefined).ok).toBe(true);
  });
});

describe('maskNik', () => {
  it('shows only the first 4 and last 2 digits', () => {
    expect(maskNik('3672011708900001')).toBe('3672**********01');
  });
  it('masks other inputs completely', () => {
    expect(maskNik('12345')).toBe('*****');
    expect(maskNik('')).toBe('');
    expect(maskNik(42 as unknown as string)).toBe('');
  });
});

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

const PROVINCES = ['11', '31', '32', '36', '51', '73', '91', '96'];
const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const ymd = (d: Date): string => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

interface NikParts {
  province: string;
  regency: number;
  district: number;
  date: Date;
  sex: 'male' | 'female';
  serial: number;
}

const nikParts: fc.Arbitrary<NikParts> = fc.record({
  province: fc.constantFrom(...PROVINCES),
  regency: fc.integer({ min: 0, max: 99 }),
  district: fc.integer({ min: 0, max: 99 }),
  date: fc.date({ min: new Date(Date.UTC(1900, 0, 1)), max: TODAY, noInvalidDate: true }),
  sex: fc.constantFrom('male' as const, 'female' as const),
  serial: fc.integer({ min: 1, max: 9999 }),
});

function buildNik(p: NikParts): string {
  const d = p.date.getUTCDate() + (p.sex === 'female' ? 40 : 0);
  return (
    p.province +
    pad(p.regency) +
    pad(p.district) +
    pad(d) +
    pad(p.date.getUTCMonth() + 1) +
    pad(p.date.getUTCFullYear() % 100) +
    pad(p.serial, 4)
  );
}

describe('validateNik — properties', () => {
  it('(a) any NIK built from a real province, a real past date, a sex and a serial validates and round-trips', () => {
    fc.assert(
      fc.property(nikParts, (p) => {
        const nik = buildNik(p);
        const truth = ymd(p.date);

        // with the birth date given: exact round trip
        const withDate = facts(validateNik(nik, { today: TODAY, birthDate: truth }));
        expect(withDate.birthDate).toBe(truth);
        expect(withDate.sex).toBe(p.sex);
        expect(withDate.provinceCode).toBe(p.province);
        expect(withDate.serial).toBe(pad(p.serial, 4));

        // without: the century rule (2000s unless that is after today)
        const r = facts(validateNik(nik, { today: TODAY }));
        const yy = p.date.getUTCFullYear() % 100;
        const in2000s = `${2000 + yy}${truth.slice(4)}`;
        const expected = in2000s <= ymd(TODAY) ? in2000s : `${1900 + yy}${truth.slice(4)}`;
        expect(r.birthDate).toBe(expected);
        expect(r.sex).toBe(p.sex);
        if (p.date.getUTCFullYear() >= 2000 || in2000s > ymd(TODAY)) expect(r.birthDate).toBe(truth);
      }),
      { numRuns: 300 },
    );
  });

  it('(b) any string that is not 16 ASCII digits is refused for its length or characters', () => {
    const notNik = fc
      .oneof(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.string({ unit: 'grapheme', maxLength: 20 }),
        fc.stringMatching(/^[0-9]{1,30}$/),
        // 16 characters with one non-ASCII-digit somewhere
        fc
          .tuple(
            fc.stringMatching(/^[0-9]{16}$/),
            fc.integer({ min: 0, max: 15 }),
            fc.constantFrom(' ', '٣', '３', '۳', '߃', '१', 'a', '-', '\u00a0', '\u200b', '.'),
          )
          .map(([s, i, ch]) => s.slice(0, i) + ch + s.slice(i + 1)),
      )
      .filter((s) => s !== '' && !/^[0-9]{16}$/.test(s));
    fc.assert(
      fc.property(notNik, (s) => {
        const r = validateNik(s, { today: TODAY });
        expect(r.ok).toBe(false);
        if (r.ok) return;
        expect(['nik_invalid_length', 'nik_invalid_characters']).toContain(r.code);
        expect(r.code).toBe(/^[0-9]+$/.test(s) ? 'nik_invalid_length' : 'nik_invalid_characters');
      }),
      { numRuns: 400 },
    );
  });

  it('(c) never throws, whatever the input and options', () => {
    fc.assert(
      fc.property(
        fc.anything(),
        fc.oneof(
          fc.constant(undefined),
          fc.anything(),
          fc.record({ birthDate: fc.anything(), today: fc.oneof(fc.date(), fc.anything()) }, { requiredKeys: [] }),
        ),
        (input, options) => {
          const r = validateNik(input, options as never);
          expect(typeof r.ok).toBe('boolean');
          if (!r.ok) {
            expect(typeof r.message.id).toBe('string');
            expect(typeof r.message.en).toBe('string');
          }
        },
      ),
      { numRuns: 400 },
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{16}$/), fc.string({ maxLength: 12 }), (nik, birthDate) => {
        expect(() => validateNik(nik, { birthDate, today: TODAY })).not.toThrow();
      }),
    );
  });

  it('(d) maskNik keeps length 16 and reveals only the first 4 and last 2 digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{16}$/), (nik) => {
        const masked = maskNik(nik);
        expect(masked).toHaveLength(16);
        expect(masked.slice(0, 4)).toBe(nik.slice(0, 4));
        expect(masked.slice(4, 14)).toBe('**********');
        expect(masked.slice(14)).toBe(nik.slice(14));
      }),
    );
  });
});

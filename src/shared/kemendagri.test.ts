import { describe, it, expect } from 'vitest';
import {
  allProvinces,
  district,
  districtFromNikDigits,
  districtsOfRegency,
  normalizeAreaCode,
  parseCsv,
  province,
  regency,
  regencyArea,
  regenciesOfProvince,
  titleCase,
  village,
  villageKind,
  villagesOfDistrict,
} from './kemendagri.js';

describe('titleCase', () => {
  it('title-cases upper-case names', () => {
    expect(titleCase('KABUPATEN ACEH SELATAN')).toBe('Kabupaten Aceh Selatan');
    expect(titleCase('KOTA CILEGON')).toBe('Kota Cilegon');
    expect(titleCase('DAERAH ISTIMEWA YOGYAKARTA')).toBe('Daerah Istimewa Yogyakarta');
  });
  it('keeps separators', () => {
    expect(titleCase('KEP. SERIBU')).toBe('Kep. Seribu');
    expect(titleCase('TOBA-SAMOSIR')).toBe('Toba-Samosir');
    expect(titleCase('WARI/TAIYEVE')).toBe('Wari/Taiyeve');
    expect(titleCase('SIAU (TAGULANDANG)')).toBe('Siau (Tagulandang)');
    expect(titleCase("O'O'U")).toBe("O'o'u");
    expect(titleCase('  DUA  SPASI ')).toBe('  Dua  Spasi ');
  });
  it('keeps roman numerals and known acronyms upper case', () => {
    expect(titleCase('WEK II')).toBe('Wek II');
    expect(titleCase('TAPIAN NAULI III')).toBe('Tapian Nauli III');
    expect(titleCase('IV KOTO')).toBe('IV Koto');
    expect(titleCase('XIII KOTO KAMPAR')).toBe('XIII Koto Kampar');
    expect(titleCase('DKI JAKARTA')).toBe('DKI Jakarta');
    // "DI" is not a numeral here (I..XXXIX only)
    expect(titleCase('DI DESA')).toBe('Di Desa');
  });
  it('handles empty and lower-case input', () => {
    expect(titleCase('')).toBe('');
    expect(titleCase('kota cilegon')).toBe('Kota Cilegon');
  });
});

describe('parseCsv', () => {
  it('handles RFC 4180 quoting', () => {
    expect(parseCsv('code,name\r\n1,"A, B"\r\n2,"say ""hi"""\n3,plain\n\n')).toEqual([
      ['code', 'name'],
      ['1', 'A, B'],
      ['2', 'say "hi"'],
      ['3', 'plain'],
    ]);
  });
  it('keeps a stray quote inside an unquoted field', () => {
    expect(parseCsv('1,Soka"an\n2,"x\ny"')).toEqual([
      ['1', 'Soka"an'],
      ['2', 'x\ny'],
    ]);
  });
  it('handles a missing final newline and empty fields', () => {
    expect(parseCsv('a,,c')).toEqual([['a', '', 'c']]);
  });
});

describe('Kemendagri area list', () => {
  it('has the national counts', () => {
    expect(allProvinces()).toHaveLength(38);
    const regencies = allProvinces().flatMap((p) => regenciesOfProvince(p.code));
    expect(regencies).toHaveLength(514);
    const districts = regencies.flatMap((r) => districtsOfRegency(r.code));
    expect(districts).toHaveLength(7277);
  });

  it('looks up provinces, regencies and kecamatan with title-cased names', () => {
    expect(province('36')).toEqual({ code: '36', name: 'Banten', level: 'province', parentCode: null });
    expect(province('31')?.name).toBe('DKI Jakarta');
    expect(regency('36.72')).toEqual({
      code: '36.72',
      name: 'Kota Cilegon',
      level: 'regency',
      parentCode: '36',
    });
    expect(regency('11.01')?.name).toBe('Kabupaten Aceh Selatan');
    expect(district('36.72.01')).toEqual({
      code: '36.72.01',
      name: 'Cibeber',
      level: 'district',
      parentCode: '36.72',
    });
    // already-cased kecamatan names are kept
    expect(districtsOfRegency('12.07').map((d) => d.name)).toContain('STM Hilir');
  });

  it('accepts undotted codes', () => {
    expect(regency('3672')?.name).toBe('Kota Cilegon');
    expect(district('367201')?.name).toBe('Cibeber');
    expect(normalizeAreaCode('3672011001', 'village')).toBe('36.72.01.1001');
  });

  it('returns undefined / empty for unknown or malformed codes', () => {
    expect(province('00')).toBeUndefined();
    expect(province('99')).toBeUndefined();
    expect(province('')).toBeUndefined();
    expect(regency('36.99')).toBeUndefined();
    expect(regency('36')).toBeUndefined();
    expect(district('36.72.99')).toBeUndefined();
    expect(district('36.72.1')).toBeUndefined();
    expect(district('٣٦.٧٢.٠١')).toBeUndefined();
    expect(village('36.72.01.9999')).toBeUndefined();
    expect(districtsOfRegency('99.99')).toEqual([]);
    expect(villagesOfDistrict('99.99.99')).toEqual([]);
    expect(regencyArea('99.99')).toBeUndefined();
    expect(districtFromNikDigits('999999')).toBeUndefined();
    expect(districtFromNikDigits('36720')).toBeUndefined();
    expect(districtFromNikDigits('36720a')).toBeUndefined();
  });

  it('Kota Cilegon has 8 kecamatan and 43 kelurahan, no desa', () => {
    const cilegon = regencyArea('36.72');
    expect(cilegon).toBeDefined();
    expect(cilegon!.province.name).toBe('Banten');
    expect(cilegon!.regency.name).toBe('Kota Cilegon');
    expect(cilegon!.districts).toHaveLength(8);
    expect(cilegon!.districts.map((d) => d.name)).toEqual([
      'Cibeber',
      'Cilegon',
      'Pulomerak',
      'Ciwandan',
      'Jombang',
      'Gerogol',
      'Purwakarta',
      'Citangkil',
    ]);
    expect(cilegon!.villages).toHaveLength(43);
    expect(cilegon!.villages.every((v) => villageKind(v.code) === 'kelurahan')).toBe(true);
    expect(cilegon!.villages.every((v) => v.level === 'village')).toBe(true);
    const districtCodes = new Set(cilegon!.districts.map((d) => d.code));
    expect(cilegon!.villages.every((v) => districtCodes.has(v.parentCode!))).toBe(true);
    const sum = cilegon!.districts.reduce((n, d) => n + villagesOfDistrict(d.code).length, 0);
    expect(sum).toBe(43);
  });

  it('parses quoted-looking village names', () => {
    const soka = villagesOfDistrict('35.13.15').find((v) => v.code === '35.13.15.2017');
    expect(soka?.name).toBe('Soka"an');
    expect(village('35.13.15.2017')?.name).toBe('Soka"an');
  });

  it('tells kelurahan from desa', () => {
    expect(villageKind('36.72.01.1001')).toBe('kelurahan');
    expect(villageKind('11.01.01.2001')).toBe('desa');
    expect(villageKind('91.03.01.3007')).toBe('desa'); // desa adat
    expect(villageKind('3672011001')).toBe('kelurahan');
    const firstDesa = villagesOfDistrict('11.01.01')[0];
    expect(firstDesa && villageKind(firstDesa.code)).toBe('desa');
  });

  it('finds the kecamatan from NIK digits', () => {
    expect(districtFromNikDigits('367201')).toEqual(district('36.72.01'));
    expect(districtFromNikDigits('367201')?.name).toBe('Cibeber');
  });

  it('returns copies so the cache cannot be changed by callers', () => {
    const list = districtsOfRegency('36.72');
    list.pop();
    expect(districtsOfRegency('36.72')).toHaveLength(8);
    expect(Object.isFrozen(district('36.72.01'))).toBe(true);
  });
});

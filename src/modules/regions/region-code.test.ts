import { describe, expect, it } from 'vitest';
import { normaliseRegionCode } from './service.js';

describe('normaliseRegionCode', () => {
  it('reads dotted, undotted and spaced codes at every level', () => {
    expect(normaliseRegionCode('36.72.01.1001')).toBe('36.72.01.1001');
    expect(normaliseRegionCode('3672011001')).toBe('36.72.01.1001');
    expect(normaliseRegionCode('36 72 01 1001')).toBe('36.72.01.1001');
    expect(normaliseRegionCode(' 36-72-01-1001 ')).toBe('36.72.01.1001');
    expect(normaliseRegionCode('367201')).toBe('36.72.01');
    expect(normaliseRegionCode('3672')).toBe('36.72');
    expect(normaliseRegionCode('36')).toBe('36');
  });

  it('accepts numbers (as GIS files often store codes)', () => {
    expect(normaliseRegionCode(3672011001)).toBe('36.72.01.1001');
    expect(normaliseRegionCode(3672)).toBe('36.72');
  });

  it('refuses anything that is not a code', () => {
    for (const raw of ['', 'abc', '3', '367', '36720', '36720110', '367201100', '36720110011', '3672.01.1001.5', null, undefined, {}, [], true]) {
      expect(normaliseRegionCode(raw)).toBeNull();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { Cipher, deriveKeys } from './crypto.js';

const SECRET = 'a'.repeat(48);

describe('personal-data encryption', () => {
  it('round-trips and never repeats a ciphertext', () => {
    const cipher = new Cipher(deriveKeys(SECRET));
    const a = cipher.encrypt('3672011708900001');
    const b = cipher.encrypt('3672011708900001');
    expect(a).not.toBe(b);
    expect(a).not.toContain('3672011708900001');
    expect(cipher.decrypt(a)).toBe('3672011708900001');
  });

  it('stores the key id so an old key still decrypts after rotation', () => {
    const old = new Cipher(deriveKeys(SECRET));
    const value = old.encrypt('Siti');
    const rotated = new Cipher(deriveKeys('b'.repeat(48), [SECRET]));
    expect(rotated.decrypt(value)).toBe('Siti');
    expect(rotated.isStale(value)).toBe(true);
    expect(() => new Cipher(deriveKeys('b'.repeat(48))).decrypt(value)).toThrow(/SATUKOTA_PREVIOUS_SECRET_KEYS/);
  });

  it('detects tampering', () => {
    const cipher = new Cipher(deriveKeys(SECRET));
    const value = cipher.encrypt('081234567890');
    // Flip one bit of the ciphertext body (editing the last base64 character may touch only padding bits).
    const [version, kid, body] = value.split('.') as [string, string, string];
    const bytes = Buffer.from(body, 'base64url');
    bytes[bytes.length - 1]! ^= 1;
    const tampered = `${version}.${kid}.${bytes.toString('base64url')}`;
    expect(() => cipher.decrypt(tampered)).toThrow();
  });

  it('derives different keys per purpose and stable blind indexes', () => {
    const keys = deriveKeys(SECRET);
    expect(keys.blindIndex.equals(keys.audit)).toBe(false);
    const cipher = new Cipher(keys);
    expect(cipher.blindIndex('nik', '3672011708900001')).toBe(new Cipher(deriveKeys(SECRET)).blindIndex('nik', '3672011708900001'));
    expect(cipher.blindIndex('nik', '3672011708900001')).not.toBe(cipher.blindIndex('phone', '3672011708900001'));
  });
});

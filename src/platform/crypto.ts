import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir } from './files.js';

/**
 * Keys derived from the one secret (SATUKOTA_SECRET_KEY): separate keys for personal-data
 * encryption, blind indexes and the audit chain, so that no one key does two jobs.
 */
export interface Keys {
  /** Current encryption key id, stored with every ciphertext so keys can rotate. */
  encryptionKeyId: string;
  encryption: Map<string, Buffer>;
  blindIndex: Buffer;
  audit: Buffer;
}

function derive(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from('satukota'), Buffer.from(purpose), 32));
}

function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export function deriveKeys(secret: string, previousSecrets: readonly string[] = []): Keys {
  const encryption = new Map<string, Buffer>();
  for (const s of [secret, ...previousSecrets]) {
    const key = derive(s, 'personal-data-encryption');
    encryption.set(keyId(key), key);
  }
  const current = derive(secret, 'personal-data-encryption');
  return {
    encryptionKeyId: keyId(current),
    encryption,
    blindIndex: derive(secret, 'blind-index'),
    audit: derive(secret, 'audit-chain'),
  };
}

export const SECRET_KEY_FILE = 'secret.key';

/**
 * With PGlite and no SATUKOTA_SECRET_KEY, the key lives in DATA_DIR/secret.key (0600), created on
 * first start. Returns the key and whether it was just generated (the caller warns to back it up).
 */
export function loadOrCreateSecretKey(dataDir: string): { secret: string; generated: boolean; file: string } {
  const file = path.join(dataDir, SECRET_KEY_FILE);
  if (fs.existsSync(file)) return { secret: fs.readFileSync(file, 'utf8').trim(), generated: false, file };
  ensurePrivateDir(dataDir);
  const secret = randomBytes(48).toString('base64');
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return { secret, generated: true, file };
}

/** Personal-data encryption: AES-256-GCM, value format `v1.<key id>.<base64url(iv|tag|ciphertext)>`. */
export class Cipher {
  constructor(private readonly keys: Keys) {}

  encrypt(plaintext: string): string {
    const key = this.keys.encryption.get(this.keys.encryptionKeyId)!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `v1.${this.keys.encryptionKeyId}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  decrypt(value: string): string {
    const [version, kid, data] = value.split('.');
    if (version !== 'v1' || !kid || data === undefined) throw new Error('unrecognised ciphertext format');
    const key = this.keys.encryption.get(kid);
    if (!key) throw new Error(`no key with id ${kid}: add the old secret to SATUKOTA_PREVIOUS_SECRET_KEYS`);
    const raw = Buffer.from(data, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  encryptOptional(plaintext: string | null | undefined): string | null {
    return plaintext === null || plaintext === undefined ? null : this.encrypt(plaintext);
  }

  decryptOptional(value: string | null | undefined): string | null {
    return value === null || value === undefined ? null : this.decrypt(value);
  }

  /** Whether a value was written with an older key (for re-encryption after rotation). */
  isStale(value: string): boolean {
    return value.split('.')[1] !== this.keys.encryptionKeyId;
  }

  /** HMAC blind index: equality lookups on encrypted values without decrypting the table. */
  blindIndex(kind: string, value: string): string {
    return createHmac('sha256', this.keys.blindIndex).update(`${kind}:${value}`).digest('base64url');
  }
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

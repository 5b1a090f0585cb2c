import { createCipheriv, createDecipheriv, createHmac, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { ByteReader } from './bytes.js';

/**
 * The encrypted container of a backup: a plain header, then the contents in authenticated chunks, so
 * that a backup of many gigabytes is written and read as a stream and a reader notices at once a wrong
 * passphrase, a damaged or edited chunk, chunks swapped or dropped, and a file cut short.
 *
 * Header (79 bytes):
 *   0  "SATUKOTA-BACKUP\0"   magic, 16 bytes
 *  16  u8   format version (1)
 *  17  u8   scrypt log2(N)     the key is scrypt(passphrase, salt) → 64 bytes: 32 encrypt, 32 check
 *  18  u8   scrypt r
 *  19  u8   scrypt p
 *  20  16   salt
 *  36  7    nonce prefix
 *  43  u32  plaintext bytes per chunk
 *  47  32   HMAC-SHA256(check key, bytes 0–46): tells a wrong passphrase from damage, and binds the header
 * Each chunk: u32 length L, L bytes of AES-256-GCM ciphertext, 16-byte tag. The nonce is the prefix,
 * the chunk's number (u32) and a final flag (u8): the "STREAM" construction (Hoang, Reyhanitabar, Rogaway,
 * Vizár 2015), so that reordering changes a nonce and only the writer's last chunk carries the flag.
 * Every chunk is exactly `chunk` bytes except the last, which is shorter (possibly empty) and has the
 * flag; bytes after it are refused.
 */
export const MAGIC = Buffer.from('SATUKOTA-BACKUP\0', 'latin1');
const FORMAT_VERSION = 1;
const HEADER_BYTES = 79;
const SIGNED_BYTES = 47;
const TAG_BYTES = 16;
export const CHUNK_BYTES = 1 << 20;

/**
 * scrypt at N = 2^17, r = 8 (128 MiB, about half a second here; OWASP's recommendation): the file holds
 * the keys to every citizen's personal data, so a guess must cost. A reader accepts up to 2^20 (1 GiB)
 * so a later release can raise it, and no further, so a doctored header cannot make it allocate more.
 */
export const KDF = { log2N: 17, r: 8, p: 1 };
const MAX_LOG2N = 20;

/** Why a backup could not be read; `reason` says which, for the operator and for tests. */
export class BackupReadError extends Error {
  constructor(
    readonly reason: 'not_a_backup' | 'unsupported' | 'wrong_passphrase' | 'damaged' | 'truncated',
    message: string,
  ) {
    super(message);
    this.name = 'BackupReadError';
  }
}

function deriveKeys(passphrase: string, salt: Buffer, kdf: { log2N: number; r: number; p: number }): Promise<{ encrypt: Buffer; check: Buffer }> {
  const N = 2 ** kdf.log2N;
  const options: ScryptOptions = { N, r: kdf.r, p: kdf.p, maxmem: 128 * N * kdf.r * kdf.p + (32 << 20) };
  return new Promise((resolve, reject) =>
    // NFC: the same passphrase typed on another system (composed or decomposed accents) gives the same key.
    scrypt(passphrase.normalize('NFC'), salt, 64, options, (error, key) => (error ? reject(error) : resolve({ encrypt: key.subarray(0, 32), check: key.subarray(32) }))),
  );
}

function nonce(prefix: Buffer, counter: number, final: boolean): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(counter, 7);
  n[11] = final ? 1 : 0;
  return n;
}

/** Writes the container to an open file: `write` plaintext in any pieces, then `finish` once. */
export class ContainerWriter {
  private readonly buffer = Buffer.alloc(CHUNK_BYTES);
  private filled = 0;
  private counter = 0;
  private finished = false;
  /** Plaintext bytes written so far. */
  plaintextBytes = 0;
  /** Container bytes written so far. */
  bytes = 0;

  private constructor(
    private readonly out: FileHandle,
    private readonly key: Buffer,
    private readonly prefix: Buffer,
    private readonly aad: Buffer,
  ) {}

  /** `kdf`: other scrypt parameters for tests only (a reader takes them from the header). */
  static async create(out: FileHandle, passphrase: string, kdf: typeof KDF = KDF): Promise<ContainerWriter> {
    const salt = randomBytes(16);
    const prefix = randomBytes(7);
    const keys = await deriveKeys(passphrase, salt, kdf);
    const header = Buffer.alloc(HEADER_BYTES);
    MAGIC.copy(header, 0);
    header[16] = FORMAT_VERSION;
    header[17] = kdf.log2N;
    header[18] = kdf.r;
    header[19] = kdf.p;
    salt.copy(header, 20);
    prefix.copy(header, 36);
    header.writeUInt32BE(CHUNK_BYTES, 43);
    const check = createHmac('sha256', keys.check).update(header.subarray(0, SIGNED_BYTES)).digest();
    check.copy(header, SIGNED_BYTES);
    const writer = new ContainerWriter(out, keys.encrypt, prefix, check);
    await writer.emit(header);
    return writer;
  }

  private async emit(data: Buffer): Promise<void> {
    let offset = 0;
    while (offset < data.length) {
      const { bytesWritten } = await this.out.write(data, offset, data.length - offset);
      offset += bytesWritten;
    }
    this.bytes += data.length;
  }

  private async seal(plaintext: Buffer, final: boolean): Promise<void> {
    if (this.counter > 0xffff_ffff) throw new Error('backup too large for one container');
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce(this.prefix, this.counter, final));
    cipher.setAAD(this.aad);
    const body = cipher.update(plaintext);
    cipher.final();
    const length = Buffer.alloc(4);
    length.writeUInt32BE(plaintext.length);
    this.counter += 1;
    await this.emit(Buffer.concat([length, body, cipher.getAuthTag()]));
  }

  async write(data: Buffer): Promise<void> {
    if (this.finished) throw new Error('container already finished');
    this.plaintextBytes += data.length;
    let offset = 0;
    while (offset < data.length) {
      const n = Math.min(CHUNK_BYTES - this.filled, data.length - offset);
      data.copy(this.buffer, this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      if (this.filled === CHUNK_BYTES) {
        await this.seal(this.buffer, false);
        this.filled = 0;
      }
    }
  }

  async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.seal(this.buffer.subarray(0, this.filled), true);
  }
}

/**
 * Opens a container read from `source` (the file's bytes in any pieces): checks the header and the
 * passphrase, then yields the plaintext chunk by chunk, each authenticated before it is yielded.
 * Throws BackupReadError; a chunk that fails is never yielded.
 */
export async function openContainer(source: AsyncIterable<Buffer>, passphrase: string): Promise<AsyncGenerator<Buffer>> {
  const reader = new ByteReader(source);
  const header = await reader.read(HEADER_BYTES);
  if (!header || !header.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new BackupReadError('not_a_backup', 'This is not a SatuKota backup file (its first bytes are not SATUKOTA-BACKUP).');
  }
  if (header[16] !== FORMAT_VERSION) {
    throw new BackupReadError('unsupported', `This backup is in format ${header[16]}; this release reads format ${FORMAT_VERSION}. Restore it with a newer SatuKota.`);
  }
  const kdf = { log2N: header[17]!, r: header[18]!, p: header[19]! };
  if (kdf.log2N < 10 || kdf.log2N > MAX_LOG2N || kdf.r < 1 || kdf.r > 32 || kdf.p < 1 || kdf.p > 16) {
    throw new BackupReadError('damaged', 'The backup header is damaged (key derivation parameters out of range).');
  }
  const chunkBytes = header.readUInt32BE(43);
  if (chunkBytes < 1024 || chunkBytes > 64 << 20) throw new BackupReadError('damaged', 'The backup header is damaged (chunk size out of range).');
  const keys = await deriveKeys(passphrase, header.subarray(20, 36), kdf);
  const check = createHmac('sha256', keys.check).update(header.subarray(0, SIGNED_BYTES)).digest();
  if (!timingSafeEqual(check, header.subarray(SIGNED_BYTES, HEADER_BYTES))) {
    throw new BackupReadError('wrong_passphrase', 'Wrong passphrase for this backup (or its header was altered).');
  }
  const prefix = header.subarray(36, 43);
  const aad = header.subarray(SIGNED_BYTES, HEADER_BYTES);
  return (async function* chunks() {
    for (let counter = 0; ; counter++) {
      const length = await reader.read(4);
      if (!length) throw new BackupReadError('truncated', `The backup ends after chunk ${counter} without its final chunk: the file was cut short.`);
      const size = length.readUInt32BE(0);
      if (size > chunkBytes) throw new BackupReadError('damaged', `The backup is damaged at chunk ${counter} (impossible length).`);
      const sealed = await reader.read(size + TAG_BYTES);
      if (!sealed) throw new BackupReadError('truncated', `The backup ends inside chunk ${counter}: the file was cut short.`);
      // The writer seals every chunk but the last at full size, so a shorter chunk is the last one.
      const final = size < chunkBytes;
      const plaintext = open(keys.encrypt, nonce(prefix, counter, final), aad, sealed, size);
      if (!plaintext) throw new BackupReadError('damaged', `The backup is damaged or was altered: chunk ${counter} fails its authentication.`);
      yield plaintext;
      if (final) {
        if (!(await reader.atEnd())) throw new BackupReadError('damaged', 'The backup has bytes after its final chunk.');
        return;
      }
    }
  })();
}

function open(key: Buffer, iv: Buffer, aad: Buffer, sealed: Buffer, size: number): Buffer | undefined {
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(size));
  const body = decipher.update(sealed.subarray(0, size));
  try {
    decipher.final();
  } catch {
    return undefined;
  }
  return body;
}

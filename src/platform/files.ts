import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { type FileHandle, mkdir, open, opendir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Config } from '../config.js';

/**
 * Where uploaded files (report photos, exports, backups) live. Keys are relative paths such as
 * `reports/2026/11/<uuid>.jpg`. The local disk is the default; an S3-compatible store
 * (s3-files.ts) implements the same interface.
 */
export interface FileStore {
  /**
   * Stores `data` under `key`, replacing what was there; readers see the old file or the whole new
   * one, never a part. A Readable is streamed (a large export never sits in memory); if it errors,
   * nothing is stored and put rejects.
   */
  put(key: string, data: Buffer | Readable, contentType: string): Promise<void>;
  get(key: string): Promise<StoredFile | undefined>;
  /** No error if the file does not exist. */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /**
   * Every stored file whose key starts with `prefix` (a plain string prefix: `reports/` or
   * `reports/2026/1`; none: all files), in no promised order; never a temporary file of a put in flight.
   */
  list(prefix?: string): AsyncIterable<ListedFile>;
  /** Releases connections (S3's sockets) when the node stops; nothing to do on local disk. */
  close?(): void;
}

export interface ListedFile {
  key: string;
  size: number;
}

export interface StoredFile {
  /** Holds an open file: read it to the end or destroy() it. */
  stream: Readable;
  size: number;
  contentType: string;
}

/**
 * The content type is derived from the key's extension rather than kept in a sidecar file: one file
 * per key means one atomic rename makes a put visible, so a crash can never leave data and metadata
 * out of step. put() refuses a type that the extension would not give back, so a mismatch shows up
 * at once in development instead of as a wrongly served file later.
 */
const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  pdf: 'application/pdf',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
  zip: 'application/zip',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};
const FALLBACK_TYPE = 'application/octet-stream';

export function contentTypeOf(key: string): string {
  const dot = key.lastIndexOf('.');
  const extension = dot > key.lastIndexOf('/') ? key.slice(dot + 1).toLowerCase() : '';
  return CONTENT_TYPES[extension] ?? FALLBACK_TYPE;
}

const mediaType = (contentType: string) => contentType.split(';')[0]!.trim().toLowerCase();

/** put() refuses a type that the key's extension would not give back (see CONTENT_TYPES). */
export function assertContentTypeMatches(key: string, contentType: string): void {
  if (mediaType(contentType) !== mediaType(contentTypeOf(key))) {
    throw new Error(`Content type ${contentType} does not match the extension of ${key} (${contentTypeOf(key)})`);
  }
}

/**
 * Throws on keys that could leave the store's directory or are malformed. Keys come from code, not
 * from users, so this is a programming error (plain Error), not an AppError. Segments may not start
 * with a dot either: that rules out `.` and `..` and keeps the names of temporary files (`.name.tmp`)
 * out of the key space.
 */
export function assertValidKey(key: string): void {
  const valid =
    typeof key === 'string' &&
    key.length > 0 &&
    !key.includes('\\') &&
    !key.includes('\0') &&
    !path.posix.isAbsolute(key) &&
    key.split('/').every((segment) => segment.length > 0 && !segment.startsWith('.'));
  if (!valid) throw new Error(`Invalid file key: ${JSON.stringify(key)}`);
}

/**
 * A list prefix is a key's beginning: empty, or whole segments followed by the start of one (`reports/`,
 * `reports/2026/1`). The same rules as keys apply to its complete segments, so it cannot leave the store.
 */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  const segments = prefix.split('/');
  const last = segments.pop()!;
  const valid =
    !prefix.includes('\\') &&
    !prefix.includes('\0') &&
    !path.posix.isAbsolute(prefix) &&
    !last.startsWith('.') &&
    segments.every((segment) => segment.length > 0 && !segment.startsWith('.'));
  if (!valid) throw new Error(`Invalid file key prefix: ${JSON.stringify(prefix)}`);
}

/**
 * Creates `dir` (and missing parents) owner-only, and narrows it to 0700 when it exists wider and is
 * ours — a data directory made by an older release. Everything under it is then out of other users'
 * reach, whatever modes the files inside were given (PGlite's follow the umask).
 */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const info = fs.statSync(dir);
  if ((info.mode & 0o077) !== 0 && info.uid === process.getuid?.()) fs.chmodSync(dir, 0o700);
}

const isMissing = (error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  for (let offset = 0; offset < chunk.length; ) offset += (await handle.write(chunk, offset)).bytesWritten;
}

export class LocalFileStore implements FileStore {
  private readonly root: string;

  constructor(rootDir: string) {
    this.root = path.resolve(rootDir);
  }

  private pathOf(key: string): string {
    assertValidKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  /** Temp file in the same directory, fsync, rename, fsync the directory: never a half-written file under the final name. */
  async put(key: string, data: Buffer | Readable, contentType: string): Promise<void> {
    try {
      const file = this.pathOf(key);
      assertContentTypeMatches(key, contentType);
      await this.write(file, data);
    } finally {
      // A refused or failed put still releases the caller's stream (an open file, a request body).
      if (!Buffer.isBuffer(data) && !data.readableEnded) data.destroy();
    }
  }

  private async write(file: string, data: Buffer | Readable): Promise<void> {
    const dir = path.dirname(file);
    // Photos are citizens' personal data: owner-only directories and files.
    const firstCreated = await mkdir(dir, { recursive: true, mode: 0o700 });
    if (firstCreated) {
      // A new directory is only durable once its parent is fsynced: walk up from `dir` to the
      // parent of the highest directory mkdir created.
      for (let d = dir; d !== path.dirname(firstCreated); d = path.dirname(d)) await fsyncDirectory(path.dirname(d));
    }

    const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(8).toString('hex')}.tmp`);
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        if (Buffer.isBuffer(data)) await handle.writeFile(data);
        // Chunk by chunk rather than through handle.createWriteStream: a write stream that leaves the
        // handle open (to fsync it) holds a reference that makes handle.close() wait for ever.
        else for await (const chunk of data) await writeAll(handle, typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await fsyncDirectory(dir);
  }

  async get(key: string): Promise<StoredFile | undefined> {
    const file = this.pathOf(key);
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    // Size and stream come from the same open file, so a concurrent overwrite cannot mix them up.
    try {
      const info = await handle.stat();
      if (info.isFile()) return { stream: handle.createReadStream(), size: info.size, contentType: contentTypeOf(key) };
    } catch (error) {
      await handle.close();
      throw error;
    }
    await handle.close(); // a directory, not a file
    return undefined;
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    try {
      await unlink(file);
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    await fsyncDirectory(path.dirname(file));
  }

  async exists(key: string): Promise<boolean> {
    const file = this.pathOf(key);
    try {
      return (await stat(file)).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async *list(prefix = ''): AsyncIterable<ListedFile> {
    assertValidPrefix(prefix);
    // Walk only the directory the prefix's complete segments name; the rest of it filters the names.
    const slash = prefix.lastIndexOf('/');
    const base = slash < 0 ? '' : prefix.slice(0, slash + 1);
    yield* this.walk(base, prefix);
  }

  private async *walk(dirKey: string, prefix: string): AsyncGenerator<ListedFile> {
    let dir;
    try {
      dir = await opendir(path.join(this.root, ...dirKey.split('/').filter(Boolean)));
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    for await (const entry of dir) {
      // Dot names are temporary files of puts in flight (and never valid keys).
      if (entry.name.startsWith('.')) continue;
      const key = dirKey + entry.name;
      if (entry.isDirectory()) {
        // A directory is worth entering when its keys could still match: its path is a beginning of the prefix or starts with it.
        const below = `${key}/`;
        if (below.startsWith(prefix) || prefix.startsWith(below)) yield* this.walk(below, prefix);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        let size: number;
        try {
          size = (await stat(path.join(this.root, ...key.split('/')))).size;
        } catch (error) {
          if (isMissing(error)) continue; // deleted while listing
          throw error;
        }
        yield { key, size };
      }
    }
  }
}

/**
 * The node's file store: the S3-compatible object store when S3_URL is set (its bucket checked now, a
 * ConfigError naming the variable otherwise), else the local disk under FILES_DIR.
 */
export async function openFileStore(config: Pick<Config, 's3' | 'filesDir'>): Promise<FileStore> {
  if (!config.s3) return new LocalFileStore(config.filesDir);
  // The AWS SDK loads only on nodes that use it.
  const { S3FileStore } = await import('./s3-files.js');
  return S3FileStore.open(config.s3);
}

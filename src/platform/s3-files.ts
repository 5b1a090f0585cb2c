import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { ConfigError } from '../config.js';
import { assertContentTypeMatches, assertValidKey, assertValidPrefix, contentTypeOf, type FileStore, type ListedFile, type StoredFile } from './files.js';

/**
 * The file store on an S3-compatible object store (MinIO, Ceph, a cloud's S3), so that several nodes
 * share one set of files. Bodies stream both ways: a streamed put holds one part (PART_SIZE) in memory
 * whatever the file's size, a get one socket buffer. Phones never reach the bucket: the platform
 * authorises each download and streams it through (a city's object store usually sits on an internal
 * network).
 */

export interface S3Settings {
  /** The endpoint, e.g. http://minio.internal:9000. */
  url: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** http://host/bucket/key rather than http://bucket.host/key: what MinIO and most self-hosted stores need. */
  forcePathStyle: boolean;
}

/**
 * S3's smallest multipart part, and the one buffer a streamed put fills and sends, one part after the
 * other. (lib-storage's Upload was tried first: its assembly of parts kept up to three of them alive at
 * once, 15 MB for each upload in flight, and two more per part sent in parallel.)
 */
export const PART_SIZE = 5 * 1024 * 1024;
/** S3's limit on the parts of one upload: with PART_SIZE, files up to 50 GB. */
const MAX_PARTS = 10_000;

interface Part {
  bytes: Buffer;
  /** PART_SIZE bytes: more may follow. */
  full: boolean;
}

/**
 * The parts of a file. A Buffer's are views of it; a stream's are one reused buffer, refilled only when
 * the caller asks for the next part — so the caller must be done with a part before it asks.
 */
async function* partsOf(data: Buffer | Readable): AsyncGenerator<Part> {
  if (Buffer.isBuffer(data)) {
    for (let offset = 0; ; offset += PART_SIZE) {
      const bytes = data.subarray(offset, offset + PART_SIZE);
      yield { bytes, full: bytes.length === PART_SIZE };
      if (bytes.length < PART_SIZE) return;
    }
  }
  const part = Buffer.allocUnsafe(PART_SIZE);
  let filled = 0;
  for await (const chunk of data) {
    let bytes: Uint8Array = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
    while (bytes.length > 0) {
      const copied = Math.min(bytes.length, PART_SIZE - filled);
      part.set(bytes.subarray(0, copied), filled);
      filled += copied;
      bytes = bytes.subarray(copied);
      if (filled === PART_SIZE) {
        yield { bytes: part, full: true };
        filled = 0;
      }
    }
  }
  yield { bytes: part.subarray(0, filled), full: false };
}

const statusOf = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const isNotFound = (error: unknown) => statusOf(error) === 404 || (error instanceof S3ServiceException && ['NoSuchKey', 'NotFound'].includes(error.name));

export class S3FileStore implements FileStore {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(settings: S3Settings) {
    this.bucket = settings.bucket;
    this.client = new S3Client({
      endpoint: settings.url,
      region: settings.region,
      credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
      forcePathStyle: settings.forcePathStyle,
      // Checksums only where S3 demands them: the default (a trailing CRC in aws-chunked framing) is
      // not understood by several S3-compatible servers, which then store the framing as the file.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        connectionTimeout: 5_000,
        // Every photo being downloaded holds a socket until the phone has it all; the default 50 is low.
        httpAgent: { keepAlive: true, maxSockets: 256 },
        httpsAgent: { keepAlive: true, maxSockets: 256 },
      },
    });
  }

  /**
   * Opens the store and checks that the bucket is there and the keys are accepted, so that a wrong
   * setting stops the start with a ConfigError naming the variable rather than failing the first upload.
   */
  static async open(settings: S3Settings): Promise<S3FileStore> {
    const store = new S3FileStore(settings);
    try {
      await store.client.send(new HeadBucketCommand({ Bucket: settings.bucket }));
    } catch (error) {
      store.close();
      throw new ConfigError([describeStartupFailure(settings, error)]);
    }
    return store;
  }

  async put(key: string, data: Buffer | Readable, contentType: string): Promise<void> {
    try {
      assertValidKey(key);
      assertContentTypeMatches(key, contentType);
      // The type the key's extension gives, as the local store answers: both stores serve a key alike.
      const target = { Bucket: this.bucket, Key: key, ContentType: contentTypeOf(key) };
      const parts = partsOf(data);
      const first = await parts.next();
      if (first.done) throw new Error('no first part'); // partsOf yields at least one
      // A file that fits one part goes up in one request; a larger one in parts, which S3 assembles
      // into the object only when all have arrived: until then, the key shows the old file or none.
      if (!first.value.full) await this.client.send(new PutObjectCommand({ ...target, Body: first.value.bytes }));
      else await this.putInParts(target, first.value, parts);
    } finally {
      if (!Buffer.isBuffer(data) && !data.readableEnded) data.destroy();
    }
  }

  private async putInParts(target: { Bucket: string; Key: string; ContentType: string }, first: Part, rest: AsyncGenerator<Part>): Promise<void> {
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand(target));
    const upload = { Bucket: target.Bucket, Key: target.Key, UploadId };
    try {
      const sent: CompletedPart[] = [];
      for (let part: Part | undefined = first; part; part = await nextPart(rest)) {
        // A file of whole parts ends with an empty one, which is not sent.
        if (part.bytes.length === 0) break;
        const PartNumber = sent.length + 1;
        if (PartNumber > MAX_PARTS) throw new Error(`${target.Key}: larger than ${MAX_PARTS} parts of ${PART_SIZE} bytes`);
        const { ETag } = await this.client.send(new UploadPartCommand({ ...upload, PartNumber, Body: part.bytes }));
        sent.push({ ETag, PartNumber });
      }
      await this.client.send(new CompleteMultipartUploadCommand({ ...upload, MultipartUpload: { Parts: sent } }));
    } catch (error) {
      // The parts sent so far would otherwise be kept (and billed) by the store until a lifecycle rule removes them.
      await this.client.send(new AbortMultipartUploadCommand(upload)).catch(() => undefined);
      throw error;
    }
  }

  async get(key: string): Promise<StoredFile | undefined> {
    assertValidKey(key);
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      // On Node.js the body is the HTTP response itself (an IncomingMessage): read as it arrives.
      return { stream: object.Body as Readable, size: object.ContentLength ?? 0, contentType: contentTypeOf(key) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    assertValidKey(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async *list(prefix = ''): AsyncIterable<ListedFile> {
    assertValidPrefix(prefix);
    for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket, Prefix: prefix })) {
      for (const object of page.Contents ?? []) {
        // Objects someone else put in the bucket under names no key of ours can have are not ours.
        if (object.Key === undefined || !isValidKey(object.Key)) continue;
        yield { key: object.Key, size: object.Size ?? 0 };
      }
    }
  }

  /** Closes the idle connections. */
  close(): void {
    this.client.destroy();
  }
}

async function nextPart(parts: AsyncGenerator<Part>): Promise<Part | undefined> {
  const next = await parts.next();
  return next.done ? undefined : next.value;
}

function isValidKey(key: string): boolean {
  try {
    assertValidKey(key);
    return true;
  } catch {
    return false;
  }
}

/** One line an operator can act on: which variable to fix and what the server said. */
export function describeStartupFailure(settings: S3Settings, error: unknown): string {
  const status = statusOf(error);
  const name = (error as Error).name;
  const at = `the S3 server at ${settings.url}`;
  if (status === undefined) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return `S3_URL: cannot reach ${at} (${code})`;
  }
  if (status === 404) return `S3_BUCKET: ${at} has no bucket "${settings.bucket}"`;
  if (status === 401 || status === 403) {
    return `S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: ${at} refused them for bucket "${settings.bucket}" (${status} ${name})`;
  }
  if (status === 301) return `S3_REGION: bucket "${settings.bucket}" is in another region than "${settings.region}" (or set S3_FORCE_PATH_STYLE)`;
  return `S3_URL: ${at} answered ${status} ${name} when asked for bucket "${settings.bucket}"`;
}

import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ConfigError } from '../config.js';
import { assertContentTypeMatches, assertValidKey, assertValidPrefix, contentTypeOf, type FileStore, type ListedFile, type StoredFile } from './files.js';

/**
 * The file store on an S3-compatible object store (MinIO, Ceph, a cloud's S3), so that several nodes
 * share one set of files. Bodies stream both ways: a put holds about PART_SIZE × (UPLOAD_QUEUE + 1)
 * bytes, a get one socket buffer. Phones never reach the bucket: the platform authorises each download
 * and streams it through (a city's object store usually sits on an internal network).
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

/** S3's smallest multipart part; larger puts go up in parts of this size. */
export const PART_SIZE = 5 * 1024 * 1024;
/**
 * Parts uploaded at once. One: a put then holds one part and its copy as it is assembled (~10 MB),
 * whatever the file's size; several exports at once stay cheap. More would only help over long links.
 */
export const UPLOAD_QUEUE = 1;

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
      const upload = new Upload({
        client: this.client,
        params: { Bucket: this.bucket, Key: key, Body: data, ContentType: contentTypeOf(key) },
        partSize: PART_SIZE,
        queueSize: UPLOAD_QUEUE,
      });
      // A failed multipart upload is aborted by Upload (leavePartsOnError false): nothing appears
      // under the key, and an older file there stays whole.
      await upload.done();
    } finally {
      if (!Buffer.isBuffer(data) && !data.readableEnded) data.destroy();
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

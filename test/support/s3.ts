import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

/**
 * A real S3-compatible server for tests: s3rver (an npm dev dependency, so nothing to install) on an
 * ephemeral loopback port, storing into a temporary directory removed by stop(). It runs inside the
 * test's process; server processes a test starts reach it through env().
 */
export interface TestS3 {
  /** The endpoint, e.g. http://127.0.0.1:41234. */
  url: string;
  /** A bucket that exists (the first of `buckets`). */
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The directory s3rver stores into (objects are files below it, with metadata beside them). */
  directory: string;
  /** The environment variables that point a SatuKota node at this server and bucket. */
  env(bucket?: string): Record<string, string>;
  stop(): Promise<void>;
}

/** s3rver's one built-in account. */
const ACCESS_KEY_ID = 'S3RVER';
const SECRET_ACCESS_KEY = 'S3RVER';

export async function startS3(options: { buckets?: string[] } = {}): Promise<TestS3> {
  const buckets = options.buckets ?? ['satukota'];
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    // Path-style only: bucket names are never read from the Host header.
    vhostBuckets: false,
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  const address = await server.run();
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    bucket: buckets[0]!,
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    directory,
    env: (bucket = buckets[0]!) => ({
      S3_URL: url,
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: ACCESS_KEY_ID,
      S3_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
      S3_REGION: 'us-east-1',
      S3_FORCE_PATH_STYLE: 'true',
    }),
    async stop() {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

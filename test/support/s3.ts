import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

/**
 * A real S3-compatible server for tests: s3rver (an npm dev dependency, so nothing to install) on an
 * ephemeral loopback port, storing into a temporary directory that stop() removes. It runs in a process
 * of its own (s3-server.mjs), so that its buffers do not count in a test's memory figures and a busy
 * test process does not stall server processes that share it; it ends with the test process.
 */
export interface TestS3 {
  /** The endpoint, e.g. http://127.0.0.1:41234. */
  url: string;
  /** A bucket that exists (the first of `buckets`). */
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The directory s3rver stores into: bucket/key._S3rver_object holds an object's bytes. */
  directory: string;
  /** The environment variables that point a SatuKota node at this server and a bucket (the first by default). */
  env(bucket?: string): Record<string, string>;
  stop(): Promise<void>;
}

/** s3rver's one built-in account. */
const ACCESS_KEY_ID = 'S3RVER';
const SECRET_ACCESS_KEY = 'S3RVER';
const SERVER_SCRIPT = path.join(import.meta.dirname, 's3-server.mjs');

export async function startS3(options: { buckets?: string[] } = {}): Promise<TestS3> {
  const buckets = options.buckets ?? ['satukota'];
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-s3-'));
  const child = spawn(process.execPath, [SERVER_SCRIPT, directory, ...buckets], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before it listened`)));
      createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
    });
  } catch (error) {
    child.kill();
    fs.rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  const url = `http://127.0.0.1:${port}`;
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
      child.stdin!.end();
      await exited;
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

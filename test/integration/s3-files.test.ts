import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3FileStore } from '../../src/platform/s3-files.js';
import { beginUpload, sweepUploads } from '../../src/platform/uploads.js';
import { DEMO_PASSWORD } from '../support/env.js';
import { asSession, describeEachDatabase, login, startHarness, type Harness, type Session } from '../support/harness.js';
import { RAMANUJU } from '../support/places.js';
import { startS3, type TestS3 } from '../support/s3.js';

/**
 * A node whose files live in an S3-compatible store: a citizen's photo goes into the bucket (not onto
 * the node's disk), the platform serves it and its thumbnail back to whoever may see them, streamed
 * from the bucket, and the upload sweep deletes abandoned files there.
 */

/** A phone photo, somewhere in Cilegon. */
const phonePhoto = () => sharp({ create: { width: 1200, height: 900, channels: 3, background: '#5a7' } }).jpeg().toBuffer();

async function formBody(fields: Record<string, string>, photo: Buffer): Promise<{ payload: Buffer; contentType: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('photos', new Blob([photo], { type: 'image/jpeg' }), 'IMG_20260101.jpg');
  const encoded = new Response(form);
  return { payload: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type')! };
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describeEachDatabase('files in S3', (kind) => {
  let s3: TestS3;
  let h: Harness;
  let bucket: S3FileStore;
  let ahmad: Session;
  let siti: Session;

  beforeAll(async () => {
    s3 = await startS3();
    h = await startHarness(kind, s3.env());
    // The test's own view of the bucket, to check what the node wrote there.
    bucket = new S3FileStore(h.config.s3!);
    ahmad = await login(h.app, '3672011708900001');
    siti = await login(h.app, '3672074503850002');
  });
  afterAll(async () => {
    bucket?.close();
    await h?.close();
    await s3?.stop();
  });

  const get = (s: Session, url: string) => h.app.inject({ method: 'GET', url, headers: asSession(s) });
  const bucketKeys = async () => {
    const keys = [];
    for await (const file of bucket.list()) keys.push(file.key);
    return keys.sort();
  };
  const bucketBytes = async (key: string) => buffer((await bucket.get(key))!.stream);

  it('is what the node was configured with', () => {
    expect(h.config.s3).toMatchObject({ url: s3.url, bucket: s3.bucket });
    expect(h.ctx.files).toBeInstanceOf(S3FileStore);
  });

  it('keeps a citizen’s photo and its thumbnail in the bucket and serves them back through the platform', async () => {
    const { payload, contentType } = await formBody(
      { categoryCode: 'drainase', description: 'Got mampet, air meluap ke jalan saat hujan.', lat: String(RAMANUJU.lat), lng: String(RAMANUJU.lng) },
      await phonePhoto(),
    );
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/reports', headers: { ...asSession(ahmad), 'content-type': contentType }, payload });
    expect(res.statusCode, res.body).toBe(201);
    const photo = res.json().report.photos[0] as { id: string; url: string; thumbnailUrl: string };

    // Two objects in the bucket (the photo and its thumbnail), nothing on the node's disk.
    const keys = await bucketKeys();
    expect(keys).toHaveLength(2);
    const fullKey = keys.find((k) => k.endsWith('.jpg'))!;
    const thumbKey = keys.find((k) => k.endsWith('.webp'))!;
    expect(fullKey).toMatch(/^reports\//);
    expect(thumbKey).toMatch(/^reports\//);
    expect(filesUnder(h.config.filesDir)).toEqual([]);

    const full = await get(ahmad, photo.url);
    expect(full.statusCode).toBe(200);
    expect(full.headers['content-type']).toBe('image/jpeg');
    expect(full.rawPayload.equals(await bucketBytes(fullKey))).toBe(true);
    expect(Number(full.headers['content-length'])).toBe(full.rawPayload.length);
    expect(await sharp(full.rawPayload).metadata()).toMatchObject({ format: 'jpeg', width: 1200, height: 900 });

    const thumb = await get(ahmad, photo.thumbnailUrl);
    expect(thumb.statusCode).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    expect(thumb.rawPayload.equals(await bucketBytes(thumbKey))).toBe(true);
    expect((await sharp(thumb.rawPayload).metadata()).format).toBe('webp');

    // HEAD answers with the headers alone (the object is read and dropped, not left holding a connection).
    const head = await h.app.inject({ method: 'HEAD', url: photo.url, headers: asSession(ahmad) });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toBe('image/jpeg');
    expect(head.rawPayload).toHaveLength(0);

    // The platform decides who sees it: another citizen does not, though the file is there.
    expect((await get(siti, photo.url)).statusCode).toBe(404);
  });

  it('sweeps a file whose upload was abandoned out of the bucket', async () => {
    const key = 'reports/2026/01/00000000-0000-4000-8000-00000000abcd.jpg';
    await beginUpload(h.db, [key]);
    await h.ctx.files.put(key, await phonePhoto(), 'image/jpeg');
    expect(await bucket.exists(key)).toBe(true);
    await h.db.query(`update upload_intents set created_at = now() - interval '2 hours' where file_key = $1`, [key]);
    expect(await sweepUploads(h.db, h.ctx.files)).toBe(1);
    expect(await bucket.exists(key)).toBe(false);
  });
});

describe('satukota serve with a wrong S3 setting [pglite, a real process]', () => {
  const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'satukota.mjs');
  let s3: TestS3;
  let dataDir: string;
  let webDir: string;
  beforeAll(async () => {
    s3 = await startS3();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-s3-cli-'));
    // A built web app, so that `serve` does not build one.
    webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-s3-cli-web-'));
    fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>SatuKota</title>');
  });
  afterAll(async () => {
    await s3?.stop();
    for (const dir of [dataDir, webDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const serve = (extra: Record<string, string>) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const env = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, WEB_DIST_DIR: webDir, DEMO: 'false', DEMO_PASSWORD, PORT: '0', HOST: '127.0.0.1', ...extra };
      const child = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 90_000 });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('close', (code) => resolve({ code, stderr }));
    });

  it('stops at start-up naming the variable, without a stack trace, for a missing bucket and for refused keys', async () => {
    const missing = await serve(s3.env('tidak-ada'));
    expect(missing.code, missing.stderr).toBe(78);
    expect(missing.stderr).toMatch(/^ {2}- S3_BUCKET: the S3 server at http:\/\/127\.0\.0\.1:\d+ has no bucket "tidak-ada"$/m);
    expect(missing.stderr).not.toMatch(/^\s+at /m);

    const refused = await serve({ ...s3.env(), S3_ACCESS_KEY_ID: 'SALAH' });
    expect(refused.code, refused.stderr).toBe(78);
    expect(refused.stderr).toMatch(/^ {2}- S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: .* refused them/m);
    expect(refused.stderr).not.toMatch(/^\s+at /m);
  });
});

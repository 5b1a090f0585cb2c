import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startS3, type TestS3 } from '../../test/support/s3.js';
import { ConfigError } from '../config.js';
import { LocalFileStore, openFileStore, type FileStore } from './files.js';
import { PART_SIZE, S3FileStore, type S3Settings } from './s3-files.js';

/**
 * One contract, two stores: every case runs against the local disk and against a real S3-compatible
 * server (s3rver on an ephemeral port), so that a node behaves the same whichever it is given.
 */

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.stop();
});

const settingsOf = (server: TestS3): S3Settings => ({
  url: server.url,
  bucket: server.bucket,
  accessKeyId: server.accessKeyId,
  secretAccessKey: server.secretAccessKey,
  region: 'us-east-1',
  forcePathStyle: true,
});

interface StoreUnderTest {
  store: FileStore;
  close(): Promise<void>;
}

const STORES: Record<string, () => Promise<StoreUnderTest>> = {
  local: async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-files-'));
    return { store: new LocalFileStore(root), close: async () => fs.rmSync(root, { recursive: true, force: true }) };
  },
  s3: async () => {
    const store = await S3FileStore.open(settingsOf(s3));
    return {
      store,
      async close() {
        // The bucket outlives the test: empty it for the next one.
        for await (const file of store.list()) await store.delete(file.key);
        store.close();
      },
    };
  },
};

async function listed(store: FileStore, prefix?: string) {
  const files = [];
  for await (const file of store.list(prefix)) files.push(file);
  return files.sort((a, b) => (a.key < b.key ? -1 : 1));
}

// Live memory is measured after a full collection, so that garbage not yet collected is not counted,
// and with the buffers it frees swept at once (not by a background thread, later).
v8.setFlagsFromString('--expose-gc');
v8.setFlagsFromString('--no-concurrent-array-buffer-sweeping');
const collectGarbage = vm.runInNewContext('gc') as () => void;
function liveBytes(): number {
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

const MB = 1024 * 1024;
const CHUNK = 64 * 1024;

/** The bytes at `offset` of the test file: varied, so that a shifted or repeated part shows in the hash. */
function chunkAt(offset: number, total: number): Buffer {
  const length = Math.min(CHUNK, total - offset);
  const chunk = Buffer.alloc(Math.ceil(length / 4) * 4);
  for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE(((offset + i) * 2654435761) >>> 0, i);
  return chunk.subarray(0, length);
}

/** `total` bytes made as they are read (never all at once), sampling live memory every MB. */
function generated(total: number, sample: () => void): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= total) return this.push(null);
      if (offset % MB === 0) sample();
      const chunk = chunkAt(offset, total);
      offset += chunk.length;
      this.push(chunk);
    },
  });
}

function* chunksUpTo(total: number): Generator<Buffer> {
  for (let offset = 0; offset < total; offset += CHUNK) yield chunkAt(offset, total);
}

function sha256Of(total: number): string {
  const hash = createHash('sha256');
  for (const chunk of chunksUpTo(total)) hash.update(chunk);
  return hash.digest('hex');
}

for (const [kind, open] of Object.entries(STORES)) {
  describe(`FileStore contract [${kind}]`, () => {
    let subject: StoreUnderTest;
    let store: FileStore;
    beforeEach(async () => {
      subject = await open();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.close();
    });

    it('puts, gets, checks and deletes a file', async () => {
      const key = 'reports/2026/11/0b6a3f0e-6a1c-4c7e-9a55-2b1f3d4c5e6f.jpg';
      expect(await store.exists(key)).toBe(false);
      expect(await store.get(key)).toBeUndefined();
      await store.put(key, Buffer.from('foto jalan berlubang'), 'image/jpeg');
      expect(await store.exists(key)).toBe(true);
      const file = await store.get(key);
      expect(file).toMatchObject({ size: 20, contentType: 'image/jpeg' });
      expect(await text(file!.stream)).toBe('foto jalan berlubang');
      await store.delete(key);
      expect(await store.exists(key)).toBe(false);
      expect(await store.get(key)).toBeUndefined();
      await expect(store.delete(key)).resolves.toBeUndefined();
    });

    it('gives back the content type of the key, whatever parameters the put named', async () => {
      const cases: [string, string, string][] = [
        ['reports/a.jpg', 'image/jpeg', 'image/jpeg'],
        ['reports/a.thumb.webp', 'image/webp', 'image/webp'],
        ['reports/a.png', 'image/png', 'image/png'],
        ['exports/laporan.csv', 'text/csv', 'text/csv; charset=utf-8'],
        ['exports/laporan.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
        ['backups/blob.bin', 'application/octet-stream', 'application/octet-stream'],
      ];
      for (const [key, given, served] of cases) {
        await store.put(key, Buffer.from('x'), given);
        const file = await store.get(key);
        expect(file?.contentType, key).toBe(served);
        file?.stream.destroy();
      }
      await expect(store.put('reports/x.png', Buffer.from('x'), 'image/jpeg')).rejects.toThrow(/does not match/);
      expect(await store.exists('reports/x.png')).toBe(false);
    });

    it('overwrites a key, and keeps the old file whole when a streamed put fails', async () => {
      await store.put('exports/laporan.csv', Buffer.from('lama'), 'text/csv');
      await store.put('exports/laporan.csv', Readable.from([Buffer.from('baru, '), Buffer.from('lebih panjang')]), 'text/csv');
      expect(await text((await store.get('exports/laporan.csv'))!.stream)).toBe('baru, lebih panjang');

      async function* broken() {
        yield Buffer.from('setengah');
        throw new Error('koneksi putus');
      }
      await expect(store.put('exports/laporan.csv', Readable.from(broken()), 'text/csv')).rejects.toThrow('koneksi putus');
      const file = await store.get('exports/laporan.csv');
      expect(file?.size).toBe(19);
      expect(await text(file!.stream)).toBe('baru, lebih panjang');
      expect(await listed(store)).toEqual([{ key: 'exports/laporan.csv', size: 19 }]);
    });

    it('stores files at the part boundaries whole, and keeps the old file when a stream fails after a part', async () => {
      const sizes: [number, 'buffer' | 'stream'][] = [[0, 'buffer'], [0, 'stream'], [PART_SIZE, 'stream'], [PART_SIZE + 1, 'buffer'], [PART_SIZE + 1, 'stream']];
      for (const [size, as] of sizes) {
        const key = `exports/${size}-${as}.bin`;
        await store.put(key, as === 'buffer' ? Buffer.concat([...chunksUpTo(size)]) : Readable.from(chunksUpTo(size)), 'application/octet-stream');
        const file = await store.get(key);
        expect(file?.size, key).toBe(size);
        const hash = createHash('sha256');
        for await (const chunk of file!.stream as AsyncIterable<Buffer>) hash.update(chunk);
        expect(hash.digest('hex'), key).toBe(sha256Of(size));
      }

      async function* brokenAfterAPart() {
        yield* chunksUpTo(PART_SIZE + CHUNK);
        throw new Error('koneksi putus');
      }
      await expect(store.put(`exports/${PART_SIZE}-stream.bin`, Readable.from(brokenAfterAPart()), 'application/octet-stream')).rejects.toThrow('koneksi putus');
      expect((await store.get(`exports/${PART_SIZE}-stream.bin`))?.size).toBe(PART_SIZE);
      expect((await listed(store)).map((f) => f.key)).toHaveLength(sizes.length);
    }, 60_000);

    it('lists the stored files under a key prefix with their sizes', async () => {
      await store.put('reports/2026/10/a.jpg', Buffer.from('aa'), 'image/jpeg');
      await store.put('reports/2026/11/b.jpg', Buffer.from('bbb'), 'image/jpeg');
      await store.put('reports/2026/11/b.thumb.webp', Buffer.from('b'), 'image/webp');
      await store.put('reports/2027/01/c.jpg', Buffer.from('c'), 'image/jpeg');
      await store.put('exports/laporan.csv', Buffer.from('x'), 'text/csv');
      expect(await listed(store)).toEqual([
        { key: 'exports/laporan.csv', size: 1 },
        { key: 'reports/2026/10/a.jpg', size: 2 },
        { key: 'reports/2026/11/b.jpg', size: 3 },
        { key: 'reports/2026/11/b.thumb.webp', size: 1 },
        { key: 'reports/2027/01/c.jpg', size: 1 },
      ]);
      expect((await listed(store, 'reports/2026/')).map((f) => f.key)).toEqual(['reports/2026/10/a.jpg', 'reports/2026/11/b.jpg', 'reports/2026/11/b.thumb.webp']);
      expect((await listed(store, 'reports/2026/11/b.')).map((f) => f.key)).toEqual(['reports/2026/11/b.jpg', 'reports/2026/11/b.thumb.webp']);
      expect(await listed(store, 'rep')).toHaveLength(4);
      expect(await listed(store, 'reports/2028/')).toEqual([]);
    });

    it('treats a "directory" as no file', async () => {
      await store.put('reports/2026/x.jpg', Buffer.from('x'), 'image/jpeg');
      expect(await store.exists('reports/2026')).toBe(false);
      expect(await store.get('reports/2026')).toBeUndefined();
      expect(await store.exists('reports/2026/x.jpg/below-a-file.jpg')).toBe(false);
    });

    it('refuses keys and prefixes that could escape the store, and stores nothing for them', async () => {
      const bad = ['', '../etc/passwd', 'reports/../../x.jpg', '/etc/passwd', 'reports\\x.jpg', 'reports//x.jpg', 'reports/', './x.jpg', 'reports/.x.jpg.tmp'];
      for (const key of bad) {
        await expect(store.put(key, Buffer.from('x'), 'image/jpeg'), key).rejects.toThrow(/Invalid file key/);
        await expect(store.get(key), key).rejects.toThrow(/Invalid file key/);
        await expect(store.exists(key), key).rejects.toThrow(/Invalid file key/);
        await expect(store.delete(key), key).rejects.toThrow(/Invalid file key/);
      }
      for (const prefix of ['../', 'reports/../', '/etc', 'reports\\', 'reports//']) {
        await expect(listed(store, prefix), prefix).rejects.toThrow(/Invalid file key prefix/);
      }
      expect(await listed(store)).toEqual([]);
    });

    it('streams a 20 MB put and get through, with live memory far below the file’s size', async () => {
      const size = 20 * MB;
      const baseline = liveBytes();
      let peak = 0;
      const sample = () => {
        peak = Math.max(peak, liveBytes() - baseline);
      };
      await store.put('exports/besar.bin', generated(size, sample), 'application/octet-stream');
      const putPeak = peak;

      peak = 0;
      const file = await store.get('exports/besar.bin');
      expect(file?.size).toBe(size);
      const hash = createHash('sha256');
      let read = 0;
      for await (const chunk of file!.stream as AsyncIterable<Buffer>) {
        if (Math.floor((read + chunk.length) / MB) > Math.floor(read / MB)) sample();
        read += chunk.length;
        hash.update(chunk);
      }
      const getPeak = peak;
      expect(read).toBe(size);
      expect(hash.digest('hex')).toBe(sha256Of(size));
      console.info(`[${kind}] 20 MB streamed: live memory above baseline at most ${(putPeak / MB).toFixed(1)} MB during put, ${(getPeak / MB).toFixed(1)} MB during get`);
      // A put holds one part (S3) or one chunk (local disk); a get one socket or file buffer. 4 MB more for
      // what the process allocates meanwhile (code, the streams, the hash): holding the file would take 20 MB.
      const slack = 4 * MB;
      expect(putPeak).toBeLessThan((kind === 's3' ? PART_SIZE : 0) + slack);
      expect(getPeak).toBeLessThan(slack);
    }, 60_000);
  });
}

describe('S3FileStore', () => {
  it('stores the bytes themselves (no aws-chunked framing) under the key', async () => {
    const store = await S3FileStore.open(settingsOf(s3));
    try {
      await store.put('exports/kecil.csv', Readable.from([Buffer.from('no,kategori\n'), Buffer.from('1,jalan\n')]), 'text/csv');
      const onDisk = fs.readFileSync(path.join(s3.directory, s3.bucket, 'exports', 'kecil.csv._S3rver_object'), 'utf8');
      expect(onDisk).toBe('no,kategori\n1,jalan\n');
    } finally {
      await store.delete('exports/kecil.csv');
      store.close();
    }
  });

  it('stops the start with a ConfigError naming the variable to fix', async () => {
    const failure = async (settings: S3Settings) => {
      try {
        await openFileStore({ filesDir: '/unused', s3: settings });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).problems.join('\n');
      }
      throw new Error('opened');
    };
    expect(await failure({ ...settingsOf(s3), bucket: 'tidak-ada' })).toMatch(/^S3_BUCKET: .* has no bucket "tidak-ada"$/);
    expect(await failure({ ...settingsOf(s3), accessKeyId: 'SALAH' })).toMatch(/^S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: .* refused them/);
    const closed = await startS3();
    await closed.stop();
    expect(await failure({ ...settingsOf(closed) })).toMatch(/^S3_URL: cannot reach the S3 server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/);
  });

  it('is what openFileStore gives when S3 is configured, the local disk otherwise', async () => {
    const local = await openFileStore({ filesDir: os.tmpdir(), s3: null });
    expect(local).toBeInstanceOf(LocalFileStore);
    const remote = await openFileStore({ filesDir: '/unused', s3: settingsOf(s3) });
    expect(remote).toBeInstanceOf(S3FileStore);
    (remote as S3FileStore).close();
  });
});

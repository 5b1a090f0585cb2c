import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFileStore } from './files.js';

let root: string;
let store: LocalFileStore;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-files-'));
  store = new LocalFileStore(root);
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const KEY = 'reports/2026/11/0b6a3f0e-6a1c-4c7e-9a55-2b1f3d4c5e6f.jpg';

describe('LocalFileStore', () => {
  it('puts, gets, checks and deletes a file', async () => {
    expect(await store.exists(KEY)).toBe(false);
    expect(await store.get(KEY)).toBeUndefined();

    await store.put(KEY, Buffer.from('foto jalan berlubang'), 'image/jpeg');
    expect(await store.exists(KEY)).toBe(true);
    const file = await store.get(KEY);
    expect(file).toMatchObject({ size: 20, contentType: 'image/jpeg' });
    expect(await text(file!.stream)).toBe('foto jalan berlubang');

    await store.delete(KEY);
    expect(await store.exists(KEY)).toBe(false);
    expect(await store.get(KEY)).toBeUndefined();
    await expect(store.delete(KEY)).resolves.toBeUndefined();
  });

  it('overwrites an existing key', async () => {
    await store.put('exports/laporan.csv', Buffer.from('lama'), 'text/csv');
    await store.put('exports/laporan.csv', Buffer.from('baru, lebih panjang'), 'text/csv; charset=utf-8');
    const file = await store.get('exports/laporan.csv');
    expect(file).toMatchObject({ size: 19, contentType: 'text/csv; charset=utf-8' });
    expect(await text(file!.stream)).toBe('baru, lebih panjang');
  });

  it('leaves no temporary files and keeps citizens’ files owner-only', async () => {
    await store.put(KEY, Buffer.from('a'), 'image/jpeg');
    await store.put(KEY, Buffer.from('b'), 'image/jpeg');
    const dir = path.join(root, 'reports/2026/11');
    expect(fs.readdirSync(dir)).toEqual([path.basename(KEY)]);
    expect(fs.statSync(path.join(dir, path.basename(KEY))).mode & 0o777).toBe(0o600);
    for (const d of ['reports', 'reports/2026', 'reports/2026/11']) {
      expect(fs.statSync(path.join(root, d)).mode & 0o777).toBe(0o700);
    }
  });

  it('rejects keys that are not plain relative paths', async () => {
    const bad = ['', '../etc/passwd', 'reports/../../x.jpg', '/etc/passwd', 'reports\\x.jpg', 'reports//x.jpg', 'reports/', './x.jpg', 'reports/.x.jpg.tmp'];
    for (const key of bad) {
      await expect(store.put(key, Buffer.from('x'), 'image/jpeg'), key).rejects.toThrow(/Invalid file key/);
      await expect(store.get(key), key).rejects.toThrow(/Invalid file key/);
      await expect(store.exists(key), key).rejects.toThrow(/Invalid file key/);
      await expect(store.delete(key), key).rejects.toThrow(/Invalid file key/);
    }
    expect(fs.readdirSync(root)).toEqual([]);
  });

  it('refuses a content type the extension would not give back', async () => {
    await expect(store.put('reports/x.png', Buffer.from('x'), 'image/jpeg')).rejects.toThrow(/does not match/);
    await store.put('backups/blob.bin', Buffer.from('x'), 'application/octet-stream');
    const file = await store.get('backups/blob.bin');
    expect(file?.contentType).toBe('application/octet-stream');
    file?.stream.destroy();
  });

  it('treats a directory as a missing file', async () => {
    await store.put(KEY, Buffer.from('x'), 'image/jpeg');
    expect(await store.exists('reports/2026')).toBe(false);
    expect(await store.get('reports/2026')).toBeUndefined();
    expect(await store.exists(`${KEY}/below-a-file.jpg`)).toBe(false);
  });
});

describe('LocalFileStore streamed put and list', () => {
  it('streams a put from a Readable and keeps it atomic when the stream fails', async () => {
    await store.put('exports/laporan.csv', Readable.from([Buffer.from('no,kategori\n'), Buffer.from('1,jalan\n')]), 'text/csv');
    const file = await store.get('exports/laporan.csv');
    expect(file?.size).toBe(20);
    expect(await text(file!.stream)).toBe('no,kategori\n1,jalan\n');

    async function* failing() {
      yield Buffer.from('setengah');
      throw new Error('koneksi putus');
    }
    await expect(store.put('exports/laporan.csv', Readable.from(failing()), 'text/csv')).rejects.toThrow('koneksi putus');
    // The old file stays whole and no temporary file is left behind.
    expect(await text((await store.get('exports/laporan.csv'))!.stream)).toBe('no,kategori\n1,jalan\n');
    expect(fs.readdirSync(path.join(root, 'exports'))).toEqual(['laporan.csv']);
  });

  it('releases the stream of a refused put', async () => {
    const source = fs.createReadStream(__filename);
    await expect(store.put('reports/x.png', source, 'image/jpeg')).rejects.toThrow(/does not match/);
    expect(source.destroyed).toBe(true);
  });

  it('lists every stored file under a prefix with its size, never a temporary file', async () => {
    await store.put('reports/2026/10/a.jpg', Buffer.from('aa'), 'image/jpeg');
    await store.put('reports/2026/11/b.jpg', Buffer.from('bbb'), 'image/jpeg');
    await store.put('reports/2026/11/b.thumb.webp', Buffer.from('b'), 'image/webp');
    await store.put('reports/2027/01/c.jpg', Buffer.from('c'), 'image/jpeg');
    await store.put('exports/laporan.csv', Buffer.from('x'), 'text/csv');
    // A put in flight: its temporary file sits beside the others.
    fs.writeFileSync(path.join(root, 'reports/2026/11/.d.jpg.0123456789abcdef.tmp'), 'half');

    const listed = async (prefix?: string) => {
      const files = [];
      for await (const file of store.list(prefix)) files.push(file);
      return files.sort((a, b) => a.key.localeCompare(b.key));
    };
    expect(await listed()).toEqual([
      { key: 'exports/laporan.csv', size: 1 },
      { key: 'reports/2026/10/a.jpg', size: 2 },
      { key: 'reports/2026/11/b.jpg', size: 3 },
      { key: 'reports/2026/11/b.thumb.webp', size: 1 },
      { key: 'reports/2027/01/c.jpg', size: 1 },
    ]);
    expect((await listed('reports/2026/')).map((f) => f.key)).toEqual(['reports/2026/10/a.jpg', 'reports/2026/11/b.jpg', 'reports/2026/11/b.thumb.webp']);
    expect((await listed('reports/2026/1')).length).toBe(3);
    expect((await listed('reports/2026/11/b.')).map((f) => f.key)).toEqual(['reports/2026/11/b.jpg', 'reports/2026/11/b.thumb.webp']);
    expect((await listed('rep')).length).toBe(4);
    expect(await listed('reports/2028/')).toEqual([]);
    expect(await listed('nothing')).toEqual([]);
  });

  it('refuses a prefix that could leave the store', async () => {
    for (const prefix of ['../', 'reports/../../', '/etc/', 'reports\\', 'reports//', './', 'reports/.x']) {
      await expect((async () => { for await (const file of store.list(prefix)) void file; })(), prefix).rejects.toThrow(/Invalid file key prefix/);
    }
  });
});

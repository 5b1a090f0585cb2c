import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, type DatabaseKind } from '../support/harness.js';
import { databaseUrl, TEST_DATABASE_URL } from '../support/env.js';
import { runCli, startServerProcess } from '../support/server-process.js';

/**
 * Everything the platform writes under DATA_DIR — PGlite's data and WAL, the generated key, the lock
 * file, the control socket, photos — is readable by the service user alone. The test process's own
 * umask (usually 022) is what a server without its own would pass on; the CLI makes the database first,
 * then the server takes over the same directory, as an operator does.
 */
const PASSWORD = 'kata-sandi-uji-123';

/** Every entry under `dir` (itself included) that group or others may read, write or enter. */
function tooOpen(dir: string): string[] {
  const open: string[] = [];
  const walk = (p: string) => {
    const info = fs.lstatSync(p);
    if ((info.mode & 0o077) !== 0) open.push(`${path.relative(dir, p) || '.'} ${(info.mode & 0o777).toString(8)}`);
    if (info.isDirectory()) for (const name of fs.readdirSync(p)) walk(path.join(p, name));
  };
  walk(dir);
  return open;
}

function entries(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map((p) => p.split(path.sep).join('/'));
}

describe.each(DATABASES)('files the platform creates are private [%s, real process]', (kind: DatabaseKind) => {
  let root: string;
  let dataDir: string;
  let webDir: string;
  let database: string | null = null;
  const env = () => ({
    DATA_DIR: dataDir,
    WEB_DIST_DIR: webDir,
    // PGlite generates its key into DATA_DIR when none is given.
    ...(kind === 'pglite' ? { SATUKOTA_SECRET_KEY: '' } : { DATABASE_URL: databaseUrl(database!) }),
  });

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-modes-'));
    // Not made by the test: the platform creates DATA_DIR itself.
    dataDir = path.join(root, 'data');
    webDir = path.join(root, 'web');
    fs.mkdirSync(webDir);
    fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>t</title>');
    if (kind === 'postgresql') {
      database = `satukota_t_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`create database ${database}`);
      await admin.end();
    }
  });
  afterAll(async () => {
    fs.rmSync(root, { recursive: true, force: true });
    if (database) {
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`drop database if exists ${database} with (force)`);
      await admin.end();
    }
  });

  it('leaves nothing under DATA_DIR that group or others could read, from the CLI or the server', async () => {
    await runCli(['import', 'regions', '36.72'], env());
    await runCli(['user', 'create', '--username', 'admin.uji', '--name', 'Admin Uji', '--role', 'admin', '--scope', 'city', '--password', PASSWORD], env());
    await runCli(['user', 'create', '--username', 'koordinator.uji', '--name', 'Koordinator Uji', '--role', 'coordinator', '--scope', 'city', '--password', PASSWORD], env());
    // With PostgreSQL the CLI writes nothing there.
    if (kind === 'pglite') expect(tooOpen(dataDir), 'after the CLI').toEqual([]);

    const server = await startServerProcess(env());
    try {
      const token = async (login: string) => {
        const res = await fetch(`${server.url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password: PASSWORD }) });
        expect(res.status).toBe(200);
        return { authorization: `Bearer ${((await res.json()) as { token: string }).token}` };
      };
      const admin = await token('admin.uji');
      const post = async (auth: Record<string, string>, url: string, body: unknown) => {
        const res = await fetch(`${server.url}${url}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect(res.status, `${url}: ${await res.clone().text()}`).toBe(201);
      };
      await post(admin, '/api/v1/agencies', { code: 'dlh', kind: 'opd', name: 'Dinas Lingkungan Hidup', shortName: 'DLH' });
      await post(admin, '/api/v1/report-categories', {
        code: 'sampah',
        name: { id: 'Sampah', en: 'Rubbish' },
        group: 'kebersihan',
        icon: 'trash',
        agencyCode: 'dlh',
        firstHandler: 'opd',
        deadlines: { verify: 1, dispatch: 1, resolve: 3 },
      });
      // A photo, so that the file store writes too.
      const form = new FormData();
      for (const [k, v] of Object.entries({ categoryCode: 'sampah', description: 'Sampah menumpuk di pasar, dilaporkan di loket.', address: 'Pasar Kranggot', channel: 'walk_in' })) form.append(k, v);
      const jpeg = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#2a6' } }).jpeg().toBuffer();
      form.append('photos', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'foto.jpg');
      const filed = await fetch(`${server.url}/api/v1/reports`, { method: 'POST', headers: await token('koordinator.uji'), body: form });
      expect(filed.status, await filed.clone().text()).toBe(201);

      const written = entries(dataDir);
      expect(written.some((p) => /^files\/reports\/.+\.jpg$/.test(p)), 'a photo').toBe(true);
      if (kind === 'pglite') {
        for (const name of ['secret.key', 'pglite/PG_VERSION', 'control.sock']) expect(written, name).toContain(name);
        expect(written.some((p) => p.startsWith('pglite/pg_wal/')), 'the WAL').toBe(true);
      }
      expect(tooOpen(dataDir), 'while the server runs').toEqual([]);
    } finally {
      await server.stop();
    }
    expect(tooOpen(dataDir), 'after the server stopped').toEqual([]);
    // Four processes each opening the database: PGlite takes its time.
  }, 300_000);

  it('narrows a DATA_DIR that an older release left open to 0700', async () => {
    const opened = kind === 'pglite' ? [dataDir, path.join(dataDir, 'pglite')] : [dataDir];
    for (const dir of opened) {
      fs.mkdirSync(dir, { recursive: true });
      fs.chmodSync(dir, 0o755);
    }
    const server = await startServerProcess(env());
    await server.stop();
    for (const dir of opened) expect(fs.statSync(dir).mode & 0o777, dir).toBe(0o700);
  }, 120_000);
});

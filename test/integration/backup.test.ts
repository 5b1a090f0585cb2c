import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { buildHttp, createContext } from '../../src/app.js';
import { SECRET_KEY_FILE } from '../../src/platform/crypto.js';
import { openPglite, openPostgres, type Database } from '../../src/platform/db.js';
import { createLogger } from '../../src/platform/logger.js';
import { memorySender } from '../../src/platform/messaging.js';
import { DEMO_CITIZENS } from '../../src/modules/demo/seed.js';
import { asSession, describeEachDatabase, login } from '../support/harness.js';
import { databaseUrl, TEST_DATABASE_URL, TEST_SECRET, testConfig } from '../support/env.js';
import { RAMANUJU } from '../support/places.js';
import { runCli, startServerProcess } from '../support/server-process.js';

/**
 * Backup and restore as an operator runs them: a city where a citizen filed a report with a photo is
 * backed up with `satukota backup` (with PGlite while the server runs, through its control socket),
 * and restored with `satukota restore` into an empty DATA_DIR (and, for PostgreSQL, an empty new
 * database) whose environment has no key: the key comes from the backup. The restored installation
 * passes `migrate` and `audit verify`, and shows the report, its photo (the same bytes) and its
 * reporter's decrypted name. A wrong passphrase, a file cut short or altered, and a target that is not
 * empty are refused, and nothing is written.
 */
const PASSPHRASE = 'kota-satu-pintu-cadangan-2026';
const CITIZEN = DEMO_CITIZENS[0]!;
/** Each test runs the CLI several times, and each run opens the database afresh. */
const CLI_TIMEOUT = 300_000;
const LARGE_FILE = 'exports/2026/arsip.csv';

async function createDatabase(): Promise<string> {
  const name = `satukota_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  return name;
}

async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

async function tableCount(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ n: string }>(`select count(*) as n from pg_tables where schemaname = 'public'`);
  await client.end();
  return Number(rows[0]!.n);
}

/** A multipart/form-data report with one photo, as the citizen's phone sends it. */
async function reportForm(photo: Buffer): Promise<{ payload: Buffer; contentType: string }> {
  const form = new FormData();
  form.append('categoryCode', 'sampah');
  form.append('description', 'Tumpukan sampah di depan pasar belum diangkut tiga hari.');
  form.append('lat', String(RAMANUJU.lat));
  form.append('lng', String(RAMANUJU.lng));
  form.append('photos', new Blob([photo], { type: 'image/jpeg' }), 'sampah.jpg');
  const encoded = new Response(form);
  return { payload: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type')! };
}

const entries = (dir: string): string[] => (fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]) : []);

describeEachDatabase('backup and restore', (kind) => {
  let root: string;
  let webDir: string;
  const databases: string[] = [];
  /** The city that is backed up: its environment for the CLI, and what it showed before the backup. */
  let source: { env: Record<string, string>; reportId: string; photoUrl: string; photo: Buffer; large: Buffer };
  let backupFile: string;

  /** An empty target: a DATA_DIR that does not exist yet and, for PostgreSQL, an empty new database; no key. */
  const emptyTarget = async () => {
    const dataDir = path.join(root, `target-${randomBytes(4).toString('hex')}`);
    const env: Record<string, string> = { DATA_DIR: dataDir, WEB_DIST_DIR: webDir, SATUKOTA_SECRET_KEY: '', SATUKOTA_BACKUP_PASSPHRASE: PASSPHRASE };
    if (kind === 'postgresql') {
      const name = await createDatabase();
      databases.push(name);
      env.DATABASE_URL = databaseUrl(name);
    }
    return { dataDir, env };
  };
  /** Whether a refused restore left the target as it was: no database tables, nothing in DATA_DIR. */
  const untouched = async (target: { dataDir: string; env: Record<string, string> }) => {
    expect(entries(target.dataDir), 'nothing written to DATA_DIR').toEqual([]);
    if (kind === 'postgresql') expect(await tableCount(target.env.DATABASE_URL!), 'no tables created').toBe(0);
  };

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-backup-'));
    webDir = path.join(root, 'web');
    fs.mkdirSync(webDir);
    fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>t</title>');
    backupFile = path.join(root, 'kota.skb');

    // The demo city (migrated and seeded once per test run) on disk, as a server would find it.
    const dataDir = path.join(root, 'source');
    let db: Database;
    let env: Record<string, string>;
    if (kind === 'pglite') {
      fs.mkdirSync(dataDir, { mode: 0o700 });
      // The template's personal data is encrypted with the test secret: here it is the generated key file.
      fs.writeFileSync(path.join(dataDir, SECRET_KEY_FILE), `${TEST_SECRET}\n`, { mode: 0o600 });
      db = await openPglite({ dataDir: path.join(dataDir, 'pglite'), loadDataDir: new Blob([fs.readFileSync(inject('pgliteTemplate'))]) });
      env = { DATA_DIR: dataDir, WEB_DIST_DIR: webDir, SATUKOTA_SECRET_KEY: '' };
    } else {
      const name = `satukota_t_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`create database ${name} template ${inject('postgresTemplate')}`);
      await admin.end();
      databases.push(name);
      db = await openPostgres(databaseUrl(name), { max: 3 });
      env = { DATA_DIR: dataDir, WEB_DIST_DIR: webDir, DATABASE_URL: databaseUrl(name) };
    }
    const ctx = await createContext(testConfig(env, dataDir), { db, sender: memorySender(), log: createLogger({ level: 'silent' }) });
    const app = await buildHttp(ctx);
    try {
      const citizen = await login(app, CITIZEN.nik);
      const { payload, contentType } = await reportForm(await sharp({ create: { width: 640, height: 480, channels: 3, background: '#6a5' } }).jpeg().toBuffer());
      const filed = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: { ...asSession(citizen), 'content-type': contentType }, payload });
      expect(filed.statusCode, filed.body).toBe(201);
      const report = filed.json().report as { id: string; photos: { url: string }[] };
      const photo = await app.inject({ method: 'GET', url: report.photos[0]!.url, headers: asSession(citizen) });
      expect(photo.statusCode).toBe(200);
      // A larger file, so that the backup spans several encrypted chunks and damage can lie far behind the database part.
      await ctx.files.put(LARGE_FILE, randomBytes(3 << 20), 'text/csv; charset=utf-8');
      source = { env, reportId: report.id, photoUrl: report.photos[0]!.url, photo: photo.rawPayload, large: fs.readFileSync(path.join(ctx.config.filesDir, LARGE_FILE)) };
    } finally {
      await app.close();
      await ctx.close();
    }
  });

  afterAll(async () => {
    for (const name of databases) await dropDatabase(name);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('backs up the city into one encrypted file (with PGlite through the running server) and refuses a short passphrase', async () => {
    await expect(runCli(['backup', backupFile], { ...source.env, SATUKOTA_BACKUP_PASSPHRASE: 'pendek' })).rejects.toThrow(/at least 12 characters/);
    expect(fs.existsSync(backupFile)).toBe(false);

    const server = kind === 'pglite' ? await startServerProcess(source.env) : undefined;
    try {
      const out = await runCli(['backup', backupFile], { ...source.env, SATUKOTA_BACKUP_PASSPHRASE: PASSPHRASE });
      expect(out).toMatch(/Backup written to .*kota\.skb: \d+ tables, \d+ rows, 3 files/); // the photo, its thumbnail, the export
      if (server) expect(server.child.exitCode, 'the server kept running').toBeNull();
    } finally {
      await server?.stop();
    }
    expect(fs.statSync(backupFile).mode & 0o777).toBe(0o600);
    const bytes = fs.readFileSync(backupFile);
    expect(bytes.subarray(0, 15).toString('latin1')).toBe('SATUKOTA-BACKUP');
    // Encrypted: neither the citizen's name nor the photo's bytes appear in it.
    expect(bytes.includes(Buffer.from(CITIZEN.name))).toBe(false);
    expect(bytes.includes(source.photo.subarray(200, 264))).toBe(false);
    // An existing file is not replaced without --force.
    await expect(runCli(['backup', backupFile], { ...source.env, SATUKOTA_BACKUP_PASSPHRASE: PASSPHRASE })).rejects.toThrow(/exists/);
  }, CLI_TIMEOUT);

  it('refuses a wrong passphrase, a file cut short and an altered file, and writes nothing', async () => {
    const target = await emptyTarget();
    await expect(runCli(['restore', backupFile], { ...target.env, SATUKOTA_BACKUP_PASSPHRASE: 'bukan-kata-sandinya' })).rejects.toThrow(/Wrong passphrase/);
    await untouched(target);

    const bytes = fs.readFileSync(backupFile);
    const cut = path.join(root, 'cut.skb');
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    await expect(runCli(['restore', cut], target.env)).rejects.toThrow(/cut short/);
    await untouched(target);

    // One byte changed in the last of the backup's four chunks, long after the database part: a restore
    // that checked as it went would have loaded the rows by then. Caught before anything is written.
    const altered = Buffer.from(bytes);
    const at = bytes.length - 5000;
    altered.writeUInt8(altered.readUInt8(at) ^ 0x01, at);
    const alteredFile = path.join(root, 'altered.skb');
    fs.writeFileSync(alteredFile, altered);
    await expect(runCli(['restore', alteredFile], target.env)).rejects.toThrow(/fails its authentication/);
    await untouched(target);

    await expect(runCli(['restore', '--verify-only', backupFile], target.env)).resolves.toMatch(/complete and intact/);
    await untouched(target);
  }, CLI_TIMEOUT);

  it('restores into an empty installation that shows the report, its photo and its reporter, and refuses a non-empty one', async () => {
    const target = await emptyTarget();
    const out = await runCli(['restore', backupFile], target.env);
    expect(out).toMatch(/Restored \d+ rows in [\d.]+ s and 3 files/);
    expect(out).toMatch(/Audit trail intact/);
    const secret = fs.readFileSync(path.join(target.dataDir, SECRET_KEY_FILE), 'utf8').trim();
    expect(secret, 'the key came from the backup').toBe(TEST_SECRET);
    expect(fs.statSync(path.join(target.dataDir, SECRET_KEY_FILE)).mode & 0o777).toBe(0o600);

    // As the operator then runs it: PGlite reads DATA_DIR/secret.key; PostgreSQL nodes are given the key.
    const restoredEnv = kind === 'pglite' ? target.env : { ...target.env, SATUKOTA_SECRET_KEY: secret };
    await expect(runCli(['migrate'], restoredEnv)).resolves.toMatch(/up to date/);
    await expect(runCli(['audit', 'verify'], restoredEnv)).resolves.toMatch(/Audit trail intact: [1-9]\d* entries/);

    const config = testConfig({ ...restoredEnv, SATUKOTA_SECRET_KEY: restoredEnv.SATUKOTA_SECRET_KEY ?? '' }, target.dataDir);
    const ctx = await createContext(config, { sender: memorySender(), log: createLogger({ level: 'silent' }) });
    const app = await buildHttp(ctx);
    try {
      const coordinator = await login(app, 'koordinator');
      const report = await app.inject({ method: 'GET', url: `/api/v1/reports/${source.reportId}`, headers: asSession(coordinator) });
      expect(report.statusCode, report.body).toBe(200);
      expect(report.json().report.reporter.name).toBe(CITIZEN.name);
      const citizen = await login(app, CITIZEN.nik);
      const photo = await app.inject({ method: 'GET', url: source.photoUrl, headers: asSession(citizen) });
      expect(photo.statusCode).toBe(200);
      expect(photo.rawPayload.equals(source.photo), 'the photo has the same bytes').toBe(true);
      const large = await ctx.files.get(LARGE_FILE);
      const pieces: Buffer[] = [];
      for await (const piece of large!.stream) pieces.push(piece as Buffer);
      expect(Buffer.concat(pieces).equals(source.large), 'the export has the same bytes').toBe(true);
    } finally {
      await app.close();
      await ctx.close();
    }

    await expect(runCli(['restore', backupFile], target.env)).rejects.toThrow(/not empty: the database has \d+ tables.*the file store has 3 files/);
    const forced = await runCli(['restore', '--force', backupFile], target.env);
    expect(forced).toMatch(/--force: emptying the target/);
    expect(forced).toMatch(/Audit trail intact/);
  }, CLI_TIMEOUT);
});

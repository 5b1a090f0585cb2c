import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/platform/db.js';
import { UPLOAD_GRACE_MS, UPLOAD_SWEEP_JOB } from '../../src/platform/uploads.js';
import { cloneDatabase, DATABASES } from '../support/harness.js';
import { DEMO_PASSWORD, databaseUrl } from '../support/env.js';
import { RAMANUJU } from '../support/places.js';
import { startServerProcess } from '../support/server-process.js';

/**
 * Durability: the server is killed with SIGKILL in the middle of a burst of submissions; after a
 * restart every report that was answered with 201 is there, with its tracking number. And killed
 * between writing a report's photo and committing the report: after a restart the sweep removes the
 * orphaned files. PostgreSQL only (the production database; PGlite's durability is PGlite's own, and
 * the test holds a lock from another connection).
 */

describe.runIf(DATABASES.includes('postgresql'))('SIGKILL during a burst of reports [postgresql, real process]', () => {
  let clone: { db: Database; name: string | null; drop(): Promise<void> };
  let dataDir: string;
  let webDir: string;

  beforeAll(async () => {
    clone = await cloneDatabase('postgresql');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-crash-'));
    webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-crash-web-'));
    fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>t</title>');
  });
  afterAll(async () => {
    await clone?.db.close();
    await clone?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(webDir, { recursive: true, force: true });
  });

  const startServer = () => startServerProcess({ DATABASE_URL: databaseUrl(clone.name!), DATA_DIR: dataDir, WEB_DIST_DIR: webDir });
  const tokenAt = async (url: string) => {
    const login = await fetch(`${url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: '3672011708900001', password: DEMO_PASSWORD }),
    });
    expect(login.status).toBe(200);
    return ((await login.json()) as { token: string }).token;
  };

  it('keeps every report it answered with 201', async () => {
    const first = await startServer();
    const token = await tokenAt(first.url);

    const acknowledged: string[] = [];
    let failed = 0;
    let stop = false;
    // 16 citizens' phones sending as fast as they can, until the server dies under them.
    const workers = Array.from({ length: 16 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        try {
          const res = await fetch(`${first.url}/api/v1/reports`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ categoryCode: 'sampah', description: `Uji ketahanan, pengirim ${w}, laporan ${i}.`, lat: RAMANUJU.lat, lng: RAMANUJU.lng }),
          });
          if (res.status === 201) acknowledged.push(((await res.json()) as { report: { trackingNo: string } }).report.trackingNo);
          else failed++;
        } catch {
          failed++; // the connection died with the server: not acknowledged, so not promised
        }
      }
    });
    while (acknowledged.length < 150) await new Promise((r) => setTimeout(r, 10));
    first.child.kill('SIGKILL');
    await first.stop();
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await Promise.all(workers);
    expect(failed).toBeGreaterThan(0); // the kill really landed mid-burst

    const second = await startServer();
    try {
      const stored = await clone.db.query<{ tracking_no: string }>('select tracking_no from reports where tracking_no = any($1)', [acknowledged]);
      expect(new Set(stored.map((r) => r.tracking_no))).toEqual(new Set(acknowledged));
      // And the restarted server serves them.
      const one = await fetch(`${second.url}/api/v1/reports/${acknowledged.at(-1)}`, { headers: { authorization: `Bearer ${token}` } });
      expect(one.status).toBe(200);
      // Every report carries its timeline entry and outbox event: nothing half-written.
      const orphans = await clone.db.one<{ n: number }>(
        `select count(*)::int as n from reports r where not exists (select 1 from report_events e where e.report_id = r.id and e.to_status = 'submitted')`,
      );
      expect(orphans.n).toBe(0);
    } finally {
      await second.stop();
    }
  });

  it('removes the photo of a report it was killed before committing, once the upload intent is past its grace period', async () => {
    const first = await startServer();
    const token = await tokenAt(first.url);
    const submit = async (url: string, description: string) => {
      const form = new FormData();
      for (const [k, v] of Object.entries({ categoryCode: 'sampah', description, lat: String(RAMANUJU.lat), lng: String(RAMANUJU.lng) })) form.append(k, v);
      const jpeg = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#468' } }).jpeg().toBuffer();
      form.append('photos', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'foto.jpg');
      return fetch(`${url}/api/v1/reports`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    };
    const onDisk = (key: string) => fs.existsSync(path.join(dataDir, 'files', ...key.split('/')));
    const until = async (what: string, done: () => Promise<boolean>) => {
      for (const deadline = Date.now() + 30_000; !(await done()); await new Promise((r) => setTimeout(r, 50))) {
        if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
      }
    };

    // A report that commits: its photo must outlive the sweep.
    const kept = await submit(first.url, 'Foto ini harus tetap ada setelah penyapuan.');
    expect(kept.status).toBe(201);
    const keptPhoto = (await kept.json()) as { report: { id: string; photos: { url: string }[] } };
    const keptKeys = await clone.db.query<{ file_key: string; thumb_key: string }>('select file_key, thumb_key from report_photos where report_id = $1', [keptPhoto.report.id]);

    // Another connection holds the reports table: the next submission writes its photo, then waits to insert its report.
    const blocker = new pg.Client({ connectionString: databaseUrl(clone.name!) });
    await blocker.connect();
    let orphans: string[] = [];
    try {
      await blocker.query('begin');
      await blocker.query('lock table reports in exclusive mode');
      const pending = submit(first.url, 'Laporan ini tidak pernah tersimpan.').catch(() => 'connection lost');
      await until('the photo and its thumbnail on disk', async () => {
        orphans = (await clone.db.query<{ file_key: string }>('select file_key from upload_intents')).map((r) => r.file_key);
        return orphans.length === 2 && orphans.every(onDisk);
      });
      first.child.kill('SIGKILL');
      await first.stop();
      expect(await pending).toBe('connection lost');
    } finally {
      await blocker.query('rollback');
      await blocker.end();
    }
    const referenced = await clone.db.query('select 1 from report_photos where file_key = any($1) or thumb_key = any($1)', [orphans]);
    expect(referenced, 'the kill landed between the files and the report').toEqual([]);

    // An hour on: the intent is past its grace period and the sweep is due when the node comes back.
    await clone.db.query(`update upload_intents set created_at = now() - make_interval(secs => $1)`, [(2 * UPLOAD_GRACE_MS) / 1000]);
    await clone.db.query(`update jobs set run_at = now() where kind = $1 and status = 'pending'`, [UPLOAD_SWEEP_JOB]);
    const second = await startServer();
    try {
      await until('the sweep', async () => !orphans.some(onDisk));
      await until('the intents cleared', async () => (await clone.db.query('select 1 from upload_intents')).length === 0);
      for (const k of keptKeys) expect(onDisk(k.file_key) && onDisk(k.thumb_key), 'the committed report’s photo').toBe(true);
      const photo = await fetch(`${second.url}${keptPhoto.report.photos[0]!.url}`, { headers: { authorization: `Bearer ${token}` } });
      expect(photo.status).toBe(200);
    } finally {
      await second.stop();
    }
  });
});


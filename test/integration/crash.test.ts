import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/platform/db.js';
import { cloneDatabase, DATABASES } from '../support/harness.js';
import { DEMO_PASSWORD, TEST_SECRET, databaseUrl } from '../support/env.js';
import { RAMANUJU } from '../support/places.js';

/**
 * Durability: the server is killed with SIGKILL in the middle of a burst of submissions; after a
 * restart every report that was answered with 201 is there, with its tracking number. PostgreSQL
 * only (the production database; PGlite's durability is PGlite's own).
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'satukota.mjs');

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

  function startServer(): Promise<{ child: ChildProcess; url: string }> {
    const child = spawn(process.execPath, [BIN, 'serve'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATABASE_URL: databaseUrl(clone.name!),
        SATUKOTA_SECRET_KEY: TEST_SECRET,
        DATA_DIR: dataDir,
        DEMO: 'false',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        ARGON2_MEMORY_KIB: '1024',
        ARGON2_TIME_COST: '1',
        WEB_DIST_DIR: webDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const m = out.match(/is running at (\S+)/);
        if (m) resolve({ child, url: m[1]! });
      });
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.once('exit', (code) => reject(new Error(`server exited (${code}) before it was ready: ${out}`)));
    });
  }

  it('keeps every report it answered with 201', async () => {
    const first = await startServer();
    const login = await fetch(`${first.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: '3672011708900001', password: DEMO_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };

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
    await new Promise((r) => first.child.once('exit', r));
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
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    }
  });
});


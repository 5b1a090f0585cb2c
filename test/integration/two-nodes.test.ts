import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/platform/db.js';
import { cloneDatabase, DATABASES } from '../support/harness.js';
import { databaseUrl, DEMO_PASSWORD } from '../support/env.js';
import { RAMANUJU } from '../support/places.js';
import { startS3, type TestS3 } from '../support/s3.js';
import { runCli, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { openSse, type SseStream } from '../support/sse.js';

/**
 * Two nodes, one PostgreSQL: the scale-out the platform promises, with real processes. Each node has its
 * own DATA_DIR and port and shares the database, the S3 store (s3rver) and the secret key with the others. A report
 * filed on one reaches a live stream on the other within a second, with its photo; the jobs and the outbox
 * are worked by both without anything done twice; a node killed mid-burst loses no acknowledged report;
 * and a web-only node with a worker-only node behind it does what one node does.
 * PostgreSQL only: PGlite is one process's database.
 */

interface FiledReport {
  report: { id: string; trackingNo: string; photos: { url: string }[] };
}
type LiveData = { topic: string; view: string; report: { trackingNo: string; description?: string } };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `done` until it holds (a generous limit, so that a stuck run fails with its reason rather than a timeout). */
async function until(what: string, done: () => Promise<boolean>): Promise<void> {
  for (const deadline = Date.now() + 120_000; !(await done()); await sleep(100)) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
  }
}

async function bearer(url: string, login: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password: DEMO_PASSWORD }) });
  expect(res.status, `token for ${login}`).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

/** A browser's session cookie (what the live stream of the web app uses). */
async function sessionCookie(url: string, login: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password: DEMO_PASSWORD }) });
  expect(res.status, `login ${login}`).toBe(200);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

let jpeg: Buffer;

/** Files a report as the citizen behind `token`, with a photo when asked (multipart, as the web app sends it). */
function file(url: string, token: string, description: string, withPhoto = false): Promise<Response> {
  const fields = { categoryCode: 'sampah', description, lat: String(RAMANUJU.lat), lng: String(RAMANUJU.lng) };
  if (!withPhoto) {
    return fetch(`${url}/api/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ ...fields, lat: RAMANUJU.lat, lng: RAMANUJU.lng }) });
  }
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('photos', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'foto.jpg');
  return fetch(`${url}/api/v1/reports`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
}

/** The console channel's lines about these reports (`subject` starts with one of `subjects`), as a node printed them. */
function notificationLines(node: ServerProcess, subjects: string[], trackingNos: Set<string>): string[] {
  return node
    .output()
    .split('\n')
    .filter((line) => {
      const m = line.match(/^\[notifikasi → [^\]]*\] (.+?) (\S+) — /);
      return m !== null && subjects.includes(m[1]!) && trackingNos.has(m[2]!);
    });
}

const CITIZEN = '3672011708900001';
/** Hundreds of requests and notifications through real processes: on a busy two-core machine, minutes. */
const SLOW = 240_000;

describe.runIf(DATABASES.includes('postgresql'))('two nodes on one PostgreSQL [postgresql only: PGlite is one process’s database; real processes]', () => {
  let clone: { db: Database; name: string | null; drop(): Promise<void> };
  let s3: TestS3;
  let root: string;
  let env: (node: string) => Record<string, string>;
  const started: ServerProcess[] = [];

  beforeAll(async () => {
    jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3a6' } }).jpeg().toBuffer();
    clone = await cloneDatabase('postgresql');
    s3 = await startS3();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-two-nodes-'));
    const webDir = path.join(root, 'web');
    fs.mkdirSync(webDir);
    fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>t</title>');
    // Shared by every node: the database, the files (photos) in S3, the secret key (processEnv's); each its own DATA_DIR.
    env = (node) => ({
      DATABASE_URL: databaseUrl(clone.name!),
      ...s3.env(),
      DATA_DIR: path.join(root, node),
      WEB_DIST_DIR: webDir,
    });
  });
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    await clone?.db.close();
    await clone?.drop();
    await s3?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  const start = async (node: string, args: string[] = []) => {
    const s = await startServerProcess(env(node), args);
    started.push(s);
    return s;
  };

  describe('both roles on each node', () => {
    let a: ServerProcess;
    let b: ServerProcess;
    let citizenToken: string;

    beforeAll(async () => {
      [a, b] = await Promise.all([start('a'), start('b')]);
      citizenToken = await bearer(a.url, CITIZEN);
    });

    it('brings a report filed on A with a photo to a live stream on B within a second, and B serves the photo', async () => {
      // The session is made on A and used on B: sessions live in the database, not in a node.
      const wall: SseStream<LiveData> = await openSse<LiveData>(`${b.url}/api/v1/live`, { cookie: await sessionCookie(a.url, 'command') });
      try {
        const description = `Dua node: sampah di Ramanuju, foto terlampir ${Date.now()}.`;
        // Waiting before filing: the moment the event arrives on B is taken as it arrives.
        const seenOnB = wall.next((e) => e.event === 'report' && e.data.topic === 'report.submitted' && e.data.report.description === description).then((e) => ({ e, at: performance.now() }));
        const res = await file(a.url, citizenToken, description, true);
        const answeredAt = performance.now();
        expect(res.status).toBe(201);
        const filed = (await res.json()) as FiledReport;
        const { e, at } = await seenOnB;
        expect(e?.data).toMatchObject({ view: 'officer', report: { trackingNo: filed.report.trackingNo } });
        // From the 201 on A to the event on B (it usually arrives first: NOTIFY is sent at commit).
        expect(at - answeredAt).toBeLessThan(1000);

        expect(filed.report.photos).toHaveLength(1);
        const photoUrl = filed.report.photos[0]!.url;
        const [fromA, fromB] = await Promise.all(
          [a, b].map(async (node) => {
            const photo = await fetch(`${node.url}${photoUrl}`, { headers: { authorization: `Bearer ${citizenToken}` } });
            expect(photo.status).toBe(200);
            expect(photo.headers.get('content-type')).toBe('image/jpeg');
            return Buffer.from(await photo.arrayBuffer());
          }),
        );
        expect(fromB!.length).toBeGreaterThan(1000);
        expect(fromB!.equals(fromA!)).toBe(true);
        // Both read it from the store, where A put it; no node kept it on its own disk.
        const keys = await clone.db.query<{ file_key: string }>('select file_key from report_photos where report_id = $1', [filed.report.id]);
        expect(keys).toHaveLength(1);
        expect(fs.existsSync(path.join(s3.directory, s3.bucket, `${keys[0]!.file_key}._S3rver_object`))).toBe(true);
        const onDisk = (node: string) => {
          const dir = path.join(root, node, 'files');
          return fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]) : [];
        };
        expect([...onDisk('a'), ...onDisk('b')]).toEqual([]);
      } finally {
        wall.close();
      }
    }, SLOW);

    it('works the deadlines and the outbox on both nodes, nothing twice', async () => {
      // 120 reports, filed on both nodes, all made due for a warning and an escalation at once.
      const filed: FiledReport['report'][] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < 120) {
            const i = next++;
            const res = await file(i % 2 ? b.url : a.url, citizenToken, `Tenggat bersama, laporan ${i} dari dua node.`);
            expect(res.status).toBe(201);
            filed.push(((await res.json()) as FiledReport).report);
          }
        }),
      );
      const ids = filed.map((r) => r.id);
      const trackingNos = new Set(filed.map((r) => r.trackingNo));
      await clone.db.query(`update reports set warn_at = now() - interval '1 minute', next_escalation_at = now() - interval '1 minute' where id = any($1::uuid[])`, [ids]);
      // The recurring sweep is one job row, so one node sweeps at a time; ten sweeps queued at once make
      // both nodes sweep together, which the per-report claims (FOR UPDATE SKIP LOCKED) must survive.
      await clone.db.query(`insert into jobs (kind, payload) select 'reports.deadlines', '{}' from generate_series(1, 10)`);

      const perReport = () =>
        clone.db.query<{ id: string; warnings: number; escalations: number }>(
          `select r.id,
             (select count(*)::int from report_events e where e.report_id = r.id and e.kind = 'warning') as warnings,
             (select count(*)::int from report_escalations x where x.report_id = r.id) as escalations
           from reports r where r.id = any($1::uuid[])`,
          [ids],
        );
      await until('every report warned and escalated', async () => (await perReport()).every((r) => r.warnings > 0 && r.escalations > 0));
      await until('the outbox and the deliveries done', async () => {
        const left = await clone.db.one<{ events: number; deliveries: number; jobs: number }>(
          `select (select count(*)::int from outbox where dispatched_at is null) as events,
             (select count(*)::int from notification_deliveries where status = 'pending') as deliveries,
             (select count(*)::int from jobs where kind = 'reports.deadlines' and unique_key is null and status <> 'done') as jobs`,
        );
        return left.events === 0 && left.deliveries === 0 && left.jobs === 0;
      });

      for (const r of await perReport()) expect({ id: r.id, warnings: r.warnings, escalations: r.escalations }).toEqual({ id: r.id, warnings: 1, escalations: 1 });
      const events = await clone.db.one<{ near: number; escalated: number }>(
        `select count(*) filter (where topic = 'report.deadline_near')::int as near, count(*) filter (where topic = 'report.escalated')::int as escalated
         from outbox where payload->>'reportId' = any($1::text[])`,
        [ids],
      );
      expect(events).toEqual({ near: 120, escalated: 120 });

      // Every delivery was sent, and printed by exactly one node, once.
      const deliveries = await clone.db.query<{ status: string; n: number }>(
        `select status, count(*)::int as n from notification_deliveries where report_id = any($1::uuid[]) and topic in ('report.deadline_near', 'report.escalated') group by status`,
        [ids],
      );
      expect(deliveries.map((d) => d.status)).toEqual(['sent']);
      const subjects = ['Tenggat laporan', 'Eskalasi laporan'];
      const printedBy = (node: ServerProcess) => notificationLines(node, subjects, trackingNos);
      // The console line is written before its delivery is marked sent; this process may read it a moment later.
      await until('every delivery printed', async () => printedBy(a).length + printedBy(b).length >= deliveries[0]!.n);
      const [onA, onB] = [printedBy(a), printedBy(b)];
      const printed = [...onA, ...onB];
      expect(printed.length).toBe(deliveries[0]!.n);
      expect(new Set(printed).size).toBe(printed.length);
      expect(printed.length).toBeGreaterThanOrEqual(240);
      // Both workers took a share (so the above was a contest, not one node doing it all).
      expect(onA.length, 'deliveries printed by A').toBeGreaterThan(0);
      expect(onB.length, 'deliveries printed by B').toBeGreaterThan(0);
    }, SLOW);

    it('loses no acknowledged report when A is killed in the middle of a burst; B serves them all', async () => {
      const acknowledged: string[] = [];
      const failedOn = { a: 0, b: 0 };
      let stop = false;
      // Phones behind a load balancer: most on A, some on B, as fast as they can until A dies under them.
      const phones = Array.from({ length: 16 }, async (_, p) => {
        const node = p < 12 ? 'a' : 'b';
        for (let i = 0; !stop; i++) {
          try {
            const res = await file(node === 'a' ? a.url : b.url, citizenToken, `Uji dua node, pengirim ${p}, laporan ${i}.`);
            if (res.status === 201) acknowledged.push(((await res.json()) as FiledReport).report.trackingNo);
            else failedOn[node]++;
          } catch {
            failedOn[node]++; // the connection died with the node: not acknowledged, so not promised
          }
        }
      });
      while (acknowledged.length < 150) await sleep(10);
      a.child.kill('SIGKILL');
      await a.stop();
      const afterKill = acknowledged.length;
      // B keeps taking reports while A is gone.
      while (acknowledged.length < afterKill + 20) await sleep(10);
      stop = true;
      await Promise.all(phones);
      expect(failedOn.a, 'the kill landed mid-burst').toBeGreaterThan(0);
      expect(failedOn.b, 'B refused nothing').toBe(0);

      const stored = await clone.db.query<{ tracking_no: string }>('select tracking_no from reports where tracking_no = any($1)', [acknowledged]);
      expect(new Set(stored.map((r) => r.tracking_no))).toEqual(new Set(acknowledged));
      // Each one is there on B, in full: B answers for it.
      const missing: string[] = [];
      let index = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (index < acknowledged.length) {
            const trackingNo = acknowledged[index++]!;
            const res = await fetch(`${b.url}/api/v1/reports/${trackingNo}`, { headers: { authorization: `Bearer ${citizenToken}` } });
            if (res.status !== 200) missing.push(`${trackingNo}: ${res.status}`);
          }
        }),
      );
      expect(missing).toEqual([]);
      const halfWritten = await clone.db.one<{ n: number }>(
        `select count(*)::int as n from reports r where not exists (select 1 from report_events e where e.report_id = r.id and e.to_status = 'submitted')`,
      );
      expect(halfWritten.n).toBe(0);
    }, SLOW);

    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
    });
  });

  describe('a web-only node and a worker-only node', () => {
    it('leaves the jobs to the worker, which does them', async () => {
      const web = await start('web', ['--roles=web']);
      const citizenToken = await bearer(web.url, CITIZEN);
      const lurahToken = await bearer(web.url, 'lurah.ramanuju');
      const res = await file(web.url, citizenToken, 'Peran terpisah: laporan lewat node web.');
      expect(res.status).toBe(201);
      const { report } = (await res.json()) as FiledReport;
      // The lurah verifies it: an outbox event that becomes a notification to the reporter.
      const verify = await fetch(`${web.url}/api/v1/reports/${report.id}/actions/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${lurahToken}` },
        body: '{}',
      });
      expect(verify.status).toBe(200);
      const pendingEvents = () =>
        clone.db.query<{ topic: string }>(`select topic from outbox where dispatched_at is null and payload->>'reportId' = $1 order by id`, [report.id]);
      // Nothing works the outbox yet: the web node runs no jobs. Absence needs a wait; three job-runner ticks.
      await sleep(3000);
      expect((await pendingEvents()).map((e) => e.topic)).toEqual(['report.submitted', 'report.status_changed']);

      const worker = await start('worker', ['--roles=worker', '--health-port=0']);
      expect(worker.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await until('the worker dispatched the events', async () => (await pendingEvents()).length === 0);
      await until('the notification sent', async () => {
        const d = await clone.db.query<{ status: string }>(`select status from notification_deliveries where report_id = $1 and topic = 'report.status_changed'`, [report.id]);
        return d.length > 0 && d.every((x) => x.status === 'sent');
      });
      await until('the worker printed it', async () => worker.output().includes(`] Laporan ${report.trackingNo}: `));
      expect(web.output()).not.toContain('[notifikasi');

      // The worker answers /health and nothing else.
      const health = await fetch(`${worker.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', database: 'postgresql', roles: ['worker'] });
      expect((await fetch(`${worker.url}/api/v1/city`)).status).toBe(404);
    }, SLOW);
  });
});

describe('serve --roles', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-roles-'));
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('refuses an unknown role', async () => {
    await expect(runCli(['serve', '--roles=web,mqtt'], { DATA_DIR: dataDir })).rejects.toThrow(/exited 64: Unknown role "mqtt": the roles are web, worker/);
  });

  it('refuses split roles on PGlite, where one process holds the database', async () => {
    await expect(runCli(['serve', '--roles=web'], { DATA_DIR: dataDir })).rejects.toThrow(/exited 64: Roles split a city over several processes, which needs PostgreSQL/);
  });
});

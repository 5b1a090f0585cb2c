/**
 * Report intake against PostgreSQL: citizens submit reports over HTTP at concurrency 32 to a real
 * server process; then, in the same run, a raw node-postgres pool executes the same SQL transaction
 * the service runs (number, report, timeline entry, idempotency key, outbox event with its NOTIFY),
 * captured from the service itself (bench/capture.ts), at the same concurrency. Prints
 * reports/s, p50/p99 and the ratio (goal ≥ 0.5), and a second figure with one photo per report.
 *
 * Run: npx tsx bench/report-intake.ts   (BENCH_DATABASE_URL, N, N_PHOTO, CONCURRENCY to change)
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import sharp from 'sharp';
import { buildHttp, createContext } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openPostgres } from '../src/platform/db.js';
import { recordingDatabase, replay, substitute, type Statement } from './capture.js';
import { createDatabase, line, PASSWORD, request, runConcurrent, SECRET, startServerProcess } from './support.js';

const N = Number(process.env.N ?? 3000);
const N_PHOTO = Number(process.env.N_PHOTO ?? 300);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const CITIZENS = ['3672011708900001', '3672074503850002', '3672080112010003'];
const POINTS = [
  { lat: -5.98979, lng: 106.0143 },
  { lat: -6.0025, lng: 106.01978 },
  { lat: -6.03932, lng: 106.0674 },
];
const CATEGORIES = ['sampah', 'lampu-jalan', 'drainase', 'parkir-liar'];

/**
 * One submission per category through the real route, in this process, on the benchmark's database:
 * the statements of each submission's transaction (the one that inserts the report), with the report
 * id and idempotency key they carry, to be replayed with new ones.
 */
async function captureIntake(url: string, token: string): Promise<(Statement[] & { reportId: string; idempotencyKey: string })[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-bench-capture-'));
  const config = loadConfig({ DATABASE_URL: url, SATUKOTA_SECRET_KEY: SECRET, DATA_DIR: dataDir, LOG_LEVEL: 'warn', WEB_DIST_DIR: path.join(dataDir, 'no-web') });
  const recording = recordingDatabase(await openPostgres(url, { max: 2 }));
  const ctx = await createContext(config, { db: recording.db, skipMigrations: true });
  const app = await buildHttp(ctx);
  try {
    const captured: (Statement[] & { reportId: string; idempotencyKey: string })[] = [];
    for (const [i, categoryCode] of CATEGORIES.entries()) {
      const p = POINTS[i % POINTS.length]!;
      const idempotencyKey = randomUUID();
      recording.transactions.length = 0;
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/reports',
        headers: { authorization: `Bearer ${token}`, 'idempotency-key': idempotencyKey },
        payload: { categoryCode, description: `Laporan uji beban (contoh ${i}), mohon ditindaklanjuti.`, lat: p.lat, lng: p.lng, privacy: 'public' },
      });
      if (res.statusCode !== 201) throw new Error(`capture: ${res.statusCode} ${res.body}`);
      const intake = recording.transactions.filter((t) => t.some((s) => /^\s*insert into reports\b/i.test(s.sql)));
      if (intake.length !== 1) throw new Error(`capture: expected one transaction inserting the report, got ${intake.length}`);
      captured.push(Object.assign(intake[0]!, { reportId: (res.json() as { report: { id: string } }).report.id, idempotencyKey }));
    }
    return captured;
  } finally {
    await app.close();
    await ctx.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const database = await createDatabase('satukota_bench_intake');
const server = await startServerProcess(database.url);
try {
  console.log(`server ${server.url}, database ${database.name}, ${N} reports at concurrency ${CONCURRENCY}, ${process.env.npm_config_user_agent ? '' : ''}node ${process.version}`);
  const tokens: string[] = [];
  for (const nik of CITIZENS) {
    const res = await fetch(`${server.url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: nik, password: PASSWORD }) });
    if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    tokens.push(((await res.json()) as { token: string }).token);
  }
  const submit = async (i: number) => {
    const p = POINTS[i % POINTS.length]!;
    const res = await request(`${server.url}/api/v1/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i % tokens.length]}`, 'idempotency-key': randomUUID() },
      body: JSON.stringify({ categoryCode: CATEGORIES[i % CATEGORIES.length], description: `Laporan uji beban nomor ${i}, mohon ditindaklanjuti.`, lat: p.lat + (i % 7) * 1e-4, lng: p.lng, privacy: 'public' }),
    });
    if (res.status !== 201) throw new Error(`submit ${i}: ${res.status} ${res.body}`);
  };
  await runConcurrent(200, CONCURRENCY, submit); // warm-up: JIT, caches, connection pool
  const app = await runConcurrent(N, CONCURRENCY, submit);
  const appRate = line('HTTP POST /api/v1/reports (no photo)', app);

  // The same transaction, straight from a pool of 32 connections: the ceiling of this database. Its
  // statements are not written here but captured from the service itself (one submission per category,
  // through the real route in this process), then replayed with a new report id and idempotency key.
  const captured = await captureIntake(database.url, tokens[0]!);
  console.log(`raw side: ${captured[0]!.length} statements captured from the service: ${captured[0]!.map((s) => s.sql.replace(/\s+/g, ' ').slice(0, 38)).join(' | ')}`);
  const pool = new pg.Pool({ connectionString: database.url, max: CONCURRENCY });
  const raw = async (i: number) => {
    const statements = captured[i % captured.length]!;
    const client = await pool.connect();
    try {
      await replay(client, substitute(statements, new Map([[statements.reportId, randomUUID()], [statements.idempotencyKey, randomUUID()]])));
    } finally {
      client.release();
    }
  };
  await runConcurrent(200, CONCURRENCY, raw);
  const rawResult = await runConcurrent(N, CONCURRENCY, raw);
  const rawRate = line('raw SQL transaction (pg pool, same statements)', rawResult);
  await pool.end();
  console.log(`ratio HTTP / raw: ${(appRate / rawRate).toFixed(2)}  (goal ≥ 0.5)`);

  // One phone photo per report: 1600×1200 JPEG with noise, about the size a phone compresses to.
  const photo = await sharp(Buffer.from(Array.from({ length: 400 * 300 * 3 }, (_, i) => (i * 2654435761) % 251)), { raw: { width: 400, height: 300, channels: 3 } })
    .resize(1600, 1200)
    .jpeg({ quality: 80 })
    .toBuffer();
  const withPhoto = async (i: number) => {
    const p = POINTS[i % POINTS.length]!;
    const form = new FormData();
    form.set('categoryCode', CATEGORIES[i % CATEGORIES.length]!);
    form.set('description', `Laporan uji beban dengan foto nomor ${i}.`);
    form.set('lat', String(p.lat));
    form.set('lng', String(p.lng));
    form.set('photos', new Blob([photo], { type: 'image/jpeg' }), 'foto.jpg');
    const res = await fetch(`${server.url}/api/v1/reports`, { method: 'POST', headers: { authorization: `Bearer ${tokens[i % tokens.length]}` }, body: form });
    if (res.status !== 201) throw new Error(`submit with photo ${i}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  };
  await runConcurrent(20, CONCURRENCY, withPhoto);
  line(`HTTP POST with one ${(photo.length / 1024).toFixed(0)} KB photo`, await runConcurrent(N_PHOTO, CONCURRENCY, withPhoto));
} finally {
  await server.stop();
  await database.drop();
}

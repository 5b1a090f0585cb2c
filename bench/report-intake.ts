/**
 * Report intake against PostgreSQL: citizens submit reports over HTTP at concurrency 32 to a real
 * server process; then, in the same run, a raw node-postgres pool executes the same SQL transaction
 * the service runs (number, report, timeline entry, outbox event) at the same concurrency. Prints
 * reports/s, p50/p99 and the ratio (goal ≥ 0.5), and a second figure with one photo per report.
 *
 * Run: npx tsx bench/report-intake.ts   (BENCH_DATABASE_URL, N, N_PHOTO, CONCURRENCY to change)
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import sharp from 'sharp';
import { createDatabase, line, PASSWORD, request, runConcurrent, startServerProcess } from './support.js';

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

  // The same transaction, straight from a pool of 32 connections: the ceiling of this database.
  const pool = new pg.Pool({ connectionString: database.url, max: CONCURRENCY });
  const ids = await pool.query<{ id: string }>(`select id from users where kind = 'citizen' limit 1`);
  const reporter = ids.rows[0]!.id;
  const raw = async (i: number) => {
    const client = await pool.connect();
    try {
      const p = POINTS[i % POINTS.length]!;
      const id = randomUUID();
      await client.query('begin');
      await client.query(
        `insert into reports (id, number, tracking_no, category_code, description, lat, lng, location, kelurahan_code, kecamatan_code, answers, privacy, channel, reporter_id,
           status, emergency, priority, agency_code, handler_kind, handler_code, due_at, warn_at, next_escalation_at, submitted_at, updated_at)
         select $1, s.n, 'RAW-' || s.n, $2, $3, $4, $5, point($5, $4), '36.72.07.1001', '36.72.07', '{}', 'public', 'web', $6, 'submitted', false, 0, 'dlh', 'kelurahan', '36.72.07.1001',
           now() + interval '1 day', now() + interval '12 hours', now() + interval '1 day', now(), now()
         from (select nextval('report_number_seq') as n) s returning *`,
        [id, CATEGORIES[i % CATEGORIES.length], `Laporan uji beban nomor ${i}.`, p.lat, p.lng, reporter],
      );
      await client.query(`insert into report_events (report_id, kind, to_status, actor_id, actor_role, visibility, data) values ($1, 'status', 'submitted', $2, 'citizen', 'public', '{}')`, [id, reporter]);
      await client.query(`insert into report_idempotency (owner, key, request_hash, report_id) values ($1, $2, 'x', $3)`, [reporter, randomUUID(), id]);
      await client.query(`insert into outbox (topic, payload) values ('bench.raw', $1)`, [JSON.stringify({ reportId: id })]);
      await client.query('commit');
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

/**
 * A 60 MB boundary upload against a real server process on PostgreSQL (the demo city): three
 * anonymous uploads at once, then the admin's own. Prints the server's peak resident memory
 * (VmHWM) over each phase, the answers, and how long GET /health took meanwhile.
 *
 * The file: Cilegon's 43 kelurahan (the demo boundaries) among filler polygons of another regency, as
 * an official national file would hold them. Read whole, the body costs several times its size in
 * memory; read as a stream (geojson-stream.ts), only the city's features are kept.
 *
 * Run: npx tsx bench/boundary-upload.ts   (MB=60 for the filler's size, under the 64 MB limit; BENCH_ROOT=<checkout> to measure another one)
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createDatabase, PASSWORD, ROOT, startServerProcess } from './support.js';

const MB = Number(process.env.MB ?? 60);

function buildUpload(): Buffer {
  const demo = JSON.parse(fs.readFileSync(path.join(ROOT, 'src/modules/regions/demo/cilegon-approx.geojson'), 'utf8')) as { features: unknown[] };
  const parts: string[] = [];
  let size = 0;
  // Filler: ~20 kB polygons of Kota Serang (36.73), skipped by the import as not of this city.
  const ring = Array.from({ length: 800 }, (_, i) => [106.1 + 0.01 * Math.cos((i / 800) * 2 * Math.PI), -6.1 + 0.01 * Math.sin((i / 800) * 2 * Math.PI)]);
  ring.push(ring[0]!);
  const filler = (i: number) => JSON.stringify({ type: 'Feature', properties: { KDEPUM: `36.73.01.${String(1000 + (i % 8999)).padStart(4, '0')}`, NAMOBJ: `Filler ${i}` }, geometry: { type: 'Polygon', coordinates: [ring] } });
  for (let i = 0; size < MB * 1024 * 1024; i++) {
    const f = filler(i);
    parts.push(f);
    size += f.length + 1;
  }
  const city = demo.features.map((f) => JSON.stringify(f));
  return Buffer.from(`{"type":"FeatureCollection","features":[${[...parts.slice(0, parts.length / 2), ...city, ...parts.slice(parts.length / 2)].join(',')}]}`);
}

function post(url: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    // A refused upload may be cut off before it is sent whole: that is the point.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? resolve({ status: 0, body: error.code }) : reject(error)));
    req.end(body);
  });
}

const upload = buildUpload();
const db = await createDatabase('satukota_bench_upload');
const server = await startServerProcess(db.url);
const memory = () => {
  const status = fs.readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  const kb = (field: string) => Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))![1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
};
/** Runs `work` while timing GET /health every 50 ms; returns the slowest /health and the peak RSS. */
async function phase<T>(work: () => Promise<T>): Promise<{ result: T; peak: number; slowestHealth: number; seconds: number }> {
  fs.writeFileSync(`/proc/${server.child.pid}/clear_refs`, '5');
  let slowest = 0;
  let running = true;
  const probe = (async () => {
    while (running) {
      const t = performance.now();
      await fetch(`${server.url}/health`);
      slowest = Math.max(slowest, performance.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  running = false;
  await probe;
  return { result, peak: memory().peak, slowestHealth: slowest, seconds };
}

try {
  const login = await fetch(`${server.url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'admin', password: PASSWORD }) });
  const { token } = (await login.json()) as { token: string };
  const before = memory().rss;
  console.log(`upload ${(upload.length / 1024 / 1024).toFixed(1)} MB; server RSS before ${before.toFixed(0)} MB`);

  const anonymous = await phase(() => Promise.all([1, 2, 3].map(() => post(`${server.url}/api/v1/regions/boundaries`, upload, {}))));
  console.log(
    `3 anonymous uploads at once: answers ${anonymous.result.map((r) => r.status).join(', ')} in ${anonymous.seconds.toFixed(2)} s; ` +
      `peak RSS ${anonymous.peak.toFixed(0)} MB (+${(anonymous.peak - before).toFixed(0)} MB = ${((anonymous.peak - before) / (upload.length / 1024 / 1024)).toFixed(2)}× one body); slowest /health ${anonymous.slowestHealth.toFixed(0)} ms`,
  );

  const admin = await phase(() => post(`${server.url}/api/v1/regions/boundaries`, upload, { authorization: `Bearer ${token}` }));
  const imported = admin.result.status === 200 ? (JSON.parse(admin.result.body) as { imported: number; skipped: unknown[] }) : undefined;
  console.log(
    `the admin's upload: ${admin.result.status} (${imported ? `${imported.imported} kelurahan imported, ${imported.skipped.length} features skipped` : admin.result.body.slice(0, 120)}) in ${admin.seconds.toFixed(2)} s; ` +
      `peak RSS ${admin.peak.toFixed(0)} MB (+${(admin.peak - before).toFixed(0)} MB = ${((admin.peak - before) / (upload.length / 1024 / 1024)).toFixed(2)}× the body); slowest /health ${admin.slowestHealth.toFixed(0)} ms`,
  );
} finally {
  await server.stop();
  await db.drop();
}

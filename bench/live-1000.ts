/**
 * Live stream fan-out: 1,000 server-sent-event clients on a real server process (PGlite, the default
 * install; DATABASE=postgresql for PostgreSQL): 800 public viewers and 200 command-center screens.
 * A citizen files reports and an officer verifies them; prints how long each event took to reach
 * every client (p50, p99, max). Goal: p99 < 1 s. Run: npx tsx bench/live-1000.ts  (CLIENTS, ROUNDS)
 */
import http from 'node:http';
import { createDatabase, percentile, PASSWORD, request, startServerProcess } from './support.js';

const CLIENTS = Number(process.env.CLIENTS ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 10);
const usePg = process.env.DATABASE === 'postgresql';
const database = usePg ? await createDatabase('satukota_bench_live') : undefined;
const server = await startServerProcess(database?.url ?? ''); // '' leaves DATABASE_URL unset: PGlite

const tokenOf = async (login: string) => {
  const res = await request(`${server.url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password: PASSWORD }) });
  return (JSON.parse(res.body) as { token: string }).token;
};

// Browser sessions for the wall (EventSource sends cookies); bearer tokens for the actors.
const commandLogin = await new Promise<string>((resolve, reject) => {
  const req = http.request(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
    resolve((res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; '));
    res.resume();
  });
  req.on('error', reject);
  req.end(JSON.stringify({ login: 'command', password: PASSWORD }));
});
const citizen = await tokenOf('3672011708900001');
const koordinator = await tokenOf('koordinator');

const arrivals = new Map<string, number[]>();
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
let connected = 0;
const clients: http.ClientRequest[] = [];
await Promise.all(
  Array.from({ length: CLIENTS }, (_, i) =>
    new Promise<void>((resolve, reject) => {
      const wall = i % 5 === 0;
      const req = http.get(`${server.url}/api/v1/live`, { agent, headers: wall ? { cookie: commandLogin } : {} }, (res) => {
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (block.startsWith('retry')) {
              connected++;
              resolve();
              continue;
            }
            const m = block.match(/^event: report\ndata: (.+)$/m);
            if (!m) continue;
            const data = JSON.parse(m[1]!) as { topic: string; report: { trackingNo: string } };
            const key = `${data.report.trackingNo}|${data.topic}|${wall ? 'wall' : 'public'}`;
            arrivals.set(key, [...(arrivals.get(key) ?? []), performance.now()]);
          }
        });
      });
      req.on('error', reject);
      clients.push(req);
    }),
  ),
);
console.log(`${connected} clients connected (${CLIENTS / 5} command-center screens, ${CLIENTS - CLIENTS / 5} public); server on ${usePg ? 'PostgreSQL' : 'PGlite'}`);

const wallDelays: number[] = [];
const publicDelays: number[] = [];
let missing = 0;
for (let round = 0; round < ROUNDS; round++) {
  const t0 = performance.now();
  const sent = await request(`${server.url}/api/v1/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${citizen}` },
    body: JSON.stringify({ categoryCode: 'sampah', description: `Uji siaran langsung ke ${CLIENTS} layar, putaran ${round}.`, lat: -5.98979, lng: 106.0143 }),
  });
  const report = (JSON.parse(sent.body) as { report: { id: string; trackingNo: string } }).report;
  await new Promise((r) => setTimeout(r, 1500));
  const t1 = performance.now();
  await request(`${server.url}/api/v1/reports/${report.id}/actions/verify`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${koordinator}` }, body: '{}' });
  await new Promise((r) => setTimeout(r, 1500));
  const wall = arrivals.get(`${report.trackingNo}|report.submitted|wall`) ?? [];
  const pub = arrivals.get(`${report.trackingNo}|report.status_changed|public`) ?? [];
  wallDelays.push(...wall.map((t) => t - t0));
  publicDelays.push(...pub.map((t) => t - t1));
  missing += CLIENTS / 5 - wall.length + (CLIENTS - CLIENTS / 5) - pub.length;
}
const show = (label: string, xs: number[]) => {
  xs.sort((a, b) => a - b);
  console.log(`${label.padEnd(52)} p50 ${percentile(xs, 0.5).toFixed(0).padStart(4)} ms   p99 ${percentile(xs, 0.99).toFixed(0).padStart(4)} ms   max ${xs.at(-1)!.toFixed(0).padStart(4)} ms   ${percentile(xs, 0.99) < 1000 ? 'ok' : 'over'} (goal p99 < 1 s)`);
};
show(`new report → ${CLIENTS / 5} command screens (from the POST)`, wallDelays);
show(`verified → ${CLIENTS - CLIENTS / 5} public viewers (from the action)`, publicDelays);
console.log(`events that did not arrive: ${missing}`);
for (const c of clients) c.destroy();
await server.stop();
await database?.drop();
process.exit(0);

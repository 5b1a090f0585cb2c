/**
 * Exporting 1,000,000 reports as CSV and XLSX through the real route, from a real server process:
 * `GET /api/v1/reports/export.csv|xlsx` as the coordinator, read to the end over HTTP. Prints rows/s
 * and the server process's resident memory: before, and its peak (VmHWM) while exporting; and, in the
 * same run, `COPY (the same query) TO STDOUT` as CSV through psql: what the database alone delivers,
 * the ceiling of the export (ratio goal: CSV ≥ 0.25 × COPY). Goal: peak RSS < 200 MB.
 * Run: npx tsx bench/export-1m.ts  (N to change; XLSX=0 to skip XLSX; BENCH_TEMPLATE=1 keeps the city)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { EXPORT_SELECT } from '../src/modules/reports/export.js';
import { cityWithReports } from './generate.js';
import { PASSWORD, startServerProcess } from './support.js';

const N = Number(process.env.N ?? 1_000_000);
const city = await cityWithReports('satukota_bench_export', N);
await city.close(); // the server process opens its own connections
const server = await startServerProcess(city.url);
const memory = () => {
  const status = fs.readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  const kb = (field: string) => Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))![1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
};

/** The export's own query (a coordinator's: every report, newest first) as one COPY, read by psql: rows and seconds. */
async function copyOut(): Promise<{ rows: number; seconds: number; bytes: number }> {
  const started = performance.now();
  const child = spawn('psql', [city.url, '-X', '-q', '-c', `copy (select ${EXPORT_SELECT} from reports order by submitted_at desc, id desc) to stdout with (format csv, header)`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let bytes = 0;
  let newlines = 0;
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
  }
  const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));
  if (code !== 0) throw new Error(`psql exited with ${code}`);
  return { rows: newlines - 1, seconds: (performance.now() - started) / 1000, bytes };
}

try {
  const login = await fetch(`${server.url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'koordinator', password: PASSWORD }) });
  const { token } = (await login.json()) as { token: string };
  // Warm the process up (code paths loaded, caches filled), then reset the peak to now.
  await (await fetch(`${server.url}/api/v1/reports/export.csv?status=submitted&from=2099-01-01`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer();
  fs.writeFileSync(`/proc/${server.child.pid}/clear_refs`, '5');
  console.log(`${N.toLocaleString('en')} reports on PostgreSQL; server process RSS before exporting ${memory().rss.toFixed(0)} MB; load ${os.loadavg()[0]!.toFixed(1)} (2 cores shared)`);
  const copy = await copyOut();
  const copyRate = copy.rows / copy.seconds;
  console.log(`COPY  ${copy.rows.toLocaleString('en')} rows in ${copy.seconds.toFixed(1)} s = ${copyRate.toFixed(0)} rows/s, ${(copy.bytes / 1024 / 1024).toFixed(0)} MB (the same query as CSV, through psql)`);
  for (const format of process.env.XLSX === '0' ? ['csv'] : ['csv', 'xlsx']) {
    const started = performance.now();
    const res = await fetch(`${server.url}/api/v1/reports/export.${format}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok || !res.body) throw new Error(`export ${format}: ${res.status}`);
    let bytes = 0;
    let newlines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      if (format === 'csv') for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
    }
    const seconds = (performance.now() - started) / 1000;
    const m = memory();
    const rate = N / seconds;
    console.log(
      `${format.toUpperCase().padEnd(5)} ${N.toLocaleString('en')} rows${format === 'csv' ? ` (${(newlines - 1).toLocaleString('en')} counted)` : ''} in ${seconds.toFixed(1)} s = ` +
        `${rate.toFixed(0)} rows/s = ${(rate / copyRate).toFixed(2)} × COPY${format === 'csv' ? ' (goal ≥ 0.25)' : ''}, ${(bytes / 1024 / 1024).toFixed(0)} MB; ` +
        `server RSS peak ${m.peak.toFixed(0)} MB (goal < 200 MB), now ${m.rss.toFixed(0)} MB`,
    );
    fs.writeFileSync(`/proc/${server.child.pid}/clear_refs`, '5');
  }
} finally {
  await server.stop();
  await city.drop();
}

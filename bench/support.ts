/** Shared pieces of the benchmarks: a throw-away PostgreSQL database, a server process, percentiles. */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** The checkout whose server the benchmarks start (BENCH_ROOT: another one, to compare before and after). */
export const ROOT = process.env.BENCH_ROOT ?? path.join(import.meta.dirname, '..');
export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const SECRET = 'bench-secret-key-0123456789abcdef0123456789';
export const PASSWORD = 'bench-password-1';

/** A new empty database, or a copy of `template`. */
export async function createDatabase(prefix: string, template?: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const a = new pg.Client({ connectionString: ADMIN_URL });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** Starts `satukota serve` in its own process (as in production) and waits for its URL. */
export async function startServerProcess(databaseUrl: string, extra: Record<string, string> = {}, nodeArgs: string[] = []): Promise<{ url: string; child: ChildProcess; dataDir: string; stop(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-bench-'));
  // stdout to a file, as journald would take it: a pipe the benchmark reads late would slow the server.
  const logFile = path.join(dataDir, 'stdout.log');
  const out = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'bin/satukota.mjs'), 'serve'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: databaseUrl,
      SATUKOTA_SECRET_KEY: SECRET,
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      DEMO: 'true',
      DEMO_PASSWORD: PASSWORD,
      LOG_LEVEL: 'warn',
      ARGON2_MEMORY_KIB: '4096',
      ARGON2_TIME_COST: '1',
      WEB_DIST_DIR: path.join(dataDir, 'no-web'),
      ...extra,
    },
    stdio: ['ignore', out, 'inherit'],
  });
  fs.closeSync(out);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = fs.readFileSync(logFile, 'utf8').match(/is running at (\S+)/);
      if (m) {
        clearInterval(timer);
        resolve(m[1]!);
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`server exited with ${code}: ${fs.readFileSync(logFile, 'utf8')}`));
    });
  });
  return {
    url,
    child,
    dataDir,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? NaN;
}

/** Runs `total` calls of `fn` with at most `concurrency` in flight; returns the latencies (ms) and the wall time (s). */
export async function runConcurrent(total: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        await fn(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), seconds: (performance.now() - start) / 1000 };
}

export function line(label: string, r: { latencies: number[]; seconds: number }, unit = 'reports/s'): number {
  const rate = r.latencies.length / r.seconds;
  console.log(`${label.padEnd(44)} ${rate.toFixed(0).padStart(6)} ${unit}   p50 ${percentile(r.latencies, 0.5).toFixed(1).padStart(6)} ms   p99 ${percentile(r.latencies, 0.99).toFixed(1).padStart(6)} ms`);
  return rate;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/**
 * A plain keep-alive HTTP request: the load generator shares the machine's two cores with the server
 * and the database, so it must cost as little as it can (fetch costs several times more per request).
 */
export function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

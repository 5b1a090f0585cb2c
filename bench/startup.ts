/**
 * Start-up of `satukota serve`: the compiled server (bin/satukota.mjs → dist/) against the one that ran
 * the TypeScript through tsx at start (commit 8667ca1). For PostgreSQL and PGlite, alternating
 * before/after, each start on a database its checkout prepared (migrated, regions imported) in an
 * unmeasured first start: milliseconds from spawning the process to its "is running at" line, and the
 * resident memory one second after it. Medians and ratios. Also `satukota --version` (the modules loaded,
 * nothing started), what the build check costs at every start and what a rebuild after a change takes.
 *
 * The checkout before: git worktree add /tmp/old 8667ca1 && ln -s "$PWD/node_modules" /tmp/old/node_modules
 * Run: npx tsx bench/startup.ts   (BEFORE_ROOT / AFTER_ROOT for other checkouts, ROUNDS to change)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createDatabase, SECRET } from './support.js';

const AFTER_ROOT = process.env.AFTER_ROOT ?? path.join(import.meta.dirname, '..');
const BEFORE_ROOT = process.env.BEFORE_ROOT ?? '/tmp/old';
const ROUNDS = Number(process.env.ROUNDS ?? 7);

if (!fs.existsSync(path.join(BEFORE_ROOT, 'bin', 'satukota.mjs')) || !fs.existsSync(path.join(BEFORE_ROOT, 'node_modules'))) {
  console.error(`No checkout to compare with at ${BEFORE_ROOT}. Make one:\n  git worktree add /tmp/old 8667ca1 && ln -s "$PWD/node_modules" /tmp/old/node_modules`);
  process.exit(1);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-startup-'));
const webDir = path.join(work, 'web');
fs.mkdirSync(webDir);
// A built web app, so that no start builds one.
fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>SatuKota</title>');

interface Start {
  ms: number;
  rssMb: number;
}

function rssMb(pid: number): number {
  const kb = Number(fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)?.[1]);
  return kb / 1024;
}

/** One `serve` of `root`'s bin: time to "is running at", RSS a second later; then SIGTERM and wait. */
async function startOnce(root: string, env: Record<string, string>): Promise<Start> {
  const began = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'bin', 'satukota.mjs'), 'serve'], {
    cwd: work,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      SATUKOTA_SECRET_KEY: SECRET,
      DEMO: 'false',
      LOG_LEVEL: 'warn',
      PORT: '0',
      HOST: '127.0.0.1',
      MAP_TILE_URL: '',
      WEB_DIST_DIR: webDir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ms = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (/is running at/.test(out)) resolve(performance.now() - began);
    });
    child.once('exit', (code) => reject(new Error(`${root}: exited ${code} before it was running:\n${out}`)));
  });
  await new Promise((r) => setTimeout(r, 1000));
  const rss = rssMb(child.pid!);
  child.kill('SIGTERM');
  await exited;
  return { ms, rssMb: rss };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function compare(label: string, envOf: (which: 'before' | 'after') => Promise<Record<string, string>>): Promise<void> {
  const env = { before: await envOf('before'), after: await envOf('after') };
  // Unmeasured: migrations, the city's regions, and (before) tsx's transform cache.
  await startOnce(BEFORE_ROOT, env.before);
  await startOnce(AFTER_ROOT, env.after);
  const runs: Record<'before' | 'after', Start[]> = { before: [], after: [] };
  for (let i = 0; i < ROUNDS; i++) {
    for (const which of i % 2 ? (['after', 'before'] as const) : (['before', 'after'] as const)) {
      runs[which].push(await startOnce(which === 'before' ? BEFORE_ROOT : AFTER_ROOT, env[which]));
    }
  }
  const ms = { before: median(runs.before.map((r) => r.ms)), after: median(runs.after.map((r) => r.ms)) };
  const rss = { before: median(runs.before.map((r) => r.rssMb)), after: median(runs.after.map((r) => r.rssMb)) };
  console.log(`${label} (median of ${ROUNDS} starts each)`);
  console.log(`  start to "is running at"   tsx ${ms.before.toFixed(0).padStart(5)} ms   compiled ${ms.after.toFixed(0).padStart(5)} ms   ratio ${(ms.after / ms.before).toFixed(2)}`);
  console.log(`  RSS 1 s after              tsx ${rss.before.toFixed(0).padStart(5)} MB   compiled ${rss.after.toFixed(0).padStart(5)} MB   ratio ${(rss.after / rss.before).toFixed(2)}`);
}

/** `satukota --version`: every module loaded (compiled by tsx, or read from dist/), no database. */
async function versionOnce(root: string): Promise<number> {
  const began = performance.now();
  await new Promise<void>((resolve, reject) =>
    spawn(process.execPath, [path.join(root, 'bin', 'satukota.mjs'), '--version'], { cwd: work, stdio: 'ignore', env: { PATH: process.env.PATH, HOME: process.env.HOME } }).once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${root}: --version exited ${code}`)),
    ),
  );
  return performance.now() - began;
}

async function compareLoading(): Promise<void> {
  await versionOnce(BEFORE_ROOT);
  await versionOnce(AFTER_ROOT);
  const runs = { before: [] as number[], after: [] as number[] };
  for (let i = 0; i < ROUNDS * 2; i++) {
    for (const which of i % 2 ? (['after', 'before'] as const) : (['before', 'after'] as const)) runs[which].push(await versionOnce(which === 'before' ? BEFORE_ROOT : AFTER_ROOT));
  }
  const before = median(runs.before);
  const after = median(runs.after);
  console.log(`satukota --version: every module loaded, no database (median of ${ROUNDS * 2} runs each)`);
  console.log(`  to exit                    tsx ${before.toFixed(0).padStart(5)} ms   compiled ${after.toFixed(0).padStart(5)} ms   ratio ${(after / before).toFixed(2)}`);
}

const databases: { drop(): Promise<void> }[] = [];
try {
  const { serverBuildIsCurrent } = (await import(pathToFileURL(path.join(AFTER_ROOT, 'bin', 'build-server.mjs')).href)) as { serverBuildIsCurrent(): boolean };
  serverBuildIsCurrent();
  const checks = 200;
  const t = performance.now();
  for (let i = 0; i < checks; i++) serverBuildIsCurrent();
  const checkMs = (performance.now() - t) / checks;
  const build = performance.now();
  await new Promise<void>((resolve, reject) =>
    spawn(process.execPath, [path.join(AFTER_ROOT, 'bin', 'build-server.mjs')], { stdio: 'ignore' }).once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`build exited ${code}`)))),
  );
  const buildMs = performance.now() - build;
  console.log(`build check at every start (one stat per source file): ${checkMs.toFixed(2)} ms; a rebuild (npm run build:server): ${buildMs.toFixed(0)} ms`);

  await compareLoading();
  await compare('PostgreSQL', async (which) => {
    const db = await createDatabase(`bench_startup_${which}`);
    databases.push(db);
    return { DATABASE_URL: db.url, DATA_DIR: path.join(work, `pg-${which}`) };
  });
  await compare('PGlite', async (which) => ({ DATA_DIR: path.join(work, `pglite-${which}`) }));
} finally {
  for (const db of databases) await db.drop();
  fs.rmSync(work, { recursive: true, force: true });
}

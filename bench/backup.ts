/**
 * Backup and restore of a city, run as an operator runs them (`satukota backup` / `satukota restore`,
 * each in its own process, whose peak RSS is read from /proc): BENCH_N reports (default 100 000) on
 * PostgreSQL with BENCH_PHOTO_MB of photos (default 200). The city then moves PostgreSQL → PGlite →
 * PostgreSQL by backup and restore, the migration path of a city that outgrows the embedded database.
 *
 * Prints rows/s and MB/s of each step, peak RSS with and without the photos (flat memory: the same
 * peak whatever the size), and the database part beside `pg_dump --data-only` of the same database.
 *
 *   npx tsx bench/backup.ts            BENCH_N=1000000 BENCH_PHOTO_MB=1000 npx tsx bench/backup.ts
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cityWithReports } from './generate.js';
import { ROOT, SECRET, createDatabase } from './support.js';

const N = Number(process.env.BENCH_N ?? 100_000);
const PHOTO_MB = Number(process.env.BENCH_PHOTO_MB ?? 200);
const PHOTO_BYTES = 512 * 1024;
const PASSPHRASE = 'bench-passphrase-kota-satu';

interface Run {
  out: string;
  seconds: number;
  peakMb: number;
}

/** Runs the CLI to its end, sampling its peak resident set (VmHWM) until it exits. */
function cli(args: string[], env: Record<string, string>): Promise<Run> {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/satukota.mjs'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', SATUKOTA_BACKUP_PASSPHRASE: PASSPHRASE, ARGON2_MEMORY_KIB: '4096', ARGON2_TIME_COST: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  let errors = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (errors += c));
  let peakKb = 0;
  const sample = setInterval(() => {
    try {
      const m = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      // exited between two samples
    }
  }, 25);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      clearInterval(sample);
      if (code !== 0) reject(new Error(`satukota ${args.join(' ')} exited ${code}:\n${out}\n${errors}`));
      else resolve({ out, seconds: (performance.now() - started) / 1000, peakMb: peakKb / 1024 });
    });
  });
}

function match(run: Run, pattern: RegExp): number[] {
  const m = run.out.match(pattern);
  if (!m) throw new Error(`unexpected output:\n${run.out}`);
  return m.slice(1).map(Number);
}

const backupFigures = (run: Run) => {
  const [, rows, files, fileMb, , , database, filesSeconds] = match(run, /(\d+) tables, (\d+) rows, (\d+) files \(([\d.]+) MB\), ([\d.]+) MB in ([\d.]+) s \(database ([\d.]+) s, files ([\d.]+) s\)/);
  return { rows: rows!, files: files!, fileMb: fileMb!, database: database!, filesSeconds: filesSeconds! };
};
const restoreFigures = (run: Run) => {
  const [check] = match(run, /authenticated in ([\d.]+) s/);
  const [rows, database, files, filesSeconds] = match(run, /Restored (\d+) rows in ([\d.]+) s and (\d+) files in ([\d.]+) s/);
  return { check: check!, rows: rows!, database: database!, files: files!, filesSeconds: filesSeconds! };
};

const rate = (n: number, seconds: number) => (n / Math.max(seconds, 0.001)).toFixed(0).padStart(8);
const mbs = (mb: number, seconds: number) => (mb / Math.max(seconds, 0.001)).toFixed(1).padStart(6);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-bench-backup-'));
console.log(`Generating ${N.toLocaleString('en')} reports on PostgreSQL and ${PHOTO_MB} MB of photos…`);
const city = await cityWithReports('satukota_bench_backup', N);
const dataDir = city.ctx.config.dataDir;
const filesDir = city.ctx.config.filesDir;
await city.close();
const photoDir = path.join(filesDir, 'reports', '2026', '11');
fs.mkdirSync(photoDir, { recursive: true });
for (let i = 0; i < Math.ceil((PHOTO_MB * 1024 * 1024) / PHOTO_BYTES); i++) fs.writeFileSync(path.join(photoDir, `bench-${i}.jpg`), randomBytes(PHOTO_BYTES));
const emptyFiles = path.join(work, 'no-files');
fs.mkdirSync(emptyFiles);

const source = { DATABASE_URL: city.url, SATUKOTA_SECRET_KEY: SECRET, DATA_DIR: dataDir };
const cleanups: (() => Promise<void>)[] = [() => city.drop()];
try {
  console.log('\nstep                                        seconds     rows/s    MB/s  peak RSS');
  const line = (label: string, seconds: number, rows: string, mb: string, peak: number) =>
    console.log(`${label.padEnd(42)} ${seconds.toFixed(1).padStart(8)} ${rows} ${mb} ${peak.toFixed(0).padStart(6)} MB`);

  // What the CLI takes before any backup: its process, the compiled server's modules, a database connection.
  const baseline = await cli(['migrate'], source);
  line('baseline: satukota migrate, PostgreSQL', baseline.seconds, '       -', '     -', baseline.peakMb);

  const withoutFiles = await cli(['backup', path.join(work, 'db-only.skb')], { ...source, FILES_DIR: emptyFiles });
  const a = backupFigures(withoutFiles);
  line('backup, PostgreSQL, no files', withoutFiles.seconds, rate(a.rows, a.database), '     -', withoutFiles.peakMb);

  const full = await cli(['backup', path.join(work, 'city.skb')], source);
  const b = backupFigures(full);
  line(`backup, PostgreSQL, ${b.files} files (${b.fileMb.toFixed(0)} MB)`, full.seconds, rate(b.rows, b.database), mbs(b.fileMb, b.filesSeconds), full.peakMb);
  const backupMb = fs.statSync(path.join(work, 'city.skb')).size / 1024 / 1024;

  let dumpSeconds: number | undefined;
  if (spawnSync('pg_dump', ['--version']).status === 0) {
    const started = performance.now();
    const dump = spawnSync('pg_dump', ['--data-only', '--format=custom', '--compress=0', '--file', path.join(work, 'pg_dump.bin'), city.url]);
    if (dump.status === 0) dumpSeconds = (performance.now() - started) / 1000;
  }
  if (dumpSeconds !== undefined) line('pg_dump --data-only (same database)', dumpSeconds, rate(b.rows, dumpSeconds), '     -', NaN);

  const pgliteDir = path.join(work, 'pglite-city');
  const toPglite = await cli(['restore', path.join(work, 'city.skb')], { DATA_DIR: pgliteDir, SATUKOTA_SECRET_KEY: '' });
  const c = restoreFigures(toPglite);
  line('  check before restoring (whole file)', c.check, '       -', mbs(backupMb, c.check), NaN);
  line('restore → PGlite', toPglite.seconds, rate(c.rows, c.database), mbs(b.fileMb, c.filesSeconds), toPglite.peakMb);

  // PGlite's own footprint (PostgreSQL in WebAssembly, its memory grown and never returned) is most of any command's.
  const pgliteBaseline = await cli(['migrate'], { DATA_DIR: pgliteDir, SATUKOTA_SECRET_KEY: '' });
  line('baseline: satukota migrate, PGlite', pgliteBaseline.seconds, '       -', '     -', pgliteBaseline.peakMb);
  const fromPglite = await cli(['backup', path.join(work, 'from-pglite.skb')], { DATA_DIR: pgliteDir, SATUKOTA_SECRET_KEY: '' });
  const d = backupFigures(fromPglite);
  line('backup, PGlite (server would wait)', fromPglite.seconds, rate(d.rows, d.database), mbs(d.fileMb, d.filesSeconds), fromPglite.peakMb);

  const target = await createDatabase('satukota_bench_restore');
  cleanups.push(() => target.drop());
  const toPostgres = await cli(['restore', path.join(work, 'from-pglite.skb')], { DATABASE_URL: target.url, DATA_DIR: path.join(work, 'pg-city'), SATUKOTA_SECRET_KEY: '' });
  const e = restoreFigures(toPostgres);
  line('restore → PostgreSQL', toPostgres.seconds, rate(e.rows, e.database), mbs(d.fileMb, e.filesSeconds), toPostgres.peakMb);

  console.log(`\n${b.rows.toLocaleString('en')} rows, ${b.files} files; backup file ${backupMb.toFixed(0)} MB.`);
  console.log(`peak RSS of a backup with ${b.fileMb.toFixed(0)} MB of files / without files: ${(full.peakMb / withoutFiles.peakMb).toFixed(2)} (flat memory: ≈ 1)`);
  console.log(
    `peak RSS above the baseline: backup PostgreSQL +${(full.peakMb - baseline.peakMb).toFixed(0)} MB (scrypt's 128 MiB included), ` +
      `backup PGlite +${(fromPglite.peakMb - pgliteBaseline.peakMb).toFixed(0)} MB, restore → PostgreSQL +${(toPostgres.peakMb - baseline.peakMb).toFixed(0)} MB`,
  );
  if (dumpSeconds !== undefined) console.log(`database part of the backup / pg_dump --data-only: ${(a.database / dumpSeconds).toFixed(2)} × the time`);
  console.log(`rows restored = rows backed up at every step: ${a.rows === c.rows && c.rows === d.rows && d.rows === e.rows}`);
  console.log('Wall seconds include starting the CLI (compiled server, database connection or PGlite start-up) and the passphrase key derivation.');
} finally {
  for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  fs.rmSync(work, { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
}

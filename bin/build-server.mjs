#!/usr/bin/env node
/**
 * Compiles the server (src/*.ts) into dist/ with esbuild, file by file, each with a source map, and copies
 * the files it reads at run time (SQL migrations, the demo boundaries) beside them. dist/ mirrors src/ one
 * level under the checkout, so `import.meta.dirname` finds package.json, web/dist and the copied files as
 * it did from src/.
 *
 * `ensureServerBuild()` (bin/satukota.mjs calls it at every start) rebuilds only when the sources differ
 * from the ones the build was made from: their names, sizes and modification times, read with one stat
 * each (bench/startup.ts measures it). Any change counts, not only a newer time: a `git checkout` of an
 * older commit, a deleted file. Builds take a lock, so that processes started together (a test run) build
 * once, and write each file atomically, so that a process starting meanwhile never reads half a file.
 *
 * Run directly (`npm run build:server`) it builds whether or not the sources changed.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..');
export const SOURCE_DIR = path.join(ROOT, 'src');
export const BUILD_DIR = path.join(ROOT, 'dist');
/** The build's entry point, as bin/satukota.mjs imports it. */
export const MAIN = path.join(BUILD_DIR, 'cli', 'main.js');
const STAMP = path.join(BUILD_DIR, '.build-stamp.json');
const LOCK = path.join(BUILD_DIR, '.build.lock');
/** Besides the sources, what changes the output: this file (the options) and the compiler options. */
const BUILD_INPUTS = [fileURLToPath(import.meta.url), path.join(ROOT, 'tsconfig.json')];
/** A lock older than this is a builder that hung or was killed mid-build (a build takes a second). */
const STALE_LOCK_MS = 120_000;

export class BuildError extends Error {}

const isTest = (file) => /\.test\.ts$/.test(file);

/** Every file under src/ that the server needs (sources and the files they read), relative to src/. */
function sourceFiles() {
  return fs
    .readdirSync(SOURCE_DIR, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !isTest(entry.name))
    .map((entry) => path.relative(SOURCE_DIR, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** What the build is made from: every input's name, size and modification time, hashed. */
export function sourceFingerprint() {
  const hash = createHash('sha256');
  const files = [...sourceFiles().map((f) => path.join(SOURCE_DIR, f)), ...BUILD_INPUTS];
  for (const file of files) {
    const stat = fs.statSync(file);
    hash.update(`${path.relative(ROOT, file)}\0${stat.size}\0${stat.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

function builtFingerprint() {
  try {
    return JSON.parse(fs.readFileSync(STAMP, 'utf8')).fingerprint;
  } catch {
    return undefined;
  }
}

/** Whether dist/ was built from the sources as they are now (cheap: one stat per source file). */
export function serverBuildIsCurrent() {
  if (!fs.existsSync(SOURCE_DIR)) return fs.existsSync(MAIN); // an installation shipped as dist/ alone
  return fs.existsSync(MAIN) && builtFingerprint() === sourceFingerprint();
}

/** Writes `contents` to `file` unless it already holds them; atomically (a temporary file renamed over it). */
function writeIfChanged(file, contents) {
  try {
    if (fs.readFileSync(file).equals(contents)) return false;
  } catch {
    // not there yet
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, contents);
  fs.renameSync(temporary, file);
  return true;
}

/** Removes what an earlier build left for sources that are gone, and directories left empty. */
function removeLeftovers(keep) {
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
        if (fs.readdirSync(full).length === 0) fs.rmdirSync(full);
      } else if (!keep.has(full) && full !== STAMP && full !== LOCK) fs.rmSync(full, { force: true });
    }
  };
  walk(BUILD_DIR);
}

/** Compiles every source into dist/ now; returns how many files changed. Hold the lock around it. */
async function compile(fingerprint) {
  const files = sourceFiles();
  const sources = files.filter((f) => f.endsWith('.ts'));
  const assets = files.filter((f) => !f.endsWith('.ts'));
  const { default: esbuild } = await import('esbuild');
  const result = await esbuild
    .build({
      entryPoints: sources.map((f) => path.join(SOURCE_DIR, f)),
      outbase: SOURCE_DIR,
      outdir: BUILD_DIR,
      absWorkingDir: ROOT,
      tsconfig: path.join(ROOT, 'tsconfig.json'),
      format: 'esm',
      platform: 'node',
      target: 'node20',
      bundle: false,
      // Maps point at the sources in the checkout; their text need not be copied into the maps too.
      sourcemap: 'linked',
      sourcesContent: false,
      write: false,
      logLevel: 'silent',
    })
    .catch(async (error) => {
      const messages = error.errors ? await esbuild.formatMessages(error.errors, { kind: 'error' }) : [String(error)];
      throw new BuildError(`The server's sources do not compile:\n${messages.join('\n')}`);
    })
    // esbuild's compiler is a process of its own that would otherwise live as long as the server.
    .finally(() => esbuild.stop());
  const keep = new Set();
  let changed = 0;
  for (const out of result.outputFiles) {
    keep.add(out.path);
    if (writeIfChanged(out.path, Buffer.from(out.contents))) changed++;
  }
  for (const asset of assets) {
    const target = path.join(BUILD_DIR, asset);
    keep.add(target);
    if (writeIfChanged(target, fs.readFileSync(path.join(SOURCE_DIR, asset)))) changed++;
  }
  removeLeftovers(keep);
  // Last: a build that died before this line is redone at the next start.
  writeIfChanged(STAMP, Buffer.from(`${JSON.stringify({ fingerprint, builtAt: new Date().toISOString(), files: keep.size })}\n`));
  return changed;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function holderAlive(lockFile) {
  try {
    const stat = fs.statSync(lockFile);
    if (Date.now() - stat.mtimeMs > STALE_LOCK_MS) return false;
    const pid = Number(fs.readFileSync(lockFile, 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return true; // being written right now
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM'; // alive, another user's; ENOENT/ESRCH: gone
  }
}

/** Runs `fn` holding dist/'s build lock (one builder at a time across processes). */
async function withBuildLock(fn) {
  fs.mkdirSync(BUILD_DIR, { recursive: true });
  for (;;) {
    try {
      const fd = fs.openSync(LOCK, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      if (!holderAlive(LOCK)) fs.rmSync(LOCK, { force: true });
      else await sleep(50);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(LOCK, { force: true });
  }
}

/**
 * Makes sure dist/ holds the current sources, compiling them when not. Returns whether it compiled and
 * how long that took. Throws BuildError when the sources do not compile or dist/ cannot be written.
 */
export async function ensureServerBuild({ force = false } = {}) {
  if (!force && serverBuildIsCurrent()) return { built: false, ms: 0 };
  if (!fs.existsSync(SOURCE_DIR)) throw new BuildError(`${MAIN} is missing and there are no sources to build it from.`);
  const started = performance.now();
  try {
    return await withBuildLock(async () => {
      // Another process may have built while this one waited for the lock.
      const fingerprint = sourceFingerprint();
      if (!force && fs.existsSync(MAIN) && builtFingerprint() === fingerprint) return { built: false, ms: 0 };
      const changed = await compile(fingerprint);
      return { built: true, changed, ms: performance.now() - started };
    });
  } catch (error) {
    if (error.code === 'EACCES' || error.code === 'EROFS' || error.code === 'EPERM') {
      throw new BuildError(
        `The sources are newer than the compiled server in ${BUILD_DIR}, which this user cannot write (${error.code}). ` +
          'Run `npm run build:server` as the owner of the checkout after updating it.',
      );
    }
    throw error;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const result = await ensureServerBuild({ force: true });
    process.stdout.write(`Compiled the server into ${path.relative(process.cwd(), BUILD_DIR) || '.'} in ${Math.round(result.ms)} ms (${result.changed} files changed).\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof BuildError ? error.message : (error.stack ?? error)}\n`);
    process.exit(1);
  }
}

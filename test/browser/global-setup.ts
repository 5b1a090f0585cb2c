import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { browserMissingMessage, browserRequired, chromiumPath } from './chromium.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The web app, built once per run for every browser test file. */
    browserWebDist: string;
  }
}

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/**
 * Once per run: builds the web app (under a second) into a temporary WEB_DIST_DIR that every browser
 * test file's server serves, and, when Chromium is missing, says so loudly at the end of the run (the
 * browser tests are then skipped, or fail when SATUKOTA_REQUIRE_BROWSER=1).
 */
export default function setup(project: TestProject) {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-browser-web-'));
  const viteBin = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(
    process.execPath,
    [viteBin, 'build', '--config', path.join(ROOT, 'web', 'vite.config.ts'), '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
    // A production build, as served to residents: vitest sets NODE_ENV=test, with which Vite would make a
    // development build (React's twice as large, every effect run twice under StrictMode).
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } },
  );
  if (result.status !== 0 || !fs.existsSync(path.join(outDir, 'index.html'))) {
    fs.rmSync(outDir, { recursive: true, force: true });
    throw new Error(`building the web app for the browser tests failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  }
  project.provide('browserWebDist', outDir);
  const removeBuild = () => fs.rmSync(outDir, { recursive: true, force: true });
  if (chromiumPath()) return removeBuild;

  const required = browserRequired();
  const colour = required ? '\x1b[1;37;41m' : '\x1b[1;30;43m';
  const lines = [
    required ? `BROWSER TESTS FAIL: ${browserMissingMessage()}` : `BROWSER TESTS SKIPPED: ${browserMissingMessage()}`,
    required ? '(SATUKOTA_REQUIRE_BROWSER=1 is set, so a missing browser is an error.)' : '(Set SATUKOTA_REQUIRE_BROWSER=1 to make this an error, as CI does.)',
  ];
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const bar = `${colour}${' '.repeat(width)}\x1b[0m`;
  const banner = `\n${bar}\n${lines.map((l) => `${colour}  ${l.padEnd(width - 2)}\x1b[0m`).join('\n')}\n${bar}\n\n`;
  // Printed once, when the run ends: right under the summary, where it is seen.
  return () => {
    removeBuild();
    process.stdout.write(banner);
  };
}

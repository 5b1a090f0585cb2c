#!/usr/bin/env node
// The server runs as JavaScript compiled ahead of time into dist/ (gitignored). When the sources differ
// from that build (a git pull, an edit) they are compiled again first, in about a second, so a checkout
// needs no build step of its own and never runs stale code (bin/build-server.mjs).
import { BuildError, ensureServerBuild } from './build-server.mjs';

try {
  const build = await ensureServerBuild();
  // Said on a terminal only: what the CLI prints is read by scripts and tests.
  if (build.built && process.stderr.isTTY) process.stderr.write(`Compiled the server (sources changed) in ${Math.round(build.ms)} ms.\n`);
} catch (error) {
  if (!(error instanceof BuildError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
// Stack traces name the TypeScript sources: each compiled file has its source map beside it.
process.setSourceMapsEnabled(true);
await import('../dist/cli/main.js');

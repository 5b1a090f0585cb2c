import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { TEST_SECRET } from './env.js';

/**
 * `satukota` as an operator runs it, in a child process (integration tests that kill it, or look at
 * what it leaves on disk). The environment is this one only: a developer's shell or .env does not leak in.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'satukota.mjs');

/** Cheap hashing, the test secret, no demo city, quiet logs; `env` adds DATA_DIR, DATABASE_URL … */
export function processEnv(env: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    SATUKOTA_SECRET_KEY: TEST_SECRET,
    DEMO: 'false',
    LOG_LEVEL: 'warn',
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    MAP_TILE_URL: '',
    ...env,
  };
}

/** Runs a CLI command to its end; rejects with its output when it fails. */
export function runCli(args: string[], env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: processEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`satukota ${args.join(' ')} exited ${code}: ${out}`))));
  });
}

export interface ServerProcess {
  child: ChildProcess;
  /** Where it serves; a worker-only node's /health server (with `--health-port`), or '' without one. */
  url: string;
  /** Everything it printed so far, stdout and stderr (notifications on the console channel among it). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * `satukota serve` (with `args`, e.g. `--roles=worker`) on 127.0.0.1 and a free port; resolves once it
 * says it is running. It runs the compiled server, as `npm start` does (bin/satukota.mjs builds it first
 * when the sources changed).
 */
export function startServerProcess(env: Record<string, string>, args: string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd: ROOT, env: processEnv({ PORT: '0', HOST: '127.0.0.1', ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    const output = () => out;
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const m = out.match(/is running (?:at (\S+)|as a worker(?:, health at (\S+)\/health)?)/);
      if (m) resolve({ child, url: m[1] ?? m[2] ?? '', output, stop });
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before it was ready: ${out}`)));
  });
}

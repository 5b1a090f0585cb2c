import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Config } from './config.js';
import { buildHttp, createContext, VERSION, type AppContext } from './app.js';
import { acquireDataDirLock, startControlServer } from './platform/control.js';
import { ensurePrivateDir } from './platform/files.js';
import type { HttpApp } from './platform/http.js';
import { runCommand } from './cli/commands.js';
import { describeDemoHistory, seedDemo } from './modules/demo/index.js';
import { terminalProgress } from './platform/progress.js';

/**
 * What a node does. `web`: the HTTP API, the web app and the live stream. `worker`: the job runner —
 * outbox dispatch (notifications), report deadlines and escalation, sweeps. A city runs both in one
 * process, or several web nodes and one or more workers over one PostgreSQL (docs/DEPLOYMENT.md).
 */
export const ROLES = ['web', 'worker'] as const;
export type Role = (typeof ROLES)[number];

export class RolesError extends Error {}

/** `web,worker`, `web`, `worker` (order and repeats do not matter); throws RolesError naming what is wrong. */
export function parseRoles(text: string): Role[] {
  const names = text.split(',').map((r) => r.trim()).filter(Boolean);
  const unknown = names.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) throw new RolesError(`Unknown role ${unknown.map((r) => `"${r}"`).join(', ')}: the roles are ${ROLES.join(', ')}.`);
  if (names.length === 0) throw new RolesError(`No role given: the roles are ${ROLES.join(', ')}.`);
  return ROLES.filter((r) => names.includes(r));
}

export interface RunningServer {
  ctx: AppContext;
  roles: Role[];
  /** The HTTP app of a web node. */
  http: HttpApp | undefined;
  /** Where a web node serves, or a worker answers /health (when given a health port). */
  url: string | undefined;
  stop(): Promise<void>;
}

const ROOT = path.join(import.meta.dirname, '..');

/** The web app is built on first start when its build is missing (needs the dev dependencies). */
export function ensureWebBuild(config: Config, print: (line: string) => void): void {
  if (fs.existsSync(path.join(config.webDistDir, 'index.html'))) return;
  const viteBin = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!fs.existsSync(viteBin)) {
    print('The web app is not built and Vite is not installed (npm ci installs it); serving the API only.');
    return;
  }
  print('Building the web app (first start only)…');
  const args = ['build', '--config', path.join(ROOT, 'web', 'vite.config.ts'), '--outDir', config.webDistDir, '--emptyOutDir', '--logLevel', 'warn'];
  const result = spawnSync(process.execPath, [viteBin, ...args], {
    cwd: ROOT,
    stdio: 'inherit',
    // Whatever NODE_ENV the server runs with, citizens get the production build of React.
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) print('The web app build failed; serving the API only.');
}

export interface StartOptions {
  print?: (line: string) => void;
  buildWeb?: boolean;
  /** Both by default. */
  roles?: Role[];
  /** A worker-only node: answer GET /health on this port (0: any free one); without it, no port at all. */
  healthPort?: number;
}

/** Starts a node: database, migrations, demo seed, then per role HTTP (web) and jobs (worker); the control socket with PGlite. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const roles = options.roles ?? [...ROLES];
  // PGlite is one process's database: a node without the worker would never send a notification.
  if (config.database.kind === 'pglite' && roles.length < ROLES.length) {
    throw new RolesError('Roles split a city over several processes, which needs PostgreSQL (DATABASE_URL); with PGlite one node runs them all.');
  }
  // Also with PostgreSQL, and when an older release made them open: photos and keys live there.
  ensurePrivateDir(config.dataDir);
  ensurePrivateDir(config.filesDir);
  const lock = config.database.kind === 'pglite' ? acquireDataDirLock(config.dataDir, 'server') : undefined;
  let ctx: AppContext | undefined;
  try {
    ctx = await createContext(config);
    if (ctx.generatedSecretKeyFile) {
      print(`A new secret key was generated in ${ctx.generatedSecretKeyFile}. BACK IT UP: without it the personal data in this database cannot be decrypted.`);
    }
    // The configured city's own regions ship with the code: a fresh install knows its kelurahan.
    if (!(await ctx.regions.hasRegency())) await ctx.regions.importRegency(config.cityCode);
    if (config.demo) {
      const seeded = await seedDemo(ctx, { progress: process.stderr.isTTY ? terminalProgress() : undefined });
      if (seeded) print(`Demo city seeded. Demo accounts (role, login, password, scope) are listed in ${seeded.file}`);
      if (seeded?.history) print(describeDemoHistory(seeded.history));
    }
    const running = ctx;
    let app: HttpApp | undefined;
    let health: http.Server | undefined;
    let url: string | undefined;
    const urlOf = (server: http.Server, scheme: string) => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      return `${scheme}://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
    };
    if (roles.includes('web')) {
      if (options.buildWeb !== false) ensureWebBuild(config, print);
      app = await buildHttp(ctx);
      await app.listen({ port: config.port, host: config.host });
      url = urlOf(app.server, config.tls ? 'https' : 'http');
    } else if (options.healthPort !== undefined) {
      health = await listenForHealth(running, roles, options.healthPort, config.host);
      url = urlOf(health, 'http');
    }
    const control =
      config.database.kind === 'pglite'
        ? await startControlServer(config.dataDir, (request, io) => runCommand(running, request, io))
        : undefined;
    if (roles.includes('worker')) await ctx.jobs.start();
    return {
      ctx: running,
      roles,
      http: app,
      url,
      async stop() {
        await control?.close();
        await app?.close();
        if (health) await new Promise((resolve) => health!.close(resolve));
        await running.close();
        lock?.release();
      },
    };
  } catch (error) {
    await ctx?.close().catch(() => undefined);
    lock?.release();
    throw error;
  }
}

/**
 * A worker's only HTTP: GET /health, answered like a web node's (503 when the database does not answer)
 * with the node's roles, for the load balancer's or the service manager's checks. Plain node:http: a
 * worker has no routes, sessions or body parsing to set up.
 */
async function listenForHealth(ctx: AppContext, roles: Role[], port: number, host: string): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : JSON.stringify(body));
    };
    const pathname = (request.url ?? '').split('?')[0];
    if (pathname !== '/health') return send(404, { error: { code: 'not_found', message: 'A worker answers /health only.' } });
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, { error: { code: 'method_not_allowed', message: 'GET /health' } });
    ctx.db.query('select 1').then(
      () => send(200, { status: 'ok', database: ctx.db.kind, version: VERSION, city: ctx.config.cityCode, roles }),
      () => send(503, { error: { code: 'database_unavailable', message: 'The database cannot be reached.' } }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

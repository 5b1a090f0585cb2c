import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import { buildHttp, createContext, type AppContext } from './app.js';
import { acquireDataDirLock, startControlServer } from './platform/control.js';
import { ensurePrivateDir } from './platform/files.js';
import type { HttpApp } from './platform/http.js';
import { runCommand } from './cli/commands.js';
import { describeDemoHistory } from './modules/demo/reports.js';
import { seedDemo } from './modules/demo/seed.js';
import { terminalProgress } from './platform/progress.js';

export interface RunningServer {
  ctx: AppContext;
  http: HttpApp;
  url: string;
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

/** Starts a node: database, migrations, demo seed, HTTP, control socket (PGlite), jobs. */
export async function startServer(config: Config, options: { print?: (line: string) => void; buildWeb?: boolean } = {}): Promise<RunningServer> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
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
    if (options.buildWeb !== false) ensureWebBuild(config, print);
    const http = await buildHttp(ctx);
    await http.listen({ port: config.port, host: config.host });
    const control =
      config.database.kind === 'pglite'
        ? await startControlServer(config.dataDir, (request, io) => runCommand(ctx!, request, io))
        : undefined;
    await ctx.jobs.start();
    const address = http.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `${config.tls ? 'https' : 'http'}://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
    const running = ctx;
    return {
      ctx: running,
      http,
      url,
      async stop() {
        await control?.close();
        await http.close();
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

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/platform/db.js';
import { CONTROL_SOCKET, LOCK_FILE } from '../../src/platform/control.js';
import { DEMO_PASSWORD } from '../support/env.js';

/**
 * The `satukota` CLI as an operator uses it: real processes on a fresh PGlite DATA_DIR, the server on
 * a real port, commands routed through the control socket while the server holds the data-dir lock.
 * PGlite only: the lock and the control socket exist for the embedded database.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'satukota.mjs');

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const ROLES = new Set(['citizen', 'admin', 'coordinator', 'pimpinan', 'command', 'officer']);
const SCOPE = /^(city|opd:[a-z0-9-]+|kecamatan:[\d.]+|kelurahan:[\d.]+|-)(,head)?$/;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('satukota CLI [pglite, real processes]', () => {
  let dataDir: string;
  let webDir: string;
  let port: number;
  let server: ChildProcess | undefined;
  let serverOut = '';
  let serverExit: Promise<Result> | undefined;

  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    // Only what the CLI needs: nothing from the test run (no DATABASE_URL, no TEST_DATABASE_URL).
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    DEMO_PASSWORD,
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    PORT: '0',
    HOST: '127.0.0.1',
    // A directory with an index.html, so that `serve` does not try to build the web app.
    WEB_DIST_DIR: webDir,
    ...extra,
  });

  function start(args: string[], extra: Record<string, string> = {}, timeoutMs = 90_000): { child: ChildProcess; done: Promise<Result> } {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: env(extra), stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const done = new Promise<Result>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
    return { child, done };
  }

  const run = (args: string[], extra: Record<string, string> = {}, timeoutMs = 90_000) => start(args, extra, timeoutMs).done;

  const http = (p: string, init?: RequestInit) => fetch(`http://127.0.0.1:${port}${p}`, init);

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-cli-'));
    webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-cli-web-'));
    fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>SatuKota</title>');
    port = await freePort();
  });

  afterAll(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM');
      await Promise.race([serverExit, sleep(15_000)]);
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(webDir, { recursive: true, force: true });
  });

  it('--help lists the commands', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['serve', 'migrate', 'seed', 'user', 'import', 'audit']) expect(r.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  }, 60_000);

  it('migrate works on a fresh DATA_DIR without a server', async () => {
    const r = await run(['migrate']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Applied: 0001_foundation/);
    expect(fs.existsSync(path.join(dataDir, 'pglite'))).toBe(true);
    // The lock is released when the command ends.
    expect(fs.existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
    const again = await run(['migrate']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/up to date/);
  }, 120_000);

  it('seed demo writes the accounts file (0600) with every demo account', async () => {
    const r = await run(['seed', 'demo']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Demo city seeded/);
    // One line about the demo reports' past instead of a notification per step of it.
    expect(r.stdout).toMatch(/^Demo reports: 50 from the last three weeks, with \d+ deadline warnings, \d+ escalations and \d+ automatic closures/m);
    expect(r.stdout).not.toContain('[notifikasi');
    const file = path.join(dataDir, 'demo-accounts.txt');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const lines = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(lines.length).toBeGreaterThan(60);
    const accounts = lines.map((line) => {
      const fields = line.split('\t');
      expect(fields, line).toHaveLength(4);
      const [role, login, password, scope] = fields as [string, string, string, string];
      expect(ROLES.has(role), line).toBe(true);
      expect(scope, line).toMatch(SCOPE);
      expect(password).toBe(DEMO_PASSWORD);
      return { role, login, scope };
    });
    const lurah = accounts.filter((a) => a.login.startsWith('lurah.'));
    const camat = accounts.filter((a) => a.login.startsWith('camat.'));
    expect(lurah).toHaveLength(43);
    expect(camat).toHaveLength(8);
    expect(lurah.every((a) => a.role === 'officer' && /^kelurahan:36\.72\.\d\d\.\d{4},head$/.test(a.scope))).toBe(true);
    expect(camat.every((a) => a.role === 'officer' && /^kecamatan:36\.72\.\d\d,head$/.test(a.scope))).toBe(true);
    expect(new Set(accounts.map((a) => a.login)).size).toBe(accounts.length);
    expect(accounts).toContainEqual({ role: 'admin', login: 'admin', scope: 'city' });
    expect(accounts.filter((a) => a.role === 'citizen').every((a) => a.scope === '-' && /^\d{16}$/.test(a.login))).toBe(true);
    // A second seed refuses: the database is no longer empty.
    const again = await run(['seed', 'demo']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already has accounts/);
  }, 120_000);

  it('audit verify passes without a server', async () => {
    const r = await run(['audit', 'verify']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Audit trail intact: \d+ entries verified/);
  }, 60_000);

  describe('while the server runs', () => {
    let before: unknown;

    it('serve answers /health over real HTTP', async () => {
      const s = start(['serve'], { PORT: String(port) }, 300_000);
      server = s.child;
      serverExit = s.done;
      s.child.stdout!.on('data', (c: string) => (serverOut += c));
      s.child.stderr!.on('data', (c: string) => (serverOut += c));
      const deadline = Date.now() + 60_000;
      let health: Response | undefined;
      while (Date.now() < deadline) {
        if (s.child.exitCode !== null) throw new Error(`the server exited with ${s.child.exitCode}:\n${serverOut}`);
        health = await http('/health').catch(() => undefined);
        if (health?.ok) break;
        await sleep(250);
      }
      expect(health?.status, serverOut).toBe(200);
      expect(await health!.json()).toMatchObject({ status: 'ok', database: 'pglite', city: '36.72' });
      expect(serverOut).toMatch(new RegExp(`running at http://127\\.0\\.0\\.1:${port}`));
      const lock = JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8')) as { pid: number; owner: string };
      expect(lock).toMatchObject({ pid: s.child.pid, owner: 'server' });
      before = await (await http('/api/v1/regions/boundaries.geojson')).json();
    }, 90_000);

    it('the control socket is private (0600)', () => {
      const stat = fs.statSync(path.join(dataDir, CONTROL_SOCKET));
      expect(stat.isSocket()).toBe(true);
      expect(stat.mode & 0o777).toBe(0o600);
    });

    it('user create runs inside the server; the new officer logs in over HTTP', async () => {
      const r = await run(['user', 'create', '--username', 'petugas.baru', '--name', 'Petugas Baru', '--role', 'officer', '--scope', 'kelurahan:36.72.07.1001']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Created officer petugas\.baru \([0-9a-f-]+\) scope kelurahan:36\.72\.07\.1001/);
      const password = /Password: (\S+)/.exec(r.stdout)?.[1];
      expect(password).toBeTruthy();
      // The server still holds the lock: the CLI did not open the database itself.
      expect(JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: server!.pid, owner: 'server' });

      const token = await http('/api/v1/auth/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'petugas.baru', password }) });
      expect(token.status).toBe(200);
      const { token: bearerToken } = (await token.json()) as { token: string };
      const me = await http('/api/v1/me', { headers: { authorization: `Bearer ${bearerToken}` } });
      expect(me.status).toBe(200);
      expect(JSON.stringify(await me.json())).toMatch(/petugas\.baru/);
      const wrong = await http('/api/v1/auth/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'petugas.baru', password: `${password}x` }) });
      expect(wrong.status).toBe(401);

      // The same username again is refused with a clear message and a non-zero exit.
      const dup = await run(['user', 'create', '--username', 'petugas.baru', '--name', 'Petugas Lain', '--role', 'officer', '--scope', 'kelurahan:36.72.07.1001']);
      expect(dup.code).not.toBe(0);
      expect(dup.stderr).toMatch(/username petugas\.baru is taken/);
    }, 120_000);

    it('audit verify passes while the server runs', async () => {
      const r = await run(['audit', 'verify']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Audit trail intact/);
    }, 60_000);

    it('open311 key create prints the key on its last line; the running server accepts it', async () => {
      const r = await run(['open311', 'key', 'create', 'Aplikasi mitra']);
      expect(r.code, r.stderr).toBe(0);
      const key = r.stdout.trim().split('\n').at(-1)!;
      expect(key).toMatch(/^sk311_[A-Za-z0-9_-]{20,}$/);
      const body = new URLSearchParams({ api_key: key, service_code: 'sampah', address_string: 'Jl. Mawar 1', description: 'Sampah menumpuk.' });
      const res = await http('/open311/v2/requests.json', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
      expect(res.status).toBe(201);
      expect(((await res.json()) as { service_request_id: string }[])[0]!.service_request_id).toMatch(/^SK-\d{4}-\d{6}$/);
    }, 60_000);

    it('import boundaries with an invalid feature fails and changes nothing', async () => {
      const fc = before as { features: { id: string; geometry: { coordinates: number[][][] } }[] };
      const good = fc.features.find((f) => f.id === '36.72.07.1002')!;
      const bad = fc.features.find((f) => f.id === '36.72.07.1003')!;
      const shifted = good.geometry.coordinates[0]!.map(([lng, lat]) => [lng! + 0.001, lat!]);
      const file = path.join(dataDir, 'broken.geojson');
      fs.writeFileSync(
        file,
        JSON.stringify({
          type: 'FeatureCollection',
          features: [
            { type: 'Feature', properties: { KDEPUM: good.id }, geometry: { type: 'Polygon', coordinates: [shifted] } },
            { type: 'Feature', properties: { KDEPUM: bad.id }, geometry: { type: 'Polygon', coordinates: [bad.geometry.coordinates[0]!.slice(0, -1)] } },
          ],
        }),
      );
      const r = await run(['import', 'boundaries', file]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/nothing was imported/);
      expect(r.stderr).toMatch(/36\.72\.07\.1003.*not closed/);
      expect(await (await http('/api/v1/regions/boundaries.geojson')).json()).toEqual(before);
    }, 60_000);

    it('a second server on the same DATA_DIR refuses, naming the lock holder', async () => {
      const other = await freePort();
      const r = await run(['serve'], { PORT: String(other) });
      expect(r.code).not.toBe(0);
      expect(r.code).toBe(75);
      expect(r.stderr).toMatch(new RegExp(`DATA_DIR is in use by another SatuKota process \\(server, pid ${server!.pid}; lock .*satukota\\.lock\\)`));
      // The running server is unharmed.
      expect((await http('/health')).status).toBe(200);
      expect(JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: server!.pid });
    }, 60_000);

    it('stops on SIGTERM and releases the lock and the socket', async () => {
      server!.kill('SIGTERM');
      const result = await Promise.race([serverExit!, sleep(30_000).then(() => undefined)]);
      expect(result, serverOut).toBeDefined();
      expect(result!.code).toBe(0);
      expect(fs.existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
      expect(fs.existsSync(path.join(dataDir, CONTROL_SOCKET))).toBe(false);
      await expect(http('/health')).rejects.toThrow();
    }, 60_000);
  });

  it('audit verify works again without a server (the lock was released)', async () => {
    const r = await run(['audit', 'verify']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Audit trail intact/);
  }, 60_000);

  it('audit verify exits 3 naming the entry when a middle row was deleted', async () => {
    const db = await openPglite({ dataDir: path.join(dataDir, 'pglite') });
    let middle: number;
    try {
      const { n } = await db.one<{ n: number }>('select max(seq) as n from audit_log');
      middle = Math.floor(n / 2);
      await db.query('delete from audit_log where seq = $1', [middle]);
    } finally {
      await db.close();
    }
    const r = await run(['audit', 'verify']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`BROKEN at entry ${middle}\\b.*row ${middle} is missing`));
  }, 90_000);
});

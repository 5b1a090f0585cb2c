import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { describe, inject } from 'vitest';
import { buildHttp, createContext, type AppContext } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { openPglite, openPostgres, type Database } from '../../src/platform/db.js';
import type { HttpApp } from '../../src/platform/http.js';
import { createLogger } from '../../src/platform/logger.js';
import { memorySender } from '../../src/platform/messaging.js';
import { DEMO_AGENCIES, DEMO_CITIZENS } from '../../src/modules/demo/seed.js';
import { databaseUrl, DEMO_PASSWORD, TEST_DATABASE_URL, testConfig } from './env.js';

export type DatabaseKind = 'pglite' | 'postgresql';

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set. */
export const DATABASES: DatabaseKind[] = TEST_DATABASE_URL ? ['pglite', 'postgresql'] : ['pglite'];

export interface DemoAccount {
  role: string;
  login: string;
  password: string;
  scope: string;
}

export interface Harness {
  kind: DatabaseKind;
  ctx: AppContext;
  app: HttpApp;
  db: Database;
  config: Config;
  sms: ReturnType<typeof memorySender>;
  /** Every line the logger wrote (after redaction). */
  logLines: string[];
  /** The demo accounts (all with DEMO_PASSWORD). */
  accounts: DemoAccount[];
  /** The PostgreSQL database name (postgresql only). */
  databaseName: string | null;
  close(): Promise<void>;
}

export async function cloneDatabase(kind: DatabaseKind): Promise<{ db: Database; name: string | null; drop(): Promise<void> }> {
  if (kind === 'pglite') {
    const tarball = fs.readFileSync(inject('pgliteTemplate'));
    const db = await openPglite({ loadDataDir: new Blob([tarball]) });
    return { db, name: null, drop: async () => undefined };
  }
  const name = `satukota_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name} template ${inject('postgresTemplate')}`);
  await admin.end();
  const db = await openPostgres(databaseUrl(name), { max: 5 });
  return {
    db,
    name,
    async drop() {
      const a = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

export async function startHarness(kind: DatabaseKind, env: Record<string, string> = {}): Promise<Harness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-it-'));
  const config = testConfig(env, dataDir);
  const clone = await cloneDatabase(kind);
  const logLines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  const sms = memorySender();
  const ctx = await createContext(config, { db: clone.db, sender: sms, log: createLogger({ level: 'info', destination }) });
  const app = await buildHttp(ctx);
  await app.ready();
  return {
    kind,
    ctx,
    app,
    db: clone.db,
    config,
    sms,
    logLines,
    accounts: DEMO_ACCOUNTS,
    databaseName: clone.name,
    async close() {
      await app.close();
      await ctx.close();
      await clone.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Demo accounts the tests use (the seed makes more); in tests every password is DEMO_PASSWORD. */
export const DEMO_ACCOUNTS: DemoAccount[] = [
  { role: 'admin', login: 'admin', password: DEMO_PASSWORD, scope: 'city' },
  { role: 'coordinator', login: 'koordinator', password: DEMO_PASSWORD, scope: 'city' },
  { role: 'pimpinan', login: 'walikota', password: DEMO_PASSWORD, scope: 'city' },
  { role: 'command', login: 'command', password: DEMO_PASSWORD, scope: 'city' },
  ...DEMO_AGENCIES.flatMap((a) => [
    { role: 'officer', login: `kepala.${a.code}`, password: DEMO_PASSWORD, scope: `opd:${a.code},head` },
    { role: 'officer', login: `petugas.${a.code}`, password: DEMO_PASSWORD, scope: `opd:${a.code}` },
  ]),
  { role: 'officer', login: 'lurah.ramanuju', password: DEMO_PASSWORD, scope: 'kelurahan:36.72.07.1001,head' },
  { role: 'officer', login: 'camat.purwakarta', password: DEMO_PASSWORD, scope: 'kecamatan:36.72.07,head' },
  ...DEMO_CITIZENS.map((c) => ({ role: 'citizen', login: c.nik, password: DEMO_PASSWORD, scope: '-' })),
];

/** Runs the same suite against every database. */
export function describeEachDatabase(name: string, fn: (kind: DatabaseKind) => void): void {
  for (const kind of DATABASES) describe(`${name} [${kind}]`, () => fn(kind));
}

// --- request helpers ---------------------------------------------------------------------------

export interface Session {
  cookie: string;
  csrf: string;
  userId: string;
}

/** Logs in through the browser route; returns the cookie header and CSRF token for later requests. */
export async function login(app: HttpApp, loginName: string, password = DEMO_PASSWORD): Promise<Session> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: loginName, password } });
  if (res.statusCode !== 200) throw new Error(`login ${loginName} failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const body = res.json() as { csrfToken: string; user: { id: string } };
  return { cookie, csrf: body.csrfToken, userId: body.user.id };
}

export async function bearer(app: HttpApp, loginName: string, password = DEMO_PASSWORD): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { login: loginName, password } });
  if (res.statusCode !== 200) throw new Error(`token ${loginName} failed: ${res.statusCode} ${res.body}`);
  return (res.json() as { token: string }).token;
}

export function asSession(session: Session): Record<string, string> {
  return { cookie: session.cookie, 'x-csrf-token': session.csrf };
}

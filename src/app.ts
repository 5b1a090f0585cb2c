import fs from 'node:fs';
import path from 'node:path';
import { citySchema } from './app-schema.js';
import type { Config } from './config.js';
import { Cipher, deriveKeys, loadOrCreateSecretKey } from './platform/crypto.js';
import { openPglite, openPostgres, type Database } from './platform/db.js';
import { AppError } from './platform/errors.js';
import { EventDispatcher } from './platform/events.js';
import { createHttpApp, type HttpApp } from './platform/http.js';
import { JobRunner } from './platform/jobs.js';
import { createLogger, type Logger } from './platform/logger.js';
import { consoleSender, type MessageSender } from './platform/messaging.js';
import { migrate } from './platform/migrate.js';
import { AgenciesService, agencyRoutes } from './modules/agencies/index.js';
import { auditRoutes, AuditTrail } from './modules/audit/index.js';
import { ACCESS_CHANGED, identityRoutes, IdentityService, losesAccess, NikClaims, registerAuthentication, type AccessChanged, type Scope } from './modules/identity/index.js';
import { regionRoutes, RegionsService } from './modules/regions/index.js';
import { LocalFileStore, type FileStore } from './platform/files.js';
import { sweepUploads, UPLOAD_SWEEP_EVERY_MS, UPLOAD_SWEEP_JOB } from './platform/uploads.js';
import { registerMultipart } from './platform/multipart.js';
import { CategoriesService, DeadlineKeeper, exportRoutes, HolidaysService, NameDirectory, Open311Keys, open311Routes, reportRoutes, reportsLiveLayer, ReportsService, ReportStats, statsRoutes } from './modules/reports/index.js';
import { LiveHub } from './modules/command/index.js';
import { notificationRoutes, NotificationsService } from './modules/notifications/index.js';
import { z } from 'zod';

export const VERSION = (JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;

/** Everything a command or the server needs: the platform and the modules, wired once. */
export interface AppContext {
  config: Config;
  db: Database;
  log: Logger;
  cipher: Cipher;
  audit: AuditTrail;
  events: EventDispatcher;
  jobs: JobRunner;
  sender: MessageSender;
  regions: RegionsService;
  identity: IdentityService;
  nikClaims: NikClaims;
  agencies: AgenciesService;
  files: FileStore;
  reports: ReportsService;
  notifications: NotificationsService;
  open311Keys: Open311Keys;
  live: LiveHub;
  deadlines: DeadlineKeeper;
  /** Secret key generated just now (PGlite first start): the caller tells the operator to back it up. */
  generatedSecretKeyFile: string | undefined;
  close(): Promise<void>;
}

export interface ContextOptions {
  db?: Database;
  log?: Logger;
  sender?: MessageSender;
  /** Skip migrations (the caller already ran them). */
  skipMigrations?: boolean;
}

export async function openDatabase(config: Config): Promise<Database> {
  return config.database.kind === 'pglite' ? openPglite({ dataDir: config.database.dataDir }) : openPostgres(config.database.url, { max: config.database.poolMax });
}

export async function createContext(config: Config, options: ContextOptions = {}): Promise<AppContext> {
  const log = options.log ?? createLogger({ level: config.logLevel });
  let secret = config.secretKey;
  let generatedSecretKeyFile: string | undefined;
  if (!secret) {
    const loaded = loadOrCreateSecretKey(config.dataDir);
    secret = loaded.secret;
    if (loaded.generated) generatedSecretKeyFile = loaded.file;
  }
  const keys = deriveKeys(secret, config.previousSecretKeys);
  const db = options.db ?? (await openDatabase(config));
  try {
    if (!options.skipMigrations) await migrate(db);
  } catch (error) {
    if (!options.db) await db.close();
    throw error;
  }
  const cipher = new Cipher(keys);
  const audit = new AuditTrail(db, keys.audit);
  const events = new EventDispatcher(db, log);
  const jobs = new JobRunner(db, log, events);
  const sender = options.sender ?? consoleSender();
  const regions = new RegionsService(db, config.cityCode);
  // Identity names scopes through agencies and regions; agencies find their heads through identity.
  const scopeName = async (scope: Scope): Promise<string | null> => {
    if (scope.kind === 'opd') return agencies.name(scope.code);
    if (scope.kind === 'city') return scope.code === config.cityCode ? ((await regions.city())?.name ?? null) : null;
    const region = await regions.get(scope.code);
    const level = scope.kind === 'kecamatan' ? 'district' : 'village';
    if (region?.level !== level || !scope.code.startsWith(`${config.cityCode}.`)) return null;
    return `${scope.kind === 'kecamatan' ? 'Kecamatan' : 'Kelurahan'} ${region.name}`;
  };
  const identity: IdentityService = new IdentityService(db, cipher, audit, sender, { argon2: config.argon2, sessionTtlHours: config.sessionTtlHours, scopeName });
  const nikClaims = new NikClaims({
    db,
    cipher,
    audit,
    sender,
    scopeName,
    checkNik: (nik, birthDate) => identity.checkNik(nik, birthDate),
    issueSetupCode: (tx, userId, phone) => identity.issueSetupCode(tx, userId, phone),
  });
  const agencies: AgenciesService = new AgenciesService(db, audit, async (code) => {
    const head = await identity.findOfficerHead({ kind: 'opd', code });
    return head ? { id: head.id, name: head.name } : null;
  });
  const files = new LocalFileStore(config.filesDir);
  const holidays = new HolidaysService(db, audit, config.cityTimezone);
  const reports = new ReportsService(db, cipher, files, new CategoriesService(db, audit), holidays, regions, new NameDirectory(db), {
    cityCode: config.cityCode,
    timezone: config.cityTimezone,
    ...config.reports,
  });
  const notifications = new NotificationsService(db, cipher, audit, log, jobs, { publicUrl: config.publicUrl });
  notifications.subscribe(events, reports);
  // Data every installation needs; skipped by `migrate`, which opens the context before the tables exist.
  if (!options.skipMigrations) {
    await holidays.ensureSeeded();
    await notifications.ensureDefaultChannel();
  }
  const live = new LiveHub(db, log);
  live.layer('report.', reportsLiveLayer(reports));
  live.endAccessOn(ACCESS_CHANGED, (payload, principal) => losesAccess(payload as unknown as AccessChanged, principal), (principal) => identity.stillGrants(principal));
  const deadlines = new DeadlineKeeper(db, holidays, log, config.reports.autoCloseDays);
  jobs.every('reports.deadlines', 60_000, async () => {
    await deadlines.run();
  });
  jobs.every('identity.throttle_sweep', 3600_000, () => identity.sweepThrottling());
  jobs.every(UPLOAD_SWEEP_JOB, UPLOAD_SWEEP_EVERY_MS, async () => {
    await sweepUploads(db, files);
  });
  return {
    config,
    db,
    log,
    cipher,
    audit,
    events,
    jobs,
    sender,
    regions,
    identity,
    nikClaims,
    agencies,
    files,
    reports,
    notifications,
    open311Keys: new Open311Keys(db, audit),
    live,
    deadlines,
    generatedSecretKeyFile,
    async close() {
      await live.stop();
      await jobs.stop();
      await db.close();
    },
  };
}

export async function buildHttp(ctx: AppContext): Promise<HttpApp> {
  const city = await ctx.regions.city();
  /** GET /api/v1/city, also inlined in the web app's HTML. */
  const publicCity = async () => {
    const c = await ctx.regions.city();
    const demo = await ctx.db.maybeOne('select 1 from platform_settings where key = $1', ['demo_seeded_at']);
    return {
      code: ctx.config.cityCode,
      name: c?.name ?? ctx.config.cityCode,
      provinceName: c?.provinceName ?? '',
      timezone: ctx.config.cityTimezone,
      demo: Boolean(demo),
      mapTiles: ctx.config.mapTiles,
    };
  };
  const app = await createHttpApp({
    logger: ctx.log,
    trustProxy: ctx.config.trustProxy,
    tls: ctx.config.tls,
    webDistDir: ctx.config.webDistDir,
    version: VERSION,
    cityName: city?.name ?? ctx.config.cityCode,
    webBoot: async () => ({ city: await publicCity() }),
    publicUrl: ctx.config.publicUrl,
    mapTileUrl: ctx.config.mapTiles?.url,
  });
  registerAuthentication(app, ctx.identity);
  await registerMultipart(app);

  app.get(
    '/health',
    { schema: { tags: ['platform'], summary: 'Liveness and database check', response: { 200: z.object({ status: z.literal('ok'), database: z.enum(['pglite', 'postgresql']), version: z.string(), city: z.string() }) } } },
    async () => {
      // A monitor should see "unavailable", not a generic server error, when the database is down.
      await ctx.db.query('select 1').catch(() => {
        throw new AppError(503, 'database_unavailable', { id: 'Basis data tidak dapat dihubungi.', en: 'The database cannot be reached.' });
      });
      return { status: 'ok' as const, database: ctx.db.kind, version: VERSION, city: ctx.config.cityCode };
    },
  );
  app.get(
    '/api/v1/city',
    {
      schema: {
        tags: ['platform'],
        summary: 'The city this installation serves',
        response: { 200: citySchema },
      },
    },
    publicCity,
  );
  identityRoutes(app, ctx.identity, ctx.nikClaims);
  regionRoutes(app, ctx.regions);
  agencyRoutes(app, ctx.agencies);
  auditRoutes(app, ctx.audit);
  reportRoutes(app, ctx.reports, { db: ctx.db, decrypt: (v) => ctx.cipher.decrypt(v) });
  notificationRoutes(app, ctx.notifications);
  exportRoutes(app, ctx.reports, { db: ctx.db, audit: ctx.audit });
  statsRoutes(app, new ReportStats(ctx.db, ctx.reports.names), ctx.config.cityTimezone);
  ctx.live.routes(app);
  // Listening starts with the HTTP app that serves the stream (CLI commands never need it).
  await ctx.live.start();
  open311Routes(app, ctx.reports, ctx.open311Keys, { cityCode: ctx.config.cityCode, publicUrl: ctx.config.publicUrl, db: ctx.db, city: () => ctx.regions.city() });
  return app;
}

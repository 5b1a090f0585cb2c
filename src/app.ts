import fs from 'node:fs';
import path from 'node:path';
import { citySchema } from './app-schema.js';
import type { Config } from './config.js';
import { Cipher, deriveKeys, loadOrCreateSecretKey } from './platform/crypto.js';
import { openPglite, openPostgres, type Database } from './platform/db.js';
import { AppError } from './platform/errors.js';
import { EventDispatcher } from './platform/events.js';
import { openFileStore, type FileStore } from './platform/files.js';
import { createHttpApp, type HttpApp } from './platform/http.js';
import { JobRunner } from './platform/jobs.js';
import { createLogger, type Logger } from './platform/logger.js';
import { consoleSender, type MessageSender } from './platform/messaging.js';
import { migrate } from './platform/migrate.js';
import type { FeatureModule } from './platform/module.js';
import { registerMultipart } from './platform/multipart.js';
import { getSetting } from './platform/settings.js';
import { sweepUploads, UPLOAD_SWEEP_EVERY_MS, UPLOAD_SWEEP_JOB } from './platform/uploads.js';
import { agenciesModule, type AgenciesService } from './modules/agencies/index.js';
import { auditModule, type AuditTrail } from './modules/audit/index.js';
import { commandModule, type LiveHub } from './modules/command/index.js';
import { ACCESS_CHANGED, identityModule, losesAccess, type AccessChanged, type Identity, type Scope } from './modules/identity/index.js';
import { notificationsModule, type NotificationsService } from './modules/notifications/index.js';
import { regionsModule, type RegionsService } from './modules/regions/index.js';
import { anonymousReportersMergedInto, reportsModule, supportersOf, type DeadlineKeeper, type Open311Keys, type ReportsService } from './modules/reports/index.js';
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
  files: FileStore;
  /** Every module, in the order its hooks and routes are registered. */
  modules: FeatureModule[];
  // The modules' services, for the CLI, the demo seed and tests.
  regions: RegionsService;
  identity: Identity;
  agencies: AgenciesService;
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
  // Before the database: a wrong S3 setting stops the start at once, with nothing opened or migrated.
  const files = await openFileStore(config);
  const db = options.db ?? (await openDatabase(config));
  try {
    if (!options.skipMigrations) await migrate(db);
  } catch (error) {
    if (!options.db) await db.close();
    throw error;
  }
  const cipher = new Cipher(keys);
  const events = new EventDispatcher(db, log);
  const jobs = new JobRunner(db, log, events);
  const sender = options.sender ?? consoleSender();

  const audit = auditModule({ db, key: keys.audit });
  const regions = regionsModule({ db, cityCode: config.cityCode });
  // Identity names units through agencies and regions; agencies find their heads through identity.
  const scopeName = async (scope: Scope): Promise<string | null> => {
    if (scope.kind === 'opd') return agencies.service.name(scope.code);
    if (scope.kind === 'city') return scope.code === config.cityCode ? ((await regions.service.city())?.name ?? null) : null;
    const region = await regions.service.get(scope.code);
    const level = scope.kind === 'kecamatan' ? 'district' : 'village';
    if (region?.level !== level || !scope.code.startsWith(`${config.cityCode}.`)) return null;
    return `${scope.kind === 'kecamatan' ? 'Kecamatan' : 'Kelurahan'} ${region.name}`;
  };
  const identity = identityModule({ db, cipher, audit: audit.trail, sender, argon2: config.argon2, sessionTtlHours: config.sessionTtlHours, scopeName });
  const agencies = agenciesModule({
    db,
    audit: audit.trail,
    headOf: async (code) => {
      const head = await identity.accounts.findOfficerHead({ kind: 'opd', code });
      return head ? { id: head.id, name: head.name } : null;
    },
  });
  const reports = reportsModule({
    db,
    cipher,
    files,
    audit: audit.trail,
    log,
    regions: regions.service,
    neighbours: {
      nameAndPhone: (id, q) => identity.accounts.nameAndPhone(id, q),
      officerNames: (ids, q) => identity.accounts.officerNames(ids, q),
      headId: (unit, q) => identity.accounts.headId(unit, q),
      cityExtent: () => regions.service.extent(),
      areaNames: () => regions.service.areaNames(),
      isArea: (kind, code, q) => regions.service.isArea(kind, code, q),
      agencyNames: () => agencies.service.names(),
      agencyExists: (code, q) => agencies.service.exists(code, q),
    },
    options: { cityCode: config.cityCode, timezone: config.cityTimezone, publicUrl: config.publicUrl, ...config.reports },
  });
  const notifications = notificationsModule({
    db,
    cipher,
    audit: audit.trail,
    log,
    jobs,
    people: identity.accounts,
    reports: {
      row: (id, q) => reports.service.row(id, q),
      contactOf: (row) => reports.service.contactOf(row),
      supportersOf: (id, q = db) => supportersOf(q, id),
      anonymousReportersMergedInto: (id, q = db) => anonymousReportersMergedInto(q, id),
    },
    options: { publicUrl: config.publicUrl },
  });
  const command = commandModule({
    db,
    log,
    layers: { 'report.': reports.liveLayer },
    stats: reports.stats,
    timezone: config.cityTimezone,
    accessEnd: {
      topic: ACCESS_CHANGED,
      ends: (payload, principal) => losesAccess(payload as unknown as AccessChanged, principal),
      stillGranted: (principal) => identity.sessions.stillGrants(principal),
    },
  });
  const platformJobs: FeatureModule = {
    name: 'platform',
    jobs: [{ kind: UPLOAD_SWEEP_JOB, everyMs: UPLOAD_SWEEP_EVERY_MS, run: () => sweepUploads(db, files) }],
  };

  const modules: FeatureModule[] = [identity, regions, agencies, audit, reports, notifications, command, platformJobs];
  for (const module of modules) {
    for (const job of module.jobs ?? []) jobs.every(job.kind, job.everyMs, async () => void (await job.run()));
    module.subscribe?.(events);
  }
  // Data every installation needs; skipped by `migrate`, which opens the context before the tables exist.
  if (!options.skipMigrations) {
    await reports.ensureSeeded();
    await notifications.service.ensureDefaultChannel();
  }
  return {
    config,
    db,
    log,
    cipher,
    audit: audit.trail,
    events,
    jobs,
    sender,
    files,
    modules,
    regions: regions.service,
    identity,
    agencies: agencies.service,
    reports: reports.service,
    notifications: notifications.service,
    open311Keys: reports.open311Keys,
    live: command.live,
    deadlines: reports.deadlines,
    generatedSecretKeyFile,
    async close() {
      await command.live.stop();
      await jobs.stop();
      await db.close();
      files.close?.();
    },
  };
}

export async function buildHttp(ctx: AppContext): Promise<HttpApp> {
  const city = await ctx.regions.city();
  /** GET /api/v1/city, also inlined in the web app's HTML. */
  const publicCity = async () => {
    const c = await ctx.regions.city();
    const demo = await getSetting(ctx.db, 'demo_seeded_at');
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
    // The shell inlines what a page needs of it (the categories on /lapor only: src/platform/web-shell.ts).
    webBoot: async () => ({ city: await publicCity(), categories: await ctx.reports.categories.list() }),
    publicUrl: ctx.config.publicUrl,
    mapTileUrl: ctx.config.mapTiles?.url,
  });
  for (const module of ctx.modules) module.hooks?.(app);
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
  for (const module of ctx.modules) await module.routes?.(app);
  return app;
}

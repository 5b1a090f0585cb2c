/**
 * Reports' public face: `reportsModule` builds the module (intake and workflow, categories, holidays,
 * the deadline and rollup jobs, Open311, export, statistics, the live layer) for app.ts, and exports
 * what other modules call: the report lookups notifications need, the statistics the command center
 * shows, the demo city's history, and names of statuses.
 */
import type { AuditRecorder } from '../../platform/audit.js';
import type { Cipher } from '../../platform/crypto.js';
import type { Database } from '../../platform/db.js';
import type { FileStore } from '../../platform/files.js';
import type { Logger } from '../../platform/logger.js';
import type { LiveLayer } from '../../platform/live.js';
import type { FeatureModule } from '../../platform/module.js';
import type { Principal } from '../identity/index.js';
import type { RegionsService } from '../regions/index.js';
import { CategoriesService } from './categories.js';
import { DeadlineKeeper, deadlinesJob } from './escalation-job.js';
import { exportRoutes } from './export.js';
import { HolidaysService } from './holidays.js';
import { reportsLiveLayer } from './live.js';
import { NameDirectory } from './names.js';
import type { Neighbours } from './neighbours.js';
import { Open311Keys } from './open311/keys.js';
import { open311Routes } from './open311/routes.js';
import { reportRoutes } from './routes.js';
import { ReportsService, type ReportsOptions } from './service.js';
import { ReportStats } from './stats.js';

export { DEMO_CATEGORIES } from './demo-categories.js';
export { backdateReport, type DemoLife } from './demo-history.js';
export type { DeadlineKeeper } from './escalation-job.js';
export type { Neighbours } from './neighbours.js';
export type { Open311Keys } from './open311/keys.js';
export { anonymousReportersMergedInto, supportersOf } from './repository.js';
export type { ReportsService, Contact, HandlerKind, ReportRow } from './service.js';
export type { ReportStats, StatsWindow } from './stats.js';
export { agencyFiguresSchema, figuresSchema, kecamatanFiguresSchema, reportClusterSchema, statsWindowSchema, trendDaySchema } from './schema.js';
export { statusName, type ReportStatus, type TransitionAction } from './workflow.js';

export interface ReportsDeps {
  db: Database;
  cipher: Cipher;
  files: FileStore;
  audit: AuditRecorder;
  log: Logger;
  /** Point → kelurahan for intake. */
  regions: RegionsService;
  /** What reports asks of identity, regions and agencies (see neighbours.ts). */
  neighbours: Neighbours;
  options: ReportsOptions & { publicUrl: string | undefined };
}

export interface ReportsModule extends FeatureModule {
  service: ReportsService;
  open311Keys: Open311Keys;
  /** The escalation ladder and deadlines, run by the job (the demo replays its past with it). */
  deadlines: DeadlineKeeper;
  /** The command center's statistics. */
  stats: ReportStats;
  /** What each viewer of the live stream may see of `report.*` events. */
  liveLayer: LiveLayer<Principal>;
  /** Data every installation needs: the holiday calendar. */
  ensureSeeded(): Promise<void>;
}

/** Builds the reports module. */
export function reportsModule(deps: ReportsDeps): ReportsModule {
  const { db, audit, options } = deps;
  const holidays = new HolidaysService(db, audit, options.timezone);
  const names = new NameDirectory(db, deps.neighbours);
  const service = new ReportsService(db, deps.cipher, deps.files, new CategoriesService(db, audit, deps.neighbours.agencyExists), holidays, deps.regions, names, deps.neighbours, options);
  const open311Keys = new Open311Keys(db, audit);
  const deadlines = new DeadlineKeeper(db, holidays, deps.log, options.autoCloseDays, deps.neighbours);
  const stats = new ReportStats(db, names);
  return {
    name: 'reports',
    service,
    open311Keys,
    deadlines,
    stats,
    routes: (app) => {
      reportRoutes(app, service);
      exportRoutes(app, service, { db, audit });
      open311Routes(app, service, open311Keys, { cityCode: options.cityCode, publicUrl: options.publicUrl, city: () => deps.regions.city() });
    },
    jobs: [
      deadlinesJob(deadlines),
      // The statistics read rollup + appended facts either way; folding keeps the appended part small.
      { kind: 'reports.rollups', everyMs: 30_000, run: () => stats.foldRollups() },
    ],
    liveLayer: reportsLiveLayer(service),
    ensureSeeded: async () => void (await holidays.ensureSeeded()),
  };
}

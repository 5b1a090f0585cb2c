/**
 * Reports' public face: the services and routes app.ts wires (intake and workflow, categories,
 * holidays, deadlines and their job, Open311, export, statistics, the live layer) and what other modules read.
 */
export { CategoriesService } from './categories.js';
export { DEMO_CATEGORIES } from './demo-categories.js';
export { DeadlineKeeper, deadlinesJob } from './escalation-job.js';
export { exportRoutes } from './export.js';
export { HolidaysService } from './holidays.js';
export { reportsLiveLayer } from './live.js';
export { NameDirectory } from './names.js';
export { Open311Keys } from './open311/keys.js';
export { open311Routes } from './open311/routes.js';
export { reportRoutes } from './routes.js';
export { ReportsService, type Contact, type HandlerKind, type ReportRow } from './service.js';
export { ReportStats, statsRoutes } from './stats.js';
export { statusName, type ReportStatus, type TransitionAction } from './workflow.js';

/**
 * The JSON API's types for the web app, inferred from the route schemas (zod): what the server sends is
 * what the web app's code is checked against. TYPES ONLY — web/tsconfig.json maps `@api` to this file and
 * the web app imports it with `import type`, so none of the server's code (nor zod) reaches its bundle.
 * Add a type here when the web app starts using another answer; never export a value from this file.
 * Import only from schema files (no node:* imports, no Fastify): the web app's type check reads them too.
 */
import type { z } from 'zod';
import type { citySchema } from './app-schema.js';
import type { channelTestResultSchema } from './modules/notifications/schema.js';
import type { categoryViewSchema, reportClusterSchema, reportDetailSchema, timelineEntrySchema } from './modules/reports/schema.js';

export type { Agency } from './modules/agencies/schema.js';
export type { ApiErrorBody } from './platform/http.js';
export type { ClaimOnMyNik, LoginBody, Me, PendingNikClaim, PrivacyNotice, RegisterBody, SessionResponse, TokenResponse } from './modules/identity/schema.js';
export type { ChannelView, DeliveryView } from './modules/notifications/schema.js';
export type { BoundaryImportResult, RegionNode } from './modules/regions/schema.js';
export type { AgencyFigures, Figures, Holiday, KecamatanFigures, Open311Key, PublicReportView, ReportView, TrendDay } from './modules/reports/schema.js';

/** `GET /api/v1/city`: the city this installation serves (also inlined in the page). */
export type City = z.infer<typeof citySchema>;

/** A report category as `GET /api/v1/report-categories` lists it. */
export type CategoryView = z.infer<typeof categoryViewSchema>;

/** `GET /api/v1/reports/:ref`: a report with its timeline and, for officers, possible duplicates. */
export type ReportDetailView = z.infer<typeof reportDetailSchema>;
/** One entry of a report's timeline (also the answer to a comment). */
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

/** A cell of the command map's grid (`GET /api/v1/stats/map`). */
export type ReportCluster = z.infer<typeof reportClusterSchema>;

/** The answer to a notification channel's test message (admin). */
export type ChannelTestResult = z.infer<typeof channelTestResultSchema>;

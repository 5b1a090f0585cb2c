/**
 * The JSON API's types for the web app, inferred from the route schemas (zod): what the server sends is
 * what the web app's code is checked against. TYPES ONLY — web/tsconfig.json maps `@api` to this file and
 * the web app imports it with `import type`, so none of the server's code (nor zod) reaches its bundle.
 * Add a type here when the web app starts using another answer; never export a value from this file.
 */
import type { z } from 'zod';
import type { categoryViewSchema } from './modules/reports/schema.js';

export type { ApiErrorBody, LoginBody, Me, PrivacyNotice, RegisterBody, SessionResponse, TokenResponse } from './modules/identity/schema.js';
export type { PublicReportView, ReportView } from './modules/reports/schema.js';

/** A report category as `GET /api/v1/report-categories` lists it. */
export type CategoryView = z.infer<typeof categoryViewSchema>;

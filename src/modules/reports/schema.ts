import { z } from 'zod';
import { calendarDate } from '../../platform/input.js';
import { REPORT_STATUSES, TRANSITION_ACTIONS } from './workflow.js';

const named = z.object({ code: z.string(), name: z.string() });
const localised = z.object({ id: z.string(), en: z.string() });

export const photoSchema = z.object({
  id: z.string(),
  purpose: z.enum(['report', 'resolution']),
  url: z.string(),
  thumbnailUrl: z.string(),
  width: z.number(),
  height: z.number(),
  moderation: z.enum(['pending', 'approved', 'rejected']).optional(),
});

export const timelineEntrySchema = z.object({
  id: z.number(),
  kind: z.string(),
  fromStatus: z.enum(REPORT_STATUSES).nullable(),
  toStatus: z.enum(REPORT_STATUSES).nullable(),
  /** "Pelapor", "Kelurahan Ramanuju", "DPUPR", "Sistem" — never a citizen's name. */
  actor: z.string(),
  /** The officer's own name, for officers only. */
  actorName: z.string().optional(),
  internal: z.boolean(),
  note: z.string().nullable(),
  data: z.record(z.string(), z.unknown()).optional(),
  at: z.string(),
});

const dueSchema = z.object({ at: z.string(), text: z.string(), overdue: z.boolean() }).nullable();

/** A report as its reporter and the officers in scope see it. */
export const reportSchema = z.object({
  id: z.string(),
  trackingNo: z.string(),
  category: z.object({ code: z.string(), name: z.string(), icon: z.string() }),
  description: z.string(),
  location: z.object({ lat: z.number(), lng: z.number() }).nullable(),
  kelurahan: named.nullable(),
  kecamatan: named.nullable(),
  address: z.string().nullable(),
  answers: z.record(z.string(), z.unknown()),
  privacy: z.enum(['public', 'confidential', 'anonymous']),
  channel: z.string(),
  status: z.enum(REPORT_STATUSES),
  statusName: z.string(),
  emergency: z.boolean(),
  priority: z.number(),
  supportCount: z.number(),
  agency: named,
  handler: z.object({ kind: z.enum(['kelurahan', 'kecamatan', 'opd', 'coordinator']), code: z.string(), name: z.string() }),
  instruction: z.string().nullable().optional(),
  due: dueSchema,
  resolveDue: dueSchema,
  escalationLevel: z.number(),
  escalated: z.boolean(),
  submittedAt: z.string(),
  updatedAt: z.string(),
  resolvedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  rating: z.number().nullable(),
  resolutionNote: z.string().nullable(),
  statusReason: z.string().nullable(),
  mergedInto: z.string().nullable(),
  reporter: z.object({ name: z.string(), phoneMasked: z.string().nullable(), hasAccount: z.boolean() }).nullable().optional(),
  photos: z.array(photoSchema),
  /** The workflow actions this viewer may take now. */
  actions: z.array(z.enum(TRANSITION_ACTIONS)),
  canComment: z.boolean(),
  canNote: z.boolean(),
  /** Whether this viewer may approve or reject the report's photos for the public. */
  canModeratePhotos: z.boolean(),
  canSupport: z.boolean(),
  isMine: z.boolean(),
  disputeUntil: z.string().nullable(),
});
export type ReportView = z.infer<typeof reportSchema>;

/** What anyone may see: verified reports, no reporter, approved photos; confidential ones reduced further. */
export const publicReportSchema = z.object({
  id: z.string(),
  trackingNo: z.string(),
  category: z.object({ code: z.string(), name: z.string(), icon: z.string() }),
  confidential: z.boolean(),
  description: z.string().nullable(),
  location: z.object({ lat: z.number(), lng: z.number() }).nullable(),
  kelurahan: named.nullable(),
  kecamatan: named.nullable(),
  address: z.string().nullable(),
  status: z.enum(REPORT_STATUSES),
  statusName: z.string(),
  agency: named.nullable(),
  supportCount: z.number(),
  submittedAt: z.string(),
  updatedAt: z.string(),
  resolvedAt: z.string().nullable(),
  resolutionNote: z.string().nullable(),
  photos: z.array(photoSchema),
  distanceMeters: z.number().optional(),
});
export type PublicReportView = z.infer<typeof publicReportSchema>;

export const categoryViewSchema = z.object({
  code: z.string(),
  name: localised,
  description: localised.nullable(),
  group: z.string(),
  icon: z.string(),
  agencyCode: z.string(),
  firstHandler: z.enum(['kelurahan', 'opd']),
  emergency: z.boolean(),
  deadlineUnit: z.enum(['working_days', 'hours']),
  deadlines: z.object({ verify: z.number(), dispatch: z.number(), resolve: z.number() }),
  questions: z.array(
    z.object({
      code: z.string(),
      label: localised,
      datatype: z.string(),
      required: z.boolean(),
      values: z.array(z.object({ key: z.string(), name: localised })).optional(),
      order: z.number(),
    }),
  ),
  active: z.boolean(),
  sortOrder: z.number(),
});

export const listFiltersSchema = z.object({
  status: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(',').filter(Boolean) : undefined))
    .pipe(z.array(z.enum(REPORT_STATUSES)).optional()),
  category: z.string().max(40).optional(),
  kelurahan: z.string().max(20).optional(),
  kecamatan: z.string().max(20).optional(),
  agency: z.string().max(40).optional(),
  /** Only what my unit holds now. */
  mine: z.enum(['true', 'false']).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  escalated: z.enum(['true', 'false']).optional(),
  emergency: z.enum(['true', 'false']).optional(),
  /** Tracking number, or words of the description. */
  q: z.string().max(100).optional(),
  from: calendarDate().optional(),
  to: calendarDate().optional(),
  sort: z.enum(['due', 'newest', 'priority']).default('due'),
});
export type ListFilters = z.infer<typeof listFiltersSchema>;

/** One report with its timeline (`GET /api/v1/reports/:ref`, and the answer to a workflow action). */
export const reportDetailSchema = z.object({
  report: reportSchema,
  timeline: z.array(timelineEntrySchema),
  duplicates: z.array(z.object({ trackingNo: z.string(), status: z.enum(REPORT_STATUSES), distanceMeters: z.number(), submittedAt: z.string() })),
});

/** A holiday or cuti bersama day, which working-day deadlines skip. */
export const holidaySchema = z.object({ date: z.string(), name: z.string(), kind: z.enum(['public', 'cuti_bersama']), source: z.enum(['date-holidays', 'admin']) });
export type Holiday = z.infer<typeof holidaySchema>;

/** An Open311 API key as the admin sees it (never the key itself, only its prefix). */
export const open311KeySchema = z.object({ id: z.string(), name: z.string(), prefix: z.string(), createdAt: z.string(), revokedAt: z.string().nullable(), lastUsedAt: z.string().nullable() });
export type Open311Key = z.infer<typeof open311KeySchema>;

// --- statistics (src/modules/reports/stats.ts) ------------------------------------------------------

export const statsWindowSchema = z.object({ from: z.string(), to: z.string() });

export const figuresSchema = z.object({
  new: z.number(),
  open: z.number(),
  overdue: z.number(),
  escalated: z.number(),
  resolved: z.number(),
  emergencyOpen: z.number(),
  /** Median hours from submission to resolution, of those resolved in the window. */
  medianHoursToResolve: z.number().nullable(),
  /** Of those resolved in the window with a deadline, the share resolved by it (0–1). */
  resolvedWithinDeadline: z.number().nullable(),
});
export type Figures = z.infer<typeof figuresSchema>;

/** The figures of one OPD. */
export const agencyFiguresSchema = figuresSchema.extend({ code: z.string(), name: z.string() });
export type AgencyFigures = z.infer<typeof agencyFiguresSchema>;

/** The figures of one kecamatan; `code` null for reports outside every kecamatan. */
export const kecamatanFiguresSchema = figuresSchema.extend({ code: z.string().nullable(), name: z.string() });
export type KecamatanFigures = z.infer<typeof kecamatanFiguresSchema>;

/** One day of the city's calendar: reports submitted, resolved, and (of those submitted) escalated. */
export const trendDaySchema = z.object({ day: z.string(), submitted: z.number(), resolved: z.number(), escalated: z.number() });
export type TrendDay = z.infer<typeof trendDaySchema>;

/** Reports in one cell of the map's grid; a cell holding one report comes back as that report. */
export const reportClusterSchema = z.object({
  lat: z.number(),
  lng: z.number(),
  count: z.number(),
  open: z.number(),
  overdue: z.number(),
  emergency: z.number(),
  report: z.object({ id: z.string(), trackingNo: z.string(), status: z.string(), category: z.string() }).optional(),
});

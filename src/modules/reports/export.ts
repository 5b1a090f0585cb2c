import { z } from 'zod';
import type { Database, Queryable } from '../../platform/db.js';
import { errorSchema, requestMeta, type HttpApp } from '../../platform/http.js';
import { fileResponse } from '../../platform/multipart.js';
import { csvStream, xlsxStream, type Cell, type Column } from '../../platform/tabular.js';
import type { AuditRecorder } from '../../platform/audit.js';
import { reportsPolicy } from './policy.js';
import type { Names } from './names.js';
import { listWhere, type Where } from './queries.js';
import { listFiltersSchema } from './schema.js';
import type { ReportRow, ReportsService } from './service.js';
import { OPEN_STATUSES, statusName } from './workflow.js';

/**
 * What an export reads of a report: its own columns, its times as epoch milliseconds (a million rows
 * of timestamps parsed from text cost seconds), and the exact moment its page ends at (`cursor_at`,
 * text with microseconds, so that the next page neither skips nor repeats a report).
 */
type ExportRow = Pick<
  ReportRow,
  | 'id' | 'tracking_no' | 'category_code' | 'status' | 'emergency' | 'priority' | 'support_count' | 'kelurahan_code' | 'kecamatan_code' | 'agency_code'
  | 'handler_kind' | 'handler_code' | 'address' | 'lat' | 'lng' | 'channel' | 'privacy' | 'escalation_count' | 'rating' | 'description'
> & { submitted_ms: number; due_ms: number | null; resolve_due_ms: number | null; resolved_ms: number | null; closed_ms: number | null; cursor_at: string };
const epochMs = (column: string, as: string) => `floor(extract(epoch from ${column}) * 1000)::int8 as ${as}`;
/** The columns an export reads (bench/export-1m.ts times `COPY` of the same query beside it). */
export const EXPORT_SELECT = [
  'id, tracking_no, category_code, status, emergency, priority, support_count, kelurahan_code, kecamatan_code, agency_code, handler_kind, handler_code',
  'address, lat, lng, channel, privacy, escalation_count, rating, description',
  epochMs('submitted_at', 'submitted_ms'),
  epochMs('due_at', 'due_ms'),
  epochMs('resolve_due_at', 'resolve_due_ms'),
  epochMs('resolved_at', 'resolved_ms'),
  epochMs('closed_at', 'closed_ms'),
  'submitted_at::text as cursor_at',
].join(', ');
/**
 * Rows per page. Small enough that a page's rows die young (a page that lives through two of V8's
 * young-generation collections is copied into the old generation, whose garbage grew the process by
 * ~90 MB in a million-row XLSX export at 1000 rows), large enough that the query per page stays cheap.
 */
const EXPORT_PAGE = 250;

const dateOf = (ms: number | null) => (ms === null ? null : new Date(ms));

/**
 * Every report the filter selects, newest first, a page at a time. The next page is asked for as soon
 * as a page arrives, so the database reads it while this page is written out.
 */
async function* exportPages(db: Queryable, where: () => Where): AsyncGenerator<ExportRow[]> {
  const page = (after?: ExportRow): Promise<ExportRow[]> => {
    const w = where();
    if (after) w.add((p) => `(submitted_at, id) < (${p(after.cursor_at)}::timestamptz, ${p(after.id)}::uuid)`);
    const rows = db.query<ExportRow>(`select ${EXPORT_SELECT} from reports ${w} order by submitted_at desc, id desc limit ${EXPORT_PAGE}`, w.params);
    // A consumer that gives up leaves its last prefetch unread: its failure must not be an unhandled rejection.
    rows.catch(() => undefined);
    return rows;
  };
  let next = page();
  for (;;) {
    const rows = await next;
    if (rows.length === EXPORT_PAGE) next = page(rows.at(-1));
    yield rows;
    if (rows.length < EXPORT_PAGE) return;
  }
}

/** Columns of an export. No reporter: exports leave the platform, personal data stays in it. */
export const EXPORT_COLUMNS: (Column & { value: (r: ExportRow, n: Names, now: Date) => Cell })[] = [
  { header: 'Nomor laporan', width: 16, value: (r) => r.tracking_no },
  { header: 'Kategori', width: 28, value: (r, n) => n.category(r.category_code).name.id },
  { header: 'Status', width: 16, value: (r) => statusName(r.status, 'id') },
  { header: 'Darurat', width: 8, value: (r) => r.emergency },
  { header: 'Prioritas', width: 9, value: (r) => r.priority },
  { header: 'Dukungan', width: 9, value: (r) => r.support_count },
  { header: 'Kelurahan', width: 18, value: (r, n) => n.region(r.kelurahan_code)?.name ?? '' },
  { header: 'Kecamatan', width: 16, value: (r, n) => n.region(r.kecamatan_code)?.name ?? '' },
  { header: 'OPD', width: 14, value: (r, n) => n.agency(r.agency_code).shortName },
  { header: 'Penangan', width: 22, value: (r, n) => n.unit(r.handler_kind, r.handler_code) },
  { header: 'Alamat', width: 30, value: (r) => r.address },
  { header: 'Lintang', width: 11, value: (r) => r.lat },
  { header: 'Bujur', width: 11, value: (r) => r.lng },
  { header: 'Saluran', width: 10, value: (r) => r.channel },
  { header: 'Privasi', width: 12, value: (r) => r.privacy },
  { header: 'Diajukan', width: 17, value: (r) => new Date(r.submitted_ms) },
  { header: 'Tenggat tahap', width: 17, value: (r) => dateOf(r.due_ms) },
  { header: 'Tenggat penyelesaian', width: 17, value: (r) => dateOf(r.resolve_due_ms) },
  { header: 'Terlambat', width: 9, value: (r, _n, now) => OPEN_STATUSES.includes(r.status) && r.due_ms !== null && r.due_ms < now.getTime() },
  { header: 'Eskalasi', width: 8, value: (r) => r.escalation_count },
  { header: 'Selesai', width: 17, value: (r) => dateOf(r.resolved_ms) },
  { header: 'Ditutup', width: 17, value: (r) => dateOf(r.closed_ms) },
  { header: 'Penilaian', width: 9, value: (r) => r.rating },
  { header: 'Uraian', width: 60, value: (r) => r.description },
];

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const;

export function exportRoutes(app: HttpApp, reports: ReportsService, deps: { db: Database; audit: AuditRecorder }): void {
  app.get(
    '/api/v1/reports/export.:format',
    {
      schema: {
        tags: ['reports'],
        summary: 'Export the reports in my scope with the current filters, as CSV or XLSX (streamed)',
        params: z.object({ format: z.enum(['csv', 'xlsx']) }),
        querystring: listFiltersSchema.omit({ sort: true }),
        response: { 200: fileResponse('The reports, one row each', Object.values(CONTENT_TYPES)), 400: errorSchema, 401: errorSchema, 403: errorSchema },
      },
    },
    async (request, reply) => {
      const p = reportsPolicy.authorize(request.principal, 'reports.export');
      const filters = request.query;
      const timezone = reports.options.timezone;
      const names = await reports.names.get();
      const now = new Date();
      const source = exportPages(deps.db, () => listWhere(p, filters, timezone));
      // The first page is read before the audit entry is written: a query the database refuses fails
      // here, as an error answer and with no entry claiming an export that never happened.
      const first = await source.next();
      await deps.audit.append({ actor: { id: p.userId, label: p.role }, action: 'reports.exported', ip: requestMeta(request).ip, details: { format: request.params.format, filters } });
      async function* rows(): AsyncGenerator<Cell[]> {
        for (let page = first; !page.done; page = await source.next()) for (const row of page.value) yield EXPORT_COLUMNS.map((c) => c.value(row, names, now));
      }
      const stamp = new Date().toISOString().slice(0, 10);
      const stream =
        request.params.format === 'csv' ? csvStream(EXPORT_COLUMNS, rows(), { timezone }) : xlsxStream(EXPORT_COLUMNS, rows(), { timezone, sheetName: 'Laporan' });
      return reply
        .type(CONTENT_TYPES[request.params.format])
        .header('content-disposition', `attachment; filename="laporan-${stamp}.${request.params.format}"`)
        .header('cache-control', 'no-store')
        .send(stream);
    },
  );
}

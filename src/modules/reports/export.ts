import { z } from 'zod';
import type { Database } from '../../platform/db.js';
import { errorSchema, requestMeta, type HttpApp } from '../../platform/http.js';
import { fileResponse } from '../../platform/multipart.js';
import { csvStream, xlsxStream, type Cell, type Column } from '../../platform/tabular.js';
import type { AuditRecorder } from '../../platform/audit.js';
import { reportsPolicy } from './policy.js';
import type { Names } from './names.js';
import { allReports, listWhere } from './queries.js';
import { listFiltersSchema } from './schema.js';
import type { ReportRow, ReportsService } from './service.js';
import { OPEN_STATUSES, statusName } from './workflow.js';

type ExportRow = Pick<
  ReportRow,
  | 'id' | 'tracking_no' | 'category_code' | 'status' | 'emergency' | 'priority' | 'support_count' | 'kelurahan_code' | 'kecamatan_code' | 'agency_code'
  | 'handler_kind' | 'handler_code' | 'address' | 'lat' | 'lng' | 'channel' | 'privacy' | 'submitted_at' | 'due_at' | 'resolve_due_at'
  | 'escalation_count' | 'resolved_at' | 'closed_at' | 'rating' | 'description'
>;
const EXPORT_SELECT =
  'id, tracking_no, category_code, status, emergency, priority, support_count, kelurahan_code, kecamatan_code, agency_code, handler_kind, handler_code, ' +
  'address, lat, lng, channel, privacy, submitted_at, due_at, resolve_due_at, escalation_count, resolved_at, closed_at, rating, description';

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
  { header: 'Diajukan', width: 17, value: (r) => r.submitted_at },
  { header: 'Tenggat tahap', width: 17, value: (r) => r.due_at },
  { header: 'Tenggat penyelesaian', width: 17, value: (r) => r.resolve_due_at },
  { header: 'Terlambat', width: 9, value: (r, _n, now) => OPEN_STATUSES.includes(r.status) && r.due_at !== null && r.due_at < now },
  { header: 'Eskalasi', width: 8, value: (r) => r.escalation_count },
  { header: 'Selesai', width: 17, value: (r) => r.resolved_at },
  { header: 'Ditutup', width: 17, value: (r) => r.closed_at },
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
      const source = allReports<ExportRow>(deps.db, () => listWhere(p, filters, timezone), EXPORT_SELECT);
      // The first batch is read before the audit entry is written: a query the database refuses fails
      // here, as an error answer and with no entry claiming an export that never happened.
      const first = await source.next();
      await deps.audit.append({ actor: { id: p.userId, label: p.role }, action: 'reports.exported', ip: requestMeta(request).ip, details: { format: request.params.format, filters } });
      async function* rows(): AsyncGenerator<Cell[]> {
        for (let r = first; !r.done; r = await source.next()) yield EXPORT_COLUMNS.map((c) => c.value(r.value, names, now));
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

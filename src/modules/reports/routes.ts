import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errors } from '../../platform/errors.js';
import { errorSchema, type HttpApp } from '../../platform/http.js';
import { coordinate } from '../../platform/input.js';
import { fileResponse, formObject, readFormBody, type FormBody } from '../../platform/multipart.js';
import { normalisePhone, type Principal } from '../identity/index.js';
import { reportsPolicy } from './policy.js';
import { reportAdminRoutes } from './admin-routes.js';
import type { Origin, SubmitInput } from './intake.js';
import { PHOTO_MAX_BYTES, PHOTO_TYPES } from './photos.js';
import { presentPublic, presentReport, presentTimeline } from './present.js';
import type { PhotoRow, ReportRow } from './repository.js';
import { listFiltersSchema, publicReportSchema, reportDetailSchema, reportSchema, timelineEntrySchema } from './schema.js';
import type { ReportsService } from './service.js';
import { PUBLIC_STATUSES, TRANSITION_ACTIONS, type TransitionAction } from './workflow.js';

/**
 * Reports' routes for citizens, officers and the public: filing and the reports nearby, the inbox and
 * one report, workflow actions, comments, support, photos, escalations, and the public feed. The admin's
 * categories and holidays are in admin-routes.ts, Open311 in open311/, the export and statistics in
 * export.ts and stats.ts.
 */

export const MAX_PHOTOS = 5;

const errs = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 413: errorSchema, 415: errorSchema, 422: errorSchema };

/** The fields of a new report, from JSON or from a multipart form (where everything is text). */
const submitFields = z.object({
  categoryCode: z.string().min(1).max(40),
  description: z.string().trim().min(10, 'minimal 10 karakter').max(5000),
  lat: coordinate(-90, 90).optional(),
  lng: coordinate(-180, 180).optional(),
  kelurahanCode: z.string().max(20).optional(),
  address: z.string().max(500).optional(),
  answers: formObject(z.record(z.string(), z.unknown())).optional(),
  privacy: z.enum(['public', 'confidential', 'anonymous']).default('public'),
  // An officer entering a report that came another way.
  channel: z.enum(['phone', 'walk_in', 'whatsapp', 'sp4n_lapor']).optional(),
  contactName: z.string().max(200).optional(),
  contactPhone: z.string().max(30).optional(),
  contactEmail: z.email().max(200).optional(),
}).refine((f) => (f.lat === undefined) === (f.lng === undefined), { message: 'lat dan lng harus diisi bersama', path: ['lng'] });

const submitForm: FormBody<typeof submitFields> = { fields: submitFields, files: { field: 'photos', maxFiles: MAX_PHOTOS, maxFileBytes: PHOTO_MAX_BYTES, types: PHOTO_TYPES } };

const transitionBody = z.object({
  note: z.string().trim().max(3000).optional(),
  target: formObject(z.object({ kind: z.enum(['opd', 'kelurahan', 'kecamatan']), code: z.string().max(40) })).optional(),
  intoTrackingNo: z.string().max(30).optional(),
  rating: z.coerce.number().int().min(1).max(5).optional(),
});

/** `resolve` may bring one photo of the work done. */
const transitionForm: FormBody<typeof transitionBody> = { fields: transitionBody, files: { field: 'photo', maxFiles: 1, maxFileBytes: PHOTO_MAX_BYTES, types: PHOTO_TYPES } };

const idempotencyKeySchema = z.string().min(8).max(200).regex(/^[\x21-\x7e]+$/);

/** Registers reports' routes for citizens, officers and the public, and the admin's (admin-routes.ts). */
export function reportRoutes(app: HttpApp, reports: ReportsService): void {
  const tags = ['reports'];
  const ctxOf = (request: FastifyRequest) => reports.presentContext(request.lang);

  const detail = async (request: FastifyRequest, row: ReportRow, viewer: Principal) => {
    const ctx = await ctxOf(request);
    const d = await reports.detail(row, viewer);
    return {
      report: { ...presentReport(row, viewer, ctx, { photos: d.photos, reporter: d.reporter, supported: d.supported }), mergedInto: d.mergedInto },
      timeline: presentTimeline(d.events, row, viewer, d.officerNames),
      duplicates: d.duplicates.map((r) => ({ trackingNo: r.tracking_no, status: r.status, distanceMeters: Math.round(r.distance_m), submittedAt: r.submitted_at.toISOString() })),
    };
  };

  reportAdminRoutes(app, reports);

  // --- intake -----------------------------------------------------------------------------------------
  app.post(
    '/api/v1/reports',
    {
      schema: {
        tags,
        summary: 'Submit a report (citizen), or enter one that came by phone, walk-in, WhatsApp or SP4N-LAPOR! (officer)',
        description:
          'JSON, or multipart/form-data with the same fields and up to 5 `photos` (JPEG, PNG or WebP; `answers` as a JSON string). ' +
          'An `Idempotency-Key` header makes a retry return the same report (201, header `Idempotent-Replayed: true`).',
        headers: z.object({ 'idempotency-key': idempotencyKeySchema.optional() }).passthrough(),
        formBody: submitForm,
        response: { 201: z.object({ report: reportSchema }), ...errs },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (!principal) throw errors.unauthenticated();
      const { fields, files: photos } = await readFormBody(request, submitForm);
      let origin: Origin;
      if (principal.role === 'citizen') {
        reportsPolicy.authorize(principal, 'reports.create');
        origin = { kind: 'citizen', principal };
      } else {
        reportsPolicy.authorize(principal, 'reports.create_for_citizen');
        if (!fields.channel) {
          throw errors.badRequest('channel_required', { id: 'Pilih saluran asal laporan (telepon, datang langsung, WhatsApp, SP4N-LAPOR!).', en: 'Choose the channel the report came by.' }, { field: 'channel' });
        }
        origin = { kind: 'officer', principal, channel: fields.channel, contact: contactOf(fields.contactName, fields.contactPhone, fields.contactEmail) };
      }
      const input: SubmitInput = {
        categoryCode: fields.categoryCode,
        description: fields.description,
        lat: fields.lat,
        lng: fields.lng,
        kelurahanCode: fields.kelurahanCode,
        address: fields.address,
        answers: fields.answers,
        privacy: fields.privacy,
        photos,
        idempotencyKey: request.headers['idempotency-key'] as string | undefined,
      };
      const { report, replayed } = await reports.submit(input, origin);
      if (replayed) reply.header('idempotent-replayed', 'true');
      const ctx = await ctxOf(request);
      const reporter = principal.kind === 'officer' ? await reports.queries.reporterOf(report) : null;
      return reply.status(201).send({ report: presentReport(report, principal, ctx, { photos: photos.length ? await reports.queries.photos(report.id) : [], reporter }) });
    },
  );

  app.get(
    '/api/v1/reports/nearby',
    {
      schema: {
        tags,
        summary: 'Open reports of the same category nearby: support one instead of filing again',
        querystring: z.object({ category: z.string().max(40), lat: coordinate(-90, 90), lng: coordinate(-180, 180) }),
        response: { 200: z.object({ reports: z.array(publicReportSchema) }), ...errs },
      },
    },
    async (request) => {
      reportsPolicy.authorize(request.principal, 'reports.list');
      const rows = await reports.intake.nearby(request.query.category, request.query.lat, request.query.lng, 'public');
      const photos = await reports.queries.photosOf(rows.map((r) => r.id));
      const ctx = await ctxOf(request);
      return { reports: rows.map((r) => presentPublic(r, photos.get(r.id) ?? [], ctx)) };
    },
  );

  // --- inbox and detail ---------------------------------------------------------------------------------
  app.get(
    '/api/v1/reports',
    {
      schema: {
        tags,
        summary: 'Reports in my scope (officers) or my own reports (citizens), sorted by deadline by default',
        querystring: listFiltersSchema.extend({ cursor: z.string().max(500).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ reports: z.array(reportSchema), nextCursor: z.string().nullable() }), ...errs },
      },
    },
    async (request) => {
      const p = reportsPolicy.authorize(request.principal, 'reports.list');
      const { cursor, limit, sort, ...filters } = request.query;
      const page = await reports.queries.inbox(p, filters, { sort, cursor, limit }, reports.options.timezone, reports.clock());
      const ctx = await ctxOf(request);
      return { reports: page.rows.map((r) => presentReport(r, p, ctx, { photos: page.photos.get(r.id) ?? [] })), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/v1/reports/escalations',
    {
      schema: {
        tags,
        summary: 'Every escalation, newest first (coordinator, pimpinan, command, admin)',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: {
          200: z.object({
            escalations: z.array(
              z.object({ trackingNo: z.string(), level: z.number(), stage: z.string(), to: z.string(), toName: z.string().nullable(), handler: z.string(), agency: z.string(), at: z.string() }),
            ),
          }),
          ...errs,
        },
      },
    },
    async (request) => {
      reportsPolicy.authorize(request.principal, 'reports.escalations');
      const { rows, people } = await reports.queries.escalations(request.query.limit);
      const names = await reports.names.get();
      return {
        escalations: rows.map((r) => ({
          trackingNo: r.tracking_no,
          level: r.level,
          stage: r.stage,
          to: r.target_label,
          toName: r.target_user_id ? (people.get(r.target_user_id) ?? null) : null,
          handler: names.unit(r.handler_kind, r.handler_code),
          agency: names.agency(r.agency_code).shortName,
          at: r.created_at.toISOString(),
        })),
      };
    },
  );

  const refParams = z.object({ ref: z.string().min(1).max(40) });
  app.get(
    '/api/v1/reports/:ref',
    { schema: { tags, summary: 'One report with its timeline (by id or tracking number)', params: refParams, response: { 200: reportDetailSchema, ...errs } } },
    async (request) => {
      const row = await reports.queries.readable(request.principal, request.params.ref);
      return detail(request, row, request.principal!);
    },
  );

  app.post(
    '/api/v1/reports/:ref/actions/:action',
    {
      schema: {
        tags,
        summary: 'A workflow action: verify, reject, merge, dispatch, return, start, resolve (optionally multipart with a `photo`), close (rating), dispute',
        params: refParams.extend({ action: z.enum(TRANSITION_ACTIONS) }),
        formBody: transitionForm,
        response: { 200: reportDetailSchema, ...errs },
      },
    },
    async (request) => {
      if (!request.principal) throw errors.unauthenticated();
      const { fields: body, files } = await readFormBody(request, transitionForm);
      const row = await reports.transitions.act(request.params.ref, request.params.action as TransitionAction, { ...body, photo: files[0] }, request.principal);
      return detail(request, row, request.principal!);
    },
  );

  app.post(
    '/api/v1/reports/:ref/comments',
    {
      schema: {
        tags,
        summary: 'A comment between citizen and officers, or an internal note (officers only)',
        params: refParams,
        body: z.object({ text: z.string().trim().min(1).max(3000), internal: z.boolean().default(false) }),
        response: { 201: z.object({ entry: timelineEntrySchema }), ...errs },
      },
    },
    async (request, reply) => {
      const event = await reports.transitions.comment(request.params.ref, request.body.text, request.body.internal, request.principal);
      const row = (await reports.queries.row(event.report_id))!;
      const names = request.principal!.kind === 'officer' ? await reports.queries.officerNames([request.principal!.userId]) : new Map<string, string>();
      return reply.status(201).send({ entry: presentTimeline([event], row, request.principal!, names)[0]! });
    },
  );

  app.post(
    '/api/v1/reports/:ref/support',
    { schema: { tags, summary: 'Support a report instead of filing the same problem again (citizen)', params: refParams, response: { 200: z.object({ supportCount: z.number(), added: z.boolean() }), ...errs } } },
    async (request) => {
      const { report, added } = await reports.transitions.support(request.params.ref, request.principal);
      return { supportCount: report.support_count, added };
    },
  );

  app.post(
    '/api/v1/reports/:ref/photos/:photoId/moderation',
    {
      schema: {
        tags,
        summary: 'Approve a photo for the public, or keep it internal (faces, number plates, hateful content)',
        params: refParams.extend({ photoId: z.uuid() }),
        body: z.object({ decision: z.enum(['approved', 'rejected']) }),
        response: { 200: z.object({ id: z.string(), moderation: z.enum(['pending', 'approved', 'rejected']) }), ...errs },
      },
    },
    async (request) => {
      const photo = await reports.transitions.moderatePhoto(request.params.ref, request.params.photoId, request.body.decision, request.principal);
      return { id: photo.id, moderation: photo.moderation };
    },
  );

  const sendPhoto = async (reply: FastifyReply, photo: PhotoRow, size: 'full' | 'thumb', cache: string) => {
    const file = await reports.photoStore.read(photo, size);
    if (!file) throw errors.notFound({ id: 'Foto', en: 'Photo' });
    return reply.type(file.contentType).header('content-length', file.size).header('cache-control', cache).header('x-content-type-options', 'nosniff').send(file.stream);
  };
  const photoQuery = z.object({ size: z.enum(['full', 'thumb']).default('full') });
  const photoFile = fileResponse('The photo; its thumbnail is WebP', PHOTO_TYPES);

  app.get(
    '/api/v1/reports/:ref/photos/:photoId',
    { schema: { tags, summary: 'A photo of a report (reporter and officers in scope)', params: refParams.extend({ photoId: z.uuid() }), querystring: photoQuery, response: { 200: photoFile, ...errs } } },
    async (request, reply) => {
      const row = await reports.queries.readable(request.principal, request.params.ref);
      const photo = await reports.queries.photo(request.params.photoId);
      if (photo?.report_id !== row.id) throw errors.notFound({ id: 'Foto', en: 'Photo' });
      return sendPhoto(reply, photo, request.query.size, 'private, max-age=3600');
    },
  );

  // --- public feed ---------------------------------------------------------------------------------------
  const publicQuery = z.object({
    category: z.string().max(40).optional(),
    kelurahan: z.string().max(20).optional(),
    status: z
      .string()
      .optional()
      .transform((s) => (s ? s.split(',').filter(Boolean) : undefined))
      .pipe(z.array(z.enum(PUBLIC_STATUSES as unknown as [string, ...string[]])).optional()),
    bbox: z
      .string()
      .regex(/^-?[\d.]+,-?[\d.]+,-?[\d.]+,-?[\d.]+$/, 'west,south,east,north')
      .transform((s) => s.split(',').map(Number) as [number, number, number, number])
      .optional(),
    cursor: z.string().max(500).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  });

  const publicPage = async (request: FastifyRequest, q: z.infer<typeof publicQuery>) => {
    const page = await reports.queries.publicFeed(q, q.cursor, q.limit);
    const ctx = await ctxOf(request);
    return { reports: page.rows.map((r) => presentPublic(r, page.photos.get(r.id) ?? [], ctx)), nextCursor: page.nextCursor };
  };

  app.get(
    '/api/v1/public/reports',
    {
      schema: {
        tags: ['public'],
        summary: 'The city’s verified reports, anonymised, newest first (cursor-paginated)',
        querystring: publicQuery,
        response: { 200: z.object({ reports: z.array(publicReportSchema), nextCursor: z.string().nullable() }), ...errs },
      },
    },
    async (request) => publicPage(request, request.query),
  );

  app.get(
    '/api/v1/public/reports.geojson',
    { schema: { tags: ['public'], summary: 'The public feed as GeoJSON points (confidential reports have no point and are left out)', querystring: publicQuery, response: { 200: fileResponse('A GeoJSON FeatureCollection', ['application/geo+json']), 400: errorSchema } } },
    async (request, reply) => {
      const page = await publicPage(request, request.query);
      return reply.type('application/geo+json').send({
        type: 'FeatureCollection',
        nextCursor: page.nextCursor,
        features: page.reports
          .filter((r) => r.location)
          .map((r) => ({ type: 'Feature', id: r.trackingNo, geometry: { type: 'Point', coordinates: [r.location!.lng, r.location!.lat] }, properties: { ...r, location: undefined } })),
      });
    },
  );

  app.get(
    '/api/v1/public/reports/:ref',
    { schema: { tags: ['public'], summary: 'One public report by tracking number', params: refParams, response: { 200: z.object({ report: publicReportSchema }), ...errs } } },
    async (request) => {
      const row = await reports.queries.find(request.params.ref);
      if (!row || !PUBLIC_STATUSES.includes(row.status)) throw errors.notFound({ id: 'Laporan', en: 'Report' });
      return { report: presentPublic(row, await reports.queries.photos(row.id), await ctxOf(request)) };
    },
  );

  app.get(
    '/api/v1/public/photos/:photoId',
    { schema: { tags: ['public'], summary: 'An approved photo of a public, non-confidential report', params: z.object({ photoId: z.uuid() }), querystring: photoQuery, response: { 200: photoFile, 400: errorSchema, 404: errorSchema } } },
    async (request, reply) => {
      const photo = await reports.queries.photo(request.params.photoId);
      const row = photo && (await reports.queries.row(photo.report_id));
      if (!photo || !row || photo.moderation !== 'approved' || !PUBLIC_STATUSES.includes(row.status) || row.privacy === 'confidential') {
        throw errors.notFound({ id: 'Foto', en: 'Photo' });
      }
      return sendPhoto(reply, photo, request.query.size, 'public, max-age=3600');
    },
  );

}

function contactOf(name?: string, phone?: string, email?: string) {
  let normalised: string | undefined;
  if (phone) {
    try {
      normalised = normalisePhone(phone);
    } catch {
      throw errors.badRequest('phone_invalid', { id: 'Nomor telepon pelapor tidak valid.', en: 'The reporter’s phone number is not valid.' }, { field: 'contactPhone' });
    }
  }
  return { name: name?.trim() || undefined, phone: normalised, email: email?.trim() || undefined };
}

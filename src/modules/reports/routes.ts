import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Database } from '../../platform/db.js';
import { errors } from '../../platform/errors.js';
import type { HttpApp } from '../../platform/http.js';
import { calendarDate, coordinate } from '../../platform/input.js';
import { fileResponse, formObject, readFormBody, type FormBody } from '../../platform/multipart.js';
import { authorize, errorSchema, normalisePhone, type Principal } from '../identity/index.js';
import { categoryInputSchema } from './categories.js';
import { PHOTO_MAX_BYTES, PHOTO_TYPES } from './photos.js';
import { presentPublic, presentReport, presentTimeline, type PresentContext } from './present.js';
import { listWhere, pageOfReports, photosOf, publicWhere } from './queries.js';
import { categoryViewSchema, holidaySchema, listFiltersSchema, publicReportSchema, reportDetailSchema, reportSchema, timelineEntrySchema } from './schema.js';
import type { Origin, ReportRow, ReportsService, SubmitInput } from './service.js';
import { PUBLIC_STATUSES, TRANSITION_ACTIONS, type TransitionAction } from './workflow.js';

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

async function officerNames(db: Database, ids: string[], decrypt: (v: string) => string): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await db.query<{ id: string; name_enc: string }>(`select id, name_enc from users where id = any($1) and kind = 'officer'`, [ids]);
  return new Map(rows.map((r) => [r.id, decrypt(r.name_enc)]));
}

export function reportRoutes(app: HttpApp, reports: ReportsService, deps: { db: Database; decrypt: (v: string) => string }): void {
  const tags = ['reports'];
  const ctxOf = async (request: FastifyRequest): Promise<PresentContext> => ({
    names: await reports.names.get(),
    lang: request.lang,
    timezone: reports.options.timezone,
    autoCloseDays: reports.options.autoCloseDays,
    now: reports.clock(),
  });

  const detail = async (request: FastifyRequest, row: ReportRow, viewer: Principal) => {
    const ctx = await ctxOf(request);
    const officer = viewer.kind === 'officer';
    const [photos, events, reporter, supported] = [
      await reports.photos(row.id),
      await reports.events(row.id, officer ? 'officers' : 'citizen'),
      officer ? await reports.reporterOf(row) : null,
      viewer.role === 'citizen' ? await reports.isSupporter(row.id, viewer.userId) : false,
    ];
    const names = officer ? await officerNames(deps.db, [...new Set(events.map((e) => e.actor_id).filter((x): x is string => Boolean(x)))], deps.decrypt) : new Map<string, string>();
    const duplicates =
      officer && row.lat !== null && row.lng !== null && ['submitted', 'verified'].includes(row.status)
        ? (await reports.nearby(row.category_code, row.lat, row.lng, 'officers', row.id)).map((d) => ({ trackingNo: d.tracking_no, status: d.status, distanceMeters: Math.round(d.distance_m), submittedAt: d.submitted_at.toISOString() }))
        : [];
    const merged = row.merged_into ? await reports.row(row.merged_into) : undefined;
    return {
      report: { ...presentReport(row, viewer, ctx, { photos, reporter, supported }), mergedInto: merged?.tracking_no ?? null },
      timeline: presentTimeline(events, row, viewer, names),
      duplicates,
    };
  };

  // --- categories and holidays ----------------------------------------------------------------------
  app.get(
    '/api/v1/report-categories',
    { schema: { tags, summary: 'Report categories (active ones; admins may ask for all)', querystring: z.object({ all: z.enum(['true', 'false']).optional() }), response: { 200: z.object({ categories: z.array(categoryViewSchema) }), 400: errorSchema } } },
    async (request) => {
      const all = request.query.all === 'true' && request.principal?.role === 'admin';
      return { categories: await reports.categories.list({ includeInactive: all }) };
    },
  );
  app.post(
    '/api/v1/report-categories',
    { schema: { tags, summary: 'Add a category (admin)', body: categoryInputSchema, response: { 201: z.object({ category: categoryViewSchema }), ...errs } } },
    async (request, reply) => {
      const p = authorize(request.principal, 'categories.write');
      const category = await reports.categories.create(request.body, { id: p.userId, label: p.role });
      reports.names.invalidate();
      return reply.status(201).send({ category });
    },
  );
  app.patch(
    '/api/v1/report-categories/:code',
    {
      schema: { tags, summary: 'Change a category (admin)', params: z.object({ code: z.string().max(40) }), body: categoryInputSchema.omit({ code: true }).partial(), response: { 200: z.object({ category: categoryViewSchema }), ...errs } },
    },
    async (request) => {
      const p = authorize(request.principal, 'categories.write');
      const category = await reports.categories.update(request.params.code, request.body, { id: p.userId, label: p.role });
      reports.names.invalidate();
      return { category };
    },
  );

  app.get(
    '/api/v1/holidays',
    { schema: { tags, summary: 'Holidays and cuti bersama that deadlines skip', querystring: z.object({ year: z.coerce.number().int().min(2000).max(2100).optional() }), response: { 200: z.object({ holidays: z.array(holidaySchema) }), 400: errorSchema } } },
    async (request) => ({ holidays: await reports.holidays.list(request.query.year) }),
  );
  app.put(
    '/api/v1/holidays/:date',
    {
      schema: {
        tags,
        summary: 'Set or correct a holiday or cuti bersama day (admin)',
        params: z.object({ date: calendarDate() }),
        body: z.object({ name: z.string().trim().min(2).max(200), kind: z.enum(['public', 'cuti_bersama']) }),
        response: { 200: z.object({ holiday: holidaySchema }), ...errs },
      },
    },
    async (request) => {
      const p = authorize(request.principal, 'holidays.write');
      return { holiday: await reports.holidays.set({ date: request.params.date, ...request.body }, { id: p.userId, label: p.role }) };
    },
  );
  app.delete(
    '/api/v1/holidays/:date',
    { schema: { tags, summary: 'Remove a holiday (admin)', params: z.object({ date: calendarDate() }), response: { 204: z.null(), ...errs } } },
    async (request, reply) => {
      const p = authorize(request.principal, 'holidays.write');
      await reports.holidays.remove(request.params.date, { id: p.userId, label: p.role });
      return reply.status(204).send(null);
    },
  );

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
        authorize(principal, 'reports.create');
        origin = { kind: 'citizen', principal };
      } else {
        authorize(principal, 'reports.create_for_citizen');
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
      const reporter = principal.kind === 'officer' ? await reports.reporterOf(report) : null;
      return reply.status(201).send({ report: presentReport(report, principal, ctx, { photos: photos.length ? await reports.photos(report.id) : [], reporter }) });
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
      authorize(request.principal, 'reports.list');
      const rows = await reports.nearby(request.query.category, request.query.lat, request.query.lng, 'public');
      const photos = await photosOf(deps.db, rows.map((r) => r.id));
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
      const p = authorize(request.principal, 'reports.list');
      const { cursor, limit, sort, ...filters } = request.query;
      const page = await pageOfReports(deps.db, listWhere(p, filters, reports.options.timezone, reports.clock()), sort, cursor, limit);
      const ctx = await ctxOf(request);
      const photos = await photosOf(deps.db, page.rows.map((r) => r.id));
      return { reports: page.rows.map((r) => presentReport(r, p, ctx, { photos: photos.get(r.id) ?? [] })), nextCursor: page.nextCursor };
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
      authorize(request.principal, 'reports.escalations');
      const rows = await deps.db.query<{ tracking_no: string; level: number; stage: string; target_label: string; target_user_id: string | null; handler_kind: string; handler_code: string; agency_code: string; created_at: Date }>(
        `select r.tracking_no, e.level, e.stage, e.target_label, e.target_user_id, e.handler_kind, e.handler_code, e.agency_code, e.created_at
         from report_escalations e join reports r on r.id = e.report_id order by e.id desc limit $1`,
        [request.query.limit],
      );
      const names = await reports.names.get();
      const people = await officerNames(deps.db, [...new Set(rows.map((r) => r.target_user_id).filter((x): x is string => Boolean(x)))], deps.decrypt);
      return {
        escalations: rows.map((r) => ({
          trackingNo: r.tracking_no,
          level: r.level,
          stage: r.stage,
          to: r.target_label,
          toName: r.target_user_id ? (people.get(r.target_user_id) ?? null) : null,
          handler: names.unit(r.handler_kind as 'opd', r.handler_code),
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
      const row = await reports.readable(request.principal, request.params.ref);
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
      const row = await reports.act(request.params.ref, request.params.action as TransitionAction, { ...body, photo: files[0] }, request.principal);
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
      const event = await reports.comment(request.params.ref, request.body.text, request.body.internal, request.principal);
      const row = (await reports.row(event.report_id))!;
      const names = request.principal!.kind === 'officer' ? await officerNames(deps.db, [request.principal!.userId], deps.decrypt) : new Map<string, string>();
      return reply.status(201).send({ entry: presentTimeline([event], row, request.principal!, names)[0]! });
    },
  );

  app.post(
    '/api/v1/reports/:ref/support',
    { schema: { tags, summary: 'Support a report instead of filing the same problem again (citizen)', params: refParams, response: { 200: z.object({ supportCount: z.number(), added: z.boolean() }), ...errs } } },
    async (request) => {
      const { report, added } = await reports.support(request.params.ref, request.principal);
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
      const photo = await reports.moderatePhoto(request.params.ref, request.params.photoId, request.body.decision, request.principal);
      return { id: photo.id, moderation: photo.moderation };
    },
  );

  const sendPhoto = async (reply: FastifyReply, photo: Parameters<ReportsService['readPhoto']>[0], size: 'full' | 'thumb', cache: string) => {
    const file = await reports.readPhoto(photo, size);
    if (!file) throw errors.notFound({ id: 'Foto', en: 'Photo' });
    return reply.type(file.contentType).header('content-length', file.size).header('cache-control', cache).header('x-content-type-options', 'nosniff').send(file.stream);
  };
  const photoQuery = z.object({ size: z.enum(['full', 'thumb']).default('full') });
  const photoFile = fileResponse('The photo; its thumbnail is WebP', PHOTO_TYPES);

  app.get(
    '/api/v1/reports/:ref/photos/:photoId',
    { schema: { tags, summary: 'A photo of a report (reporter and officers in scope)', params: refParams.extend({ photoId: z.uuid() }), querystring: photoQuery, response: { 200: photoFile, ...errs } } },
    async (request, reply) => {
      const row = await reports.readable(request.principal, request.params.ref);
      const photo = await reports.photo(request.params.photoId);
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
    const page = await pageOfReports(deps.db, publicWhere(q), 'newest', q.cursor, q.limit);
    const photos = await photosOf(deps.db, page.rows.map((r) => r.id));
    const ctx = await ctxOf(request);
    return { reports: page.rows.map((r) => presentPublic(r, photos.get(r.id) ?? [], ctx)), nextCursor: page.nextCursor };
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
      const row = await reports.find(request.params.ref);
      if (!row || !PUBLIC_STATUSES.includes(row.status)) throw errors.notFound({ id: 'Laporan', en: 'Report' });
      return { report: presentPublic(row, await reports.photos(row.id), await ctxOf(request)) };
    },
  );

  app.get(
    '/api/v1/public/photos/:photoId',
    { schema: { tags: ['public'], summary: 'An approved photo of a public, non-confidential report', params: z.object({ photoId: z.uuid() }), querystring: photoQuery, response: { 200: photoFile, 400: errorSchema, 404: errorSchema } } },
    async (request, reply) => {
      const photo = await reports.photo(request.params.photoId);
      const row = photo && (await reports.row(photo.report_id));
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

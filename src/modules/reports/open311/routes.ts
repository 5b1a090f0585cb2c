import fastifyFormbody from '@fastify/formbody';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, type Language, type LocalisedText } from '../../../platform/errors.js';
import { FRAMEWORK_ERRORS, type HttpApp } from '../../../platform/http.js';
import { normalisePhone } from '../../identity/index.js';
import { normaliseRegionCode } from '../../regions/index.js';
import type { Category } from '../categories.js';
import {
  GEOREPORT_V2_SPECIFICATION,
  o311ErrorsSchema,
  o311PostBodySchema,
  o311PostResultSchema,
  OPEN311_CONTENT_TYPE,
  parseAttributeFields,
  parseFormat,
  renderDiscovery,
  renderErrors,
  renderPostResult,
  renderRequests,
  renderServiceDefinition,
  renderServices,
  renderTokens,
  type O311Attribute,
  type O311Request,
  type Open311Format,
} from './format.js';
import { presentPublic, type PresentContext } from '../present.js';
import { invalid, list, missing, noSuchResource, Open311Error, text, w3cDate } from './args.js';
import { open311KeyRoutes, type Open311Keys } from './keys.js';
import { publicWhere } from '../queries.js';
import type { PhotoRow, ReportRow } from '../repository.js';
import type { ReportsService } from '../service.js';
import { OPEN_STATUSES, PUBLIC_STATUSES, type ReportStatus } from '../workflow.js';

/** Our states on the spec's two: someone still has to act (open), or nothing more will happen (closed). */
export const OPEN311_STATUS: Record<ReportStatus, 'open' | 'closed'> = {
  submitted: 'open',
  verified: 'open',
  dispatched: 'open',
  in_progress: 'open',
  resolved: 'closed',
  closed: 'closed',
  rejected: 'closed',
  merged: 'closed',
};

const MAX_RESULTS = 1000;
const MAX_WINDOW_DAYS = 90;
/** service_request_id may list this many ids: enough for a client following its own, no bulk lookup. */
const MAX_IDS = 100;

// --- presenting -------------------------------------------------------------------------------------

const DATATYPE_DESCRIPTIONS: Record<O311Attribute['datatype'], LocalisedText> = {
  string: { id: 'Teks singkat', en: 'Short text' },
  text: { id: 'Teks panjang', en: 'Long text' },
  number: { id: 'Angka', en: 'Number' },
  datetime: { id: 'Tanggal dan waktu (ISO 8601)', en: 'Date and time (ISO 8601)' },
  singlevaluelist: { id: 'Pilih satu', en: 'Pick one' },
  multivaluelist: { id: 'Pilih satu atau lebih', en: 'Pick one or more' },
};

function serviceOf(c: Category, lang: Language) {
  return {
    service_code: c.code,
    service_name: c.name[lang],
    description: c.description?.[lang] ?? c.name[lang],
    metadata: c.questions.length > 0,
    type: 'realtime' as const,
    keywords: [c.group, c.emergency ? { id: 'darurat', en: 'emergency' }[lang] : ''].filter(Boolean).join(','),
    group: c.group,
  };
}

/** The public feed's rule: verified by an officer, and neither rejected nor folded into another report. */
const isPublic = (r: ReportRow) => PUBLIC_STATUSES.includes(r.status);

/**
 * A report as Open311 shows it: what the public feed shows of it (presentPublic, so a confidential
 * report is reduced alike). A request posted through Open311 and not public (yet, or ever) is
 * shown as little as a confidential one: category, kelurahan, status and dates.
 */
function requestOf(r: ReportRow, photos: PhotoRow[], ctx: PresentContext & { baseUrl: string }): O311Request {
  const view = presentPublic(isPublic(r) ? r : { ...r, privacy: 'confidential' }, photos, ctx);
  const photo = view.photos[0];
  const note = (r.status === 'resolved' || r.status === 'closed') && view.resolutionNote ? `: ${view.resolutionNote}` : '';
  return {
    service_request_id: view.trackingNo,
    status: OPEN311_STATUS[r.status],
    status_notes: `${view.statusName} (${r.status})${note}`,
    service_name: view.category.name,
    service_code: view.category.code,
    description: view.description,
    agency_responsible: view.agency?.name ?? null,
    service_notice: null,
    requested_datetime: view.submittedAt,
    updated_datetime: view.updatedAt,
    expected_datetime: OPEN_STATUSES.includes(r.status) ? (r.resolve_due_at ?? r.due_at)?.toISOString() ?? null : null,
    address: view.address,
    address_id: view.kelurahan?.code ?? null,
    zipcode: null,
    lat: view.location?.lat ?? null,
    long: view.location?.lng ?? null,
    media_url: photo ? `${ctx.baseUrl}${photo.url}` : null,
  };
}

// --- routes -------------------------------------------------------------------------------------------

/** Open311 takes a form or JSON; Fastify's other refusals are worded as the JSON API words them. */
const UNSUPPORTED_MEDIA_TYPE: LocalisedText = {
  id: 'Isi permintaan harus application/x-www-form-urlencoded atau application/json.',
  en: 'The request body must be application/x-www-form-urlencoded or application/json.',
};
const UNREADABLE_REQUEST: LocalisedText = { id: 'Permintaan tidak dapat dibaca.', en: 'The request cannot be read.' };
const SERVER_ERROR: LocalisedText = { id: 'Terjadi kesalahan pada server. Silakan coba lagi.', en: 'Something went wrong on the server. Please try again.' };

const TRACKING_NO = /^SK-\d{4}-\d+$/;

/** GeoReport v2 under /open311/v2 (discovery, services, requests, tokens; JSON or XML) and the admin's key routes. */
export function open311Routes(
  app: HttpApp,
  reports: ReportsService,
  keys: Open311Keys,
  options: { cityCode: string; publicUrl: string | undefined; city: () => Promise<{ name: string } | undefined> },
): void {
  const baseUrl = (request: FastifyRequest) => options.publicUrl?.replace(/\/$/, '') ?? `${request.protocol}://${request.host}`;
  const formatOf = (request: FastifyRequest): Open311Format => (request.url.split('?')[0]!.endsWith('.json') ? 'json' : 'xml');
  const send = (reply: FastifyReply, format: Open311Format, body: string, status = 200) => reply.status(status).type(OPEN311_CONTENT_TYPE[format]).send(body);

  /** `name.json` / `name.xml`, else a 404 in the spec's shape. */
  const resource = (segment: string) => {
    const parsed = parseFormat(segment);
    if (!parsed) throw missing('Sumber daya tidak dikenal: tambahkan .json atau .xml di akhir alamat.', 'Unknown resource: add .json or .xml to the address.');
    return parsed;
  };
  const checkJurisdiction = (value: unknown) => {
    const j = text(value);
    if (j && j !== options.cityCode && j !== options.cityCode.replace(/\./g, '')) {
      throw missing(`jurisdiction_id ${j} tidak dilayani di sini; kode kota ini ${options.cityCode}.`, `jurisdiction_id ${j} is not served here; this city is ${options.cityCode}.`);
    }
  };

  /** The report is as the public feed shows it, so the presenter needs what the feed's does. */
  const present = async (request: FastifyRequest, rows: ReportRow[]): Promise<O311Request[]> => {
    const photos = await reports.queries.photosOf(rows.map((r) => r.id));
    const ctx = { ...(await reports.presentContext(request.lang)), baseUrl: baseUrl(request) };
    return rows.map((r) => requestOf(r, photos.get(r.id) ?? [], ctx));
  };

  /**
   * Requests by their ids: the public ones, and those posted through Open311, so that the client that
   * posted one can follow it from the start (reduced by requestOf while it is not public). A report
   * filed in the app that the public may not see is not found.
   */
  const requestsByIds = async (ids: string[]): Promise<ReportRow[]> => {
    const wanted = ids.map((id) => id.toUpperCase()).filter((id) => TRACKING_NO.test(id));
    if (!wanted.length) return [];
    const rows = await reports.queries.byTrackingNos(wanted);
    return rows.filter((r) => isPublic(r) || r.channel === 'open311');
  };

  /** GET Service Requests: the spec's filters over the public feed; at most 90 days and 1000 requests. */
  const listRequests = async (q: Record<string, unknown>): Promise<ReportRow[]> => {
    const ids = list(q.service_request_id);
    if (ids) {
      const distinct = [...new Set(ids.map((id) => id.toUpperCase()))];
      if (distinct.length > MAX_IDS) {
        throw invalid(`service_request_id memuat ${distinct.length} nomor; paling banyak ${MAX_IDS} sekaligus.`, `service_request_id lists ${distinct.length} ids; at most ${MAX_IDS} at a time.`);
      }
      // By id, the other filters are ignored, as the spec says.
      return requestsByIds(distinct);
    }
    const statuses = list(q.status)?.map((s) => s.toLowerCase());
    if (statuses && !statuses.every((s) => s === 'open' || s === 'closed')) {
      throw invalid('status harus open, closed, atau keduanya (open,closed).', 'status must be open, closed or both (open,closed).');
    }
    const where = publicWhere({ status: statuses && (Object.keys(OPEN311_STATUS) as ReportStatus[]).filter((s) => statuses.includes(OPEN311_STATUS[s])) });
    const codes = list(q.service_code);
    if (codes) where.add((p) => `category_code = any(${p(codes)})`);
    const startDate = w3cDate(text(q.start_date), 'start_date');
    const end = w3cDate(text(q.end_date), 'end_date') ?? new Date();
    const start = startDate ?? new Date(end.getTime() - MAX_WINDOW_DAYS * 86400_000);
    if (start > end) throw invalid('start_date jatuh setelah end_date.', 'start_date is after end_date.');
    if (end.getTime() - start.getTime() > MAX_WINDOW_DAYS * 86400_000) {
      throw invalid(`Rentang start_date sampai end_date paling lama ${MAX_WINDOW_DAYS} hari.`, `start_date and end_date may span at most ${MAX_WINDOW_DAYS} days.`);
    }
    where.add((p) => `submitted_at >= ${p(start)} and submitted_at <= ${p(end)}`);
    return reports.queries.matching(where, 'submitted_at desc, id desc', MAX_RESULTS);
  };

  /** The time the service list (categories, their questions included) last changed: discovery's changeset. */
  const servicesChangedAt = async (): Promise<string> => {
    return ((await reports.categories.changedAt()) ?? new Date(0)).toISOString();
  };

  app.register(
    async (plugin) => {
      const o311 = plugin as unknown as HttpApp;
      await o311.register(fastifyFormbody);
      o311.setErrorHandler((error, request, reply) => {
        const format = formatOf(request);
        const answer = (status: number, text: LocalisedText) => send(reply, format, renderErrors([{ code: status, description: text[request.lang] }], format), status);
        if (error instanceof Open311Error) return answer(error.status, error.text);
        if (error instanceof AppError) {
          if (error.headers) reply.headers(error.headers);
          return answer(error.status === 422 || error.status === 413 || error.status === 415 ? 400 : error.status, error.text);
        }
        if (hasZodFastifySchemaValidationErrors(error)) {
          const fields = [...new Set(error.validation.map((v) => v.instancePath.replace(/^\//, '').split('/')[0] || (v.params as { missingProperty?: string })?.missingProperty || ''))];
          if (fields.includes('')) return answer(400, { id: 'Isi permintaan harus berupa isian formulir atau objek JSON.', en: 'The request body must be form fields or a JSON object.' });
          // A field sent twice arrives as a list, and fails here too.
          return answer(400, { id: `Isian ${fields.join(', ')} tidak ada, tidak valid, atau dikirim lebih dari sekali.`, en: `Field ${fields.join(', ')} is missing, not valid, or sent more than once.` });
        }
        const e = error as { statusCode?: number; code?: string };
        // The spec answers 400 to any request it cannot take (403 and 404 have their own meanings).
        if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return answer(400, e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? UNSUPPORTED_MEDIA_TYPE : (FRAMEWORK_ERRORS[e.code ?? '']?.text ?? UNREADABLE_REQUEST));
        request.log.error({ err: error }, 'open311 failure');
        return answer(500, SERVER_ERROR);
      });
      o311.setNotFoundHandler((request, reply) => {
        const format = formatOf(request);
        return send(reply, format, renderErrors([{ code: 404, description: noSuchResource(request.url.split('?')[0]!).text[request.lang] }], format), 404);
      });
      const hidden = { hide: false, tags: ['open311'] };

      o311.get('/:resource', { schema: { ...hidden, summary: 'discovery, services and requests lists (.json or .xml)', params: z.object({ resource: z.string() }) } }, async (request, reply) => {
        const { name, format } = resource(request.params.resource);
        const query = request.query as Record<string, unknown>;
        checkJurisdiction(query.jurisdiction_id);
        if (name === 'discovery') {
          const base = baseUrl(request);
          const changeset = await servicesChangedAt();
          return send(reply, format, renderDiscovery({
            changeset,
            contact: `Diskominfo ${(await options.city())?.name ?? options.cityCode} — ${base}`,
            key_service: {
              id: `Kunci API dibuat oleh admin kota (npx satukota open311 key create <nama>, atau di ${base}/admin).`,
              en: `API keys are made by the city's admin (npx satukota open311 key create <name>, or at ${base}/admin).`,
            }[request.lang],
            // No trailing slash: clients append "/services.xml" to it.
            endpoints: [{ specification: GEOREPORT_V2_SPECIFICATION, url: `${base}/open311/v2`, changeset, type: 'production', formats: ['text/xml', 'application/json'] }],
          }, format));
        }
        if (name === 'services') {
          const categories = await reports.categories.list();
          return send(reply, format, renderServices(categories.map((c) => serviceOf(c, request.lang)), format));
        }
        if (name === 'requests') return send(reply, format, renderRequests(await present(request, await listRequests(query)), format));
        throw noSuchResource(request.url.split('?')[0]!);
      });

      o311.get('/services/:file', { schema: { ...hidden, summary: 'Service definition: the category’s questions as attributes', params: z.object({ file: z.string() }) } }, async (request, reply) => {
        const { name: code, format } = resource(request.params.file);
        checkJurisdiction((request.query as Record<string, unknown>).jurisdiction_id);
        const category = await reports.categories.get(code);
        if (!category?.active) throw missing(`service_code ${code} tidak ditemukan.`, `service_code ${code} not found.`);
        const attributes: O311Attribute[] = category.questions.map((q) => ({
          variable: true,
          code: q.code,
          datatype: q.datatype,
          required: q.required,
          datatype_description: DATATYPE_DESCRIPTIONS[q.datatype][request.lang],
          order: q.order,
          description: q.label[request.lang],
          ...(q.values ? { values: q.values.map((v) => ({ key: v.key, name: v.name[request.lang] })) } : {}),
        }));
        return send(reply, format, renderServiceDefinition({ service_code: code, attributes }, format));
      });

      o311.get('/requests/:file', { schema: { ...hidden, summary: 'One service request by its id (the tracking number)', params: z.object({ file: z.string() }) } }, async (request, reply) => {
        const { name: id, format } = resource(request.params.file);
        checkJurisdiction((request.query as Record<string, unknown>).jurisdiction_id);
        const rows = await requestsByIds([id]);
        if (!rows.length) throw missing(`service_request_id ${id} tidak ditemukan.`, `service_request_id ${id} not found.`);
        return send(reply, format, renderRequests(await present(request, rows), format));
      });

      o311.get('/tokens/:file', { schema: { ...hidden, summary: 'The service_request_id for a token', params: z.object({ file: z.string() }) } }, async (request, reply) => {
        const { name: token, format } = resource(request.params.file);
        checkJurisdiction((request.query as Record<string, unknown>).jurisdiction_id);
        const trackingNo = /^[0-9a-f-]{36}$/i.test(token) ? await reports.queries.trackingNoOfOpen311Token(token) : undefined;
        if (!trackingNo) throw missing(`token ${token} tidak ditemukan.`, `token ${token} not found.`);
        return send(reply, format, renderTokens([{ service_request_id: trackingNo, token }], format));
      });

      // One route per format, so that the OpenAPI document shows each answer's content type.
      for (const format of ['json', 'xml'] as const) {
        const answer = (description: string, schema: z.ZodType) => ({ description, content: { [OPEN311_CONTENT_TYPE[format].split(';')[0]!]: { schema: format === 'json' ? schema : z.string() } } });
        o311.post(
          `/requests.${format}`,
          {
            config: { anonymous: true },
            bodyLimit: 64 * 1024,
            schema: {
              ...hidden,
              summary: `POST Service Request (${format})`,
              description:
                'GeoReport v2 POST Service Request; needs an api_key. A location is required: lat and long, address_string or address_id. ' +
                'Errors are the spec\'s list of {code, description}: 400 bad input, 403 api_key missing or revoked, 404 unknown service_code or jurisdiction_id.',
              consumes: ['application/x-www-form-urlencoded', 'application/json'],
              body: o311PostBodySchema,
              response: {
                201: answer('The new request’s id (its tracking number)', o311PostResultSchema),
                400: answer('A missing or invalid argument', o311ErrorsSchema),
                403: answer('api_key missing, unknown or revoked', o311ErrorsSchema),
                404: answer('Unknown service_code or jurisdiction_id', o311ErrorsSchema),
              },
            },
          },
          async (request, reply) => send(reply, format, await postRequest(request), 201),
        );
      }

      /** POST Service Request: the answer in the spec's shape, in the request's format. */
      async function postRequest(request: FastifyRequest): Promise<string> {
        const format = formatOf(request);
        const body = (request.body ?? {}) as Record<string, unknown>;
        const apiKey = text(body.api_key) ?? text((request.query as Record<string, unknown>).api_key);
        const keyId = apiKey ? await keys.check(apiKey) : undefined;
        if (!keyId) throw new Open311Error(403, { id: 'api_key tidak ada atau tidak valid.', en: 'api_key is missing or invalid.' });
        checkJurisdiction(body.jurisdiction_id);
        const serviceCode = text(body.service_code);
        if (!serviceCode) throw invalid('service_code wajib diisi.', 'service_code is required.');
        const category = await reports.categories.get(serviceCode);
        if (!category?.active) throw missing(`service_code ${serviceCode} tidak ditemukan.`, `service_code ${serviceCode} not found.`);
        const lat = text(body.lat);
        const long = text(body.long);
        const addressString = text(body.address_string);
        const addressId = text(body.address_id);
        if ((lat === undefined) !== (long === undefined)) throw invalid('lat dan long harus diisi bersama.', 'lat and long must be given together.');
        if (lat === undefined && !addressString && !addressId) {
          throw invalid('Lokasi wajib diisi: lat dan long, address_string, atau address_id.', 'A location is required: lat and long, address_string or address_id.');
        }
        const latN = lat === undefined ? undefined : Number(lat);
        const longN = long === undefined ? undefined : Number(long);
        if (latN !== undefined && (!Number.isFinite(latN) || Math.abs(latN) > 90 || !Number.isFinite(longN!) || Math.abs(longN!) > 180)) {
          throw invalid('lat dan long bukan koordinat yang valid.', 'lat and long are not valid coordinates.');
        }
        const kelurahanCode = addressId ? normaliseRegionCode(addressId) : undefined;
        if (addressId && !kelurahanCode) {
          throw invalid('address_id harus berupa kode kelurahan Kemendagri, misalnya 36.72.07.1001.', 'address_id must be a Kemendagri kelurahan code such as 36.72.07.1001.');
        }
        const description = text(body.description) ?? '';
        if (description.length > 4000) throw invalid('description lebih dari 4000 karakter.', 'description is longer than 4000 characters.');
        const email = text(body.email);
        if (email && !z.email().safeParse(email).success) throw invalid('email bukan alamat e-mail yang valid.', 'email is not a valid e-mail address.');
        const phoneRaw = text(body.phone);
        let phone: string | undefined;
        if (phoneRaw) {
          try {
            phone = normalisePhone(phoneRaw);
          } catch {
            throw invalid('phone bukan nomor telepon Indonesia yang valid.', 'phone is not a valid Indonesian phone number.');
          }
        }
        const name = [text(body.first_name), text(body.last_name)].filter(Boolean).join(' ') || undefined;
        const idempotencyKey = request.headers['idempotency-key'];
        const { report } = await reports.submit(
          {
            categoryCode: serviceCode,
            description,
            lat: latN,
            lng: longN,
            kelurahanCode: lat === undefined ? (kelurahanCode ?? undefined) : undefined,
            address: addressString,
            answers: parseAttributeFields(body),
            privacy: 'public',
            idempotencyKey: typeof idempotencyKey === 'string' && idempotencyKey.length <= 200 ? idempotencyKey : undefined,
          },
          { kind: 'open311', keyId, contact: { name, email, phone } },
        );
        const notice: LocalisedText | null = category.emergency
          ? { id: 'Darurat: hubungi 112 sekarang juga. Laporan ini tetap diteruskan ke instansi terkait.', en: 'Emergency: call 112 now. This report is still passed on to the agency concerned.' }
          : null;
        return renderPostResult([{ service_request_id: report.tracking_no, service_notice: notice?.[request.lang] ?? null, account_id: null }], format);
      }
    },
    { prefix: '/open311/v2' },
  );

  open311KeyRoutes(app, keys);
}

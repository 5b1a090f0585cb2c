import fastifyFormbody from '@fastify/formbody';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { randomToken, sha256 } from '../../platform/crypto.js';
import type { Database } from '../../platform/db.js';
import { AppError, errors } from '../../platform/errors.js';
import type { HttpApp } from '../../platform/http.js';
import type { AuditTrail } from '../audit/audit.js';
import { authorize } from '../identity/policy.js';
import { normalisePhone } from '../identity/personal-data.js';
import { errorSchema } from '../identity/schema.js';
import { normaliseRegionCode } from '../regions/service.js';
import type { Category } from './categories.js';
import {
  GEOREPORT_V2_SPECIFICATION,
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
} from './open311-format.js';
import { photosOf, Where } from './queries.js';
import { open311KeySchema, type Open311Key } from './schema.js';
import type { PhotoRow, ReportRow, ReportsService } from './service.js';
import { OPEN_STATUSES, PUBLIC_STATUSES, statusName, type ReportStatus } from './workflow.js';

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

// --- API keys -------------------------------------------------------------------------------------

/** Keys for Open311 clients: only a hash is stored; the key is shown once, when it is made. */
export class Open311Keys {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditTrail,
  ) {}

  async create(name: string, actor: { id: string | null; label: string }): Promise<{ key: string; record: Open311Key }> {
    const key = `sk311_${randomToken(24)}`;
    const record = await this.db.transaction(async (tx) => {
      const row = await tx.one<{ id: string }>('insert into open311_keys (name, key_hash, key_prefix) values ($1, $2, $3) returning id', [name, sha256(key), key.slice(0, 10)]);
      await this.audit.append({ actor, action: 'open311_key.created', subject: { type: 'open311_key', id: row.id }, details: { name } }, tx);
      return row;
    });
    return { key, record: (await this.list()).find((k) => k.id === record.id)! };
  }

  async list(): Promise<Open311Key[]> {
    const rows = await this.db.query<{ id: string; name: string; key_prefix: string; created_at: Date; revoked_at: Date | null; last_used_at: Date | null }>(
      'select id, name, key_prefix, created_at, revoked_at, last_used_at from open311_keys order by created_at',
    );
    return rows.map((r) => ({ id: r.id, name: r.name, prefix: r.key_prefix, createdAt: r.created_at.toISOString(), revokedAt: r.revoked_at?.toISOString() ?? null, lastUsedAt: r.last_used_at?.toISOString() ?? null }));
  }

  async revoke(id: string, actor: { id: string | null; label: string }): Promise<void> {
    await this.db.transaction(async (tx) => {
      const row = await tx.maybeOne('update open311_keys set revoked_at = coalesce(revoked_at, now()) where id = $1 returning id', [id]);
      if (!row) throw errors.notFound({ id: 'Kunci Open311', en: 'Open311 key' });
      await this.audit.append({ actor, action: 'open311_key.revoked', subject: { type: 'open311_key', id } }, tx);
    });
  }

  /** The key's id when it is valid and not revoked. */
  async check(key: string): Promise<string | undefined> {
    const row = await this.db.maybeOne<{ id: string }>('update open311_keys set last_used_at = now() where key_hash = $1 and revoked_at is null returning id', [sha256(key)]);
    return row?.id;
  }
}

// --- presenting -------------------------------------------------------------------------------------

const DATATYPE_DESCRIPTIONS: Record<O311Attribute['datatype'], string> = {
  string: 'Teks singkat',
  text: 'Teks panjang',
  number: 'Angka',
  datetime: 'Tanggal dan waktu (ISO 8601)',
  singlevaluelist: 'Pilih satu',
  multivaluelist: 'Pilih satu atau lebih',
};

function serviceOf(c: Category, lang: 'id' | 'en') {
  return {
    service_code: c.code,
    service_name: c.name[lang],
    description: c.description?.[lang] ?? c.name[lang],
    metadata: c.questions.length > 0,
    type: 'realtime' as const,
    keywords: [c.group, c.emergency ? 'darurat' : ''].filter(Boolean).join(','),
    group: c.group,
  };
}

/**
 * A report as Open311 shows it: what the public feed shows. A report not (yet) public, or
 * confidential, is still readable by its id, but only its category, status and dates.
 */
function requestOf(r: ReportRow, photos: PhotoRow[], ctx: { names: Awaited<ReturnType<ReportsService['names']['get']>>; lang: 'id' | 'en'; baseUrl: string }): O311Request {
  const category = ctx.names.category(r.category_code);
  const full = PUBLIC_STATUSES.includes(r.status) && r.privacy !== 'confidential';
  const approved = full ? photos.find((p) => p.moderation === 'approved') : undefined;
  const resolved = ['resolved', 'closed'].includes(r.status) && full && r.resolution_note;
  return {
    service_request_id: r.tracking_no,
    status: OPEN311_STATUS[r.status],
    status_notes: `${statusName(r.status, ctx.lang)} (${r.status})${resolved ? `: ${r.resolution_note}` : ''}`,
    service_name: category.name[ctx.lang],
    service_code: r.category_code,
    description: full ? r.description : null,
    agency_responsible: ctx.names.agency(r.agency_code).name,
    service_notice: null,
    requested_datetime: r.submitted_at.toISOString(),
    updated_datetime: r.updated_at.toISOString(),
    expected_datetime: OPEN_STATUSES.includes(r.status) ? (r.resolve_due_at ?? r.due_at)?.toISOString() ?? null : null,
    address: full ? r.address : null,
    address_id: r.kelurahan_code,
    zipcode: null,
    lat: full ? r.lat : null,
    long: full ? r.lng : null,
    media_url: approved ? `${ctx.baseUrl}/api/v1/public/photos/${approved.id}` : null,
  };
}

// --- routes -------------------------------------------------------------------------------------------

class Open311Error extends Error {
  constructor(readonly status: number, readonly description: string) {
    super(description);
  }
}

function text(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v === null) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s; // the spec: an empty argument is an absent one
}

function w3cDate(value: string | undefined, name: string): Date | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value)) throw new Open311Error(400, `${name} must be a W3C date-time such as 2026-11-01T00:00:00+07:00`);
  return d;
}

export function open311Routes(app: HttpApp, reports: ReportsService, keys: Open311Keys, options: { cityCode: string; publicUrl: string | undefined; db: Database }): void {
  const baseUrl = (request: FastifyRequest) => options.publicUrl?.replace(/\/$/, '') ?? `${request.protocol}://${request.host}`;
  const formatOf = (request: FastifyRequest): Open311Format => (request.url.split('?')[0]!.endsWith('.json') ? 'json' : 'xml');
  const send = (reply: FastifyReply, format: Open311Format, body: string, status = 200) => reply.status(status).type(OPEN311_CONTENT_TYPE[format]).send(body);

  /** `name.json` / `name.xml` for the expected name, else a 404 in the spec's shape. */
  const resource = (segment: string, expected?: string) => {
    const parsed = parseFormat(segment);
    if (!parsed || (expected && parsed.name !== expected)) throw new Open311Error(404, 'Unknown resource: add .json or .xml');
    return parsed;
  };
  const checkJurisdiction = (value: unknown) => {
    const j = text(value);
    if (j && j !== options.cityCode && j !== options.cityCode.replace(/\./g, '')) throw new Open311Error(404, `jurisdiction_id ${j} is not served here (this is ${options.cityCode})`);
  };

  app.register(
    async (plugin) => {
      const o311 = plugin as unknown as HttpApp;
      await o311.register(fastifyFormbody);
      o311.setErrorHandler((error, request, reply) => {
        const format = formatOf(request);
        if (error instanceof Open311Error) return send(reply, format, renderErrors([{ code: error.status, description: error.description }], format), error.status);
        if (error instanceof AppError) {
          const status = error.status === 422 || error.status === 413 || error.status === 415 ? 400 : error.status;
          return send(reply, format, renderErrors([{ code: status, description: error.text[request.lang] }], format), status);
        }
        const status = (error as { statusCode?: number }).statusCode;
        if (status && status >= 400 && status < 500) return send(reply, format, renderErrors([{ code: 400, description: (error as Error).message }], format), 400);
        request.log.error({ err: error }, 'open311 failure');
        return send(reply, format, renderErrors([{ code: 500, description: 'Internal error' }], format), 500);
      });
      o311.setNotFoundHandler((request, reply) => {
        const format = formatOf(request);
        return send(reply, format, renderErrors([{ code: 404, description: `No such resource ${request.url.split('?')[0]}` }], format), 404);
      });
      const hidden = { hide: false, tags: ['open311'] };

      o311.get('/:resource', { schema: { ...hidden, summary: 'discovery, services and requests lists (.json or .xml)', params: z.object({ resource: z.string() }) } }, async (request, reply) => {
        const { name, format } = resource(request.params.resource);
        const query = request.query as Record<string, unknown>;
        checkJurisdiction(query.jurisdiction_id);
        if (name === 'discovery') {
          const url = `${baseUrl(request)}/open311/v2/`;
          return send(reply, format, renderDiscovery({
            changeset: new Date(0).toISOString(),
            contact: `Diskominfo ${(await reports.names.get()).region(options.cityCode)?.name ?? options.cityCode}`,
            key_service: `${baseUrl(request)}/admin — kunci dibuat oleh admin (npx satukota open311 key create <nama>)`,
            endpoints: [{ specification: GEOREPORT_V2_SPECIFICATION, url, changeset: new Date(0).toISOString(), type: 'production', formats: ['text/xml', 'application/json'] }],
          }, format));
        }
        if (name === 'services') {
          const categories = await reports.categories.list();
          return send(reply, format, renderServices(categories.map((c) => serviceOf(c, request.lang)), format));
        }
        if (name === 'requests') return send(reply, format, renderRequests(await listRequests(request, query), format));
        throw new Open311Error(404, `Unknown resource ${name}`);
      });

      o311.get('/services/:file', { schema: { ...hidden, summary: 'Service definition: the category’s questions as attributes', params: z.object({ file: z.string() }) } }, async (request, reply) => {
        const { name: code, format } = resource(request.params.file);
        checkJurisdiction((request.query as Record<string, unknown>).jurisdiction_id);
        const category = await reports.categories.get(code);
        if (!category?.active) throw new Open311Error(404, `service_code ${code} not found`);
        const attributes: O311Attribute[] = category.questions.map((q) => ({
          variable: true,
          code: q.code,
          datatype: q.datatype,
          required: q.required,
          datatype_description: DATATYPE_DESCRIPTIONS[q.datatype],
          order: q.order,
          description: q.label[request.lang],
          ...(q.values ? { values: q.values.map((v) => ({ key: v.key, name: v.name[request.lang] })) } : {}),
        }));
        return send(reply, format, renderServiceDefinition({ service_code: code, attributes }, format));
      });

      o311.get('/requests/:file', { schema: { ...hidden, summary: 'One service request by its id (the tracking number)', params: z.object({ file: z.string() }) } }, async (request, reply) => {
        const { name: id, format } = resource(request.params.file);
        checkJurisdiction((request.query as Record<string, unknown>).jurisdiction_id);
        const row = await reports.find(id);
        if (!row || !/^SK-/i.test(id)) throw new Open311Error(404, `service_request_id ${id} not found`);
        const photos = await photosOf(options.db, [row.id]);
        return send(reply, format, renderRequests([requestOf(row, photos.get(row.id) ?? [], { names: await reports.names.get(), lang: request.lang, baseUrl: baseUrl(request) })], format));
      });

      o311.get('/tokens/:file', { schema: { ...hidden, summary: 'The service_request_id for a token', params: z.object({ file: z.string() }) } }, async (request, reply) => {
        const { name: token, format } = resource(request.params.file);
        checkJurisdiction((request.query as Record<string, unknown>).jurisdiction_id);
        const row = /^[0-9a-f-]{36}$/i.test(token) ? await options.db.maybeOne<{ tracking_no: string }>('select tracking_no from reports where open311_token = $1', [token]) : undefined;
        if (!row) throw new Open311Error(404, `token ${token} not found`);
        return send(reply, format, renderTokens([{ service_request_id: row.tracking_no, token }], format));
      });

      o311.post('/:resource', { config: { csrf: false }, schema: { ...hidden, summary: 'POST Service Request (needs api_key); application/x-www-form-urlencoded', params: z.object({ resource: z.string() }) } }, async (request, reply) => {
        const { format } = resource(request.params.resource, 'requests');
        const body = (request.body ?? {}) as Record<string, unknown>;
        const apiKey = text(body.api_key) ?? text((request.query as Record<string, unknown>).api_key);
        const keyId = apiKey ? await keys.check(apiKey) : undefined;
        if (!keyId) throw new Open311Error(403, 'api_key is missing or invalid');
        checkJurisdiction(body.jurisdiction_id);
        const serviceCode = text(body.service_code);
        if (!serviceCode) throw new Open311Error(400, 'service_code is required');
        const category = await reports.categories.get(serviceCode);
        if (!category?.active) throw new Open311Error(404, `service_code ${serviceCode} not found`);
        const lat = text(body.lat);
        const long = text(body.long);
        const addressString = text(body.address_string);
        const addressId = text(body.address_id);
        if ((lat === undefined) !== (long === undefined)) throw new Open311Error(400, 'lat and long must be given together');
        if (lat === undefined && !addressString && !addressId) throw new Open311Error(400, 'a location is required: lat & long, address_string or address_id');
        const latN = lat === undefined ? undefined : Number(lat);
        const longN = long === undefined ? undefined : Number(long);
        if (latN !== undefined && (!Number.isFinite(latN) || Math.abs(latN) > 90 || !Number.isFinite(longN!) || Math.abs(longN!) > 180)) throw new Open311Error(400, 'lat/long are not valid coordinates');
        const kelurahanCode = addressId ? normaliseRegionCode(addressId) : undefined;
        if (addressId && !kelurahanCode) throw new Open311Error(400, 'address_id must be a Kemendagri kelurahan code such as 36.72.07.1001');
        const description = text(body.description) ?? '';
        if (description.length > 4000) throw new Open311Error(400, 'description is longer than 4000 characters');
        const email = text(body.email);
        if (email && !z.email().safeParse(email).success) throw new Open311Error(400, 'email is not a valid e-mail address');
        const phoneRaw = text(body.phone);
        let phone: string | undefined;
        if (phoneRaw) {
          try {
            phone = normalisePhone(phoneRaw);
          } catch {
            throw new Open311Error(400, 'phone is not a valid Indonesian phone number');
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
        const notice = category.emergency ? 'Darurat: hubungi 112 sekarang juga. Laporan ini tetap diteruskan ke instansi terkait.' : null;
        return send(reply, format, renderPostResult([{ service_request_id: report.tracking_no, service_notice: notice, account_id: null }], format), 201);
      });

      /** GET Service Requests: the spec's filters; at most 90 days and 1000 requests. */
      async function listRequests(request: FastifyRequest, q: Record<string, unknown>): Promise<O311Request[]> {
        const where = new Where();
        const ids = text(q.service_request_id)?.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
        if (ids?.length) {
          // By id the submitter always finds their request; other filters are ignored, as the spec says.
          where.add((p) => `tracking_no = any(${p(ids.slice(0, MAX_RESULTS))})`);
        } else {
          where.add((p) => `status = any(${p(PUBLIC_STATUSES)})`);
          const codes = text(q.service_code)?.split(',').map((s) => s.trim()).filter(Boolean);
          if (codes?.length) where.add((p) => `category_code = any(${p(codes)})`);
          const statuses = text(q.status)?.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
          if (statuses?.length) {
            if (!statuses.every((s) => s === 'open' || s === 'closed')) throw new Open311Error(400, 'status must be open, closed or both');
            const ours = (Object.keys(OPEN311_STATUS) as ReportStatus[]).filter((s) => statuses.includes(OPEN311_STATUS[s]));
            where.add((p) => `status = any(${p(ours)})`);
          }
          const end = w3cDate(text(q.end_date), 'end_date') ?? new Date();
          const start = w3cDate(text(q.start_date), 'start_date') ?? new Date(end.getTime() - MAX_WINDOW_DAYS * 86400_000);
          if (start > end) throw new Open311Error(400, 'start_date is after end_date');
          if (end.getTime() - start.getTime() > MAX_WINDOW_DAYS * 86400_000) throw new Open311Error(400, `start_date and end_date may span at most ${MAX_WINDOW_DAYS} days`);
          where.add((p) => `submitted_at >= ${p(start)} and submitted_at <= ${p(end)}`);
        }
        const rows = await options.db.query<ReportRow>(`select * from reports ${where} order by submitted_at desc, id desc limit ${MAX_RESULTS}`, where.params);
        const photos = await photosOf(options.db, rows.map((r) => r.id));
        const ctx = { names: await reports.names.get(), lang: request.lang, baseUrl: baseUrl(request) };
        return rows.map((r) => requestOf(r, photos.get(r.id) ?? [], ctx));
      }
    },
    { prefix: '/open311/v2' },
  );

  // --- key management for the admin ----------------------------------------------------------------
  const errs = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema };
  app.get('/api/v1/open311-keys', { schema: { tags: ['open311'], summary: 'Open311 API keys (admin)', response: { 200: z.object({ keys: z.array(open311KeySchema) }), ...errs } } }, async (request) => {
    authorize(request.principal, 'open311_keys.manage');
    return { keys: await keys.list() };
  });
  app.post(
    '/api/v1/open311-keys',
    { schema: { tags: ['open311'], summary: 'Make an Open311 API key (admin); the key is shown only in this answer', body: z.object({ name: z.string().trim().min(2).max(100) }), response: { 201: z.object({ key: z.string(), record: open311KeySchema }), ...errs } } },
    async (request, reply) => {
      const p = authorize(request.principal, 'open311_keys.manage');
      return reply.status(201).send(await keys.create(request.body.name, { id: p.userId, label: p.role }));
    },
  );
  app.delete(
    '/api/v1/open311-keys/:id',
    { schema: { tags: ['open311'], summary: 'Revoke an Open311 API key (admin)', params: z.object({ id: z.uuid() }), response: { 204: z.null(), ...errs } } },
    async (request, reply) => {
      const p = authorize(request.principal, 'open311_keys.manage');
      await keys.revoke(request.params.id, { id: p.userId, label: p.role });
      return reply.status(204).send(null);
    },
  );
}

import { randomUUID } from 'node:crypto';
import type { Cipher } from '../../platform/crypto.js';
import { sha256 } from '../../platform/crypto.js';
import type { Database, Queryable } from '../../platform/db.js';
import { errors } from '../../platform/errors.js';
import { publish } from '../../platform/events.js';
import type { FileStore } from '../../platform/files.js';
import { beginUpload, completeUpload, discardUpload } from '../../platform/uploads.js';
import { authorize, can, maskPhone, type Principal, type ReportResource } from '../identity/index.js';
import { canonicalJson } from '../audit/index.js';
import type { RegionsService } from '../regions/index.js';
import { dueAt, localDate, type Duration } from '../../platform/calendar/calendar.js';
import { stageDuration, validateAnswers, type CategoriesService, type Category, type Stage } from './categories.js';
import type { HolidaysService } from './holidays.js';
import type { NameDirectory, Names } from './names.js';
import { isUuid } from './queries.js';
import { processPhoto, type ProcessedPhoto } from './photos.js';
import { assertTransition, OPEN_STATUSES, PUBLIC_STATUSES, policyActionOf, TRANSITIONS, type ReportStatus, type TransitionAction } from './workflow.js';

export type Privacy = 'public' | 'confidential' | 'anonymous';
export type Channel = 'web' | 'phone' | 'walk_in' | 'whatsapp' | 'sp4n_lapor' | 'open311';
export type HandlerKind = 'kelurahan' | 'kecamatan' | 'opd' | 'coordinator';

export interface Contact {
  name?: string | undefined;
  phone?: string | undefined;
  email?: string | undefined;
}

/** Who is filing: a logged-in citizen, an officer entering a report that came another way, or an Open311 client. */
export type Origin =
  | { kind: 'citizen'; principal: Principal }
  | { kind: 'officer'; principal: Principal; channel: Exclude<Channel, 'web' | 'open311'>; contact: Contact }
  | { kind: 'open311'; keyId: string; contact: Contact };

export interface SubmitInput {
  categoryCode: string;
  description: string;
  lat?: number | undefined;
  lng?: number | undefined;
  kelurahanCode?: string | undefined;
  address?: string | undefined;
  answers?: Record<string, unknown> | undefined;
  privacy: Privacy;
  photos?: Buffer[] | undefined;
  idempotencyKey?: string | undefined;
}

export interface ReportsOptions {
  cityCode: string;
  timezone: string;
  /** Days after a resolution within which the citizen may dispute it; then it closes itself. */
  autoCloseDays: number;
  duplicateRadiusMeters: number;
  duplicateWindowDays: number;
}

export interface ReportRow {
  id: string;
  number: number;
  tracking_no: string;
  category_code: string;
  description: string;
  lat: number | null;
  lng: number | null;
  kelurahan_code: string | null;
  kecamatan_code: string | null;
  address: string | null;
  answers: Record<string, unknown>;
  privacy: Privacy;
  channel: Channel;
  reporter_id: string | null;
  reporter_contact_enc: string | null;
  entered_by: string | null;
  open311_token: string | null;
  status: ReportStatus;
  emergency: boolean;
  priority: number;
  support_count: number;
  agency_code: string;
  handler_kind: HandlerKind;
  handler_code: string;
  instruction: string | null;
  merged_into: string | null;
  due_at: Date | null;
  resolve_due_at: Date | null;
  escalation_level: number;
  escalation_count: number;
  submitted_at: Date;
  verified_at: Date | null;
  dispatched_at: Date | null;
  started_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  rating: number | null;
  rating_comment: string | null;
  resolution_note: string | null;
  status_reason: string | null;
  updated_at: Date;
}

export interface PhotoRow {
  id: string;
  report_id: string;
  purpose: 'report' | 'resolution';
  file_key: string;
  thumb_key: string;
  content_type: string;
  width: number;
  height: number;
  moderation: 'pending' | 'approved' | 'rejected';
  created_at: Date;
}

export interface EventRow {
  id: number;
  report_id: string;
  kind: string;
  from_status: ReportStatus | null;
  to_status: ReportStatus | null;
  actor_id: string | null;
  actor_role: string | null;
  visibility: 'public' | 'officers';
  note: string | null;
  data: Record<string, unknown>;
  created_at: Date;
}

export interface TransitionInput {
  note?: string | undefined;
  /** dispatch: the unit that should act. */
  target?: { kind: 'opd' | 'kelurahan' | 'kecamatan'; code: string } | undefined;
  /** merge: the report this one duplicates. */
  intoTrackingNo?: string | undefined;
  /** close: the citizen's rating. */
  rating?: number | undefined;
  /** resolve: a photo of the result. */
  photo?: Buffer | undefined;
}

export function reportResource(r: Pick<ReportRow, 'reporter_id' | 'handler_kind' | 'handler_code' | 'agency_code' | 'kelurahan_code' | 'kecamatan_code'>): ReportResource {
  return {
    type: 'report',
    reporterId: r.reporter_id,
    handler: { kind: r.handler_kind, code: r.handler_code },
    agencyCode: r.agency_code,
    kelurahanCode: r.kelurahan_code,
    kecamatanCode: r.kecamatan_code,
  };
}

/** Tracking numbers a person can read over the phone: SK-2026-000123 (`s.n` from the sequence, `$2` the year). */
const TRACKING_NO_SQL = `'SK-' || $2::text || '-' || case when s.n < 1000000 then lpad(s.n::text, 6, '0') else s.n::text end`;

/** Emergencies first, then reports many citizens support. */
export function priorityOf(emergency: boolean, supportCount: number): number {
  return (emergency ? 1000 : 0) + Math.min(supportCount, 999);
}

/** When to warn the handler before a due time: a day before, or a quarter of an emergency stage. */
function warnBefore(category: Category, stage: Stage, start: Date, due: Date): Date {
  const duration = stageDuration(category, stage);
  const lead = duration.unit === 'hours' ? (duration.value * 3600_000) / 4 : 24 * 3600_000;
  return new Date(Math.max(start.getTime(), due.getTime() - lead));
}

const notFound = () => errors.notFound({ id: 'Laporan', en: 'Report' });

/** Every file a set of stored photos wrote. */
const photoKeys = (stored: { fileKey: string; thumbKey: string }[]) => stored.flatMap((s) => [s.fileKey, s.thumbKey]);

/** Great-circle distance in metres, in SQL, for `$lat`/`$lng` parameters at positions a and b. */
const distanceSql = (a: number, b: number) =>
  `(12742000 * asin(sqrt(power(sin(radians(lat - $${a}) / 2), 2) + cos(radians($${a})) * cos(radians(lat)) * power(sin(radians(lng - $${b}) / 2), 2))))`;

class Replayed extends Error {
  constructor(readonly reportId: string) {
    super('idempotent replay');
  }
}

/**
 * Citizen reports: intake (with photos and idempotent retries), routing to a kelurahan or OPD,
 * the workflow with its deadlines, supporters and duplicates, comments and internal notes.
 */
export class ReportsService {
  private extent: { at: number; box: [number, number, number, number] | null } | undefined;
  /** Deadlines are computed from this clock; tests set it to a chosen moment. */
  clock: () => Date = () => new Date();

  constructor(
    private readonly db: Database,
    private readonly cipher: Cipher,
    private readonly files: FileStore,
    readonly categories: CategoriesService,
    readonly holidays: HolidaysService,
    private readonly regions: RegionsService,
    readonly names: NameDirectory,
    readonly options: ReportsOptions,
  ) {}

  // --- reading ----------------------------------------------------------------------------------

  async row(id: string, q: Queryable = this.db): Promise<ReportRow | undefined> {
    return q.maybeOne<ReportRow>('select * from reports where id = $1', [id]);
  }

  /** By id (uuid) or tracking number; anything else is simply not found. */
  async find(ref: string): Promise<ReportRow | undefined> {
    if (isUuid(ref)) return this.row(ref);
    return this.db.maybeOne<ReportRow>('select * from reports where tracking_no = $1', [ref.toUpperCase()]);
  }

  async readable(principal: Principal | undefined, ref: string): Promise<ReportRow> {
    // Before the lookup: an anonymous caller must not learn which tracking numbers exist.
    const p = authorize(principal, 'reports.list');
    const row = await this.find(ref);
    if (!row) throw notFound();
    // Someone who may not read it learns nothing, not even that it exists.
    if (!can(p, 'reports.read', reportResource(row))) throw notFound();
    return row;
  }

  async photos(reportId: string): Promise<PhotoRow[]> {
    return this.db.query<PhotoRow>('select * from report_photos where report_id = $1 order by created_at, id', [reportId]);
  }

  async photo(photoId: string): Promise<PhotoRow | undefined> {
    return this.db.maybeOne<PhotoRow>('select * from report_photos where id = $1', [photoId]);
  }

  async events(reportId: string, audience: 'officers' | 'citizen'): Promise<EventRow[]> {
    return this.db.query<EventRow>(
      `select * from report_events where report_id = $1 ${audience === 'citizen' ? `and visibility = 'public'` : ''} order by id`,
      [reportId],
    );
  }

  async isSupporter(reportId: string, userId: string): Promise<boolean> {
    return Boolean(await this.db.maybeOne('select 1 from report_supporters where report_id = $1 and user_id = $2', [reportId, userId]));
  }

  /** The reporter as an officer may see them; never for an anonymous report. */
  async reporterOf(row: ReportRow): Promise<{ name: string; phoneMasked: string | null; hasAccount: boolean } | null> {
    if (row.privacy === 'anonymous') return null;
    if (row.reporter_id) {
      const u = await this.db.maybeOne<{ name_enc: string; phone_enc: string | null }>('select name_enc, phone_enc from users where id = $1', [row.reporter_id]);
      if (!u) return null;
      const phone = this.cipher.decryptOptional(u.phone_enc);
      return { name: this.cipher.decrypt(u.name_enc), phoneMasked: phone && maskPhone(phone), hasAccount: true };
    }
    const contact = this.contactOf(row);
    if (!contact) return null;
    return { name: contact.name ?? 'Pelapor', phoneMasked: contact.phone ? maskPhone(contact.phone) : null, hasAccount: false };
  }

  contactOf(row: Pick<ReportRow, 'reporter_contact_enc'>): Contact | null {
    return row.reporter_contact_enc ? (JSON.parse(this.cipher.decrypt(row.reporter_contact_enc)) as Contact) : null;
  }

  // --- intake -------------------------------------------------------------------------------------

  private async cityExtent(): Promise<[number, number, number, number] | null> {
    if (this.extent && Date.now() - this.extent.at < 60_000) return this.extent.box;
    const row = await this.db.maybeOne<{ x1: number | null; y1: number | null; x2: number | null; y2: number | null }>(
      `select min(least((bbox[0])[0], (bbox[1])[0])) as x1, min(least((bbox[0])[1], (bbox[1])[1])) as y1,
              max(greatest((bbox[0])[0], (bbox[1])[0])) as x2, max(greatest((bbox[0])[1], (bbox[1])[1])) as y2
       from regions where level = 'village' and bbox is not null and code like $1`,
      [`${this.options.cityCode}.%`],
    );
    const box = row && row.x1 !== null && row.y1 !== null && row.x2 !== null && row.y2 !== null ? ([row.x1, row.y1, row.x2, row.y2] as [number, number, number, number]) : null;
    this.extent = { at: Date.now(), box };
    return box;
  }

  /**
   * Where the report is and who handles it first. A point is located in the kelurahan boundaries;
   * a point between polygons or an address without a point goes to the coordinator, never nowhere.
   */
  async route(
    category: Category,
    input: Pick<SubmitInput, 'lat' | 'lng' | 'kelurahanCode' | 'address'>,
  ): Promise<{ kelurahanCode: string | null; kecamatanCode: string | null; handler: { kind: HandlerKind; code: string } }> {
    let kelurahanCode: string | null = null;
    let kecamatanCode: string | null = null;
    if (input.kelurahanCode) {
      const region = await this.regions.get(input.kelurahanCode);
      if (region?.level !== 'village' || !region.code.startsWith(`${this.options.cityCode}.`)) {
        throw errors.unprocessable(
          'kelurahan_unknown',
          { id: `Kelurahan dengan kode ${input.kelurahanCode} tidak ada di kota ini.`, en: `There is no kelurahan ${input.kelurahanCode} in this city.` },
          { field: 'kelurahanCode' },
        );
      }
      kelurahanCode = region.code;
      kecamatanCode = region.parentCode;
    } else if (input.lat !== undefined && input.lng !== undefined) {
      const extent = await this.cityExtent();
      // About 1 km of slack: a report from the city's edge must not be refused for a rough boundary.
      const margin = 0.01;
      if (extent && (input.lng < extent[0] - margin || input.lng > extent[2] + margin || input.lat < extent[1] - margin || input.lat > extent[3] + margin)) {
        throw errors.unprocessable(
          'location_outside_city',
          { id: 'Lokasi yang dipilih berada di luar wilayah kota ini. Geser penanda ke lokasi masalah di dalam kota.', en: 'The chosen location is outside this city. Move the pin to the problem inside the city.' },
          { field: 'lat' },
        );
      }
      const hit = await this.regions.locate(input.lat, input.lng);
      if (hit) {
        kelurahanCode = hit.code;
        kecamatanCode = hit.districtCode;
      }
    } else if (!input.address?.trim()) {
      throw errors.badRequest(
        'location_required',
        { id: 'Tentukan lokasi masalah: titik di peta, kelurahan, atau alamat.', en: 'Give the location of the problem: a map point, a kelurahan or an address.' },
        { field: 'lat' },
      );
    }
    let handler: { kind: HandlerKind; code: string };
    // An emergency goes straight to the responsible agency, whatever the location.
    if (category.emergency || (category.firstHandler === 'opd' && kelurahanCode)) handler = { kind: 'opd', code: category.agencyCode };
    else if (kelurahanCode) handler = { kind: 'kelurahan', code: kelurahanCode };
    else handler = { kind: 'coordinator', code: this.options.cityCode };
    return { kelurahanCode, kecamatanCode, handler };
  }

  private async deadline(start: Date, duration: Duration): Promise<Date> {
    return dueAt(start, duration, await this.holidays.calendar());
  }

  /** The stage's due time and when to warn the handler before it (a day, or a quarter of an emergency stage). */
  private async stageTimes(category: Category, stage: Stage, start: Date): Promise<{ due: Date; warn: Date }> {
    const due = await this.deadline(start, stageDuration(category, stage));
    return { due, warn: warnBefore(category, stage, start, due) };
  }

  private idempotencyOwner(origin: Origin): string {
    return origin.kind === 'open311' ? `open311:${origin.keyId}` : origin.principal.userId;
  }

  async submit(input: SubmitInput, origin: Origin): Promise<{ report: ReportRow; replayed: boolean }> {
    const owner = this.idempotencyOwner(origin);
    const category = await this.categories.cached(input.categoryCode);
    if (!category?.active) {
      throw errors.unprocessable('category_unknown', { id: 'Kategori laporan tidak dikenal.', en: 'Unknown report category.' }, { field: 'categoryCode' });
    }
    const answers = validateAnswers(category.questions, input.answers);
    const photos: ProcessedPhoto[] = [];
    for (const buffer of input.photos ?? []) photos.push(await processPhoto(buffer));
    const requestHash = sha256(
      canonicalJson({
        c: input.categoryCode,
        d: input.description,
        lat: input.lat ?? null,
        lng: input.lng ?? null,
        k: input.kelurahanCode ?? null,
        a: input.address ?? null,
        ans: answers,
        p: input.privacy,
        ph: photos.map((p) => p.sha256),
        // An officer reusing a key for another caller must not get the first caller's report back.
        ch: origin.kind === 'officer' ? origin.channel : null,
        ct: origin.kind === 'citizen' ? null : origin.contact,
      }),
    );
    // With photos a retry is worth catching before the transaction; without, the insert's conflict catches it.
    if (input.idempotencyKey && photos.length > 0) {
      const previous = await this.replay(owner, input.idempotencyKey, requestHash);
      if (previous) return { report: previous, replayed: true };
    }
    const routed = await this.route(category, input);
    const id = randomUUID();
    const now = this.clock();
    const year = localDate(now, this.options.timezone).slice(0, 4);
    const stored = await this.storePhotos(id, photos);
    const times = await this.stageTimes(category, 'verify', now);
    const names = await this.names.get();
    const contact = origin.kind === 'citizen' ? null : origin.contact;
    const channel: Channel = origin.kind === 'citizen' ? 'web' : origin.kind === 'open311' ? 'open311' : origin.channel;
    let inserted: ReportRow | undefined;
    try {
      await this.db.transaction(async (tx) => {
        inserted = await tx.one<ReportRow>(
          `insert into reports (id, number, tracking_no, category_code, description, lat, lng, location, kelurahan_code, kecamatan_code, address, answers,
             privacy, channel, reporter_id, reporter_contact_enc, entered_by, open311_key_id, open311_token, status, emergency, priority, agency_code,
             handler_kind, handler_code, due_at, warn_at, next_escalation_at, submitted_at, updated_at)
           select $1, s.n, ${TRACKING_NO_SQL}, $3, $4, $5, $6, case when $5::float8 is null then null else point($6::float8, $5::float8) end, $7, $8, $9, $10,
             $11, $12, $13, $14, $15, $16, $17, 'submitted', $18, $19, $20, $21, $22, $23, $24, $23, $25, $25
           from (select nextval('report_number_seq') as n) s returning *`,
          [
            id,
            year,
            category.code,
            input.description.trim(),
            input.lat ?? null,
            input.lng ?? null,
            routed.kelurahanCode,
            routed.kecamatanCode,
            input.address?.trim() || null,
            JSON.stringify(answers),
            input.privacy,
            channel,
            origin.kind === 'citizen' ? origin.principal.userId : null,
            contact && Object.values(contact).some(Boolean) ? this.cipher.encrypt(JSON.stringify(contact)) : null,
            origin.kind === 'officer' ? origin.principal.userId : null,
            origin.kind === 'open311' ? origin.keyId : null,
            origin.kind === 'open311' ? randomUUID() : null,
            category.emergency,
            priorityOf(category.emergency, 0),
            category.agencyCode,
            routed.handler.kind,
            routed.handler.code,
            times.due,
            times.warn,
            now,
          ],
        );
        await completeUpload(tx, photoKeys(stored));
        for (const p of stored) {
          await tx.query(
            `insert into report_photos (id, report_id, purpose, file_key, thumb_key, content_type, width, height, bytes, sha256, uploaded_by)
             values ($1, $2, 'report', $3, $4, $5, $6, $7, $8, $9, $10)`,
            [p.id, id, p.fileKey, p.thumbKey, p.photo.contentType, p.photo.width, p.photo.height, p.photo.data.length, p.photo.sha256, origin.kind === 'open311' ? null : origin.principal.userId],
          );
        }
        await this.recordEvent(tx, names, id, {
          kind: 'status',
          to: 'submitted',
          actor: origin.kind === 'open311' ? null : origin.principal,
          visibility: 'public',
          data: { channel, handler: routed.handler, unrouted: routed.handler.kind === 'coordinator' && !category.emergency },
        });
        if (input.idempotencyKey) {
          const claimed = await tx.maybeOne(
            `insert into report_idempotency (owner, key, request_hash, report_id) values ($1, $2, $3, $4) on conflict do nothing returning key`,
            [owner, input.idempotencyKey, requestHash, id],
          );
          // A concurrent retry with the same key won: undo this one and answer with that report.
          if (!claimed) throw new Replayed(id);
        }
        await publish(tx, 'report.submitted', { reportId: id, emergency: category.emergency, channel });
      });
    } catch (error) {
      await this.discardPhotos(stored);
      if (error instanceof Replayed && input.idempotencyKey) {
        const previous = await this.replay(owner, input.idempotencyKey, requestHash);
        if (previous) return { report: previous, replayed: true };
      }
      throw error;
    }
    return { report: inserted!, replayed: false };
  }

  private async replay(owner: string, key: string, requestHash: string): Promise<ReportRow | undefined> {
    const previous = await this.db.maybeOne<{ request_hash: string; report_id: string }>('select request_hash, report_id from report_idempotency where owner = $1 and key = $2', [owner, key]);
    if (!previous) return undefined;
    if (previous.request_hash !== requestHash) {
      throw errors.unprocessable('idempotency_key_reused', {
        id: 'Kunci Idempotency-Key ini sudah dipakai untuk laporan lain. Gunakan kunci baru untuk laporan baru.',
        en: 'This Idempotency-Key was used for a different report. Use a new key for a new report.',
      });
    }
    return this.row(previous.report_id);
  }

  /** Written before the report's transaction, under upload intents that the transaction completes (src/platform/uploads.ts). */
  private async storePhotos(reportId: string, photos: ProcessedPhoto[]) {
    const month = localDate(new Date(), this.options.timezone).slice(0, 7).replace('-', '/');
    const stored = photos.map((photo) => {
      const id = randomUUID();
      return { id, fileKey: `reports/${month}/${reportId}/${id}.${photo.extension}`, thumbKey: `reports/${month}/${reportId}/${id}.thumb.webp`, photo };
    });
    await beginUpload(this.db, photoKeys(stored));
    try {
      for (const entry of stored) {
        await this.files.put(entry.fileKey, entry.photo.data, entry.photo.contentType);
        await this.files.put(entry.thumbKey, entry.photo.thumbnail, 'image/webp');
      }
    } catch (error) {
      await this.discardPhotos(stored);
      throw error;
    }
    return stored;
  }

  /** What is left behind when this fails, the sweep removes. */
  private async discardPhotos(stored: { fileKey: string; thumbKey: string }[]): Promise<void> {
    await discardUpload(this.db, this.files, photoKeys(stored)).catch(() => undefined);
  }

  async readPhoto(photo: PhotoRow, size: 'full' | 'thumb') {
    return this.files.get(size === 'thumb' ? photo.thumb_key : photo.file_key);
  }

  // --- workflow -----------------------------------------------------------------------------------

  /** `names` is fetched before the transaction: with PGlite a query outside it would wait for itself. */
  private async recordEvent(
    tx: Queryable,
    names: Names,
    reportId: string,
    e: { kind: string; from?: ReportStatus; to?: ReportStatus; actor: Principal | null; visibility: 'public' | 'officers'; note?: string | null; data?: Record<string, unknown> },
  ): Promise<void> {
    const unit = e.actor?.scope ? names.unit(e.actor.scope.kind, e.actor.scope.code) : null;
    await tx.query(
      `insert into report_events (report_id, kind, from_status, to_status, actor_id, actor_role, visibility, note, data) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [reportId, e.kind, e.from ?? null, e.to ?? null, e.actor?.userId ?? null, e.actor?.role ?? 'system', e.visibility, e.note ?? null, JSON.stringify({ ...e.data, ...(unit ? { unit } : {}) })],
    );
  }

  /** Takes a workflow action: the state machine says whether it applies, the policy whether this person may. */
  async act(ref: string, action: TransitionAction, input: TransitionInput, principal: Principal | undefined): Promise<ReportRow> {
    const current = await this.readable(principal, ref);
    const p = authorize(principal, policyActionOf(action), reportResource(current));
    assertTransition(action, current.status);
    const note = input.note?.trim() || null;
    const ask = TRANSITIONS[action].noteRequired;
    if (ask && !note) throw errors.badRequest('note_required', ask, { field: 'note' });
    const category = (await this.categories.get(current.category_code))!;
    // Everything that may fail or needs other lookups happens before the transaction (PGlite has one connection).
    const prepared = await this.prepare(action, current, input, category, p);
    const processed = action === 'resolve' && input.photo ? await processPhoto(input.photo) : undefined;
    const stored = processed ? await this.storePhotos(current.id, [processed]) : [];
    const names = await this.names.get();
    try {
      await this.db.transaction(async (tx) => {
        // Lock the row: two officers acting at once must not both move it.
        const locked = await tx.one<ReportRow>('select * from reports where id = $1 for update', [current.id]);
        const to = assertTransition(action, locked.status);
        await tx.query(`update reports set status = $2, updated_at = now(), ${prepared.set} where id = $1`, [current.id, to, ...prepared.params]);
        await completeUpload(tx, photoKeys(stored));
        for (const s of stored) {
          await tx.query(
            `insert into report_photos (id, report_id, purpose, file_key, thumb_key, content_type, width, height, bytes, sha256, uploaded_by)
             values ($1, $2, 'resolution', $3, $4, $5, $6, $7, $8, $9, $10)`,
            [s.id, current.id, s.fileKey, s.thumbKey, s.photo.contentType, s.photo.width, s.photo.height, s.photo.data.length, s.photo.sha256, p.userId],
          );
        }
        await this.recordEvent(tx, names, current.id, {
          kind: 'status',
          from: locked.status,
          to,
          actor: p,
          // Instructions and merge targets are internal; reasons and resolutions the citizen reads.
          visibility: 'public',
          note: action === 'dispatch' ? null : note,
          data: { action, ...prepared.eventData },
        });
        await prepared.after?.(tx);
        await publish(tx, 'report.status_changed', { reportId: current.id, action, from: locked.status, to, ...(prepared.eventData.target ? { target: prepared.eventData.target } : {}) });
      });
    } catch (error) {
      await this.discardPhotos(stored);
      throw error;
    }
    return (await this.row(current.id))!;
  }

  private async prepare(
    action: TransitionAction,
    r: ReportRow,
    input: TransitionInput,
    category: Category,
    p: Principal,
  ): Promise<{ set: string; params: unknown[]; eventData: Record<string, unknown>; after?: (tx: Queryable) => Promise<void> }> {
    const now = this.clock();
    const names = await this.names.get();
    const resetEscalation = 'escalation_level = 0, warned_at = null';
    switch (action) {
      case 'verify': {
        const t = await this.stageTimes(category, 'dispatch', now);
        return { set: `verified_at = now(), due_at = $3, warn_at = $4, next_escalation_at = $3, ${resetEscalation}`, params: [t.due, t.warn], eventData: {} };
      }
      case 'reject':
        return { set: `status_reason = $3, due_at = null, warn_at = null, next_escalation_at = null`, params: [input.note], eventData: {} };
      case 'merge': {
        const target = input.intoTrackingNo ? await this.find(input.intoTrackingNo) : undefined;
        if (!target || target.id === r.id || !OPEN_STATUSES.includes(target.status) || !can(p, 'reports.read', reportResource(target))) {
          throw errors.unprocessable('merge_target_invalid', {
            id: 'Laporan tujuan penggabungan tidak ditemukan atau sudah tidak terbuka.',
            en: 'The report to merge into was not found or is no longer open.',
          }, { field: 'intoTrackingNo' });
        }
        return {
          set: `merged_into = $3, due_at = null, warn_at = null, next_escalation_at = null, status_reason = $4`,
          params: [target.id, input.note ?? null],
          eventData: { into: target.tracking_no },
          after: async (tx) => {
            // The reporter and supporters of the duplicate follow the original from now on.
            // (never the original's own reporter: nobody supports their own report)
            if (r.reporter_id && r.reporter_id !== target.reporter_id) {
              await tx.query('insert into report_supporters (report_id, user_id) values ($1, $2) on conflict do nothing', [target.id, r.reporter_id]);
            }
            await tx.query(
              `insert into report_supporters (report_id, user_id)
               select $1, user_id from report_supporters where report_id = $2 and user_id is distinct from $3 on conflict do nothing`,
              [target.id, r.id, target.reporter_id],
            );
            await this.refreshSupport(tx, target.id);
            await this.recordEvent(tx, names, target.id, { kind: 'merge', actor: p, visibility: 'officers', data: { from: r.tracking_no } });
          },
        };
      }
      case 'dispatch': {
        const target = input.target;
        if (!target) throw errors.badRequest('target_required', { id: 'Pilih unit tujuan disposisi.', en: 'Choose the unit to dispatch to.' }, { field: 'target' });
        await this.assertUnitExists(target);
        // A re-disposisi keeps the resolution deadline: handing a report on does not buy time.
        const resolveDue = r.resolve_due_at ?? (await this.deadline(now, stageDuration(category, 'resolve')));
        const warn = warnBefore(category, 'resolve', now, resolveDue);
        return {
          set: `handler_kind = $3, handler_code = $4, instruction = $5, dispatched_at = coalesce(dispatched_at, now()), resolve_due_at = $6, due_at = $6,
                warn_at = $7, next_escalation_at = $6, ${resetEscalation}
                ${target.kind === 'opd' ? ', agency_code = $4' : ''}`,
          params: [target.kind, target.code, input.note, resolveDue, warn],
          eventData: { target, instruction: input.note },
        };
      }
      case 'return': {
        const t = await this.stageTimes(category, 'dispatch', now);
        return {
          set: `handler_kind = 'coordinator', handler_code = $3, instruction = null, status_reason = $4, due_at = $5, warn_at = $6, next_escalation_at = $5, ${resetEscalation}`,
          params: [this.options.cityCode, input.note, t.due, t.warn],
          eventData: { returnedBy: { kind: r.handler_kind, code: r.handler_code } },
        };
      }
      case 'start': {
        if (r.status === 'verified') {
          // The unit fixes it itself, without a disposisi: the resolution stage begins now.
          const resolveDue = r.resolve_due_at ?? (await this.deadline(now, stageDuration(category, 'resolve')));
          return {
            set: `started_at = coalesce(started_at, now()), resolve_due_at = $3, due_at = $3, warn_at = $4, next_escalation_at = $3, ${resetEscalation}`,
            params: [resolveDue, warnBefore(category, 'resolve', now, resolveDue)],
            eventData: {},
          };
        }
        return { set: `started_at = coalesce(started_at, now())`, params: [], eventData: {} };
      }
      case 'resolve':
        return { set: `resolved_at = now(), resolution_note = $3, due_at = null, warn_at = null, next_escalation_at = null`, params: [input.note], eventData: {} };
      case 'close': {
        if (!input.rating || input.rating < 1 || input.rating > 5) {
          throw errors.badRequest('rating_required', { id: 'Beri penilaian 1 sampai 5 bintang.', en: 'Give a rating from 1 to 5 stars.' }, { field: 'rating' });
        }
        return { set: `closed_at = now(), rating = $3, rating_comment = $4`, params: [input.rating, input.note ?? null], eventData: { rating: input.rating } };
      }
      case 'dispute': {
        const deadline = r.resolved_at ? r.resolved_at.getTime() + this.options.autoCloseDays * 86400_000 : 0;
        if (this.clock().getTime() > deadline) {
          throw errors.conflict('dispute_window_passed', {
            id: `Sanggahan hanya dapat diajukan dalam ${this.options.autoCloseDays} hari setelah laporan diselesaikan.`,
            en: `A resolution can only be disputed within ${this.options.autoCloseDays} days.`,
          });
        }
        const t = await this.stageTimes(category, 'resolve', now);
        return {
          set: `resolved_at = null, status_reason = $3, resolve_due_at = $4, due_at = $4, warn_at = $5, next_escalation_at = $4, ${resetEscalation}`,
          params: [input.note, t.due, t.warn],
          eventData: {},
        };
      }
    }
  }

  private async assertUnitExists(target: { kind: 'opd' | 'kelurahan' | 'kecamatan'; code: string }): Promise<void> {
    const ok =
      target.kind === 'opd'
        ? await this.db.maybeOne('select 1 from agencies where code = $1', [target.code])
        : await this.db.maybeOne('select 1 from regions where code = $1 and level = $2 and code like $3', [target.code, target.kind === 'kecamatan' ? 'district' : 'village', `${this.options.cityCode}.%`]);
    if (!ok) throw errors.unprocessable('target_unknown', { id: 'Unit tujuan disposisi tidak dikenal.', en: 'Unknown unit to dispatch to.' }, { field: 'target' });
  }

  private async refreshSupport(tx: Queryable, reportId: string): Promise<void> {
    await tx.query(
      `update reports set support_count = s.n, priority = (case when emergency then 1000 else 0 end) + least(s.n, 999), updated_at = now()
       from (select count(*)::int as n from report_supporters where report_id = $1) s where id = $1`,
      [reportId],
    );
  }

  /** A citizen supports a report instead of filing the same problem again. */
  async support(ref: string, principal: Principal | undefined): Promise<{ report: ReportRow; added: boolean }> {
    const p = authorize(principal, 'reports.create');
    const row = await this.find(ref);
    if (!row || !PUBLIC_STATUSES.includes(row.status)) throw notFound();
    authorize(p, 'reports.support', reportResource(row));
    if (!OPEN_STATUSES.includes(row.status)) {
      throw errors.conflict('report_not_open', { id: 'Laporan ini sudah selesai ditangani.', en: 'This report has already been resolved.' });
    }
    const names = await this.names.get();
    const added = await this.db.transaction(async (tx) => {
      const inserted = await tx.maybeOne('insert into report_supporters (report_id, user_id) values ($1, $2) on conflict do nothing returning user_id', [row.id, p.userId]);
      if (!inserted) return false;
      await this.refreshSupport(tx, row.id);
      await this.recordEvent(tx, names, row.id, { kind: 'support', actor: p, visibility: 'officers' });
      return true;
    });
    return { report: (await this.row(row.id))!, added };
  }

  /** A comment the reporter and officers read, or an internal note for officers only. */
  async comment(ref: string, text: string, internal: boolean, principal: Principal | undefined): Promise<EventRow> {
    const row = await this.readable(principal, ref);
    const p = authorize(principal, internal ? 'reports.note' : 'reports.comment', reportResource(row));
    const names = await this.names.get();
    const event = await this.db.transaction(async (tx) => {
      await this.recordEvent(tx, names, row.id, { kind: internal ? 'note' : 'comment', actor: p, visibility: internal ? 'officers' : 'public', note: text.trim() });
      const created = await tx.one<EventRow>('select * from report_events where report_id = $1 order by id desc limit 1', [row.id]);
      if (!internal) await publish(tx, 'report.commented', { reportId: row.id, eventId: created.id, byCitizen: p.role === 'citizen' });
      return created;
    });
    return event;
  }

  async moderatePhoto(ref: string, photoId: string, decision: 'approved' | 'rejected', principal: Principal | undefined): Promise<PhotoRow> {
    const row = await this.readable(principal, ref);
    const p = authorize(principal, 'reports.moderate_photo', reportResource(row));
    const names = await this.names.get();
    return this.db.transaction(async (tx) => {
      const photo = await tx.maybeOne<PhotoRow>(
        `update report_photos set moderation = $3, moderated_by = $4, moderated_at = now() where id = $1 and report_id = $2 returning *`,
        [photoId, row.id, decision, p.userId],
      );
      if (!photo) throw errors.notFound({ id: 'Foto', en: 'Photo' });
      await this.recordEvent(tx, names, row.id, { kind: 'moderation', actor: p, visibility: 'officers', data: { photoId, decision } });
      return photo;
    });
  }

  /**
   * Open reports of the same category within the radius and the recent window: offered to a citizen
   * to support instead of filing anew (only what the public may see), and to an officer to merge.
   */
  async nearby(categoryCode: string, lat: number, lng: number, audience: 'public' | 'officers', excludeId?: string): Promise<(ReportRow & { distance_m: number })[]> {
    const r = this.options.duplicateRadiusMeters;
    const dLat = r / 111_320;
    const dLng = r / (111_320 * Math.max(0.01, Math.cos((lat * Math.PI) / 180)));
    const statuses = audience === 'public' ? OPEN_STATUSES.filter((s) => PUBLIC_STATUSES.includes(s)) : OPEN_STATUSES;
    return this.db.query<ReportRow & { distance_m: number }>(
      `select * from (
         select *, ${distanceSql(1, 2)} as distance_m from reports
         where category_code = $3 and location <@ box(point($4, $5), point($6, $7)) and status = any($8)
           and submitted_at > now() - make_interval(days => $9) and ($10::uuid is null or id <> $10::uuid)
           -- a confidential report's place is not public: a citizen probing from chosen points must not find it
           and (not $12 or privacy <> 'confidential')
       ) near where distance_m <= $11 order by distance_m limit 10`,
      [lat, lng, categoryCode, lng - dLng, lat - dLat, lng + dLng, lat + dLat, statuses, this.options.duplicateWindowDays, excludeId ?? null, r, audience === 'public'],
    );
  }
}

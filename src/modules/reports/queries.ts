import type { Cipher } from '../../platform/crypto.js';
import type { Database, Queryable } from '../../platform/db.js';
import { errors } from '../../platform/errors.js';
import { maskPhone, type Principal } from '../identity/index.js';
import { reportsPolicy, type ReportResource } from './policy.js';
import type { Neighbours } from './neighbours.js';
import * as repo from './repository.js';
import type { EscalationListRow, EventRow, PhotoRow, ReportRow } from './repository.js';
import type { ListFilters } from './schema.js';
import { PUBLIC_STATUSES } from './workflow.js';

/**
 * Reading reports as a viewer may: one report (found only by those who may read it), its photos,
 * timeline and reporter; the inbox and the public feed, as WHERE clauses (the inbox's the same rule as
 * the policy's `sees`) read a keyset page at a time; the escalations. The statements are in
 * repository.ts: this file builds the filters and orders they take.
 */

export interface Contact {
  name?: string | undefined;
  phone?: string | undefined;
  email?: string | undefined;
}

/** A report as the policy sees it: who filed it, who holds it, where it is. */
export function reportResource(r: Pick<ReportRow, 'reporter_id' | 'handler_kind' | 'handler_code' | 'agency_code' | 'kelurahan_code' | 'kecamatan_code'>): ReportResource {
  return {
    reporterId: r.reporter_id,
    handler: { kind: r.handler_kind, code: r.handler_code },
    agencyCode: r.agency_code,
    kelurahanCode: r.kelurahan_code,
    kecamatanCode: r.kecamatan_code,
  };
}

export const reportNotFound = () => errors.notFound({ id: 'Laporan', en: 'Report' });

/** Builds a WHERE clause with numbered parameters. */
export class Where {
  readonly parts: string[] = [];
  readonly params: unknown[] = [];

  add(sql: (p: (value: unknown) => string) => string): this {
    this.parts.push(sql((value) => {
      this.params.push(value);
      return `$${this.params.length}`;
    }));
    return this;
  }

  toString(): string {
    return this.parts.length ? `where ${this.parts.join(' and ')}` : '';
  }
}

/**
 * The reports a viewer may list, in SQL: the same rule as `sees` in identity/policy.ts (city-wide
 * roles see all; an officer their OPD, area or whatever their unit holds; a citizen their own).
 * The policy-matrix and list tests check that both agree.
 */
export function scopeFilter(where: Where, viewer: Principal): void {
  if (['admin', 'coordinator', 'pimpinan', 'command'].includes(viewer.role)) return;
  if (viewer.role === 'citizen') {
    where.add((p) => `reporter_id = ${p(viewer.userId)}`);
    return;
  }
  const scope = viewer.scope;
  if (!scope) {
    where.add(() => 'false');
    return;
  }
  if (scope.kind === 'city') return;
  if (scope.kind === 'opd') where.add((p) => `(agency_code = ${p(scope.code)} or (handler_kind = 'opd' and handler_code = ${p(scope.code)}))`);
  if (scope.kind === 'kelurahan') where.add((p) => `(kelurahan_code = ${p(scope.code)} or (handler_kind = 'kelurahan' and handler_code = ${p(scope.code)}))`);
  if (scope.kind === 'kecamatan') {
    where.add(
      (p) =>
        `(kecamatan_code = ${p(scope.code)} or (handler_kind = 'kecamatan' and handler_code = ${p(scope.code)}) or (handler_kind = 'kelurahan' and handler_code like ${p(`${scope.code}.%`)}))`,
    );
  }
}

/** The viewer's own unit holds the report now. */
function heldBy(where: Where, viewer: Principal): void {
  if (viewer.role === 'coordinator') where.add(() => `handler_kind = 'coordinator'`);
  else if (viewer.scope && viewer.scope.kind !== 'city') where.add((p) => `handler_kind = ${p(viewer.scope!.kind)} and handler_code = ${p(viewer.scope!.code)}`);
  else where.add(() => 'false');
}

export function listWhere(viewer: Principal, f: Omit<ListFilters, 'sort'>, timezone: string, now = new Date()): Where {
  const where = new Where();
  scopeFilter(where, viewer);
  if (f.status?.length) where.add((p) => `status = any(${p(f.status)})`);
  if (f.category) where.add((p) => `category_code = ${p(f.category)}`);
  if (f.kelurahan) where.add((p) => `kelurahan_code = ${p(f.kelurahan)}`);
  if (f.kecamatan) where.add((p) => `kecamatan_code = ${p(f.kecamatan)}`);
  if (f.agency) where.add((p) => `agency_code = ${p(f.agency)}`);
  if (f.mine === 'true') heldBy(where, viewer);
  if (f.overdue === 'true') where.add((p) => `due_at < ${p(now)} and status in ('submitted', 'verified', 'dispatched', 'in_progress')`);
  if (f.escalated === 'true') where.add(() => 'escalation_count > 0');
  if (f.emergency === 'true') where.add(() => 'emergency');
  if (f.q) {
    const q = f.q.trim();
    if (/^SK-\d{4}-\d+$/i.test(q)) where.add((p) => `tracking_no = ${p(q.toUpperCase())}`);
    else where.add((p) => `(tracking_no ilike ${p(`%${q}%`)} or description ilike ${p(`%${q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`)})`);
  }
  // Dates are the city's calendar days.
  if (f.from) where.add((p) => `submitted_at >= (${p(f.from)}::date::timestamp at time zone ${p(timezone)})`);
  if (f.to) where.add((p) => `submitted_at < ((${p(f.to)}::date + 1)::timestamp at time zone ${p(timezone)})`);
  return where;
}

/** A uuid as PostgreSQL reads it: 36 characters of hex and dashes in another pattern are not one. */
export const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

/** A moment exactly as toISOString wrote it into a cursor (PostgreSQL has no year 0000). */
const isCursorInstant = (s: string) => /^(?!0000)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(s) && !Number.isNaN(Date.parse(s)) && new Date(s).toISOString() === s;

const SORTS = {
  due: {
    order: `coalesce(due_at, 'infinity'::timestamptz) asc, id asc`,
    key: (r: ReportRow) => (r.due_at ? r.due_at.toISOString() : 'infinity'),
    valid: (v: string) => v === 'infinity' || isCursorInstant(v),
    cmp: `(coalesce(due_at, 'infinity'::timestamptz), id) > (%v::timestamptz, %id::uuid)`,
  },
  newest: { order: 'submitted_at desc, id desc', key: (r: ReportRow) => r.submitted_at.toISOString(), valid: isCursorInstant, cmp: `(submitted_at, id) < (%v::timestamptz, %id::uuid)` },
  priority: {
    order: 'priority desc, submitted_at desc, id desc',
    key: (r: ReportRow) => `${r.priority}|${r.submitted_at.toISOString()}`,
    valid: (v: string) => /^-?\d{1,9}\|/.test(v) && isCursorInstant(v.slice(v.indexOf('|') + 1)),
    cmp: '',
  },
} as const;

/**
 * A cursor is only ever one this server wrote, for the same sort; anything else (edited, or from
 * another sort) is refused before it can reach a query as a value PostgreSQL cannot read.
 */
function decodeCursor(cursor: string | undefined, valid: (value: string) => boolean): [string, string] | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string' && valid(parsed[0]) && isUuid(parsed[1])) {
      return [parsed[0], parsed[1]];
    }
  } catch {
    // fall through
  }
  throw errors.badRequest('cursor_invalid', { id: 'Penanda halaman (cursor) tidak valid.', en: 'The page cursor is not valid.' }, { field: 'cursor' });
}

const encodeCursor = (value: string, id: string) => Buffer.from(JSON.stringify([value, id])).toString('base64url');

/** Keyset pagination: stable under inserts, constant cost per page at any depth. */
export async function pageOfReports<R extends Pick<ReportRow, 'id' | 'submitted_at' | 'due_at' | 'priority'> = ReportRow>(
  db: Queryable,
  where: Where,
  sort: ListFilters['sort'],
  cursor: string | undefined,
  limit: number,
  columns = repo.ALL_REPORT_COLUMNS,
): Promise<{ rows: R[]; nextCursor: string | null }> {
  const s = SORTS[sort];
  const after = decodeCursor(cursor, s.valid);
  if (after) {
    if (sort === 'priority') {
      const [priority, submitted] = after[0].split('|');
      where.add((p) => `(priority < ${p(Number(priority))} or (priority = ${p(Number(priority))} and (submitted_at, id) < (${p(submitted)}::timestamptz, ${p(after[1])}::uuid)))`);
    } else {
      where.add((p) => s.cmp.replace('%v', p(after[0])).replace('%id', p(after[1])));
    }
  }
  const rows = await repo.selectReports<R>(db, where, s.order, limit + 1, columns);
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page.at(-1);
  return { rows: page, nextCursor: more && last ? encodeCursor(s.key(last as unknown as ReportRow), last.id) : null };
}

/**
 * Every report the filter selects, a batch at a time, with only the given columns: exports stream
 * in constant memory, and rows that die young keep the garbage collector's work small.
 */
export async function* allReports<R extends Pick<ReportRow, 'id' | 'submitted_at' | 'due_at' | 'priority'>>(
  db: Queryable,
  makeWhere: () => Where,
  columns: string,
  batch = 1000,
): AsyncGenerator<R> {
  let cursor: string | undefined;
  do {
    const page = await pageOfReports<R>(db, makeWhere(), 'newest', cursor, batch, columns);
    yield* page.rows;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

export interface PublicFilters {
  category?: string | undefined;
  kelurahan?: string | undefined;
  status?: string[] | undefined;
  bbox?: [number, number, number, number] | undefined;
}

/** Verified reports only; the newest first. */
export function publicWhere(f: PublicFilters): Where {
  const where = new Where();
  where.add((p) => `status = any(${p(f.status?.length ? f.status.filter((s) => (PUBLIC_STATUSES as readonly string[]).includes(s)) : PUBLIC_STATUSES)})`);
  if (f.category) where.add((p) => `category_code = ${p(f.category)}`);
  if (f.kelurahan) where.add((p) => `kelurahan_code = ${p(f.kelurahan)}`);
  if (f.bbox) {
    const [w, s, e, n] = f.bbox;
    // A confidential report has no public point, so it never appears on the map.
    where.add((p) => `location <@ box(point(${p(w)}, ${p(s)}), point(${p(e)}, ${p(n)})) and privacy <> 'confidential'`);
  }
  return where;
}

/** The reading side of the reports service: what routes, the live stream and other modules read. */
export class ReportQueries {
  constructor(
    private readonly db: Database,
    private readonly cipher: Cipher,
    private readonly neighbours: Pick<Neighbours, 'nameAndPhone' | 'officerNames'>,
  ) {}

  async row(id: string, q: Queryable = this.db): Promise<ReportRow | undefined> {
    return repo.reportById(q, id);
  }

  /** By id (uuid) or tracking number; anything else is simply not found. */
  async find(ref: string): Promise<ReportRow | undefined> {
    if (isUuid(ref)) return this.row(ref);
    return repo.reportByTrackingNo(this.db, ref.toUpperCase());
  }

  async readable(principal: Principal | undefined, ref: string): Promise<ReportRow> {
    // Before the lookup: an anonymous caller must not learn which tracking numbers exist.
    const p = reportsPolicy.authorize(principal, 'reports.list');
    const row = await this.find(ref);
    if (!row) throw reportNotFound();
    // Someone who may not read it learns nothing, not even that it exists.
    if (!reportsPolicy.can(p, 'reports.read', reportResource(row))) throw reportNotFound();
    return row;
  }

  /** By tracking numbers, newest first. */
  async byTrackingNos(trackingNos: string[]): Promise<ReportRow[]> {
    return repo.reportsByTrackingNos(this.db, trackingNos);
  }

  /** The reports a filter selects, in an order, at most `limit`. */
  async matching(where: Where, order: string, limit: number): Promise<ReportRow[]> {
    return repo.selectReports<ReportRow>(this.db, where, order, limit);
  }

  /** The tracking number of a request an Open311 client posted, by the token it was given. */
  async trackingNoOfOpen311Token(token: string): Promise<string | undefined> {
    return repo.trackingNoOfOpen311Token(this.db, token);
  }

  async photos(reportId: string): Promise<PhotoRow[]> {
    return repo.photosOfReport(this.db, reportId);
  }

  async photosOf(reportIds: string[]): Promise<Map<string, PhotoRow[]>> {
    return repo.photosOfReports(this.db, reportIds);
  }

  async photo(photoId: string): Promise<PhotoRow | undefined> {
    return repo.photoById(this.db, photoId);
  }

  async events(reportId: string, audience: 'officers' | 'citizen'): Promise<EventRow[]> {
    return repo.eventsOfReport(this.db, reportId, audience);
  }

  async isSupporter(reportId: string, userId: string): Promise<boolean> {
    return repo.isSupporter(this.db, reportId, userId);
  }

  /** The reporter as an officer may see them; never for an anonymous report. */
  async reporterOf(row: ReportRow): Promise<{ name: string; phoneMasked: string | null; hasAccount: boolean } | null> {
    if (row.privacy === 'anonymous') return null;
    if (row.reporter_id) {
      const u = await this.neighbours.nameAndPhone(row.reporter_id);
      if (!u) return null;
      return { name: u.name, phoneMasked: u.phone && maskPhone(u.phone), hasAccount: true };
    }
    const contact = this.contactOf(row);
    if (!contact) return null;
    return { name: contact.name ?? 'Pelapor', phoneMasked: contact.phone ? maskPhone(contact.phone) : null, hasAccount: false };
  }

  /** The contact of a reporter without an account (Open311, phone, walk-in), decrypted. */
  contactOf(row: Pick<ReportRow, 'reporter_contact_enc'>): Contact | null {
    return row.reporter_contact_enc ? (JSON.parse(this.cipher.decrypt(row.reporter_contact_enc)) as Contact) : null;
  }

  /** Officers' own names, for the officers' view of a timeline. */
  async officerNames(ids: (string | null)[]): Promise<Map<string, string>> {
    return this.neighbours.officerNames([...new Set(ids.filter((x): x is string => Boolean(x)))]);
  }

  /** A page of the viewer's inbox (officers: their scope; citizens: their own reports), with the photos. */
  async inbox(viewer: Principal, filters: Omit<ListFilters, 'sort'>, page: { sort: ListFilters['sort']; cursor: string | undefined; limit: number }, timezone: string, now: Date) {
    const found = await pageOfReports(this.db, listWhere(viewer, filters, timezone, now), page.sort, page.cursor, page.limit);
    return { ...found, photos: await this.photosOf(found.rows.map((r) => r.id)) };
  }

  /** A page of the public feed, newest first, with the photos. */
  async publicFeed(filters: PublicFilters, cursor: string | undefined, limit: number) {
    const found = await pageOfReports(this.db, publicWhere(filters), 'newest', cursor, limit);
    return { ...found, photos: await this.photosOf(found.rows.map((r) => r.id)) };
  }

  /** Every escalation, newest first, with the names of the officers they reached. */
  async escalations(limit: number): Promise<{ rows: EscalationListRow[]; people: Map<string, string> }> {
    const rows = await repo.latestEscalations(this.db, limit);
    return { rows, people: await this.officerNames(rows.map((r) => r.target_user_id)) };
  }
}

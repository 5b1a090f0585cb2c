import { z } from 'zod';
import type { Queryable } from '../../platform/db.js';
import type { StoredPhoto } from './photos.js';
import { OPEN_STATUSES, REPORT_STATUSES, type ReportStatus } from './workflow.js';

/**
 * Reports' own tables — reports, report_events, report_photos, report_supporters, report_escalations and
 * report_idempotency (migration 0002) — and every statement on them. Each row type is derived from the
 * column list here, so a SELECT and its type cannot drift apart (test/integration/reports-repository.test.ts
 * checks the lists against the migrated tables). Categories, holidays and Open311 keys keep their tables'
 * SQL beside their services; what reports reads of other modules' tables is in lookups.ts; the filters that
 * lists pass in are built in queries.ts.
 * Over 400 lines because it is the one place a change to these tables has to look at.
 */

export const PRIVACIES = ['public', 'confidential', 'anonymous'] as const;
export type Privacy = (typeof PRIVACIES)[number];
export const CHANNELS = ['web', 'phone', 'walk_in', 'whatsapp', 'sp4n_lapor', 'open311'] as const;
export type Channel = (typeof CHANNELS)[number];
export const HANDLER_KINDS = ['kelurahan', 'kecamatan', 'opd', 'coordinator'] as const;
export type HandlerKind = (typeof HANDLER_KINDS)[number];

const instant = z.date();

/** A row of `reports`: every column but `location`, the point copy of lat/lng that only its index reads. */
const reportRow = z.object({
  id: z.string(),
  number: z.number(),
  tracking_no: z.string(),
  category_code: z.string(),
  description: z.string(),
  lat: z.number().nullable(),
  lng: z.number().nullable(),
  kelurahan_code: z.string().nullable(),
  kecamatan_code: z.string().nullable(),
  address: z.string().nullable(),
  answers: z.record(z.string(), z.unknown()),
  privacy: z.enum(PRIVACIES),
  channel: z.enum(CHANNELS),
  reporter_id: z.string().nullable(),
  reporter_contact_enc: z.string().nullable(),
  entered_by: z.string().nullable(),
  open311_key_id: z.string().nullable(),
  open311_token: z.string().nullable(),
  status: z.enum(REPORT_STATUSES),
  emergency: z.boolean(),
  priority: z.number(),
  support_count: z.number(),
  agency_code: z.string(),
  handler_kind: z.enum(HANDLER_KINDS),
  handler_code: z.string(),
  instruction: z.string().nullable(),
  merged_into: z.string().nullable(),
  due_at: instant.nullable(),
  resolve_due_at: instant.nullable(),
  warn_at: instant.nullable(),
  warned_at: instant.nullable(),
  escalation_level: z.number(),
  next_escalation_at: instant.nullable(),
  escalation_count: z.number(),
  submitted_at: instant,
  verified_at: instant.nullable(),
  dispatched_at: instant.nullable(),
  started_at: instant.nullable(),
  resolved_at: instant.nullable(),
  closed_at: instant.nullable(),
  rating: z.number().nullable(),
  rating_comment: z.string().nullable(),
  resolution_note: z.string().nullable(),
  status_reason: z.string().nullable(),
  updated_at: instant,
});
export type ReportRow = z.infer<typeof reportRow>;
export type ReportColumn = keyof ReportRow;

const photoRow = z.object({
  id: z.string(),
  report_id: z.string(),
  purpose: z.enum(['report', 'resolution']),
  file_key: z.string(),
  thumb_key: z.string(),
  content_type: z.string(),
  width: z.number(),
  height: z.number(),
  moderation: z.enum(['pending', 'approved', 'rejected']),
  created_at: instant,
});
export type PhotoRow = z.infer<typeof photoRow>;

const eventRow = z.object({
  id: z.number(),
  report_id: z.string(),
  kind: z.string(),
  from_status: z.enum(REPORT_STATUSES).nullable(),
  to_status: z.enum(REPORT_STATUSES).nullable(),
  actor_id: z.string().nullable(),
  actor_role: z.string().nullable(),
  visibility: z.enum(['public', 'officers']),
  note: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  created_at: instant,
});
export type EventRow = z.infer<typeof eventRow>;

/** Some of the reports' columns: `sql` is their SELECT list, `RowOf<typeof set>` their row type. */
export interface ColumnSet<K extends ReportColumn> {
  readonly names: readonly K[];
  readonly sql: string;
}
export type RowOf<C> = C extends ColumnSet<infer K> ? Pick<ReportRow, K> : never;

export function reportColumns<const K extends ReportColumn>(names: readonly K[]): ColumnSet<K> {
  return { names, sql: names.join(', ') };
}

export const REPORT_COLUMNS = Object.keys(reportRow.shape) as ReportColumn[];
export const PHOTO_COLUMNS = Object.keys(photoRow.shape) as (keyof PhotoRow)[];
export const EVENT_COLUMNS = Object.keys(eventRow.shape) as (keyof EventRow)[];
/** Every column of a report row, as a SELECT list. */
export const ALL_REPORT_COLUMNS = reportColumns(REPORT_COLUMNS).sql;
const PHOTO_SELECT = PHOTO_COLUMNS.join(', ');
const EVENT_SELECT = EVENT_COLUMNS.join(', ');

/** A WHERE clause with its numbered parameters (queries.ts builds them). */
export interface WhereClause {
  readonly params: unknown[];
  toString(): string;
}

// --- reports -------------------------------------------------------------------------------------------

export async function reportById(q: Queryable, id: string): Promise<ReportRow | undefined> {
  return q.maybeOne<ReportRow>(`select ${ALL_REPORT_COLUMNS} from reports where id = $1`, [id]);
}

/** Inside a transaction: the row, locked against another officer moving it at the same time. */
export async function lockReport(tx: Queryable, id: string): Promise<ReportRow> {
  return tx.one<ReportRow>(`select ${ALL_REPORT_COLUMNS} from reports where id = $1 for update`, [id]);
}

export async function reportByTrackingNo(q: Queryable, trackingNo: string): Promise<ReportRow | undefined> {
  return q.maybeOne<ReportRow>(`select ${ALL_REPORT_COLUMNS} from reports where tracking_no = $1`, [trackingNo]);
}

/** Newest first. */
export async function reportsByTrackingNos(q: Queryable, trackingNos: string[]): Promise<ReportRow[]> {
  return q.query<ReportRow>(`select ${ALL_REPORT_COLUMNS} from reports where tracking_no = any($1) order by submitted_at desc, id desc`, [trackingNos]);
}

export async function trackingNoOfOpen311Token(q: Queryable, token: string): Promise<string | undefined> {
  return (await q.maybeOne<{ tracking_no: string }>('select tracking_no from reports where open311_token = $1', [token]))?.tracking_no;
}

/** The reports a filter selects, in an order, with the given SELECT list (every column by default). */
export async function selectReports<R>(q: Queryable, where: WhereClause, order: string, limit: number, columns = ALL_REPORT_COLUMNS): Promise<R[]> {
  return q.query<R>(`select ${columns} from reports ${where} order by ${order} limit ${limit}`, where.params);
}

/** Tracking numbers a person can read over the phone: SK-2026-000123 (`s.n` from the sequence, `$2` the year). */
const TRACKING_NO_SQL = `'SK-' || $2::text || '-' || case when s.n < 1000000 then lpad(s.n::text, 6, '0') else s.n::text end`;

export type NewReport = Pick<
  ReportRow,
  | 'id' | 'category_code' | 'description' | 'lat' | 'lng' | 'kelurahan_code' | 'kecamatan_code' | 'address' | 'answers' | 'privacy' | 'channel' | 'reporter_id'
  | 'reporter_contact_enc' | 'entered_by' | 'open311_key_id' | 'open311_token' | 'emergency' | 'priority' | 'agency_code' | 'handler_kind' | 'handler_code'
  | 'due_at' | 'warn_at' | 'submitted_at'
> & { year: string };

/** A new report, numbered from the sequence in the same statement: `submitted`, its first stage's deadline running. */
export async function insertReport(tx: Queryable, r: NewReport): Promise<ReportRow> {
  return tx.one<ReportRow>(
    `insert into reports (id, number, tracking_no, category_code, description, lat, lng, location, kelurahan_code, kecamatan_code, address, answers,
       privacy, channel, reporter_id, reporter_contact_enc, entered_by, open311_key_id, open311_token, status, emergency, priority, agency_code,
       handler_kind, handler_code, due_at, warn_at, next_escalation_at, submitted_at, updated_at)
     select $1, s.n, ${TRACKING_NO_SQL}, $3, $4, $5, $6, case when $5::float8 is null then null else point($6::float8, $5::float8) end, $7, $8, $9, $10,
       $11, $12, $13, $14, $15, $16, $17, 'submitted', $18, $19, $20, $21, $22, $23, $24, $23, $25, $25
     from (select nextval('report_number_seq') as n) s returning ${ALL_REPORT_COLUMNS}`,
    [
      r.id,
      r.year,
      r.category_code,
      r.description,
      r.lat,
      r.lng,
      r.kelurahan_code,
      r.kecamatan_code,
      r.address,
      JSON.stringify(r.answers),
      r.privacy,
      r.channel,
      r.reporter_id,
      r.reporter_contact_enc,
      r.entered_by,
      r.open311_key_id,
      r.open311_token,
      r.emergency,
      r.priority,
      r.agency_code,
      r.handler_kind,
      r.handler_code,
      r.due_at,
      r.warn_at,
      r.submitted_at,
    ],
  );
}

/** The database's own clock (the transaction's start), for the moments a step is taken. */
export const NOW = Symbol('now()');
/** The database's clock, unless the column already holds a moment (the first start or disposisi counts). */
export const NOW_UNLESS_SET = Symbol('coalesce(column, now())');
export type ReportChanges = { [K in Exclude<ReportColumn, 'id' | 'status' | 'updated_at'>]?: ReportRow[K] | typeof NOW | typeof NOW_UNLESS_SET };

/** Moves a report to `status` with the step's other changes; `updated_at` is the database's now. */
export async function updateReport(tx: Queryable, id: string, status: ReportStatus, changes: ReportChanges): Promise<void> {
  const params: unknown[] = [id, status];
  const set = Object.entries(changes).map(([column, value]) => {
    if (!(REPORT_COLUMNS as string[]).includes(column)) throw new Error(`reports has no column ${column}`);
    if (value === NOW) return `${column} = now()`;
    if (value === NOW_UNLESS_SET) return `${column} = coalesce(${column}, now())`;
    params.push(value);
    return `${column} = $${params.length}`;
  });
  await tx.query(`update reports set status = $2, updated_at = now()${set.map((s) => `, ${s}`).join('')} where id = $1`, params);
}

/** Supporters raise a report's priority; an emergency stays above any number of them. */
export async function refreshSupport(tx: Queryable, reportId: string): Promise<void> {
  await tx.query(
    `update reports set support_count = s.n, priority = (case when emergency then 1000 else 0 end) + least(s.n, 999), updated_at = now()
     from (select count(*)::int as n from report_supporters where report_id = $1) s where id = $1`,
    [reportId],
  );
}

/** Great-circle distance in metres, in SQL, for `$lat`/`$lng` parameters at positions a and b. */
const distanceSql = (a: number, b: number) =>
  `(12742000 * asin(sqrt(power(sin(radians(lat - $${a}) / 2), 2) + cos(radians($${a})) * cos(radians(lat)) * power(sin(radians(lng - $${b}) / 2), 2))))`;

export interface NearbySearch {
  categoryCode: string;
  lat: number;
  lng: number;
  radiusMeters: number;
  /** The box around the point that the radius fits in: [west, south, east, north]. */
  box: [number, number, number, number];
  statuses: readonly ReportStatus[];
  windowDays: number;
  excludeId: string | null;
  /** Leave out confidential reports (their place is not public). */
  publicOnly: boolean;
}

/** The ten closest reports of a category within the radius, filed within the window. */
export async function nearbyReports(q: Queryable, s: NearbySearch): Promise<(ReportRow & { distance_m: number })[]> {
  return q.query<ReportRow & { distance_m: number }>(
    `select ${ALL_REPORT_COLUMNS}, distance_m from (
       select *, ${distanceSql(1, 2)} as distance_m from reports
       where category_code = $3 and location <@ box(point($4, $5), point($6, $7)) and status = any($8)
         and submitted_at > now() - make_interval(days => $9) and ($10::uuid is null or id <> $10::uuid)
         -- a confidential report's place is not public: a citizen probing from chosen points must not find it
         and (not $12 or privacy <> 'confidential')
     ) near where distance_m <= $11 order by distance_m limit 10`,
    [s.lat, s.lng, s.categoryCode, ...s.box, s.statuses, s.windowDays, s.excludeId, s.radiusMeters, s.publicOnly],
  );
}

// --- retried submissions ----------------------------------------------------------------------------

export async function idempotentSubmission(q: Queryable, owner: string, key: string): Promise<{ request_hash: string; report_id: string } | undefined> {
  return q.maybeOne<{ request_hash: string; report_id: string }>('select request_hash, report_id from report_idempotency where owner = $1 and key = $2', [owner, key]);
}

/** False when a concurrent retry with the same key claimed it first. */
export async function claimIdempotencyKey(tx: Queryable, owner: string, key: string, requestHash: string, reportId: string): Promise<boolean> {
  const claimed = await tx.maybeOne(
    `insert into report_idempotency (owner, key, request_hash, report_id) values ($1, $2, $3, $4) on conflict do nothing returning key`,
    [owner, key, requestHash, reportId],
  );
  return Boolean(claimed);
}

// --- photos -----------------------------------------------------------------------------------------

export async function photosOfReport(q: Queryable, reportId: string): Promise<PhotoRow[]> {
  return q.query<PhotoRow>(`select ${PHOTO_SELECT} from report_photos where report_id = $1 order by created_at, id`, [reportId]);
}

/** The photos of several reports, by report. */
export async function photosOfReports(q: Queryable, reportIds: string[]): Promise<Map<string, PhotoRow[]>> {
  const map = new Map<string, PhotoRow[]>();
  if (!reportIds.length) return map;
  const rows = await q.query<PhotoRow>(`select ${PHOTO_SELECT} from report_photos where report_id = any($1) order by created_at, id`, [reportIds]);
  for (const r of rows) map.set(r.report_id, [...(map.get(r.report_id) ?? []), r]);
  return map;
}

export async function photoById(q: Queryable, photoId: string): Promise<PhotoRow | undefined> {
  return q.maybeOne<PhotoRow>(`select ${PHOTO_SELECT} from report_photos where id = $1`, [photoId]);
}

export async function insertPhotos(tx: Queryable, reportId: string, purpose: PhotoRow['purpose'], stored: StoredPhoto[], uploadedBy: string | null): Promise<void> {
  for (const s of stored) {
    await tx.query(
      `insert into report_photos (id, report_id, purpose, file_key, thumb_key, content_type, width, height, bytes, sha256, uploaded_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [s.id, reportId, purpose, s.fileKey, s.thumbKey, s.photo.contentType, s.photo.width, s.photo.height, s.photo.data.length, s.photo.sha256, uploadedBy],
    );
  }
}

/** Undefined when the report has no such photo. */
export async function moderatePhoto(tx: Queryable, reportId: string, photoId: string, decision: 'approved' | 'rejected', moderatorId: string): Promise<PhotoRow | undefined> {
  return tx.maybeOne<PhotoRow>(
    `update report_photos set moderation = $3, moderated_by = $4, moderated_at = now() where id = $1 and report_id = $2 returning ${PHOTO_SELECT}`,
    [photoId, reportId, decision, moderatorId],
  );
}

// --- the timeline -----------------------------------------------------------------------------------

export async function eventsOfReport(q: Queryable, reportId: string, audience: 'officers' | 'citizen'): Promise<EventRow[]> {
  return q.query<EventRow>(
    `select ${EVENT_SELECT} from report_events where report_id = $1 ${audience === 'citizen' ? `and visibility = 'public'` : ''} order by id`,
    [reportId],
  );
}

export async function latestEvent(tx: Queryable, reportId: string): Promise<EventRow> {
  return tx.one<EventRow>(`select ${EVENT_SELECT} from report_events where report_id = $1 order by id desc limit 1`, [reportId]);
}

export type NewEvent = Pick<EventRow, 'report_id' | 'kind' | 'visibility'> &
  Partial<Pick<EventRow, 'from_status' | 'to_status' | 'actor_id' | 'actor_role' | 'note' | 'data'>> & {
    /** When it happened, if not now (the deadline job records what it does at the moment it runs for). */
    at?: Date;
  };

export async function insertEvent(tx: Queryable, e: NewEvent): Promise<void> {
  await tx.query(
    `insert into report_events (report_id, kind, from_status, to_status, actor_id, actor_role, visibility, note, data, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, coalesce($10::timestamptz, now()))`,
    [e.report_id, e.kind, e.from_status ?? null, e.to_status ?? null, e.actor_id ?? null, e.actor_role ?? null, e.visibility, e.note ?? null, JSON.stringify(e.data ?? {}), e.at ?? null],
  );
}

// --- supporters -------------------------------------------------------------------------------------

export async function isSupporter(q: Queryable, reportId: string, userId: string): Promise<boolean> {
  return Boolean(await q.maybeOne('select 1 from report_supporters where report_id = $1 and user_id = $2', [reportId, userId]));
}

/** False when the person already supports it. */
export async function addSupporter(tx: Queryable, reportId: string, userId: string): Promise<boolean> {
  return Boolean(await tx.maybeOne('insert into report_supporters (report_id, user_id) values ($1, $2) on conflict do nothing returning user_id', [reportId, userId]));
}

/** The supporters of a duplicate follow the original, except `exceptUserId` (nobody supports their own report). */
export async function copySupporters(tx: Queryable, fromId: string, toId: string, exceptUserId: string | null): Promise<void> {
  await tx.query(
    `insert into report_supporters (report_id, user_id)
     select $1, user_id from report_supporters where report_id = $2 and user_id is distinct from $3 on conflict do nothing`,
    [toId, fromId, exceptUserId],
  );
}

/** The accounts supporting a report (the reporters of duplicates merged into it among them). */
export async function supportersOf(q: Queryable, reportId: string): Promise<string[]> {
  const rows = await q.query<{ user_id: string }>('select user_id from report_supporters where report_id = $1 order by user_id', [reportId]);
  return rows.map((r) => r.user_id);
}

/** The accounts whose anonymous reports were merged into this one: nothing shown beside it may name them. */
export async function anonymousReportersMergedInto(q: Queryable, reportId: string): Promise<string[]> {
  const rows = await q.query<{ reporter_id: string }>(
    `select distinct reporter_id from reports where merged_into = $1 and privacy = 'anonymous' and reporter_id is not null order by reporter_id`,
    [reportId],
  );
  return rows.map((r) => r.reporter_id);
}

// --- deadlines and escalations ----------------------------------------------------------------------

/** What the deadline job reads of a report it claims. */
export const DUE_COLUMNS = reportColumns([
  'id', 'tracking_no', 'status', 'emergency', 'handler_kind', 'handler_code', 'agency_code', 'kecamatan_code', 'kelurahan_code', 'escalation_level',
]);
export type DueRow = RowOf<typeof DUE_COLUMNS>;

/** The earliest warning, escalation or automatic closure due (null: none). */
export async function nextDeadline(q: Queryable, autoCloseDays: number): Promise<Date | null> {
  const row = await q.one<{ at: Date | null }>(
    `select least(
       (select min(warn_at) from reports where warned_at is null and status = any($1)),
       (select min(next_escalation_at) from reports where status = any($1)),
       (select min(resolved_at) from reports where status = 'resolved') + make_interval(days => $2)
     ) as at`,
    [OPEN_STATUSES, autoCloseDays],
  );
  return row.at;
}

// Each claim takes one report that is due and no other node holds (FOR UPDATE SKIP LOCKED).

export async function claimWarningDue(tx: Queryable, now: Date): Promise<DueRow | undefined> {
  return tx.maybeOne<DueRow>(
    `select ${DUE_COLUMNS.sql} from reports where warn_at <= $1 and warned_at is null and status = any($2) order by warn_at limit 1 for update skip locked`,
    [now, OPEN_STATUSES],
  );
}

export async function claimEscalationDue(tx: Queryable, now: Date): Promise<DueRow | undefined> {
  return tx.maybeOne<DueRow>(
    `select ${DUE_COLUMNS.sql} from reports where next_escalation_at <= $1 and status = any($2) order by next_escalation_at limit 1 for update skip locked`,
    [now, OPEN_STATUSES],
  );
}

export async function claimUnconfirmedResolution(tx: Queryable, now: Date, autoCloseDays: number): Promise<DueRow | undefined> {
  return tx.maybeOne<DueRow>(
    `select ${DUE_COLUMNS.sql} from reports where status = 'resolved' and resolved_at <= $1::timestamptz - make_interval(days => $2) order by resolved_at limit 1 for update skip locked`,
    [now, autoCloseDays],
  );
}

export async function markWarned(tx: Queryable, id: string, at: Date): Promise<void> {
  await tx.query('update reports set warned_at = $2 where id = $1', [id, at]);
}

export async function insertEscalation(
  tx: Queryable,
  r: DueRow,
  e: { level: number; stage: string; targetUserId: string | null; targetLabel: string; at: Date },
): Promise<void> {
  await tx.query(
    `insert into report_escalations (report_id, level, stage, target_user_id, target_label, agency_code, kecamatan_code, kelurahan_code, handler_kind, handler_code, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [r.id, e.level, e.stage, e.targetUserId, e.targetLabel, r.agency_code, r.kecamatan_code, r.kelurahan_code, r.handler_kind, r.handler_code, e.at],
  );
}

/** One rung up; `nextAt` null at the top of the ladder. */
export async function setEscalationLevel(tx: Queryable, id: string, level: number, nextAt: Date | null): Promise<void> {
  await tx.query('update reports set escalation_level = $2, escalation_count = escalation_count + 1, next_escalation_at = $3 where id = $1', [id, level, nextAt]);
}

export async function closeUnconfirmed(tx: Queryable, id: string, at: Date): Promise<void> {
  await tx.query(`update reports set status = 'closed', closed_at = $2, updated_at = $2 where id = $1`, [id, at]);
}

export interface EscalationListRow {
  tracking_no: string;
  level: number;
  stage: string;
  target_label: string;
  target_user_id: string | null;
  handler_kind: HandlerKind;
  handler_code: string;
  agency_code: string;
  created_at: Date;
}

/** Every escalation, newest first. */
export async function latestEscalations(q: Queryable, limit: number): Promise<EscalationListRow[]> {
  return q.query<EscalationListRow>(
    `select r.tracking_no, e.level, e.stage, e.target_label, e.target_user_id, e.handler_kind, e.handler_code, e.agency_code, e.created_at
     from report_escalations e join reports r on r.id = e.report_id order by e.id desc limit $1`,
    [limit],
  );
}

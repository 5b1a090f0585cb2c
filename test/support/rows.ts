import { randomUUID } from 'node:crypto';
import type { Cipher } from '../../src/platform/crypto.js';
import type { Queryable } from '../../src/platform/db.js';

/**
 * Rows of other modules' tables for a module's unit test that needs them to exist (foreign keys, the
 * accounts identity reads) without building those modules' services. Tests may write any table; a
 * module's own code may not (src/architecture.test.ts).
 */

/** An account as identity stores it; returns its id. */
export async function insertUser(
  db: Queryable,
  cipher: Cipher,
  u: { kind: 'citizen' | 'officer'; role: string; name?: string; phone?: string; email?: string; scope?: [string, string]; status?: string },
): Promise<string> {
  const row = await db.one<{ id: string }>(
    `insert into users (kind, role, username, nik_index, name_enc, phone_enc, email_enc, scope_kind, scope_code, status)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id`,
    [
      u.kind,
      u.role,
      u.kind === 'officer' ? `o-${randomUUID().slice(0, 8)}` : null,
      u.kind === 'citizen' ? randomUUID() : null,
      cipher.encrypt(u.name ?? 'Budi Santoso'),
      cipher.encryptOptional(u.phone),
      cipher.encryptOptional(u.email),
      u.scope?.[0] ?? null,
      u.scope?.[1] ?? null,
      u.status ?? 'active',
    ],
  );
  return row.id;
}

/** An OPD and one category it handles, for reports to be filed under. */
export async function insertAgencyAndCategory(db: Queryable, agency: string, category: string): Promise<void> {
  await db.query(`insert into agencies (code, kind, name, short_name) values ($1, 'opd', $2, $3)`, [agency, `Dinas ${agency}`, agency.toUpperCase()]);
  await db.query(
    `insert into report_categories (code, name_id, name_en, group_code, icon, agency_code, first_handler, verify_within, dispatch_within, resolve_within)
     values ($1, $1, $1, 'infra', 'road', $2, 'opd', 1, 1, 5)`,
    [category, agency],
  );
}

/** A submitted report held by its category's OPD; returns its id. */
export async function insertReport(
  db: Queryable,
  cipher: Cipher,
  r: {
    number: number;
    category: string;
    agency: string;
    privacy: 'public' | 'confidential' | 'anonymous';
    reporterId?: string | null;
    contact?: { name?: string; phone?: string; email?: string } | null;
    mergedInto?: string | null;
  },
): Promise<string> {
  const row = await db.one<{ id: string }>(
    `insert into reports (id, number, tracking_no, category_code, description, privacy, channel, reporter_id, reporter_contact_enc, status, merged_into,
       agency_code, handler_kind, handler_code)
     values ($1, $2, $3, $4, 'Lubang besar', $5, $6, $7, $8, $9, $10, $11, 'opd', $11) returning id`,
    [
      randomUUID(),
      r.number,
      `SK-2026-${String(r.number).padStart(6, '0')}`,
      r.category,
      r.privacy,
      r.reporterId ? 'web' : 'phone',
      r.reporterId ?? null,
      r.contact ? cipher.encrypt(JSON.stringify(r.contact)) : null,
      r.mergedInto ? 'merged' : 'submitted',
      r.mergedInto ?? null,
      r.agency,
    ],
  );
  return row.id;
}

/** `userId` follows the report. */
export async function insertSupporter(db: Queryable, reportId: string, userId: string): Promise<void> {
  await db.query('insert into report_supporters (report_id, user_id) values ($1, $2)', [reportId, userId]);
}

/** A report's row as the reports module stores it. */
export async function reportRow<T>(db: Queryable, id: string): Promise<T | undefined> {
  return db.maybeOne<T>('select * from reports where id = $1', [id]);
}

/** The report is merged into another, as the workflow's merge leaves it. */
export async function markMerged(db: Queryable, reportId: string, intoId: string): Promise<void> {
  await db.query(`update reports set status = 'merged', merged_into = $2 where id = $1`, [reportId, intoId]);
}

import type { Queryable } from '../../platform/db.js';

/**
 * What reports reads of other modules' tables (users, regions, agencies), gathered in one place so
 * that each read can become a call of the owning module's function (issue 11, item 1) without a hunt
 * through the module. Every function takes the connection it runs on: the deadline job asks inside its
 * transaction, where PGlite's one connection would wait for itself on any other.
 * (names.ts, the cached directory of region, agency and category names, reads regions and agencies too.)
 */

/** A reporter's account: name and phone, encrypted. */
export async function accountOf(q: Queryable, userId: string): Promise<{ name_enc: string; phone_enc: string | null } | undefined> {
  return q.maybeOne<{ name_enc: string; phone_enc: string | null }>('select name_enc, phone_enc from users where id = $1', [userId]);
}

/** Officers' names by id (others are left out), decrypted. */
export async function officerNames(q: Queryable, ids: string[], decrypt: (value: string) => string): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await q.query<{ id: string; name_enc: string }>(`select id, name_enc from users where id = any($1) and kind = 'officer'`, [ids]);
  return new Map(rows.map((r) => [r.id, decrypt(r.name_enc)]));
}

/** The box around the city's kelurahan boundaries: [west, south, east, north]; null before any are imported. */
export async function cityExtent(q: Queryable, cityCode: string): Promise<[number, number, number, number] | null> {
  const row = await q.maybeOne<{ x1: number | null; y1: number | null; x2: number | null; y2: number | null }>(
    `select min(least((bbox[0])[0], (bbox[1])[0])) as x1, min(least((bbox[0])[1], (bbox[1])[1])) as y1,
            max(greatest((bbox[0])[0], (bbox[1])[0])) as x2, max(greatest((bbox[0])[1], (bbox[1])[1])) as y2
     from regions where level = 'village' and bbox is not null and code like $1`,
    [`${cityCode}.%`],
  );
  return row && row.x1 !== null && row.y1 !== null && row.x2 !== null && row.y2 !== null ? [row.x1, row.y1, row.x2, row.y2] : null;
}

/** An OPD, or a kecamatan or kelurahan of this city, that a report may be dispatched to. */
export async function unitExists(q: Queryable, unit: { kind: 'opd' | 'kelurahan' | 'kecamatan'; code: string }, cityCode: string): Promise<boolean> {
  const row =
    unit.kind === 'opd'
      ? await q.maybeOne('select 1 from agencies where code = $1', [unit.code])
      : await q.maybeOne('select 1 from regions where code = $1 and level = $2 and code like $3', [unit.code, unit.kind === 'kecamatan' ? 'district' : 'village', `${cityCode}.%`]);
  return Boolean(row);
}

/** The active head of a unit (the earliest made, if several), or with no unit the first active pimpinan. */
export async function headOf(q: Queryable, unit: { kind: 'kelurahan' | 'kecamatan' | 'opd'; code: string } | undefined): Promise<{ id: string } | undefined> {
  return unit
    ? q.maybeOne<{ id: string }>(
        `select id from users where kind = 'officer' and status = 'active' and is_head and scope_kind = $1 and scope_code = $2 order by created_at limit 1`,
        [unit.kind, unit.code],
      )
    : q.maybeOne<{ id: string }>(`select id from users where role = 'pimpinan' and status = 'active' order by created_at limit 1`);
}

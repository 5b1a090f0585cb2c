import type { AuditRecorder } from '../../platform/audit.js';
import type { Cipher } from '../../platform/crypto.js';
import type { Database, Queryable } from '../../platform/db.js';
import { errors } from '../../platform/errors.js';
import type { RequestMeta } from '../../platform/http.js';
import { maskNik } from './nik.js';
import { maskPhone } from './personal-data.js';
import type { Principal, Role, Scope } from './roles.js';

/** Accounts as people see them: masked, with their unit's name; and the audited reveal of personal data. */
export interface Me {
  id: string;
  kind: 'citizen' | 'officer';
  role: Role;
  username: string | null;
  name: string;
  nikMasked: string | null;
  phoneMasked: string | null;
  phoneVerified: boolean;
  status: 'active' | 'suspended' | 'pending_setup';
  scope: (Scope & { name: string | null; isHead: boolean }) | null;
  domicile: { code: string; name: string | null } | null;
  /** Only on one's own account (a citizen's): someone claims this NIK and the coordinator has not decided. */
  nikClaimPending?: boolean;
  createdAt: string;
}

export interface PersonalData {
  nik: string | null;
  name: string;
  phone: string | null;
  birthDate: string | null;
  address: string | null;
  sex: 'male' | 'female' | null;
}

export interface UserRow {
  id: string;
  kind: 'citizen' | 'officer';
  role: Role;
  username: string | null;
  nik_enc: string | null;
  name_enc: string;
  phone_enc: string | null;
  birth_date_enc: string | null;
  address_enc: string | null;
  sex: 'male' | 'female' | null;
  password_hash: string | null;
  status: Me['status'];
  phone_verified_at: Date | null;
  scope_kind: Scope['kind'] | null;
  scope_code: string | null;
  is_head: boolean;
  domicile_code: string | null;
  created_at: Date;
}

/** Names a scope for display, e.g. kelurahan:36.72.01.1001 → 'Kelurahan Ramanuju' (regions and agencies know the names). */
export type ScopeNamer = (scope: Scope) => Promise<string | null>;

export class Accounts {
  constructor(
    private readonly db: Database,
    private readonly cipher: Cipher,
    private readonly audit: AuditRecorder,
    readonly scopeName: ScopeNamer,
  ) {}

  async row(userId: string, q: Queryable = this.db): Promise<UserRow> {
    const row = await q.maybeOne<UserRow>('select * from users where id = $1', [userId]);
    if (!row) throw errors.notFound({ id: 'Akun', en: 'Account' });
    return row;
  }

  /** The account as its owner sees it: with whether a claim on its NIK waits for the coordinator. */
  async me(userId: string): Promise<Me> {
    const row = await this.row(userId);
    const me = await this.present(row);
    if (row.kind !== 'citizen') return me;
    const claim = await this.db.maybeOne(`select 1 from nik_claims where holder_user_id = $1 and status = 'pending' limit 1`, [userId]);
    return { ...me, nikClaimPending: claim !== undefined };
  }

  async present(row: UserRow): Promise<Me> {
    const scope = row.scope_kind && row.scope_code ? { kind: row.scope_kind, code: row.scope_code } : null;
    return {
      id: row.id,
      kind: row.kind,
      role: row.role,
      username: row.username,
      name: this.cipher.decrypt(row.name_enc),
      nikMasked: row.nik_enc ? maskNik(this.cipher.decrypt(row.nik_enc)) : null,
      phoneMasked: row.phone_enc ? maskPhone(this.cipher.decrypt(row.phone_enc)) : null,
      phoneVerified: row.phone_verified_at !== null,
      status: row.status,
      scope: scope && { ...scope, name: await this.scopeName(scope), isHead: row.is_head },
      domicile: row.domicile_code ? { code: row.domicile_code, name: await this.scopeName({ kind: 'kelurahan', code: row.domicile_code }) } : null,
      createdAt: row.created_at.toISOString(),
    };
  }

  /** Unmasked personal data. Every reveal is audited, including a person reading their own. */
  async revealPersonalData(actor: Principal, userId: string, meta: RequestMeta): Promise<PersonalData> {
    const row = await this.row(userId);
    await this.audit.append({
      actor: { id: actor.userId, label: actor.role },
      action: 'personal_data.revealed',
      subject: { type: 'user', id: userId },
      ip: meta.ip,
      details: { own: actor.userId === userId },
    });
    return {
      nik: this.cipher.decryptOptional(row.nik_enc),
      name: this.cipher.decrypt(row.name_enc),
      phone: this.cipher.decryptOptional(row.phone_enc),
      birthDate: this.cipher.decryptOptional(row.birth_date_enc),
      address: this.cipher.decryptOptional(row.address_enc),
      sex: row.sex,
    };
  }

  async list(filter: { kind?: 'citizen' | 'officer' | undefined; role?: Role | undefined; after?: string | undefined; limit: number }): Promise<Me[]> {
    const rows = await this.db.query<UserRow>(
      `select * from users where ($1::text is null or kind = $1) and ($2::text is null or role = $2) and ($3::uuid is null or id > $3)
       order by id limit $4`,
      [filter.kind ?? null, filter.role ?? null, filter.after ?? null, filter.limit],
    );
    return Promise.all(rows.map((r) => this.present(r)));
  }

  /** The active officers working in a unit (a kelurahan, kecamatan or OPD), by id. */
  async officersOf(scope: Scope): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `select id from users where kind = 'officer' and status = 'active' and scope_kind = $1 and scope_code = $2 order by id`,
      [scope.kind, scope.code],
    );
    return rows.map((r) => r.id);
  }

  /** The active accounts with a role (e.g. every coordinator), by id. */
  async withRole(role: Role): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(`select id from users where role = $1 and status = 'active' order by id`, [role]);
    return rows.map((r) => r.id);
  }

  /** Phone and e-mail of accounts that are not suspended (others are left out), decrypted, for sending messages. */
  async reachable(userIds: readonly string[], q: Queryable = this.db): Promise<Map<string, Reachable>> {
    const found = new Map<string, Reachable>();
    if (userIds.length === 0) return found;
    const rows = await q.query<{ id: string; kind: string; phone_enc: string | null; email_enc: string | null }>(
      `select id, kind, phone_enc, email_enc from users where id = any($1::uuid[]) and status <> 'suspended'`,
      [userIds],
    );
    for (const r of rows) found.set(r.id, { phone: this.cipher.decryptOptional(r.phone_enc), email: this.cipher.decryptOptional(r.email_enc), isOfficer: r.kind === 'officer' });
    return found;
  }

  /** Whether these accounts are officers, by id (unknown ids are left out). */
  async kindsOf(userIds: readonly string[], q: Queryable = this.db): Promise<Map<string, 'citizen' | 'officer'>> {
    if (userIds.length === 0) return new Map();
    const rows = await q.query<{ id: string; kind: 'citizen' | 'officer' }>('select id, kind from users where id = any($1::uuid[])', [userIds]);
    return new Map(rows.map((r) => [r.id, r.kind]));
  }

  /** A person's name and phone, decrypted, for an officer who may see the reporter; undefined for an unknown id. */
  async nameAndPhone(userId: string, q: Queryable = this.db): Promise<{ name: string; phone: string | null } | undefined> {
    const row = await q.maybeOne<{ name_enc: string; phone_enc: string | null }>('select name_enc, phone_enc from users where id = $1', [userId]);
    return row && { name: this.cipher.decrypt(row.name_enc), phone: this.cipher.decryptOptional(row.phone_enc) };
  }

  /** Officers' names by id, decrypted (ids of citizens and unknown ids are left out). */
  async officerNames(ids: readonly string[], q: Queryable = this.db): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await q.query<{ id: string; name_enc: string }>(`select id, name_enc from users where id = any($1) and kind = 'officer'`, [ids]);
    return new Map(rows.map((r) => [r.id, this.cipher.decrypt(r.name_enc)]));
  }

  /** The id of a unit's active head (the earliest made, if several), or with no unit of the first active pimpinan. */
  async headId(unit: Scope | undefined, q: Queryable = this.db): Promise<string | undefined> {
    const row = unit
      ? await q.maybeOne<{ id: string }>(
          `select id from users where kind = 'officer' and status = 'active' and is_head and scope_kind = $1 and scope_code = $2 order by created_at limit 1`,
          [unit.kind, unit.code],
        )
      : await q.maybeOne<{ id: string }>(`select id from users where role = 'pimpinan' and status = 'active' order by created_at limit 1`);
    return row?.id;
  }

  /** The active head of a unit (an OPD's kepala dinas, a lurah), if one is recorded. */
  async findOfficerHead(scope: Scope): Promise<Me | undefined> {
    const row = await this.db.maybeOne<UserRow>(
      `select * from users where kind = 'officer' and scope_kind = $1 and scope_code = $2 and is_head and status = 'active' order by created_at limit 1`,
      [scope.kind, scope.code],
    );
    return row && this.present(row);
  }
}

/** How a person is reached, decrypted: for notifications only (never shown). */
export interface Reachable {
  phone: string | null;
  email: string | null;
  isOfficer: boolean;
}

export function checkName(name: string): string {
  const clean = name.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (clean.length < 2 || clean.length > 120 || /[<>{}\d]/.test(clean)) {
    throw errors.badRequest('name_invalid', { id: 'Nama lengkap harus 2–120 huruf, tanpa angka.', en: 'The full name must be 2–120 letters, without digits.' }, { field: 'name' });
  }
  return clean;
}

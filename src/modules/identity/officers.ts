import type { AuditRecorder } from '../../platform/audit.js';
import type { Cipher } from '../../platform/crypto.js';
import { isUniqueViolation, type Database, type Queryable } from '../../platform/db.js';
import { errors } from '../../platform/errors.js';
import type { RequestMeta } from '../../platform/http.js';
import { publishAccessChanged } from './access-events.js';
import { checkName, type Accounts, type Me, type UserRow } from './accounts.js';
import { normalisePhone } from './personal-data.js';
import { checkPassword, type Passwords } from './passwords.js';
import type { Principal, Role, Scope } from './roles.js';

/** Officers: created by the admin (or the demo seed), their role, unit and status changed, each change audited. */
export interface OfficerInput {
  username: string;
  name: string;
  role: Exclude<Role, 'citizen'>;
  scope: Scope | null;
  isHead?: boolean;
  password: string;
  phone?: string | undefined;
}

export class Officers {
  constructor(
    private readonly db: Database,
    private readonly cipher: Cipher,
    private readonly audit: AuditRecorder,
    private readonly passwords: Passwords,
    private readonly accounts: Accounts,
  ) {}

  async createOfficer(input: OfficerInput, actor: { id: string | null; label: string }): Promise<Me> {
    await this.checkScope(input.role, input.scope);
    return this.accounts.me(await this.db.transaction((tx) => this.insertOfficer(tx, input, actor)));
  }

  /** An officer works somewhere that exists; field officers always have a unit. Checked before any transaction. */
  private async checkScope(role: Role, scope: Scope | null): Promise<void> {
    if (!scope) {
      if (role === 'officer') {
        throw errors.badRequest('scope_required', { id: 'Petugas harus memiliki unit kerja (OPD, kecamatan atau kelurahan).', en: 'An officer needs a unit (OPD, kecamatan or kelurahan).' }, { field: 'scope' });
      }
      return;
    }
    if ((await this.accounts.scopeName(scope)) === null) {
      throw errors.badRequest(
        'scope_unknown',
        { id: `Unit kerja ${scope.kind}:${scope.code} tidak dikenal.`, en: `Unknown unit ${scope.kind}:${scope.code}.` },
        { field: 'scope' },
      );
    }
  }

  /** Inside the caller's transaction (the demo seed creates many at once); returns the new id. */
  async insertOfficer(tx: Queryable, input: OfficerInput, actor: { id: string | null; label: string }): Promise<string> {
    checkUsername(input.username);
    checkPassword(input.password);
    const phone = input.phone ? normalisePhone(input.phone) : null;
    const passwordHash = await this.passwords.hash(input.password);
    try {
      const row = await tx.one<UserRow>(
        `insert into users (kind, role, username, name_enc, phone_index, phone_enc, password_hash, scope_kind, scope_code, is_head)
         values ('officer', $1, $2, $3, $4, $5, $6, $7, $8, $9) returning *`,
        [
          input.role,
          input.username,
          this.cipher.encrypt(checkName(input.name)),
          phone && this.cipher.blindIndex('phone', phone),
          this.cipher.encryptOptional(phone),
          passwordHash,
          input.scope?.kind ?? null,
          input.scope?.code ?? null,
          input.isHead ?? false,
        ],
      );
      await this.audit.append(
        {
          actor,
          action: 'user.created',
          subject: { type: 'user', id: row.id },
          details: { role: input.role, scope: input.scope && `${input.scope.kind}:${input.scope.code}`, isHead: input.isHead ?? false },
        },
        tx,
      );
      return row.id;
    } catch (error) {
      if (isUniqueViolation(error, 'users_username')) {
        throw errors.conflict('username_taken', { id: `Nama pengguna ${input.username} sudah dipakai.`, en: `The username ${input.username} is taken.` }, { field: 'username' });
      }
      throw error;
    }
  }

  /** Role, scope and status changes of an officer; each change is audited with before and after. */
  async updateOfficer(
    userId: string,
    changes: { role?: Exclude<Role, 'citizen'> | undefined; scope?: Scope | null | undefined; isHead?: boolean | undefined; status?: 'active' | 'suspended' | undefined },
    actor: Principal,
    meta: RequestMeta,
  ): Promise<Me> {
    if (Object.values(changes).every((v) => v === undefined)) {
      throw errors.badRequest('nothing_to_change', { id: 'Tidak ada perubahan yang dikirim.', en: 'No change was sent.' });
    }
    if (changes.scope !== undefined || changes.role !== undefined) {
      const current = await this.accounts.row(userId);
      const scope = changes.scope !== undefined ? changes.scope : current.scope_kind && current.scope_code ? { kind: current.scope_kind, code: current.scope_code } : null;
      await this.checkScope(changes.role ?? current.role, scope);
    }
    await this.db.transaction(async (tx) => {
      const before = await this.accounts.row(userId, tx);
      if (before.kind !== 'officer') throw errors.badRequest('not_an_officer', { id: 'Akun ini bukan akun petugas.', en: 'This is not an officer account.' });
      if (userId === actor.userId && (changes.role !== undefined || changes.status === 'suspended')) {
        throw errors.forbidden({ id: 'Anda tidak dapat mengubah peran atau menangguhkan akun Anda sendiri.', en: 'You cannot change your own role or suspend yourself.' });
      }
      const after = await tx.one<UserRow>(
        `update users set
           role = coalesce($2, role),
           scope_kind = case when $3 then $4 else scope_kind end,
           scope_code = case when $3 then $5 else scope_code end,
           is_head = coalesce($6, is_head),
           status = coalesce($7, status),
           updated_at = now()
         where id = $1 returning *`,
        [userId, changes.role ?? null, changes.scope !== undefined, changes.scope?.kind ?? null, changes.scope?.code ?? null, changes.isHead ?? null, changes.status ?? null],
      );
      if (changes.status === 'suspended') await tx.query('update sessions set revoked_at = now() where user_id = $1 and revoked_at is null', [userId]);
      // A changed role or scope is read afresh by every API call, but an open live stream keeps what it had.
      if (changes.status === 'suspended' || changes.role !== undefined || changes.scope !== undefined || changes.isHead !== undefined) {
        await publishAccessChanged(tx, { userId, reason: changes.status === 'suspended' ? 'suspended' : 'role_changed' });
      }
      const describe = (r: UserRow) => ({ role: r.role, scope: r.scope_kind && `${r.scope_kind}:${r.scope_code}`, isHead: r.is_head, status: r.status });
      await this.audit.append(
        { actor: { id: actor.userId, label: actor.role }, action: 'user.updated', subject: { type: 'user', id: userId }, ip: meta.ip, details: { before: describe(before), after: describe(after) } },
        tx,
      );
    });
    return this.accounts.me(userId);
  }
}

function checkUsername(username: string): void {
  if (!/^[a-z0-9][a-z0-9._-]{2,39}$/i.test(username) || /^\d{16}$/.test(username)) {
    throw errors.badRequest(
      'username_invalid',
      { id: 'Nama pengguna 3–40 karakter: huruf, angka, titik, garis bawah atau tanda hubung.', en: 'A username has 3–40 characters: letters, digits, dot, underscore or hyphen.' },
      { field: 'username' },
    );
  }
}

import { isUniqueViolation, type Database, type Queryable } from '../../platform/db.js';
import type { Cipher } from '../../platform/crypto.js';
import { errors } from '../../platform/errors.js';
import { publish } from '../../platform/events.js';
import type { MessageSender } from '../../platform/messaging.js';
import type { AuditRecorder } from '../../platform/audit.js';
import type { RequestMeta } from '../../platform/http.js';
import { publishAccessChanged } from './access-events.js';
import { maskNik } from './nik.js';
import { maskPhone, normalisePhone } from './personal-data.js';
import { checkName } from './accounts.js';
import { identityPolicy, type NikResource } from './policy.js';
import type { Registration } from './registration.js';
import type { Principal, Scope } from './roles.js';

/**
 * The in-person NIK claim: the real owner of a NIK, confirmed with their KTP by an officer, takes it
 * back from an account that holds it (a squatter), or gets an account for it.
 *
 * A NIK keeps the kecamatan where it was issued for life, and people move. An officer settles a
 * claim at once only where the NIK belongs to their area — issued in it, or held by an account
 * whose recorded domicile is in it. Any other claim waits for the coordinator; the current holder
 * is told by text and may object from their account meanwhile.
 */
export interface ClaimInput {
  nik: string;
  name: string;
  birthDate: string;
  phone: string;
  note?: string | undefined;
}

export interface ClaimCompleted {
  status: 'completed';
  claimId: string;
  userId: string;
  suspendedUserId: string | null;
  codeSentTo: string;
}

export type ClaimOutcome = ClaimCompleted | { status: 'pending'; claimId: string; holderNotified: boolean };

export interface PendingClaim {
  id: string;
  nikMasked: string;
  claimantName: string;
  phoneMasked: string;
  officer: { id: string; scope: string | null; scopeName: string | null };
  note: string | null;
  hasHolder: boolean;
  objection: { text: string; at: string } | null;
  createdAt: string;
}

export interface ClaimOnMyNik {
  id: string;
  status: 'pending' | 'completed' | 'rejected';
  filedAt: string;
  /** The office where it was filed, e.g. 'Kelurahan Ramanuju'. */
  unitName: string | null;
  objectedAt: string | null;
}

/** What claims need of the rest of identity. */
export interface ClaimsDeps {
  db: Database;
  cipher: Cipher;
  audit: AuditRecorder;
  sender: MessageSender;
  /** Checks the claimed NIK and texts the claimant the code that activates their account. */
  registration: Pick<Registration, 'checkNik' | 'issueSetupCode'>;
  scopeName(scope: Scope): Promise<string | null>;
}

interface ClaimRow {
  id: string;
  status: 'pending' | 'completed' | 'rejected';
  nik_index: string;
  holder_user_id: string | null;
  nik_enc: string;
  name_enc: string;
  phone_enc: string;
  birth_date_enc: string;
  sex: 'male' | 'female';
  confirmed_by: string;
  officer_scope: string | null;
  note: string | null;
  objection_enc: string | null;
  objected_at: Date | null;
  created_at: Date;
}

const claimNotFound = () => errors.notFound({ id: 'Klaim NIK', en: 'The NIK claim' });
const claimDecided = () => errors.conflict('nik_claim_decided', { id: 'Klaim ini sudah diputuskan.', en: 'This claim has already been decided.' });

export class NikClaims {
  constructor(private readonly deps: ClaimsDeps) {}

  /** An officer files a claim: settled at once within their area (201), else waiting (202). */
  async file(officer: Principal, input: ClaimInput, meta: RequestMeta): Promise<ClaimOutcome> {
    identityPolicy.authorize(officer, 'nik_claims.create');
    const { db, cipher } = this.deps;
    const facts = this.deps.registration.checkNik(input.nik, input.birthDate);
    const phone = normalisePhone(input.phone);
    const name = checkName(input.name);
    const nikIndex = cipher.blindIndex('nik', facts.nik);
    const holder = await db.maybeOne<{ id: string; domicile_code: string | null; phone_enc: string | null }>(
      'select id, domicile_code, phone_enc from users where nik_index = $1 and nik_released_at is null',
      [nikIndex],
    );
    const resource: NikResource = { issuingKecamatan: facts.districtCode, holderDomicile: holder?.domicile_code ?? null };
    const scope = officer.scope && `${officer.scope.kind}:${officer.scope.code}`;
    const sealed = { nik_enc: cipher.encrypt(facts.nik), name_enc: cipher.encrypt(name), phone_enc: cipher.encrypt(phone), birth_date_enc: cipher.encrypt(facts.birthDate) };

    const settleNow = identityPolicy.can(officer, 'nik_claims.complete', resource);
    let outcome: ClaimCompleted | { claimId: string };
    try {
      outcome = await db.transaction(async (tx) => {
        // One claim on a NIK waits at a time (a unique index): a second would only confuse the holder and
        // the coordinator, and one settled at once must not leave a waiting one to take the NIK again.
        const claim = await tx.one<ClaimRow>(
          `insert into nik_claims (status, nik_index, holder_user_id, nik_enc, name_enc, phone_enc, birth_date_enc, sex, confirmed_by, officer_scope, kelurahan_code, note)
           values ('pending', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning *`,
          [nikIndex, holder?.id ?? null, sealed.nik_enc, sealed.name_enc, sealed.phone_enc, sealed.birth_date_enc, facts.sex, officer.userId, scope, kelurahanOf(officer), input.note ?? null],
        );
        if (settleNow) return this.complete(tx, claim, officer, meta);
        await this.deps.audit.append(
          {
            actor: { id: officer.userId, label: officer.role },
            action: 'nik.claim_filed',
            subject: holder ? { type: 'user', id: holder.id } : undefined,
            ip: meta.ip,
            details: { claimId: claim.id, officerScope: scope, issuingKecamatan: facts.districtCode, reason: 'outside_officer_area' },
          },
          tx,
        );
        await publish(tx, 'identity.nik_claim_filed', { claimId: claim.id });
        return { claimId: claim.id };
      });
    } catch (error) {
      if (isUniqueViolation(error, 'nik_claims_one_pending')) {
        throw errors.conflict('nik_claim_pending', {
          id: 'Sudah ada klaim atas NIK ini yang menunggu keputusan koordinator.',
          en: 'A claim on this NIK is already waiting for the coordinator.',
        });
      }
      throw error;
    }
    if ('status' in outcome) {
      await this.tellFormerHolder(holder?.phone_enc ?? null, facts.nik, officer);
      return outcome;
    }
    const claimId = outcome.claimId;
    const unit = officer.scope ? await this.deps.scopeName(officer.scope) : null;
    const holderPhone = holder?.phone_enc ? cipher.decrypt(holder.phone_enc) : null;
    if (holderPhone) {
      await this.deps.sender.send(
        holderPhone,
        `SatuKota: ada permintaan klaim atas NIK ${maskNik(facts.nik)} di ${unit ?? 'kantor pemerintah kota'}. Jika itu bukan Anda, masuk ke SatuKota dan ajukan keberatan di menu Akun sebelum koordinator memutuskan.`,
      );
    }
    return { status: 'pending', claimId, holderNotified: holderPhone !== null };
  }

  /** Claims waiting for the coordinator, oldest first. */
  async pending(viewer: Principal): Promise<PendingClaim[]> {
    identityPolicy.authorize(viewer, 'nik_claims.list');
    const { cipher } = this.deps;
    const rows = await this.deps.db.query<ClaimRow>(`select * from nik_claims where status = 'pending' order by created_at limit 200`);
    return Promise.all(
      rows.map(async (r) => {
        const scope = parseScope(r.officer_scope);
        return {
          id: r.id,
          nikMasked: maskNik(cipher.decrypt(r.nik_enc)),
          claimantName: cipher.decrypt(r.name_enc),
          phoneMasked: maskPhone(cipher.decrypt(r.phone_enc)),
          officer: { id: r.confirmed_by, scope: r.officer_scope, scopeName: scope ? await this.deps.scopeName(scope) : null },
          note: r.note,
          hasHolder: r.holder_user_id !== null,
          objection: r.objection_enc && r.objected_at ? { text: cipher.decrypt(r.objection_enc), at: r.objected_at.toISOString() } : null,
          createdAt: r.created_at.toISOString(),
        };
      }),
    );
  }

  /** The coordinator settles a waiting claim as if the officer had been of the NIK's area. */
  async approve(coordinator: Principal, claimId: string, note: string | undefined, meta: RequestMeta): Promise<ClaimCompleted> {
    identityPolicy.authorize(coordinator, 'nik_claims.decide');
    let formerHolderPhone: string | null = null;
    let nik = '';
    const outcome = await this.deps.db.transaction(async (tx) => {
      const claim = await this.lockPending(tx, claimId);
      nik = this.deps.cipher.decrypt(claim.nik_enc);
      const holder = await tx.maybeOne<{ phone_enc: string | null }>('select phone_enc from users where nik_index = $1 and nik_released_at is null', [claim.nik_index]);
      formerHolderPhone = holder?.phone_enc ?? null;
      await tx.query('update nik_claims set decided_by = $2, decided_at = now(), decision_note = $3 where id = $1', [claim.id, coordinator.userId, note ?? null]);
      return this.complete(tx, claim, coordinator, meta);
    });
    await this.tellFormerHolder(formerHolderPhone, nik, coordinator);
    return outcome;
  }

  async reject(coordinator: Principal, claimId: string, reason: string, meta: RequestMeta): Promise<void> {
    identityPolicy.authorize(coordinator, 'nik_claims.decide');
    await this.deps.db.transaction(async (tx) => {
      const claim = await this.lockPending(tx, claimId);
      await tx.query(`update nik_claims set status = 'rejected', decided_by = $2, decided_at = now(), decision_note = $3 where id = $1`, [claim.id, coordinator.userId, reason]);
      await this.deps.audit.append(
        { actor: { id: coordinator.userId, label: coordinator.role }, action: 'nik.claim_rejected', subject: claim.holder_user_id ? { type: 'user', id: claim.holder_user_id } : undefined, ip: meta.ip, details: { claimId: claim.id } },
        tx,
      );
    });
  }

  /** Claims on the NIK the citizen holds, so they can see one coming and object. */
  async onMyNik(citizen: Principal): Promise<ClaimOnMyNik[]> {
    const rows = await this.deps.db.query<ClaimRow>(
      `select c.* from nik_claims c join users u on u.nik_index = c.nik_index and u.nik_released_at is null
       where u.id = $1 and c.holder_user_id = $1 order by c.created_at desc limit 20`,
      [citizen.userId],
    );
    return Promise.all(
      rows.map(async (r) => {
        const scope = parseScope(r.officer_scope);
        return {
          id: r.id,
          status: r.status,
          filedAt: r.created_at.toISOString(),
          unitName: scope ? await this.deps.scopeName(scope) : null,
          objectedAt: r.objected_at?.toISOString() ?? null,
        };
      }),
    );
  }

  /** The current holder objects to a waiting claim; the coordinator sees the objection before deciding. */
  async object(citizen: Principal, claimId: string, text: string, meta: RequestMeta): Promise<void> {
    const claim = await this.deps.db.maybeOne<ClaimRow>('select * from nik_claims where id = $1', [claimId]);
    // Someone else's claim is as unknown to a citizen as a claim that does not exist.
    if (!claim || !identityPolicy.can(citizen, 'nik_claims.object', { holderUserId: claim.holder_user_id })) throw claimNotFound();
    if (claim.status !== 'pending') throw claimDecided();
    await this.deps.db.transaction(async (tx) => {
      // Decided meanwhile: the objection comes too late, and says so.
      const objected = await tx.maybeOne(`update nik_claims set objection_enc = $2, objected_at = now() where id = $1 and status = 'pending' returning id`, [
        claim.id,
        this.deps.cipher.encrypt(text.trim()),
      ]);
      if (!objected) throw claimDecided();
      await this.deps.audit.append({ actor: { id: citizen.userId, label: citizen.role }, action: 'nik.claim_objected', subject: { type: 'user', id: citizen.userId }, ip: meta.ip, details: { claimId: claim.id } }, tx);
    });
  }

  private async lockPending(tx: Queryable, claimId: string): Promise<ClaimRow> {
    const claim = await tx.maybeOne<ClaimRow>('select * from nik_claims where id = $1 for update', [claimId]);
    if (!claim) throw claimNotFound();
    if (claim.status !== 'pending') throw claimDecided();
    return claim;
  }

  /**
   * Settles a claim: whoever holds the NIK now is suspended and gives it up, and the claimant gets a
   * new account, activated with a code sent to their phone.
   */
  private async complete(tx: Queryable, claim: ClaimRow, actor: Principal, meta: RequestMeta): Promise<ClaimCompleted> {
    const { cipher } = this.deps;
    const phone = cipher.decrypt(claim.phone_enc);
    const holder = await tx.maybeOne<{ id: string }>('select id from users where nik_index = $1 and nik_released_at is null for update', [claim.nik_index]);
    if (holder) {
      await tx.query(`update users set status = 'suspended', status_reason = 'nik_claimed', nik_released_at = now(), updated_at = now() where id = $1`, [holder.id]);
      await tx.query('update sessions set revoked_at = now() where user_id = $1 and revoked_at is null', [holder.id]);
      await publishAccessChanged(tx, { userId: holder.id, reason: 'nik_claimed' });
    }
    const domicile = claim.officer_scope?.startsWith('kelurahan:') ? claim.officer_scope.slice('kelurahan:'.length) : null;
    const user = await tx.one<{ id: string }>(
      `insert into users (kind, role, nik_index, nik_enc, phone_index, phone_enc, name_enc, birth_date_enc, sex, status, domicile_code)
       values ('citizen', 'citizen', $1, $2, $3, $4, $5, $6, $7, 'pending_setup', $8) returning id`,
      [claim.nik_index, claim.nik_enc, cipher.blindIndex('phone', phone), claim.phone_enc, claim.name_enc, claim.birth_date_enc, claim.sex, domicile],
    );
    await tx.query(`update nik_claims set status = 'completed', claimant_user_id = $2, suspended_user_id = $3 where id = $1`, [claim.id, user.id, holder?.id ?? null]);
    await this.deps.registration.issueSetupCode(tx, user.id, phone);
    await this.deps.audit.append(
      {
        actor: { id: actor.userId, label: actor.role },
        action: 'nik.claimed',
        subject: { type: 'user', id: user.id },
        ip: meta.ip,
        details: { claimId: claim.id, suspendedUserId: holder?.id ?? null, kelurahan: claim.officer_scope?.split(':')[1] ?? null, approvedBy: actor.userId === claim.confirmed_by ? null : actor.userId },
      },
      tx,
    );
    await publish(tx, 'identity.nik_claimed', { claimId: claim.id, userId: user.id, suspendedUserId: holder?.id ?? null });
    return { status: 'completed', claimId: claim.id, userId: user.id, suspendedUserId: holder?.id ?? null, codeSentTo: maskPhone(phone) };
  }

  /** Tells the account that gave up the NIK why it was suspended, and where to turn if it is wrong. */
  private async tellFormerHolder(phoneEnc: string | null, nik: string, actor: Principal): Promise<void> {
    if (!phoneEnc) return;
    const unit = actor.scope && actor.role === 'officer' ? await this.deps.scopeName(actor.scope) : null;
    await this.deps.sender.send(
      this.deps.cipher.decrypt(phoneEnc),
      `SatuKota: NIK ${maskNik(nik)} telah diklaim oleh pemiliknya dengan KTP asli${unit ? ` di ${unit}` : ''}; akun Anda ditangguhkan. Jika ini keliru, hubungi ${unit ?? 'Diskominfo'}.`,
    );
  }
}

function kelurahanOf(officer: Principal): string | null {
  return officer.scope?.kind === 'kelurahan' ? officer.scope.code : null;
}

function parseScope(text: string | null): Scope | null {
  const [kind, code] = text?.split(':') ?? [];
  return kind && code ? { kind: kind as Scope['kind'], code } : null;
}

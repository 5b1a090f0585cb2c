import { randomInt } from 'node:crypto';
import type { Cipher } from '../../platform/crypto.js';
import type { Database, Queryable } from '../../platform/db.js';
import { errors } from '../../platform/errors.js';
import type { MessageSender } from '../../platform/messaging.js';

/** Six-digit codes texted to a phone: phone verification (minutes) and account setup after a NIK claim (days). */
export type CodePurpose = 'phone_verification' | 'account_setup';

export const OTP_TTL_MINUTES = 10;
const SETUP_CODE_TTL_HOURS = 72;
const OTP_MAX_ATTEMPTS = 5;

export const wrongCode = () =>
  errors.badRequest('code_invalid', { id: 'Kode salah atau sudah kedaluwarsa. Minta kode baru.', en: 'The code is wrong or has expired. Ask for a new code.' }, { field: 'code' });

export class OneTimeCodes {
  constructor(
    private readonly db: Database,
    private readonly cipher: Cipher,
    private readonly sender: MessageSender,
  ) {}

  /** Inside the caller's transaction: replaces any open code of this purpose and texts the new one. */
  async issue(tx: Queryable, userId: string, purpose: CodePurpose, phone: string): Promise<void> {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const ttlMinutes = purpose === 'phone_verification' ? OTP_TTL_MINUTES : SETUP_CODE_TTL_HOURS * 60;
    await tx.query(`update one_time_codes set consumed_at = now() where user_id = $1 and purpose = $2 and consumed_at is null`, [userId, purpose]);
    await tx.query(
      `insert into one_time_codes (user_id, purpose, code_hash, expires_at) values ($1, $2, $3, now() + make_interval(mins => $4))`,
      [userId, purpose, this.cipher.blindIndex(`otp:${userId}`, code), ttlMinutes],
    );
    const text =
      purpose === 'phone_verification'
        ? `SatuKota: kode verifikasi Anda ${code}. Berlaku ${OTP_TTL_MINUTES} menit. Jangan berikan kode ini kepada siapa pun.`
        : `SatuKota: kode aktivasi akun Anda ${code}. Berlaku ${SETUP_CODE_TTL_HOURS} jam. Jangan berikan kode ini kepada siapa pun.`;
    await this.sender.send(phone, text);
  }

  /**
   * Checks a code outside any transaction, so a wrong attempt is counted even though the caller's
   * work is not done; returns the code's id for `use` inside the caller's transaction.
   */
  async check(userId: string, purpose: CodePurpose, code: string): Promise<number> {
    const row = await this.db.maybeOne<{ id: number; code_hash: string; attempts: number; expired: boolean }>(
      `select id, code_hash, attempts, expires_at < now() as expired from one_time_codes
       where user_id = $1 and purpose = $2 and consumed_at is null order by id desc limit 1`,
      [userId, purpose],
    );
    if (!row || row.expired || row.attempts >= OTP_MAX_ATTEMPTS) throw wrongCode();
    if (row.code_hash !== this.cipher.blindIndex(`otp:${userId}`, code.trim())) {
      await this.db.query('update one_time_codes set attempts = attempts + 1 where id = $1', [row.id]);
      throw wrongCode();
    }
    return row.id;
  }

  async use(tx: Queryable, codeId: number): Promise<void> {
    // A concurrent request may have used it first.
    if (!(await tx.maybeOne('update one_time_codes set consumed_at = now() where id = $1 and consumed_at is null returning id', [codeId]))) throw wrongCode();
  }

  /** Seconds until another code of this purpose may be sent, or 0 when none was sent within `gapSeconds`. */
  async waitBeforeNext(userId: string, purpose: CodePurpose, gapSeconds: number): Promise<number> {
    const recent = await this.db.maybeOne<{ wait: number }>(
      `select ceil(extract(epoch from (created_at + make_interval(secs => $3) - now())))::int as wait from one_time_codes
       where user_id = $1 and purpose = $2 and created_at > now() - make_interval(secs => $3) order by id desc limit 1`,
      [userId, purpose, gapSeconds],
    );
    return recent ? Math.max(1, recent.wait) : 0;
  }
}

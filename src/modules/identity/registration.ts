import type { AuditRecorder } from '../../platform/audit.js';
import type { Cipher } from '../../platform/crypto.js';
import { isUniqueViolation, type Database, type Queryable } from '../../platform/db.js';
import { AppError, errors } from '../../platform/errors.js';
import { publish } from '../../platform/events.js';
import type { RequestMeta } from '../../platform/http.js';
import { checkName, type Accounts, type Me } from './accounts.js';
import { validateNik, type NikFacts } from './nik.js';
import { wrongCode, type OneTimeCodes } from './one-time-codes.js';
import { normalisePhone } from './personal-data.js';
import { checkPassword, type Passwords } from './passwords.js';
import { PRIVACY_NOTICE_VERSION } from './privacy-notice.js';
import type { Sessions, SessionIssued } from './sessions.js';
import type { Throttle } from './throttle.js';

/**
 * Citizens joining: registration by NIK with the privacy notice's consent, the phone verified by a
 * texted code, and the account set up by the real owner of a NIK after an in-person claim.
 */
const ADDRESS_REGISTRATIONS = { max: 100, windowSeconds: 3600 };
/** Every SMS to one number (registration codes, resends): the cost of a text stays bounded. */
const PHONE_TEXTS = { max: 5, windowSeconds: 24 * 3600 };
const OTP_RESEND_GAP_SECONDS = 60;

export interface PreparedCitizen {
  facts: NikFacts;
  /** A kelurahan of the city, checked. */
  domicileCode?: string | undefined;
  phone: string;
  name: string;
  passwordHash: string;
}

const duplicateNik = () =>
  errors.conflict(
    'nik_already_registered',
    {
      id: 'NIK ini sudah terdaftar. Jika bukan Anda yang mendaftarkannya, datanglah ke kantor kelurahan dengan KTP untuk mengklaim NIK Anda.',
      en: 'This NIK is already registered. If you did not register it, visit your kelurahan office with your KTP to claim your NIK.',
    },
    { field: 'nik' },
  );

const tooManyRegistrations = (wait: number) =>
  errors.tooManyRequests(wait, 'too_many_registrations', (w) => ({
    id: `Terlalu banyak pendaftaran dari jaringan atau nomor HP ini. Coba lagi dalam ${w.id}.`,
    en: `Too many registrations from this network or phone number. Try again in ${w.en}.`,
  }));

const tooManyTexts = (wait: number) =>
  errors.tooManyRequests(wait, 'too_many_codes', (w) => ({
    id: `Sudah terlalu banyak kode yang dikirim ke nomor ini. Coba lagi dalam ${w.id}.`,
    en: `Too many codes were sent to this number. Try again in ${w.en}.`,
  }));


export class Registration {
  constructor(
    private readonly db: Database,
    private readonly cipher: Cipher,
    private readonly audit: AuditRecorder,
    private readonly passwords: Passwords,
    private readonly codes: OneTimeCodes,
    private readonly sessions: Sessions,
    private readonly accounts: Accounts,
    private readonly throttle: Throttle,
    private readonly clock: () => Date,
  ) {}

  async register(
    input: {
      nik: string;
      name: string;
      birthDate: string;
      phone: string;
      password: string;
      consent: boolean;
      consentVersion?: string | undefined;
      domicileCode?: string | undefined;
    },
    meta: RequestMeta,
  ): Promise<SessionIssued> {
    if (input.consent !== true) {
      throw errors.badRequest(
        'consent_required',
        {
          id: 'Anda perlu membaca dan menyetujui pemberitahuan privasi untuk mendaftar.',
          en: 'You need to read and accept the privacy notice to register.',
        },
        { field: 'consent' },
      );
    }
    if (input.consentVersion && input.consentVersion !== PRIVACY_NOTICE_VERSION) {
      throw errors.conflict(
        'privacy_notice_changed',
        { id: 'Pemberitahuan privasi telah diperbarui; mohon baca dan setujui versi terbaru.', en: 'The privacy notice has changed; please read and accept the current version.' },
        { currentVersion: PRIVACY_NOTICE_VERSION },
      );
    }
    const checked = this.checkCitizen(input);
    if (input.domicileCode !== undefined && (await this.accounts.scopeName({ kind: 'kelurahan', code: input.domicileCode })) === null) {
      throw errors.badRequest(
        'domicile_unknown',
        { id: `Kelurahan ${input.domicileCode} tidak ada di kota ini.`, en: `There is no kelurahan ${input.domicileCode} in this city.` },
        { field: 'domicileCode' },
      );
    }
    // Each registration sends a text: counted per address and per number before any work.
    await this.throttle.take(
      [
        { key: `register:ip:${meta.ip ? this.cipher.blindIndex('ip', meta.ip) : 'unknown'}`, ...ADDRESS_REGISTRATIONS },
        { key: this.textsKey(checked.phone), ...PHONE_TEXTS },
      ],
      tooManyRegistrations,
    );
    const citizen: PreparedCitizen = { ...checked, domicileCode: input.domicileCode, passwordHash: await this.passwords.hash(input.password) };
    try {
      return await this.sessions.issued(
        this.db.transaction(async (tx) => {
          const userId = await this.insertCitizen(tx, citizen, { phoneVerified: false, ip: meta.ip });
          await this.codes.issue(tx, userId, 'phone_verification', citizen.phone);
          return this.sessions.start(tx, userId, 'cookie', meta);
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error, 'users_nik')) throw duplicateNik();
      throw error;
    }
  }

  /** Validates and hashes outside any transaction (argon2 is slow); the result goes to `insertCitizen`. */
  async prepareCitizen(input: { nik: string; name: string; birthDate: string; phone: string; password: string }): Promise<PreparedCitizen> {
    return { ...this.checkCitizen(input), passwordHash: await this.passwords.hash(input.password) };
  }

  private checkCitizen(input: { nik: string; name: string; birthDate: string; phone: string; password: string }): Omit<PreparedCitizen, 'passwordHash'> {
    const facts = this.checkNik(input.nik, input.birthDate);
    const phone = normalisePhone(input.phone);
    const name = checkName(input.name);
    checkPassword(input.password);
    return { facts, phone, name };
  }

  private textsKey(phone: string): string {
    return `texts:${this.cipher.blindIndex('phone', phone)}`;
  }

  /** Inside the caller's transaction (the demo seed adds its citizens this way); returns the new id. */
  async insertCitizen(tx: Queryable, c: PreparedCitizen, options: { phoneVerified: boolean; ip?: string | undefined }): Promise<string> {
    const nikIndex = this.cipher.blindIndex('nik', c.facts.nik);
    if (await tx.maybeOne('select 1 from users where nik_index = $1 and nik_released_at is null', [nikIndex])) throw duplicateNik();
    const user = await tx.one<{ id: string }>(
      `insert into users (kind, role, nik_index, nik_enc, phone_index, phone_enc, name_enc, birth_date_enc, sex, password_hash, consent_version, consent_at, phone_verified_at, domicile_code)
       values ('citizen', 'citizen', $1, $2, $3, $4, $5, $6, $7, $8, $9, now(), case when $10 then now() end, $11) returning id`,
      [
        nikIndex,
        this.cipher.encrypt(c.facts.nik),
        this.cipher.blindIndex('phone', c.phone),
        this.cipher.encrypt(c.phone),
        this.cipher.encrypt(c.name),
        this.cipher.encrypt(c.facts.birthDate),
        c.facts.sex,
        c.passwordHash,
        PRIVACY_NOTICE_VERSION,
        options.phoneVerified,
        c.domicileCode ?? null,
      ],
    );
    await publish(tx, 'identity.citizen_registered', { userId: user.id, unknownDistrict: c.facts.flags.unknownDistrict });
    await this.audit.append(
      { actor: { id: user.id, label: 'citizen' }, action: 'citizen.registered', subject: { type: 'user', id: user.id }, ip: options.ip, details: { consentVersion: PRIVACY_NOTICE_VERSION } },
      tx,
    );
    return user.id;
  }

  /** The NIK's facts, or a 400 naming the field (nik or birthDate) that is wrong. */
  checkNik(nik: string, birthDate: string): NikFacts {
    const result = validateNik(nik, { birthDate, today: this.clock() });
    if (!result.ok) throw errors.badRequest(result.code, result.message, { field: result.code.startsWith('nik_birthdate') ? 'birthDate' : 'nik' });
    return result.facts;
  }

  async verifyPhone(userId: string, code: string): Promise<Me> {
    const codeId = await this.codes.check(userId, 'phone_verification', code);
    await this.db.transaction(async (tx) => {
      await this.codes.use(tx, codeId);
      await tx.query('update users set phone_verified_at = now(), updated_at = now() where id = $1', [userId]);
    });
    return this.accounts.me(userId);
  }

  async resendPhoneCode(userId: string): Promise<void> {
    const user = await this.accounts.row(userId);
    if (!user.phone_enc) throw errors.badRequest('phone_missing', { id: 'Akun ini tidak memiliki nomor HP.', en: 'This account has no phone number.' });
    if (user.phone_verified_at) throw errors.conflict('phone_already_verified', { id: 'Nomor HP sudah terverifikasi.', en: 'The phone number is already verified.' });
    const wait = await this.codes.waitBeforeNext(userId, 'phone_verification', OTP_RESEND_GAP_SECONDS);
    if (wait > 0) {
      throw new AppError(
        429,
        'code_resend_too_soon',
        { id: `Kode baru saja dikirim. Tunggu ${wait} detik sebelum meminta kode lagi.`, en: `A code was just sent. Wait ${wait} seconds before asking again.` },
        { retryAfterSeconds: wait },
        { 'retry-after': String(wait) },
      );
    }
    const phone = this.cipher.decrypt(user.phone_enc);
    await this.throttle.take([{ key: this.textsKey(phone), ...PHONE_TEXTS }], tooManyTexts);
    await this.db.transaction((tx) => this.codes.issue(tx, userId, 'phone_verification', phone));
  }

  // --- accounts created by a NIK claim (nik-claims.ts) -------------------------------------------

  /** Inside the caller's transaction: texts the code with which a claimant activates their account. */
  issueSetupCode(tx: Queryable, userId: string, phone: string): Promise<void> {
    return this.codes.issue(tx, userId, 'account_setup', phone);
  }

  /** The claimant sets a password with the code sent to their phone; this also verifies the phone. */
  async completeSetup(input: { nik: string; code: string; password: string }, meta: RequestMeta): Promise<SessionIssued> {
    checkPassword(input.password);
    const user = await this.db.maybeOne<{ id: string }>(
      `select id from users where nik_index = $1 and nik_released_at is null and status = 'pending_setup'`,
      [this.cipher.blindIndex('nik', input.nik.trim())],
    );
    if (!user) throw wrongCode();
    const codeId = await this.codes.check(user.id, 'account_setup', input.code);
    const passwordHash = await this.passwords.hash(input.password);
    return this.sessions.issued(this.db.transaction(async (tx) => {
      await this.codes.use(tx, codeId);
      await tx.query(
        `update users set password_hash = $2, status = 'active', phone_verified_at = now(), consent_version = $3, consent_at = now(), updated_at = now() where id = $1`,
        [user.id, passwordHash, PRIVACY_NOTICE_VERSION],
      );
      await this.audit.append({ actor: { id: user.id, label: 'citizen' }, action: 'citizen.setup_completed', subject: { type: 'user', id: user.id }, ip: meta.ip }, tx);
      return this.sessions.start(tx, user.id, 'cookie', meta);
    }));
  }
}


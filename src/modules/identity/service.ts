import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';

// @node-rs/argon2's Algorithm is an ambient const enum; 2 is Argon2id.
const ARGON2ID = 2;
import { randomInt } from 'node:crypto';
import type { Database, Queryable } from '../../platform/db.js';
import { Cipher, randomToken, sha256 } from '../../platform/crypto.js';
import { AppError, errors } from '../../platform/errors.js';
import { publish } from '../../platform/events.js';
import type { MessageSender } from '../../platform/messaging.js';
import { isUniqueViolation } from '../../platform/db.js';
import type { AuditTrail } from '../audit/index.js';
import { maskNik, validateNik, type NikFacts } from './nik.js';
import { maskPhone, normalisePhone } from './personal-data.js';
import type { Principal, Role, Scope } from './policy.js';
import { PRIVACY_NOTICE_VERSION } from './privacy-notice.js';
import { publishAccessChanged } from './access-events.js';
import { Throttle, type Limit } from './throttle.js';

/**
 * Identity: citizens (by NIK) and officers (by username), sessions, one-time codes and login and
 * registration throttling (the in-person NIK claim is nik-claims.ts). Personal data goes into the
 * database only through `Cipher`.
 */

export interface IdentityOptions {
  argon2: { memoryKib: number; timeCost: number };
  sessionTtlHours: number;
  /** Names a scope for display, e.g. kelurahan:36.72.01.1001 → 'Kelurahan Ramanuju'. */
  scopeName: (scope: Scope) => Promise<string | null>;
  clock?: () => Date;
}

export interface RequestMeta {
  ip?: string | undefined;
  userAgent?: string | undefined;
  /** The client's `sk_device` cookie: a random id naming the browser or app, not the person. */
  device?: string | undefined;
}

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

export interface PreparedCitizen {
  facts: NikFacts;
  /** A kelurahan of the city, checked. */
  domicileCode?: string | undefined;
  phone: string;
  name: string;
  passwordHash: string;
}

export interface OfficerInput {
  username: string;
  name: string;
  role: Exclude<Role, 'citizen'>;
  scope: Scope | null;
  isHead?: boolean;
  password: string;
  phone?: string | undefined;
}

export interface PersonalData {
  nik: string | null;
  name: string;
  phone: string | null;
  birthDate: string | null;
  address: string | null;
  sex: 'male' | 'female' | null;
}

interface NewSession {
  userId: string;
  token: string;
  csrfToken: string | null;
  expiresAt: Date;
}

export interface SessionIssued extends Omit<NewSession, 'userId'> {
  user: Me;
}

interface UserRow {
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

/**
 * Login throttling (README, "Security"): an account allows 5 attempts per client per 15 minutes,
 * where the client is a browser or app that logged in to it before (its `sk_device` cookie) or
 * else the address; clients it has never seen share 20 attempts per hour between them. So a
 * burst of guesses locks out the guessers, never the owner on their own phone.
 */
const CLIENT_ATTEMPTS = { max: 5, windowSeconds: 15 * 60 };
const UNKNOWN_CLIENTS_ATTEMPTS = { max: 20, windowSeconds: 3600 };
// Thousands of phones share one address behind carrier-grade NAT: the per-address limits are high.
const ADDRESS_ATTEMPTS = { max: 1000, windowSeconds: 15 * 60 };
const ADDRESS_REGISTRATIONS = { max: 100, windowSeconds: 3600 };
/** Every SMS to one number (registration codes, resends): the cost of a text stays bounded. */
const PHONE_TEXTS = { max: 5, windowSeconds: 24 * 3600 };
/** A device stays known for this long after its last login. */
const KNOWN_DEVICE_DAYS = 180;
const OTP_TTL_MINUTES = 10;
const SETUP_CODE_TTL_HOURS = 72;
const OTP_MAX_ATTEMPTS = 5;
const OTP_RESEND_GAP_SECONDS = 60;

const duplicateNik = () =>
  errors.conflict(
    'nik_already_registered',
    {
      id: 'NIK ini sudah terdaftar. Jika bukan Anda yang mendaftarkannya, datanglah ke kantor kelurahan dengan KTP untuk mengklaim NIK Anda.',
      en: 'This NIK is already registered. If you did not register it, visit your kelurahan office with your KTP to claim your NIK.',
    },
    { field: 'nik' },
  );

const wrongCode = () =>
  errors.badRequest('code_invalid', { id: 'Kode salah atau sudah kedaluwarsa. Minta kode baru.', en: 'The code is wrong or has expired. Ask for a new code.' }, { field: 'code' });

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

const invalidLogin = () =>
  new AppError(401, 'invalid_credentials', {
    id: 'NIK/nama pengguna atau kata sandi salah.',
    en: 'Wrong NIK/username or password.',
  });

export class IdentityService {
  private readonly clock: () => Date;
  private readonly throttle: Throttle;
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly db: Database,
    private readonly cipher: Cipher,
    private readonly audit: AuditTrail,
    private readonly sender: MessageSender,
    private readonly options: IdentityOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.throttle = new Throttle(db);
  }

  // --- passwords ---------------------------------------------------------------------------------

  hashPassword(password: string): Promise<string> {
    return argon2Hash(password, {
      algorithm: ARGON2ID,
      memoryCost: this.options.argon2.memoryKib,
      timeCost: this.options.argon2.timeCost,
      parallelism: 1,
    });
  }

  private async verifyPassword(hash: string | null, password: string): Promise<boolean> {
    // Unknown accounts cost the same time as known ones: no account enumeration by timing.
    this.dummyHash ??= this.hashPassword(randomToken());
    const target = hash ?? (await this.dummyHash);
    const ok = await argon2Verify(target, password).catch(() => false);
    return ok && hash !== null;
  }

  // --- citizens ----------------------------------------------------------------------------------

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
    if (input.domicileCode !== undefined && (await this.options.scopeName({ kind: 'kelurahan', code: input.domicileCode })) === null) {
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
    const citizen: PreparedCitizen = { ...checked, domicileCode: input.domicileCode, passwordHash: await this.hashPassword(input.password) };
    try {
      return await this.issued(
        this.db.transaction(async (tx) => {
          const userId = await this.insertCitizen(tx, citizen, { phoneVerified: false, ip: meta.ip });
          await this.issueCode(tx, userId, 'phone_verification', citizen.phone);
          return this.startSession(tx, userId, 'cookie', meta);
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error, 'users_nik')) throw duplicateNik();
      throw error;
    }
  }

  /** Validates and hashes outside any transaction (argon2 is slow); the result goes to `insertCitizen`. */
  async prepareCitizen(input: { nik: string; name: string; birthDate: string; phone: string; password: string }): Promise<PreparedCitizen> {
    return { ...this.checkCitizen(input), passwordHash: await this.hashPassword(input.password) };
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

  // --- one-time codes ----------------------------------------------------------------------------

  private async issueCode(tx: Queryable, userId: string, purpose: 'phone_verification' | 'account_setup', phone: string): Promise<void> {
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
   * work is not done; returns the code's id for `useCode` inside the caller's transaction.
   */
  private async checkCode(userId: string, purpose: 'phone_verification' | 'account_setup', code: string): Promise<number> {
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

  private async useCode(tx: Queryable, codeId: number): Promise<void> {
    // A concurrent request may have used it first.
    if (!(await tx.maybeOne('update one_time_codes set consumed_at = now() where id = $1 and consumed_at is null returning id', [codeId]))) throw wrongCode();
  }

  async verifyPhone(userId: string, code: string): Promise<Me> {
    const codeId = await this.checkCode(userId, 'phone_verification', code);
    await this.db.transaction(async (tx) => {
      await this.useCode(tx, codeId);
      await tx.query('update users set phone_verified_at = now(), updated_at = now() where id = $1', [userId]);
    });
    return this.me(userId);
  }

  async resendPhoneCode(userId: string): Promise<void> {
    const user = await this.userRow(userId);
    if (!user.phone_enc) throw errors.badRequest('phone_missing', { id: 'Akun ini tidak memiliki nomor HP.', en: 'This account has no phone number.' });
    if (user.phone_verified_at) throw errors.conflict('phone_already_verified', { id: 'Nomor HP sudah terverifikasi.', en: 'The phone number is already verified.' });
    const recent = await this.db.maybeOne<{ wait: number }>(
      `select ceil(extract(epoch from (created_at + make_interval(secs => $3) - now())))::int as wait from one_time_codes
       where user_id = $1 and purpose = $2 and created_at > now() - make_interval(secs => $3) order by id desc limit 1`,
      [userId, 'phone_verification', OTP_RESEND_GAP_SECONDS],
    );
    if (recent) {
      const wait = Math.max(1, recent.wait);
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
    await this.db.transaction((tx) => this.issueCode(tx, userId, 'phone_verification', phone));
  }

  // --- login, sessions ---------------------------------------------------------------------------

  async login(login: string, password: string, kind: 'cookie' | 'bearer', meta: RequestMeta): Promise<SessionIssued> {
    const trimmed = login.trim();
    const isNik = /^\d{16}$/.test(trimmed);
    const user = isNik
      ? await this.db.maybeOne<UserRow>('select * from users where nik_index = $1 and nik_released_at is null', [this.cipher.blindIndex('nik', trimmed)])
      : await this.db.maybeOne<UserRow>('select * from users where lower(username) = lower($1)', [trimmed]);
    const limits = await this.loginLimits(this.cipher.blindIndex(isNik ? 'nik' : 'username', trimmed.toLowerCase()), user?.id ?? null, meta);
    // Counted before the hash: parallel guesses cannot all pass a check made before any is recorded.
    await this.throttle.take(limits.all);

    const passwordOk = await this.verifyPassword(user?.password_hash ?? null, password);
    if (!user || !passwordOk || user.status !== 'active') {
      await this.audit.append({
        actor: { id: null, label: 'anonymous' },
        action: 'auth.login_failed',
        subject: user ? { type: 'user', id: user.id } : undefined,
        ip: meta.ip,
        details: { reason: !user ? 'unknown_login' : !passwordOk ? 'wrong_password' : `account_${user.status}`, via: kind },
      });
      if (user && passwordOk && user.status === 'suspended') {
        throw new AppError(403, 'account_suspended', {
          id: 'Akun ini ditangguhkan. Hubungi kantor kelurahan atau Diskominfo.',
          en: 'This account is suspended. Contact your kelurahan office or the Diskominfo.',
        });
      }
      throw invalidLogin();
    }
    await this.throttle.reset(limits.account);
    await this.throttle.giveBack(limits.address);
    if (meta.device) {
      await this.db.query(
        `insert into login_devices (user_id, device_hash) values ($1, $2) on conflict (user_id, device_hash) do update set last_login_at = now()`,
        [user.id, sha256(meta.device)],
      );
    }
    return this.issued(
      this.db.transaction(async (tx) => {
        await this.audit.append({ actor: { id: user.id, label: user.role }, action: 'auth.login', subject: { type: 'user', id: user.id }, ip: meta.ip, details: { via: kind } }, tx);
        return this.startSession(tx, user.id, kind, meta);
      }),
    );
  }

  /** Hourly upkeep: counters whose window ended, devices not seen within KNOWN_DEVICE_DAYS. */
  async sweepThrottling(): Promise<void> {
    await this.throttle.sweep();
    await this.db.query('delete from login_devices where last_login_at < now() - make_interval(days => $1)', [KNOWN_DEVICE_DAYS]);
  }

  /** The counters one login attempt takes from (see CLIENT_ATTEMPTS): the account's, and the address's. */
  private async loginLimits(account: string, userId: string | null, meta: RequestMeta): Promise<{ all: Limit[]; account: string[]; address: string[] }> {
    const known =
      userId !== null &&
      meta.device !== undefined &&
      (await this.db.maybeOne(`select 1 from login_devices where user_id = $1 and device_hash = $2 and last_login_at > now() - make_interval(days => $3)`, [
        userId,
        sha256(meta.device),
        KNOWN_DEVICE_DAYS,
      ])) !== undefined;
    const address = meta.ip ? this.cipher.blindIndex('ip', meta.ip) : 'unknown';
    const accountLimits: Limit[] = known
      ? [{ key: `login:${account}:device:${sha256(meta.device!)}`, ...CLIENT_ATTEMPTS }]
      : [
          { key: `login:${account}:ip:${address}`, ...CLIENT_ATTEMPTS },
          { key: `login:${account}:unknown-clients`, ...UNKNOWN_CLIENTS_ATTEMPTS },
        ];
    const addressLimits: Limit[] = meta.ip ? [{ key: `ip:${address}`, ...ADDRESS_ATTEMPTS }] : [];
    return { all: [...accountLimits, ...addressLimits], account: accountLimits.map((l) => l.key), address: addressLimits.map((l) => l.key) };
  }

  /** Inside a transaction; the caller presents the user after commit (see `issued`). */
  private async startSession(tx: Queryable, userId: string, kind: 'cookie' | 'bearer', meta: RequestMeta): Promise<NewSession> {
    const token = randomToken();
    const csrfToken = kind === 'cookie' ? randomToken(18) : null;
    const expiresAt = new Date(this.clock().getTime() + this.options.sessionTtlHours * 3600_000);
    await tx.query(
      `insert into sessions (id, user_id, kind, csrf_token, expires_at, ip, user_agent) values ($1, $2, $3, $4, $5, $6, $7)`,
      [sha256(token), userId, kind, csrfToken, expiresAt, meta.ip ?? null, meta.userAgent?.slice(0, 300) ?? null],
    );
    return { userId, token, csrfToken, expiresAt };
  }

  // PGlite has one connection: presenting (which may query other modules) must not run inside a transaction.
  private async issued(session: Promise<NewSession>): Promise<SessionIssued> {
    const { userId, ...rest } = await session;
    return { ...rest, user: await this.me(userId) };
  }

  /** The principal behind a session token, or undefined when unknown, expired, revoked or suspended. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const row = await this.db.maybeOne<{
      session_id: string;
      session_kind: 'cookie' | 'bearer';
      csrf_token: string | null;
      stale: boolean;
      id: string;
      kind: 'citizen' | 'officer';
      role: Role;
      scope_kind: Scope['kind'] | null;
      scope_code: string | null;
      is_head: boolean;
    }>(
      `select s.id as session_id, s.kind as session_kind, s.csrf_token, s.last_seen_at < now() - interval '5 minutes' as stale,
              u.id, u.kind, u.role, u.scope_kind, u.scope_code, u.is_head
       from sessions s join users u on u.id = s.user_id
       where s.id = $1 and s.revoked_at is null and s.expires_at > now() and u.status = 'active'`,
      [sha256(token)],
    );
    if (!row) return undefined;
    if (row.stale) await this.db.query('update sessions set last_seen_at = now() where id = $1', [row.session_id]);
    return {
      userId: row.id,
      kind: row.kind,
      role: row.role,
      scope: row.scope_kind && row.scope_code ? { kind: row.scope_kind, code: row.scope_code } : null,
      isHead: row.is_head,
      sessionId: row.session_id,
      via: row.session_kind,
      csrfToken: row.csrf_token,
    };
  }

  /** Whether a principal authenticated earlier still holds: its session is live and its role and scope unchanged. */
  async stillGrants(principal: Principal): Promise<boolean> {
    const row = await this.db.maybeOne<{ role: Role; scope_kind: string | null; scope_code: string | null; is_head: boolean }>(
      `select u.role, u.scope_kind, u.scope_code, u.is_head from sessions s join users u on u.id = s.user_id
       where s.id = $1 and s.revoked_at is null and s.expires_at > now() and u.status = 'active'`,
      [principal.sessionId],
    );
    return (
      row !== undefined &&
      row.role === principal.role &&
      row.is_head === principal.isHead &&
      row.scope_kind === (principal.scope?.kind ?? null) &&
      row.scope_code === (principal.scope?.code ?? null)
    );
  }

  async logout(principal: Pick<Principal, 'userId' | 'sessionId'>): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('update sessions set revoked_at = now() where id = $1 and revoked_at is null', [principal.sessionId]);
      await publishAccessChanged(tx, { userId: principal.userId, sessionId: principal.sessionId, reason: 'logout' });
    });
  }

  // --- accounts ----------------------------------------------------------------------------------

  private async userRow(userId: string, q: Queryable = this.db): Promise<UserRow> {
    const row = await q.maybeOne<UserRow>('select * from users where id = $1', [userId]);
    if (!row) throw errors.notFound({ id: 'Akun', en: 'Account' });
    return row;
  }

  /** The account as its owner sees it: with whether a claim on its NIK waits for the coordinator. */
  async me(userId: string): Promise<Me> {
    const row = await this.userRow(userId);
    const me = await this.presentUser(row);
    if (row.kind !== 'citizen') return me;
    const claim = await this.db.maybeOne(`select 1 from nik_claims where holder_user_id = $1 and status = 'pending' limit 1`, [userId]);
    return { ...me, nikClaimPending: claim !== undefined };
  }

  private async presentUser(row: UserRow): Promise<Me> {
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
      scope: scope && { ...scope, name: await this.options.scopeName(scope), isHead: row.is_head },
      domicile: row.domicile_code ? { code: row.domicile_code, name: await this.options.scopeName({ kind: 'kelurahan', code: row.domicile_code }) } : null,
      createdAt: row.created_at.toISOString(),
    };
  }

  /** Unmasked personal data. Every reveal is audited, including a person reading their own. */
  async revealPersonalData(actor: Principal, userId: string, meta: RequestMeta): Promise<PersonalData> {
    const row = await this.userRow(userId);
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

  async createOfficer(input: OfficerInput, actor: { id: string | null; label: string }): Promise<Me> {
    await this.checkScope(input.role, input.scope);
    return this.me(await this.db.transaction((tx) => this.insertOfficer(tx, input, actor)));
  }

  /** An officer works somewhere that exists; field officers always have a unit. Checked before any transaction. */
  private async checkScope(role: Role, scope: Scope | null): Promise<void> {
    if (!scope) {
      if (role === 'officer') {
        throw errors.badRequest('scope_required', { id: 'Petugas harus memiliki unit kerja (OPD, kecamatan atau kelurahan).', en: 'An officer needs a unit (OPD, kecamatan or kelurahan).' }, { field: 'scope' });
      }
      return;
    }
    if ((await this.options.scopeName(scope)) === null) {
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
    const passwordHash = await this.hashPassword(input.password);
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
      const current = await this.userRow(userId);
      const scope = changes.scope !== undefined ? changes.scope : current.scope_kind && current.scope_code ? { kind: current.scope_kind, code: current.scope_code } : null;
      await this.checkScope(changes.role ?? current.role, scope);
    }
    await this.db.transaction(async (tx) => {
      const before = await this.userRow(userId, tx);
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
    return this.me(userId);
  }

  async listUsers(filter: { kind?: 'citizen' | 'officer' | undefined; role?: Role | undefined; after?: string | undefined; limit: number }): Promise<Me[]> {
    const rows = await this.db.query<UserRow>(
      `select * from users where ($1::text is null or kind = $1) and ($2::text is null or role = $2) and ($3::uuid is null or id > $3)
       order by id limit $4`,
      [filter.kind ?? null, filter.role ?? null, filter.after ?? null, filter.limit],
    );
    return Promise.all(rows.map((r) => this.presentUser(r)));
  }

  async findOfficerHead(scope: Scope): Promise<Me | undefined> {
    const row = await this.db.maybeOne<UserRow>(
      `select * from users where kind = 'officer' and scope_kind = $1 and scope_code = $2 and is_head and status = 'active' order by created_at limit 1`,
      [scope.kind, scope.code],
    );
    return row && this.presentUser(row);
  }

  // --- accounts created by a NIK claim (nik-claims.ts) -------------------------------------------

  /** Inside the caller's transaction: texts the code with which a claimant activates their account. */
  issueSetupCode(tx: Queryable, userId: string, phone: string): Promise<void> {
    return this.issueCode(tx, userId, 'account_setup', phone);
  }

  /** The claimant sets a password with the code sent to their phone; this also verifies the phone. */
  async completeSetup(input: { nik: string; code: string; password: string }, meta: RequestMeta): Promise<SessionIssued> {
    checkPassword(input.password);
    const user = await this.db.maybeOne<{ id: string }>(
      `select id from users where nik_index = $1 and nik_released_at is null and status = 'pending_setup'`,
      [this.cipher.blindIndex('nik', input.nik.trim())],
    );
    if (!user) throw wrongCode();
    const codeId = await this.checkCode(user.id, 'account_setup', input.code);
    const passwordHash = await this.hashPassword(input.password);
    return this.issued(this.db.transaction(async (tx) => {
      await this.useCode(tx, codeId);
      await tx.query(
        `update users set password_hash = $2, status = 'active', phone_verified_at = now(), consent_version = $3, consent_at = now(), updated_at = now() where id = $1`,
        [user.id, passwordHash, PRIVACY_NOTICE_VERSION],
      );
      await this.audit.append({ actor: { id: user.id, label: 'citizen' }, action: 'citizen.setup_completed', subject: { type: 'user', id: user.id }, ip: meta.ip }, tx);
      return this.startSession(tx, user.id, 'cookie', meta);
    }));
  }
}

export function checkName(name: string): string {
  const clean = name.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (clean.length < 2 || clean.length > 120 || /[<>{}\d]/.test(clean)) {
    throw errors.badRequest('name_invalid', { id: 'Nama lengkap harus 2–120 huruf, tanpa angka.', en: 'The full name must be 2–120 letters, without digits.' }, { field: 'name' });
  }
  return clean;
}

function checkPassword(password: string): void {
  if (password.length < 8 || password.length > 200) {
    throw errors.badRequest('password_too_short', { id: 'Kata sandi minimal 8 karakter.', en: 'The password needs at least 8 characters.' }, { field: 'password' });
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

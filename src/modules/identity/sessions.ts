import type { AuditRecorder } from '../../platform/audit.js';
import { sha256, randomToken, type Cipher } from '../../platform/crypto.js';
import type { Database, Queryable } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { RequestMeta } from '../../platform/http.js';
import { publishAccessChanged } from './access-events.js';
import type { Accounts, Me, UserRow } from './accounts.js';
import type { Passwords } from './passwords.js';
import type { Principal, Role, Scope } from './roles.js';
import { Throttle, type Limit } from './throttle.js';

/**
 * Logins, sessions and the tokens that carry them, and the attempt counters that guard logins.
 *
 * Login throttling (README, "Security"): an account allows 5 attempts per client per 15 minutes,
 * where the client is a browser or app that logged in to it before (its `sk_device` cookie) or
 * else the address; clients it has never seen share 20 attempts per hour between them. So a
 * burst of guesses locks out the guessers, never the owner on their own phone.
 */
const CLIENT_ATTEMPTS = { max: 5, windowSeconds: 15 * 60 };
const UNKNOWN_CLIENTS_ATTEMPTS = { max: 20, windowSeconds: 3600 };
// Thousands of phones share one address behind carrier-grade NAT: the per-address limits are high.
const ADDRESS_ATTEMPTS = { max: 1000, windowSeconds: 15 * 60 };
/** A device stays known for this long after its last login. */
const KNOWN_DEVICE_DAYS = 180;

export interface NewSession {
  userId: string;
  token: string;
  csrfToken: string | null;
  expiresAt: Date;
}

export interface SessionIssued extends Omit<NewSession, 'userId'> {
  user: Me;
}

const invalidLogin = () =>
  new AppError(401, 'invalid_credentials', {
    id: 'NIK/nama pengguna atau kata sandi salah.',
    en: 'Wrong NIK/username or password.',
  });

export class Sessions {
  constructor(
    private readonly db: Database,
    private readonly cipher: Cipher,
    private readonly audit: AuditRecorder,
    private readonly passwords: Passwords,
    private readonly accounts: Accounts,
    private readonly throttle: Throttle,
    private readonly options: { ttlHours: number; clock: () => Date },
  ) {}

  async login(login: string, password: string, kind: 'cookie' | 'bearer', meta: RequestMeta): Promise<SessionIssued> {
    const trimmed = login.trim();
    const isNik = /^\d{16}$/.test(trimmed);
    const user = isNik
      ? await this.db.maybeOne<UserRow>('select * from users where nik_index = $1 and nik_released_at is null', [this.cipher.blindIndex('nik', trimmed)])
      : await this.db.maybeOne<UserRow>('select * from users where lower(username) = lower($1)', [trimmed]);
    const limits = await this.loginLimits(this.cipher.blindIndex(isNik ? 'nik' : 'username', trimmed.toLowerCase()), user?.id ?? null, meta);
    // Counted before the hash: parallel guesses cannot all pass a check made before any is recorded.
    await this.throttle.take(limits.all);

    const passwordOk = await this.passwords.verify(user?.password_hash ?? null, password);
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
        return this.start(tx, user.id, kind, meta);
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

  /** Inside a transaction (a login, a registration, an account setup); the caller presents the user after commit with `issued`. */
  async start(tx: Queryable, userId: string, kind: 'cookie' | 'bearer', meta: RequestMeta): Promise<NewSession> {
    const token = randomToken();
    const csrfToken = kind === 'cookie' ? randomToken(18) : null;
    const expiresAt = new Date(this.options.clock().getTime() + this.options.ttlHours * 3600_000);
    await tx.query(
      `insert into sessions (id, user_id, kind, csrf_token, expires_at, ip, user_agent) values ($1, $2, $3, $4, $5, $6, $7)`,
      [sha256(token), userId, kind, csrfToken, expiresAt, meta.ip ?? null, meta.userAgent?.slice(0, 300) ?? null],
    );
    return { userId, token, csrfToken, expiresAt };
  }

  // PGlite has one connection: presenting (which may query other modules) must not run inside a transaction.
  async issued(session: Promise<NewSession>): Promise<SessionIssued> {
    const { userId, ...rest } = await session;
    return { ...rest, user: await this.accounts.me(userId) };
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

}

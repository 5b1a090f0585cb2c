import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpApp } from '../../src/platform/http.js';
import { asSession, bearer, describeEachDatabase, login, startHarness, type Harness, type Session } from '../support/harness.js';
import { DEMO_PASSWORD } from '../support/env.js';

/**
 * Identity over HTTP: registration with NIK, phone verification, login (cookie and bearer), CSRF,
 * logout, throttling, the trusted proxy, personal-data reveal, the in-person NIK claim and the
 * admin's user management.
 */

interface RegisterInput {
  nik: string;
  name: string;
  birthDate: string;
  phone: string;
  password?: string;
  consent?: boolean;
}

const CITIZEN_PASSWORD = 'kata-sandi-warga-1';

function registerRequest(app: HttpApp, input: RegisterInput, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    headers,
    payload: { password: CITIZEN_PASSWORD, consent: true, ...input },
  });
}

/** The session a successful register/login/setup response carries (cookies + CSRF token). */
function sessionOf(res: { cookies: { name: string; value: string }[]; json(): unknown }): Session {
  const body = res.json() as { csrfToken: string; user: { id: string } };
  return { cookie: res.cookies.map((c) => `${c.name}=${c.value}`).join('; '), csrf: body.csrfToken, userId: body.user.id };
}

function otherCode(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

async function userIdOf(h: Harness, username: string): Promise<string> {
  return (await h.db.one<{ id: string }>('select id from users where username = $1', [username])).id;
}

describeEachDatabase('identity', (kind) => {
  describe('registration', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(kind);
    });
    afterAll(async () => h?.close());

    it('registers a citizen: 201, session cookie, masked NIK, unverified phone, an SMS code; the code verifies the phone', async () => {
      const res = await registerRequest(h.app, { nik: '3672015203920005', name: 'Nur Aini', birthDate: '1992-03-12', phone: '0813-7700-1122' });
      expect(res.statusCode).toBe(201);
      const session = res.cookies.find((c) => c.name === 'sk_session');
      expect(session?.value).toBeTruthy();
      expect(session?.httpOnly).toBe(true);
      const csrfCookie = res.cookies.find((c) => c.name === 'sk_csrf');
      expect(csrfCookie?.httpOnly).toBeFalsy();
      const body = res.json();
      expect(typeof body.csrfToken).toBe('string');
      expect(csrfCookie?.value).toBe(body.csrfToken);
      expect(JSON.stringify(body)).not.toContain('3672015203920005');

      const s = sessionOf(res);
      const me = await h.app.inject({ url: '/api/v1/me', headers: { cookie: s.cookie } });
      expect(me.statusCode).toBe(200);
      expect(me.json().user).toMatchObject({
        id: s.userId,
        kind: 'citizen',
        role: 'citizen',
        name: 'Nur Aini',
        nikMasked: '3672**********05',
        phoneMasked: '0813*****122',
        phoneVerified: false,
        status: 'active',
        scope: null,
      });

      const sms = h.sms.messages.filter((m) => m.to === '+6281377001122');
      expect(sms).toHaveLength(1);
      const code = h.sms.lastCodeFor('+6281377001122');
      expect(code).toMatch(/^\d{6}$/);

      const wrong = await h.app.inject({ method: 'POST', url: '/api/v1/auth/phone/verify', headers: asSession(s), payload: { code: otherCode(code!) } });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json().error.code).toBe('code_invalid');

      const ok = await h.app.inject({ method: 'POST', url: '/api/v1/auth/phone/verify', headers: asSession(s), payload: { code } });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().user.phoneVerified).toBe(true);
      const again = await h.app.inject({ url: '/api/v1/me', headers: { cookie: s.cookie } });
      expect(again.json().user.phoneVerified).toBe(true);

      // A used code cannot be used twice.
      const reused = await h.app.inject({ method: 'POST', url: '/api/v1/auth/phone/verify', headers: asSession(s), payload: { code } });
      expect(reused.statusCode).toBe(400);
      expect(reused.json().error.code).toBe('code_invalid');
    });

    it.each([
      ['too short', '367201520392', 'nik_invalid_length'],
      ['too long', '36720152039200051', 'nik_invalid_length'],
      ['unknown province', '0072015203920005', 'nik_invalid_province'],
      ['day 32', '3672013203920005', 'nik_invalid_date'],
      ['month 13', '3672011213920005', 'nik_invalid_date'],
      ['serial 0000', '3672015203920000', 'nik_invalid_serial'],
      ['a letter', '36720152039200O5', 'nik_invalid_characters'],
    ])('refuses a NIK that is %s with 400 %s on field nik', async (_what, nik, code) => {
      const res = await registerRequest(h.app, { nik, name: 'Nur Aini', birthDate: '1992-03-12', phone: '081377001199' });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe(code);
      expect(res.json().error.details).toMatchObject({ field: 'nik' });
      expect(res.cookies).toHaveLength(0);
    });

    it('refuses a birth date that does not match the NIK (nik_birthdate_mismatch on field birthDate)', async () => {
      const res = await registerRequest(h.app, { nik: '3672021010880006', name: 'Budi Santoso', birthDate: '1988-10-11', phone: '081377001133' });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'nik_birthdate_mismatch', details: { field: 'birthDate' } });
    });

    it('refuses a registration without consent (consent_required)', async () => {
      const res = await registerRequest(h.app, { nik: '3672021010880006', name: 'Budi Santoso', birthDate: '1988-10-10', phone: '081377001133', consent: false });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'consent_required', details: { field: 'consent' } });
    });

    it('refuses a bad phone number (phone_invalid)', async () => {
      for (const phone of ['12345', '0212345678', '+1 415 555 0100']) {
        const res = await registerRequest(h.app, { nik: '3672021010880006', name: 'Budi Santoso', birthDate: '1988-10-10', phone });
        expect(res.statusCode, phone).toBe(400);
        expect(res.json().error).toMatchObject({ code: 'phone_invalid', details: { field: 'phone' } });
      }
    });

    it('refuses a name with digits (name_invalid) and a short password (password_too_short)', async () => {
      const name = await registerRequest(h.app, { nik: '3672021010880006', name: 'Budi 2', birthDate: '1988-10-10', phone: '081377001133' });
      expect(name.statusCode).toBe(400);
      expect(name.json().error).toMatchObject({ code: 'name_invalid', details: { field: 'name' } });
      const password = await registerRequest(h.app, { nik: '3672021010880006', name: 'Budi Santoso', birthDate: '1988-10-10', phone: '081377001133', password: 'short' });
      expect(password.statusCode).toBe(400);
      expect(password.json().error).toMatchObject({ code: 'password_too_short', details: { field: 'password' } });
    });

    it('does not resend a phone code within a minute (429 with retry-after)', async () => {
      const res = await registerRequest(h.app, { nik: '3672040505050008', name: 'Eko Prasetyo', birthDate: '2005-05-05', phone: '+62 813 7700 1155' });
      expect(res.statusCode).toBe(201);
      const resend = await h.app.inject({ method: 'POST', url: '/api/v1/auth/phone/resend', headers: asSession(sessionOf(res)) });
      expect(resend.statusCode).toBe(429);
      expect(resend.json().error.code).toBe('code_resend_too_soon');
      expect(Number(resend.headers['retry-after'])).toBeGreaterThan(0);
      expect(h.sms.messages.filter((m) => m.to === '+6281377001155')).toHaveLength(1);
    });

    it('refuses a NIK that is already registered with 409 nik_already_registered', async () => {
      const res = await registerRequest(h.app, { nik: '3672011708900001', name: 'Ahmad Palsu', birthDate: '1990-08-17', phone: '081377001144' });
      expect(res.statusCode).toBe(409);
      expect(res.json().error).toMatchObject({ code: 'nik_already_registered', details: { field: 'nik' } });
      expect(res.json().error.message).toMatch(/kelurahan/);
    });

    it('writes nothing when a registration is refused', async () => {
      const count = async () => (await h.db.one<{ n: number }>('select count(*)::int as n from users')).n;
      const before = await count();
      const smsBefore = h.sms.messages.length;
      await registerRequest(h.app, { nik: '3672021010880006', name: 'Budi Santoso', birthDate: '1988-10-10', phone: '081377001133', consent: false });
      await registerRequest(h.app, { nik: '3672021010880006', name: 'Budi Santoso', birthDate: '1988-10-10', phone: 'nope' });
      await registerRequest(h.app, { nik: '3672011708900001', name: 'Ahmad Palsu', birthDate: '1990-08-17', phone: '081377001144' });
      expect(await count()).toBe(before);
      expect(h.sms.messages.length).toBe(smsBefore);
    });

    it('answers in Bahasa Indonesia by default and in English when asked', async () => {
      const input = { nik: '12345', name: 'Nur Aini', birthDate: '1992-03-12', phone: '081377001199' };
      const id = await registerRequest(h.app, input);
      expect(id.json().error.message).toBe('NIK harus terdiri dari 16 angka; yang Anda masukkan 5 angka.');
      const en = await registerRequest(h.app, input, { 'accept-language': 'en-GB,en;q=0.8' });
      expect(en.json().error.code).toBe('nik_invalid_length');
      expect(en.json().error.message).toBe('A NIK must have 16 digits; you entered 5 digits.');
      const noConsentEn = await registerRequest(h.app, { ...input, nik: '3672021010880006', birthDate: '1988-10-10', consent: false }, { 'accept-language': 'en' });
      expect(noConsentEn.json().error.message).toMatch(/privacy notice/);
      const noConsentId = await registerRequest(h.app, { ...input, nik: '3672021010880006', birthDate: '1988-10-10', consent: false });
      expect(noConsentId.json().error.message).toMatch(/pemberitahuan privasi/);
    });

    it('registers a NIK issued in another province (DKI Jakarta)', async () => {
      const res = await registerRequest(h.app, { nik: '3171016502950123', name: 'Maya Sari', birthDate: '1995-02-25', phone: '085711223344' });
      expect(res.statusCode).toBe(201);
      const me = await h.app.inject({ url: '/api/v1/me', headers: { cookie: sessionOf(res).cookie } });
      expect(me.json().user).toMatchObject({ nikMasked: '3171**********23', phoneMasked: '0857*****344' });
    });

    it('registers a NIK from an unknown kecamatan and flags it', async () => {
      const res = await registerRequest(h.app, { nik: '3672990101900004', name: 'Joko Widodo Susilo', birthDate: '1990-01-01', phone: '087811223344' });
      expect(res.statusCode).toBe(201);
      const userId = sessionOf(res).userId;
      const event = await h.db.one<{ payload: { userId: string; unknownDistrict: boolean } }>(
        `select payload from outbox where topic = 'identity.citizen_registered' and payload->>'userId' = $1`,
        [userId],
      );
      expect(event.payload.unknownDistrict).toBe(true);
    });
  });

  describe('login, tokens, logout and CSRF', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(kind);
    });
    afterAll(async () => h?.close());

    it('logs in with a cookie (officer by username, citizen by NIK)', async () => {
      const admin = await login(h.app, 'admin');
      const me = await h.app.inject({ url: '/api/v1/me', headers: { cookie: admin.cookie } });
      expect(me.statusCode).toBe(200);
      expect(me.json().user).toMatchObject({ id: admin.userId, kind: 'officer', role: 'admin', username: 'admin' });

      const citizen = await login(h.app, '3672080112010003');
      const cme = await h.app.inject({ url: '/api/v1/me', headers: { cookie: citizen.cookie } });
      expect(cme.json().user).toMatchObject({ kind: 'citizen', name: 'Rizky Pratama', nikMasked: '3672**********03', phoneVerified: true });
    });

    it('answers a wrong password and an unknown login with the same 401 invalid_credentials', async () => {
      const wrong = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: 'koordinator', password: 'not-the-password' } });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().error.code).toBe('invalid_credentials');
      expect(wrong.cookies).toHaveLength(0);
      const unknown = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: 'nobody.here', password: 'not-the-password' } });
      expect(unknown.statusCode).toBe(401);
      expect(unknown.json()).toEqual(wrong.json());
      const unknownNik = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: '3672021010880006', password: 'not-the-password' } });
      expect(unknownNik.json()).toEqual(wrong.json());
    });

    it('gives an API client a bearer token that works on /me; an invalid bearer gets 401', async () => {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { login: 'walikota', password: DEMO_PASSWORD } });
      expect(res.statusCode).toBe(200);
      expect(res.cookies).toHaveLength(0);
      const { token, expiresAt } = res.json();
      expect(typeof token).toBe('string');
      expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now());
      const me = await h.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
      expect(me.statusCode).toBe(200);
      expect(me.json().user).toMatchObject({ username: 'walikota', role: 'pimpinan' });

      const bad = await h.app.inject({ url: '/api/v1/me', headers: { authorization: 'Bearer not-a-real-token' } });
      expect(bad.statusCode).toBe(401);
      expect(bad.json().error.code).toBe('invalid_token');
      const none = await h.app.inject({ url: '/api/v1/me' });
      expect(none.statusCode).toBe(401);
      expect(none.json().error.code).toBe('unauthenticated');
    });

    it('logout revokes the session: the same cookie then gets 401', async () => {
      const s = await login(h.app, 'command');
      expect((await h.app.inject({ url: '/api/v1/me', headers: { cookie: s.cookie } })).statusCode).toBe(200);
      const out = await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: asSession(s) });
      expect(out.statusCode).toBe(204);
      const after = await h.app.inject({ url: '/api/v1/me', headers: { cookie: s.cookie } });
      expect(after.statusCode).toBe(401);
      expect(after.json().error.code).toBe('unauthenticated');
    });

    it('refuses a cookie-authenticated POST without (or with a wrong) X-CSRF-Token; a bearer POST needs none', async () => {
      const s = await login(h.app, 'kepala.dishub');
      const missing = await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: s.cookie } });
      expect(missing.statusCode).toBe(403);
      expect(missing.json().error.code).toBe('csrf_failed');
      const wrongToken = await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: s.cookie, 'x-csrf-token': `${s.csrf}x` } });
      expect(wrongToken.statusCode).toBe(403);
      expect(wrongToken.json().error.code).toBe('csrf_failed');
      // The refused requests did not log the session out.
      expect((await h.app.inject({ url: '/api/v1/me', headers: { cookie: s.cookie } })).statusCode).toBe(200);

      const token = await bearer(h.app, 'kepala.dishub');
      const viaBearer = await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${token}` } });
      expect(viaBearer.statusCode).toBe(204);
      expect((await h.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
      // Logging the bearer session out left the cookie session alone.
      expect((await h.app.inject({ url: '/api/v1/me', headers: { cookie: s.cookie } })).statusCode).toBe(200);
    });

    it('reveals the unmasked personal data to its owner and audits the reveal', async () => {
      const s = await login(h.app, '3672074503850002');
      const res = await h.app.inject({ url: '/api/v1/me/personal-data', headers: { cookie: s.cookie } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ nik: '3672074503850002', name: 'Siti Rahmawati', phone: '+6281234560002', birthDate: '1985-03-05', address: null, sex: 'female' });
      const rows = await h.db.query<{ actor_id: string; subject_type: string; subject_id: string; details: { own: boolean } }>(
        `select actor_id, subject_type, subject_id, details from audit_log where action = 'personal_data.revealed' and subject_id = $1`,
        [s.userId],
      );
      expect(rows).toEqual([{ actor_id: s.userId, subject_type: 'user', subject_id: s.userId, details: { own: true } }]);
      // /me stays masked.
      const me = await h.app.inject({ url: '/api/v1/me', headers: { cookie: s.cookie } });
      expect(me.body).not.toContain('3672074503850002');
      expect(me.body).not.toContain('81234560002');
    });
  });

  describe('login throttling', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(kind);
    });
    afterAll(async () => h?.close());

    it('refuses a client after 5 wrong passwords for 15 minutes, even with the right password, with retry-after', async () => {
      for (let i = 1; i <= 5; i++) {
        const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: 'petugas.dlh', password: `wrong-${i}-password` } });
        expect(res.statusCode, `attempt ${i}`).toBe(401);
      }
      const sixth = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: 'petugas.dlh', password: DEMO_PASSWORD } });
      expect(sixth.statusCode).toBe(429);
      expect(sixth.json().error.code).toBe('too_many_attempts');
      const retryAfter = Number(sixth.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      expect(sixth.json().error.details).toEqual({ retryAfterSeconds: retryAfter });
      expect(sixth.cookies).toHaveLength(0);
      // The bearer route is locked too, and the login name's case does not get around it.
      const token = await h.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { login: 'Petugas.DLH', password: DEMO_PASSWORD } });
      expect(token.statusCode).toBe(429);
    });

    it('lets other accounts from the same address log in (the per-address limit is high)', async () => {
      const other = await login(h.app, 'petugas.dinkes');
      expect(other.userId).toBeTruthy();
      expect((await login(h.app, '3672011708900001')).userId).toBeTruthy();
    });
  });

  describe('trusted proxy', () => {
    const FORWARDED = '203.0.113.45';
    const failedLoginIps = async (h: Harness) =>
      (await h.db.query<{ ip: string | null }>(`select ip from audit_log where action = 'auth.login_failed' order by seq`)).map((r) => r.ip);
    const failLogin = (h: Harness) =>
      h.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'x-forwarded-for': FORWARDED }, remoteAddress: '10.0.0.2', payload: { login: 'admin', password: 'wrong-password' } });

    it('with TRUST_PROXY naming the proxy, records the address from X-Forwarded-For', async () => {
      const h = await startHarness(kind, { TRUST_PROXY: '10.0.0.2' });
      try {
        expect((await failLogin(h)).statusCode).toBe(401);
        expect(await failedLoginIps(h)).toEqual([FORWARDED]);
      } finally {
        await h.close();
      }
    });

    it('without TRUST_PROXY, ignores X-Forwarded-For and records the peer address', async () => {
      const h = await startHarness(kind);
      try {
        expect((await failLogin(h)).statusCode).toBe(401);
        expect(await failedLoginIps(h)).toEqual(['10.0.0.2']);
      } finally {
        await h.close();
      }
    });
  });

  describe('NIK claim in person', () => {
    // Issued in Kecamatan Purwakarta (36.72.07), where the lurah of Ramanuju works: settled at once.
    const NIK = '3672076606970009';
    const BIRTH = '1997-06-26';
    const OWNER_PHONE = '081355556666';
    const OWNER_PASSWORD = 'pemilik-asli-123';
    const claimBody = { nik: NIK, name: 'Dewi Lestari', birthDate: BIRTH, phone: OWNER_PHONE, note: 'KTP asli diperiksa di kantor kelurahan' };
    let h: Harness;
    let squatter: Session;
    const squatterPassword = 'penyerobot-123';
    beforeAll(async () => {
      h = await startHarness(kind);
      const res = await registerRequest(h.app, { nik: NIK, name: 'Penyerobot Palsu', birthDate: BIRTH, phone: '081311112222', password: squatterPassword });
      expect(res.statusCode).toBe(201);
      squatter = sessionOf(res);
    });
    afterAll(async () => h?.close());

    it('refuses a claim by an officer of an OPD (403) and changes nothing', async () => {
      const token = await bearer(h.app, 'petugas.dishub');
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/identity/nik-claims', headers: { authorization: `Bearer ${token}` }, payload: claimBody });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
      expect((await h.app.inject({ url: '/api/v1/me', headers: { cookie: squatter.cookie } })).statusCode).toBe(200);
    });

    it('lets the lurah confirm the owner: the squatter is suspended and the owner gets an activation code', async () => {
      const token = await bearer(h.app, 'lurah.ramanuju');
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/identity/nik-claims', headers: { authorization: `Bearer ${token}` }, payload: claimBody });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body).toMatchObject({ suspendedUserId: squatter.userId, codeSentTo: '0813*****666' });
      expect(body.userId).not.toBe(squatter.userId);

      // The squatter's session stops working, and so does their password.
      const me = await h.app.inject({ url: '/api/v1/me', headers: { cookie: squatter.cookie } });
      expect(me.statusCode).toBe(401);
      const relogin = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: NIK, password: squatterPassword } });
      expect([401, 403]).toContain(relogin.statusCode);
      expect(['invalid_credentials', 'account_suspended']).toContain(relogin.json().error.code);
      const row = await h.db.one<{ status: string }>('select status from users where id = $1', [squatter.userId]);
      expect(row.status).toBe('suspended');

      const audit = await h.db.query<{ actor_id: string; subject_id: string; details: { suspendedUserId: string; kelurahan: string } }>(
        `select actor_id, subject_id, details from audit_log where action = 'nik.claimed'`,
      );
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actor_id: await userIdOf(h, 'lurah.ramanuju'), subject_id: body.userId, details: { suspendedUserId: squatter.userId, kelurahan: '36.72.07.1001' } });
    });

    it('lets the owner activate the account with the SMS code, then log in with the NIK', async () => {
      const code = h.sms.lastCodeFor('+6281355556666');
      expect(code).toMatch(/^\d{6}$/);
      // The owner cannot log in before setting a password.
      const early = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: NIK, password: OWNER_PASSWORD } });
      expect(early.statusCode).toBe(401);

      const wrong = await h.app.inject({ method: 'POST', url: '/api/v1/auth/setup', payload: { nik: NIK, code: otherCode(code!), password: OWNER_PASSWORD } });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json().error.code).toBe('code_invalid');

      const setup = await h.app.inject({ method: 'POST', url: '/api/v1/auth/setup', payload: { nik: NIK, code, password: OWNER_PASSWORD } });
      expect(setup.statusCode).toBe(200);
      expect(setup.cookies.map((c) => c.name)).toContain('sk_session');
      expect(setup.json().user).toMatchObject({ name: 'Dewi Lestari', nikMasked: '3672**********09', phoneVerified: true, status: 'active' });

      const s = await login(h.app, NIK, OWNER_PASSWORD);
      expect(s.userId).toBe(setup.json().user.id);
      const pd = await h.app.inject({ url: '/api/v1/me/personal-data', headers: { cookie: s.cookie } });
      expect(pd.json()).toMatchObject({ nik: NIK, name: 'Dewi Lestari', phone: '+6281355556666', birthDate: BIRTH, sex: 'female' });

      // The code is spent.
      const again = await h.app.inject({ method: 'POST', url: '/api/v1/auth/setup', payload: { nik: NIK, code, password: 'another-password-1' } });
      expect(again.statusCode).toBe(400);
      // The squatter still cannot log in.
      const squat = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: NIK, password: squatterPassword } });
      expect([401, 403]).toContain(squat.statusCode);
    });

    it('creates an account waiting for activation when nobody had registered the NIK', async () => {
      const token = await bearer(h.app, 'lurah.ramanuju');
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/identity/nik-claims',
        headers: { authorization: `Bearer ${token}` },
        payload: { nik: '3672071111800010', name: 'Hendra Gunawan', birthDate: '1980-11-11', phone: '081355557777' },
      });
      expect(res.statusCode).toBe(201);
      expect(res.json().suspendedUserId).toBeNull();
      expect(h.sms.lastCodeFor('+6281355557777')).toMatch(/^\d{6}$/);
    });
  });

  describe('admin user management', () => {
    let h: Harness;
    let adminToken: string;
    let adminId: string;
    let officerId: string;
    const auth = () => ({ authorization: `Bearer ${adminToken}` });
    beforeAll(async () => {
      h = await startHarness(kind);
      adminToken = await bearer(h.app, 'admin');
      adminId = await userIdOf(h, 'admin');
    });
    afterAll(async () => h?.close());

    it('creates an officer (201), who can then log in; a duplicate username gets 409', async () => {
      const payload = { username: 'petugas.baru', name: 'Petugas Baru', role: 'officer', scope: { kind: 'opd', code: 'dishub' }, password: 'petugas-baru-123' };
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: auth(), payload });
      expect(res.statusCode).toBe(201);
      const user = res.json().user;
      expect(user).toMatchObject({ kind: 'officer', role: 'officer', username: 'petugas.baru', name: 'Petugas Baru', status: 'active', scope: { kind: 'opd', code: 'dishub', name: 'Dinas Perhubungan', isHead: false } });
      officerId = user.id;
      expect((await login(h.app, 'petugas.baru', 'petugas-baru-123')).userId).toBe(officerId);

      const dup = await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: auth(), payload: { ...payload, name: 'Orang Lain' } });
      expect(dup.statusCode).toBe(409);
      expect(dup.json().error).toMatchObject({ code: 'username_taken', details: { field: 'username' } });
      const created = await h.db.query(`select 1 from audit_log where action = 'user.created' and subject_id = $1`, [officerId]);
      expect(created).toHaveLength(1);
    });

    it('changes role and scope, auditing before and after', async () => {
      const res = await h.app.inject({ method: 'PATCH', url: `/api/v1/users/${officerId}`, headers: auth(), payload: { role: 'coordinator', scope: { kind: 'city', code: '36.72' } } });
      expect(res.statusCode).toBe(200);
      expect(res.json().user).toMatchObject({ id: officerId, role: 'coordinator', scope: { kind: 'city', code: '36.72', name: 'Kota Cilegon' } });
      const rows = await h.db.query<{ actor_id: string; details: Record<string, unknown> }>(
        `select actor_id, details from audit_log where action = 'user.updated' and subject_id = $1`,
        [officerId],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toEqual({
        actor_id: adminId,
        details: {
          before: { role: 'officer', scope: 'opd:dishub', isHead: false, status: 'active' },
          after: { role: 'coordinator', scope: 'city:36.72', isHead: false, status: 'active' },
        },
      });
      // The new role applies to the officer's next request.
      const token = await bearer(h.app, 'petugas.baru', 'petugas-baru-123');
      expect((await h.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).json().user.role).toBe('coordinator');
    });

    it('does not let the admin change their own role or suspend themselves (403)', async () => {
      const role = await h.app.inject({ method: 'PATCH', url: `/api/v1/users/${adminId}`, headers: auth(), payload: { role: 'officer' } });
      expect(role.statusCode).toBe(403);
      const suspend = await h.app.inject({ method: 'PATCH', url: `/api/v1/users/${adminId}`, headers: auth(), payload: { status: 'suspended' } });
      expect(suspend.statusCode).toBe(403);
      const me = await h.app.inject({ url: '/api/v1/me', headers: auth() });
      expect(me.json().user).toMatchObject({ role: 'admin', status: 'active' });
    });

    it('suspending an officer revokes their sessions and blocks their login', async () => {
      const cookieSession = await login(h.app, 'petugas.baru', 'petugas-baru-123');
      const token = await bearer(h.app, 'petugas.baru', 'petugas-baru-123');
      expect((await h.app.inject({ url: '/api/v1/me', headers: { cookie: cookieSession.cookie } })).statusCode).toBe(200);

      const res = await h.app.inject({ method: 'PATCH', url: `/api/v1/users/${officerId}`, headers: auth(), payload: { status: 'suspended' } });
      expect(res.statusCode).toBe(200);
      expect(res.json().user.status).toBe('suspended');

      expect((await h.app.inject({ url: '/api/v1/me', headers: { cookie: cookieSession.cookie } })).statusCode).toBe(401);
      expect((await h.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
      const active = await h.db.one<{ n: number }>('select count(*)::int as n from sessions where user_id = $1 and revoked_at is null', [officerId]);
      expect(active.n).toBe(0);
      const relogin = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: 'petugas.baru', password: 'petugas-baru-123' } });
      expect(relogin.statusCode).toBe(403);
      expect(relogin.json().error.code).toBe('account_suspended');
    });

    it('lists accounts with NIK and phone masked', async () => {
      const res = await h.app.inject({ url: '/api/v1/users?kind=citizen', headers: auth() });
      expect(res.statusCode).toBe(200);
      const users = res.json().users as { nikMasked: string }[];
      expect(users.length).toBeGreaterThanOrEqual(3);
      for (const u of users) expect(u.nikMasked).toMatch(/^\d{4}\*{10}\d{2}$/);
      expect(res.body).not.toMatch(/\d{16}/);
      expect(res.body).not.toMatch(/\+62/);
    });
  });
});

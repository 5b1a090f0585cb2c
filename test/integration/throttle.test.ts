import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpApp } from '../../src/platform/http.js';
import { describeEachDatabase, startHarness, type Harness } from '../support/harness.js';
import { DEMO_PASSWORD } from '../support/env.js';

/**
 * Login and registration throttling under attack: bursts cannot evaluate more guesses than the
 * limit, failed logins lock out the guessers but not the owner on a device they used before, and
 * registrations (each sends a text) are limited per address and per phone number.
 */

function tryLogin(app: HttpApp, loginName: string, password: string, options: { ip?: string; cookie?: string; route?: 'login' | 'token' } = {}) {
  return app.inject({
    method: 'POST',
    url: `/api/v1/auth/${options.route ?? 'token'}`,
    remoteAddress: options.ip ?? '198.51.100.7',
    headers: options.cookie ? { cookie: options.cookie } : {},
    payload: { login: loginName, password },
  });
}

async function evaluatedGuesses(h: Harness, username: string): Promise<number> {
  const row = await h.db.one<{ n: number }>(
    `select count(*)::int as n from audit_log where action = 'auth.login_failed' and subject_id = (select id::text from users where username = $1)`,
    [username],
  );
  return row.n;
}

describeEachDatabase('throttling', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(async () => h?.close());

  describe('a burst of parallel guesses', () => {
    it('evaluates no more than 5 of 41 parallel wrong passwords, and the right one after them is refused', async () => {
      const burst = await Promise.all(Array.from({ length: 41 }, (_, i) => tryLogin(h.app, 'petugas.dlh', `wrong-password-${i}`)));
      const statuses = burst.map((r) => r.statusCode);
      expect(statuses.filter((s) => s === 401)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(36);
      expect(await evaluatedGuesses(h, 'petugas.dlh')).toBe(5);
      const right = await tryLogin(h.app, 'petugas.dlh', DEMO_PASSWORD);
      expect(right.statusCode).toBe(429);
      expect(right.json().error.code).toBe('too_many_attempts');
    });

    it('evaluates no more than 5 of a 200-request burst with the right password hidden inside it', async () => {
      const burst = await Promise.all(
        Array.from({ length: 200 }, (_, i) => tryLogin(h.app, 'petugas.dinkes', i === 150 ? DEMO_PASSWORD : `wrong-password-${i}`, { ip: '198.51.100.8' })),
      );
      const allowed = burst.filter((r) => r.statusCode !== 429);
      expect(allowed.length).toBeLessThanOrEqual(5);
      expect(await evaluatedGuesses(h, 'petugas.dinkes')).toBeLessThanOrEqual(5);
    });
  });

  describe('locking out guessers, not the owner', () => {
    it('keeps the owner on a device that logged in before, while guessers from many addresses are refused', async () => {
      // The owner logged in from their phone yesterday: the server set its device cookie.
      const earlier = await tryLogin(h.app, 'kepala.dishub', DEMO_PASSWORD, { ip: '203.0.113.10', route: 'login' });
      expect(earlier.statusCode).toBe(200);
      const device = earlier.cookies.find((c) => c.name === 'sk_device');
      expect(device?.value).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      expect(device?.httpOnly).toBe(true);

      // Guessers from five addresses: five tries each, then refused; the unknown-client pool (20) is used up.
      for (let a = 1; a <= 5; a++) {
        const ip = `192.0.2.${a}`;
        const statuses = [];
        for (let i = 0; i < 6; i++) statuses.push((await tryLogin(h.app, 'kepala.dishub', `guess-${a}-${i}`, { ip })).statusCode);
        expect(statuses.filter((s) => s === 429).length, `guesser ${ip}`).toBeGreaterThanOrEqual(1);
      }
      expect(await evaluatedGuesses(h, 'kepala.dishub')).toBe(20);
      // A new client cannot try any more, whatever its address: the account refuses unknown clients for now …
      const fresh = await tryLogin(h.app, 'kepala.dishub', DEMO_PASSWORD, { ip: '203.0.113.99' });
      expect(fresh.statusCode).toBe(429);
      expect(Number(fresh.headers['retry-after'])).toBeGreaterThan(0);
      // … but the owner's own phone, from another network even, still gets in.
      const owner = await tryLogin(h.app, 'kepala.dishub', DEMO_PASSWORD, { ip: '203.0.113.11', cookie: `sk_device=${device!.value}`, route: 'login' });
      expect(owner.statusCode).toBe(200);
    });

    it('gives a known device its own five tries: a stolen cookie cannot guess more than the owner could', async () => {
      const first = await tryLogin(h.app, 'kepala.dlh', DEMO_PASSWORD, { route: 'login' });
      const cookie = `sk_device=${first.cookies.find((c) => c.name === 'sk_device')!.value}`;
      const statuses = [];
      for (let i = 0; i < 7; i++) statuses.push((await tryLogin(h.app, 'kepala.dlh', `wrong-${i}-password`, { cookie })).statusCode);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    });

    it('resets the account counters on a successful login', async () => {
      for (let i = 0; i < 4; i++) expect((await tryLogin(h.app, 'kepala.dinkes', `wrong-${i}-password`)).statusCode).toBe(401);
      expect((await tryLogin(h.app, 'kepala.dinkes', DEMO_PASSWORD)).statusCode).toBe(200);
      for (let i = 0; i < 5; i++) expect((await tryLogin(h.app, 'kepala.dinkes', `again-${i}-password`)).statusCode).toBe(401);
    });
  });

  it('forgets counters whose window ended days ago and devices not seen for 180 days, and keeps the rest', async () => {
    const userId = (await h.db.one<{ id: string }>(`select id from users where username = 'admin'`)).id;
    await h.db.query(`insert into throttle_counters (key, attempts, window_started_at) values ('old', 3, now() - interval '3 days'), ('fresh', 3, now())`);
    await h.db.query(`insert into login_devices (user_id, device_hash, last_login_at) values ($1, 'old', now() - interval '181 days'), ($1, 'fresh', now())`, [userId]);
    await h.ctx.identity.sessions.sweepThrottling();
    expect((await h.db.query<{ key: string }>(`select key from throttle_counters where key in ('old', 'fresh')`)).map((r) => r.key)).toEqual(['fresh']);
    expect((await h.db.query<{ device_hash: string }>(`select device_hash from login_devices where device_hash in ('old', 'fresh')`)).map((r) => r.device_hash)).toEqual(['fresh']);
  });

  describe('registration', () => {
    const register = (nik: string, phone: string, ip: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/register',
        remoteAddress: ip,
        payload: { nik, name: 'Warga Uji', birthDate: '1990-08-17', phone, password: 'kata-sandi-warga-1', consent: true },
      });
    // NIKs issued in 36.72.01 to people born on 17 August 1990, serials from 0101.
    const nik = (i: number) => `367201170890${String(i + 101).padStart(4, '0')}`;

    it('sends at most 5 texts a day to one phone number, whatever the address: the 6th registration is refused before any text', async () => {
      const phone = '081377000001';
      for (let i = 0; i < 5; i++) expect((await register(nik(i), phone, `198.18.0.${i + 1}`)).statusCode, `registration ${i}`).toBeOneOf([201, 409]);
      const textsBefore = h.sms.messages.filter((m) => m.to === '+6281377000001').length;
      const sixth = await register(nik(5), phone, '198.18.0.9');
      expect(sixth.statusCode).toBe(429);
      expect(sixth.json().error).toMatchObject({ code: 'too_many_registrations', message: expect.stringContaining('Coba lagi dalam') });
      expect(h.sms.messages.filter((m) => m.to === '+6281377000001')).toHaveLength(textsBefore);
      expect(await h.db.maybeOne('select 1 from users where nik_index = $1', [h.ctx.cipher.blindIndex('nik', nik(5))])).toBeUndefined();
    });

    it('refuses the 101st registration from one address within an hour (carrier-grade NAT keeps 100)', async () => {
      const ip = '198.19.0.1';
      const results = [];
      for (let i = 0; i < 101; i++) results.push((await register(nik(200 + i), `0813780${String(i).padStart(5, '0')}`, ip)).statusCode);
      expect(results.slice(0, 100).every((s) => s === 201 || s === 409)).toBe(true);
      expect(results[100]).toBe(429);
      // Another address is not affected.
      expect((await register(nik(400), '081379000001', '198.19.0.2')).statusCode).toBe(201);
    });
  });
});

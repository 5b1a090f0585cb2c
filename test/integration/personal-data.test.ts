import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrubPersonalData } from '../../src/platform/logger.js';
import { asSession, describeEachDatabase, startHarness, type Harness, type Session } from '../support/harness.js';
import { databaseUrl } from '../support/env.js';

/**
 * Personal data (NIK, name, phone, birth date) never appears in clear where it should not: not in a
 * database dump (it is encrypted at rest, looked up through blind indexes) and not in the log.
 */
const run = promisify(execFile);

const CITIZENS = [
  { nik: '3672015203920005', name: 'Sekar Ayuningtyas Wiraguna', birthDate: '1992-03-12', phone: '081377001122' },
  { nik: '3672021010880006', name: 'Bagaskara Nurhadi Pramudya', birthDate: '1988-10-10', phone: '085722334455' },
  { nik: '3672034407990007', name: 'Kinanti Larasati Wijayakusuma', birthDate: '1999-07-04', phone: '087855667788' },
] as const;
const PASSWORD = 'rahasia-warga-123';

/** Every form in which a citizen's personal data could leak. */
function secretsOf(c: (typeof CITIZENS)[number]): string[] {
  const national = c.phone.slice(1); // 8…
  return [c.nik, c.phone, `+62${national}`, `62${national}`, c.name, ...c.name.split(' '), c.birthDate];
}

describeEachDatabase('personal data', (kind) => {
  let h: Harness;
  const sessions: Session[] = [];
  beforeAll(async () => {
    h = await startHarness(kind);
    for (const c of CITIZENS) {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { ...c, password: PASSWORD, consent: true } });
      expect(res.statusCode, res.body).toBe(201);
      const body = res.json() as { csrfToken: string; user: { id: string } };
      const session = { cookie: res.cookies.map((k) => `${k.name}=${k.value}`).join('; '), csrf: body.csrfToken, userId: body.user.id };
      sessions.push(session);
      const code = h.sms.lastCodeFor(`+62${c.phone.slice(1)}`);
      expect(code).toBeDefined();
      expect((await h.app.inject({ method: 'POST', url: '/api/v1/auth/phone/verify', headers: asSession(session), payload: { code } })).statusCode).toBe(200);
    }
    // Requests that carry personal data in their URL and body, succeeding and failing.
    for (const c of CITIZENS) {
      await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: c.nik, password: 'wrong-password-1' } });
      await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: c.phone, password: 'wrong-password-1' } });
      await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: c.nik, password: PASSWORD } });
      await h.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { ...c, password: PASSWORD, consent: true } }); // 409
      await h.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { ...c, birthDate: '2000-01-01', password: PASSWORD, consent: true } }); // 400
      await h.app.inject({ url: `/api/v1/nothing?nik=${c.nik}&phone=${c.phone}&hp=%2B62${c.phone.slice(1)}` });
      await h.app.inject({ url: `/api/v1/users/${c.nik}/personal-data` }); // 400/401, the NIK in the path
    }
    for (const s of sessions) {
      expect((await h.app.inject({ url: '/api/v1/me/personal-data', headers: { cookie: s.cookie } })).statusCode).toBe(200);
    }
  });
  afterAll(async () => h?.close());

  it.skipIf(kind !== 'postgresql')('keeps every NIK, phone, name and birth date out of a pg_dump (PostgreSQL only: PGlite has no pg_dump)', async () => {
    const { stdout } = await run('pg_dump', ['--no-owner', '--no-privileges', '--dbname', databaseUrl(h.databaseName!)], { maxBuffer: 512 * 1024 * 1024 });
    // The dump is real and holds the data: usernames are not personal data and are stored in clear.
    expect(stdout).toContain('COPY public.users');
    expect(stdout).toContain('lurah.ramanuju');
    expect(stdout).toContain('personal_data.revealed');
    for (const c of CITIZENS) {
      for (const secret of secretsOf(c)) expect(stdout.includes(secret), `pg_dump contains ${secret}`).toBe(false);
    }
    // The demo citizens, seeded through the same code, are not in clear either.
    for (const nik of ['3672011708900001', '3672074503850002', '3672080112010003', 'Siti Rahmawati', '+6281234560002']) {
      expect(stdout.includes(nik), `pg_dump contains ${nik}`).toBe(false);
    }
  });

  it('keeps every NIK, phone, name and birth date out of the log', () => {
    const log = h.logLines.join('');
    // The log is real and saw those requests, scrubbed.
    expect(log).toContain('/api/v1/nothing');
    expect(log).toContain('[NIK]');
    expect(log).toContain('[PHONE]');
    for (const c of CITIZENS) {
      for (const secret of secretsOf(c)) expect(log.includes(secret), `log contains ${secret}`).toBe(false);
      expect(log).not.toContain(encodeURIComponent(`+62${c.phone.slice(1)}`));
    }
    // No session token or password either.
    expect(log).not.toContain(PASSWORD);
    for (const s of sessions) expect(log).not.toContain(s.cookie.split(';')[0]!.split('=')[1]!);
  });
});

describe('scrubPersonalData', () => {
  it('replaces a 16-digit run and Indonesian mobile numbers in any form inside a JSON string', () => {
    const line = '{"url":"GET /x?nik=3672015203920005 hp=081377001122 wa=+6285722334455 alt=6287855667788 ok","msg":"say \\"3672015203920005\\""}';
    const scrubbed = scrubPersonalData(line);
    expect(scrubbed).toBe('{"url":"GET /x?nik=[NIK] hp=[PHONE] wa=[PHONE] alt=[PHONE] ok","msg":"say \\"[NIK]\\""}');
    expect(JSON.parse(scrubbed)).toEqual({ url: 'GET /x?nik=[NIK] hp=[PHONE] wa=[PHONE] alt=[PHONE] ok', msg: 'say "[NIK]"' });
  });

  it('leaves numbers alone, even those whose digits look like a NIK or a phone number', () => {
    const line = '{"statusCode":404,"responseTime":0.1234567890123456,"ratio":0.0812345678901,"seq":1234567,"at":1735689600000,"code":"36.72.07.1001"}';
    expect(scrubPersonalData(line)).toBe(line);
  });
});

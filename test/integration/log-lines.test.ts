import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_CITIZENS } from '../../src/modules/demo/seed.js';
import { asSession, bearer, describeEachDatabase, login, startHarness, type Harness } from '../support/harness.js';
import { RAMANUJU } from '../support/places.js';

/**
 * The log of a busy server is JSON, every line of it, and carries no NIK: log shippers parse each line,
 * and the scrubber once replaced 16-digit runs inside numbers (`"responseTime":0.1234567890123456`).
 */
const STRANGER_NIK = '3672015203920005'; // a NIK nobody registered, only typed into requests

describeEachDatabase('log lines', (kind) => {
  let h: Harness;
  let sent = 0;
  beforeAll(async () => {
    h = await startHarness(kind);
    const citizen = await login(h.app, DEMO_CITIZENS[0]!.nik);
    const officer = await bearer(h.app, 'koordinator');
    const niks = [...DEMO_CITIZENS.map((c) => c.nik), STRANGER_NIK];
    const requests: (() => Promise<unknown>)[] = [];
    for (let round = 0; round < 8; round++) {
      for (const nik of niks) {
        requests.push(
          () => h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: nik, password: `salah-${round}` } }),
          () => h.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { login: nik, password: `salah-${round}` } }),
          () => h.app.inject({ url: `/api/v1/nothing?nik=${nik}&round=${round}` }),
          () => h.app.inject({ url: `/api/v1/users/${nik}/personal-data`, headers: { authorization: `Bearer ${officer}` } }),
          () => h.app.inject({ url: `/api/v1/reports?q=${nik}`, headers: { authorization: `Bearer ${officer}` } }),
          () => h.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { nik, name: 'Warga Uji', birthDate: '1990-01-01', phone: '081377001122', password: 'x', consent: true } }),
          () => h.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: `{"login":"${nik}",` }),
        );
      }
      requests.push(
        () => h.app.inject({ url: '/health' }),
        () => h.app.inject({ url: '/api/v1/public/reports' }),
        () => h.app.inject({ url: '/api/v1/public/reports.geojson' }),
        () => h.app.inject({ url: '/api/openapi.json' }),
        () => h.app.inject({ url: '/open311/v2/services.json' }),
        () => h.app.inject({ url: '/api/v1/me', headers: { cookie: citizen.cookie } }),
        () =>
          h.app.inject({
            method: 'POST',
            url: '/api/v1/reports',
            headers: asSession(citizen),
            payload: { categoryCode: 'sampah', description: `Sampah menumpuk, hubungi saya (NIK ${niks[round % niks.length]}) di 081377001122.`, ...RAMANUJU },
          }),
        () => h.app.inject({ method: 'POST', url: '/api/v1/reports', headers: asSession(citizen), payload: { categoryCode: 'tidak-ada', description: STRANGER_NIK } }),
      );
    }
    // Several at a time, as a busy server serves them.
    for (let i = 0; i < requests.length; i += 16) await Promise.all(requests.slice(i, i + 16).map((r) => r()));
    sent = requests.length;
  });
  afterAll(async () => h?.close());

  it('every line parses as JSON, numbers intact, and no NIK is in clear', () => {
    const lines = h.logLines.join('').split('\n').filter((l) => l !== '');
    const unparsable = lines.filter((l) => {
      try {
        JSON.parse(l);
        return false;
      } catch {
        return true;
      }
    });
    expect(unparsable).toEqual([]);
    const entries = lines.map((l) => JSON.parse(l) as { msg?: string; responseTime?: unknown; req?: { url?: string } });
    const completed = entries.filter((e) => e.msg === 'request completed');
    // Every request left its line (and the logins before them theirs).
    expect(completed.length).toBeGreaterThan(sent);
    for (const e of completed) expect(typeof e.responseTime).toBe('number');
    // The NIKs in URLs were seen and redacted, not dropped with their lines.
    expect(entries.some((e) => e.req?.url === '/api/v1/nothing?nik=[NIK]&round=7')).toBe(true);
    const log = lines.join('\n');
    for (const nik of [...DEMO_CITIZENS.map((c) => c.nik), STRANGER_NIK]) expect(log.includes(nik), `the log contains ${nik}`).toBe(false);
    expect(log).not.toContain('081377001122');
  });
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachDatabase, startHarness, type Harness } from '../support/harness.js';

/**
 * Authentication before the body: a write that needs a session is refused on arrival, before its
 * body is read or parsed, and every route has a body limit fit for it. A malformed body proves the
 * point: parsed first, it would answer 400; refused first, it answers 401 (or 403).
 */

const MALFORMED = '{"type":"FeatureCollection","features":[' + '{"type":"Feature"},'.repeat(1000);

/** The writes anybody may make without a session (Open311 clients send an API key in the body): they read their body first. */
const ANONYMOUS_WRITES = [
  'POST /api/v1/auth/register',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/token',
  'POST /api/v1/auth/setup',
  'POST /open311/v2/requests.json',
  'POST /open311/v2/requests.xml',
];

describeEachDatabase('authentication before the body', (kind) => {
  let h: Harness;
  let writes: { method: string; url: string; name: string }[];
  beforeAll(async () => {
    h = await startHarness(kind);
    const doc = (await h.app.inject({ url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    writes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => {
          const url = path.replace(/\{[^}]+\}/g, (p) => (p === '{date}' ? '2026-08-17' : p === '{action}' ? 'verify' : '00000000-0000-4000-8000-000000000000'));
          return { method: m.toUpperCase(), url, name: `${m.toUpperCase()} ${path}` };
        }),
    );
  });
  afterAll(async () => h?.close());

  it('answers 401 to an anonymous write with a malformed body on every route that needs a session, and reads the body of the anonymous ones', async () => {
    expect(writes.length).toBeGreaterThan(20);
    const answers: Record<string, number> = {};
    for (const w of writes) {
      const res = await h.app.inject({ method: w.method as 'POST', url: w.url, headers: { 'content-type': 'application/json' }, payload: MALFORMED });
      answers[w.name] = res.statusCode;
    }
    const expected = Object.fromEntries(writes.map((w) => [w.name, ANONYMOUS_WRITES.includes(w.name) ? 400 : 401]));
    expect(answers).toEqual(expected);
  });

  it('refuses a citizen\'s 20 MB boundary upload with 403 before reading it, and an anonymous one with 401', async () => {
    const big = MALFORMED + ' '.repeat(20 * 1024 * 1024);
    const token = await bearer(h.app, '3672011708900001');
    const asCitizen = await h.app.inject({ method: 'POST', url: '/api/v1/regions/boundaries', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: big });
    expect(asCitizen.statusCode).toBe(403);
    expect(asCitizen.json().error.code).toBe('forbidden');
    const anonymous = await h.app.inject({ method: 'POST', url: '/api/v1/regions/boundaries', headers: { 'content-type': 'application/json' }, payload: big });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('unauthenticated');
  });

  it('limits the body of ordinary routes to 256 KB with a message a person understands, even for the admin', async () => {
    const token = await bearer(h.app, 'admin');
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/agencies',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ code: 'besar', kind: 'opd', name: 'x'.repeat(300 * 1024), shortName: 'Besar' }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toEqual({ code: 'body_too_large', message: 'Data yang dikirim terlalu besar.' });
  });

  it('answers a malformed JSON body of an anonymous route with 400 invalid_json, in English when asked', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json', 'accept-language': 'en' }, payload: '{"login":' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({ code: 'invalid_json', message: 'The request body is not valid JSON.' });
  });
});

import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachDatabase, startHarness, type Harness } from '../support/harness.js';

/**
 * Hostile input, everywhere: a fuzz run over every operation of /api/openapi.json (bad ids, huge, NUL
 * and broken-Unicode strings, wrong types, odd cursors, dates out of range, missing and extra fields, in
 * path, query and body), as an anonymous caller, a citizen and the admin. No answer may be a 5xx, and
 * every error of the JSON API has the `{error:{code,message}}` shape (Open311 keeps its own).
 *
 * Reproducible: the run prints its seed; a failure prints the seed, operation and path to replay it:
 *   FUZZ_SEED=… FUZZ_OP='GET /api/v1/reports' FUZZ_PATH='…' npx vitest run test/integration/fuzz.test.ts
 * FUZZ_BUDGET_MS sets the time per database (default 40 s, so CI stays fast).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_001);
const ONLY_OP = process.env.FUZZ_OP;
const REPLAY_PATH = process.env.FUZZ_PATH;
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 40_000);

// --- the OpenAPI document, as much of it as the fuzzer reads ----------------------------------------

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: JsonSchema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, unknown>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

interface Op {
  key: string;
  method: string;
  path: string;
  operation: Operation;
}

function operationsOf(doc: OpenApi): Op[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, operation })),
  );
}

// --- generators -------------------------------------------------------------------------------------

/** Values that have broken parsers and databases before. */
const NASTY = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\u202eevil', '🙂'.repeat(40), 'x'.repeat(10_000),
  "' or 1=1 --", '"; drop table reports; --', '../../../etc/passwd', '%00', '%', '%E0%A4%A', '\\', '<script>alert(1)</script>',
  'null', 'undefined', 'NaN', 'Infinity', '-Infinity', '-1', '0', '-0', '1e309', '9'.repeat(40), '0x10', '1.5', 'true', 'false',
  '0000-01-01', '0000-01-01T00:00:00Z', '0001-01-01T00:00:00+14:00', '9999-12-31', '9999-12-31T23:59:59-12:00', '275760-09-13', '2026-02-30', '2026-13-01', '2026-01-01T25:00:00Z',
  '------------------------------------', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffffff',
  'SK-0000-0', 'sk-2026-000001', 'SK-9999-99999999999999999999', '36', '36.72', '36.72.07.1001', '99.99.99.9999', ',,,', 'a,b,c', 'verified,,rejected',
  '-200,-100,200,100', '1,2,3', 'NaN,NaN,NaN,NaN', '{"a":1}', '[]', '__proto__', 'constructor',
];

/** Cursors that decode but hold what no page ever wrote. */
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const oddCursor = fc.oneof(
  fc.constantFrom(
    b64(['x', '------------------------------------']),
    b64(['0000-01-01T00:00:00.000Z', '00000000-0000-0000-0000-000000000000']),
    b64(['x|y', '00000000-0000-0000-0000-000000000000']),
    b64(['99999999999999|2026-01-01T00:00:00.000Z', '00000000-0000-0000-0000-000000000000']),
    b64(['infinity', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz']),
    b64([1, 2]),
    b64({}),
    'not base64 !',
  ),
  fc.tuple(fc.string({ unit: 'binary', maxLength: 30 }), fc.oneof(fc.uuid(), fc.string({ maxLength: 36 }))).map(b64),
  fc.json({ maxDepth: 2 }).map((j) => Buffer.from(j).toString('base64url')),
);

function arbitraries(doc: OpenApi, pool: Record<string, string[]>) {
  const known = Object.values(pool).flat();
  const text = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 2, arbitrary: fc.constantFrom(...known) },
    { weight: 1, arbitrary: oddCursor },
  );
  const scalar = fc.oneof(
    text,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.5),
    fc.boolean(),
    fc.constant(null),
  );
  const anything: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.oneof(text, fc.constantFrom('__proto__', 'constructor', 'prototype')), tie('value'), { maxKeys: 4 }),
    ),
  })).value;

  const resolve = (s: JsonSchema): JsonSchema => (s.$ref ? (doc.components?.schemas?.[s.$ref.split('/').pop()!] ?? {}) : s);

  /** Mostly what the schema asks for, often something else: the server must refuse the rest cleanly. */
  function forSchema(raw: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
    const s = raw ? resolve(raw) : {};
    return fc.oneof({ weight: 3, arbitrary: valid(s, depth) }, { weight: 1, arbitrary: anything });
  }

  function valid(s: JsonSchema, depth: number): fc.Arbitrary<unknown> {
    if (s.enum?.length) return fc.constantFrom(...s.enum);
    if (s.const !== undefined) return fc.constant(s.const);
    const variants = s.anyOf ?? s.oneOf;
    if (variants?.length) return fc.oneof(...variants.map((v) => forSchema(v, depth + 1)));
    if (s.allOf?.length) return forSchema(s.allOf[0], depth + 1);
    const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
    switch (type) {
      case 'string': {
        if (s.format === 'uuid') return fc.oneof(fc.constantFrom(...pool.uuid!), fc.uuid());
        if (s.format === 'date') return fc.oneof(fc.date({ min: new Date('1800-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)), fc.constantFrom(...pool.date!));
        if (s.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
        if (s.format === 'email') return fc.emailAddress();
        return fc.oneof(fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 60, 60) }), fc.constantFrom(...known), text);
      }
      case 'integer':
      case 'number':
        return fc.oneof(
          fc.integer({ min: Math.max(s.minimum ?? -1000, -1e9), max: Math.min(s.maximum ?? 1000, 1e9) }),
          fc.constantFrom(...[s.minimum, s.maximum].filter((x): x is number => x !== undefined).flatMap((x) => [x - 1, x, x + 1])),
          ...(type === 'number' ? [fc.double({ noNaN: true, noDefaultInfinity: true })] : []),
        );
      case 'boolean':
        return fc.boolean();
      case 'array':
        return depth > 3 ? fc.constant([]) : fc.array(forSchema(s.items, depth + 1), { maxLength: 4 });
      case 'object': {
        if (depth > 3 || !s.properties) return fc.dictionary(text, scalar, { maxKeys: 3 });
        const props = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, forSchema(v, depth + 1)]));
        const record = fc.record(props, { requiredKeys: [] });
        // Now and then a field the schema does not know.
        return fc.oneof({ weight: 4, arbitrary: record }, { weight: 1, arbitrary: fc.tuple(record, fc.dictionary(text, scalar, { maxKeys: 2 })).map(([a, b]) => ({ ...b, ...a })) });
      }
      default:
        return anything;
    }
  }

  return { text, anything, forSchema };
}

const asText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? '');

/** A path segment as a client could send it: encoded, or now and then raw percent signs and dots. */
function segment(v: unknown, raw: boolean): string {
  if (!raw) return encodeURIComponent(asText(v).replace(/[\ud800-\udfff]/g, '\ufffd'));
  // What a client can put on the wire as it is: visible ASCII, broken escapes included.
  return asText(v).replace(/[^\x21-\x7e]|[/?#]/g, '') || '%';
}

type Role = 'anonymous' | 'citizen' | 'admin';

interface FuzzRequest {
  role: Role;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

async function multipart(fields: Record<string, unknown>, files: { field: string; data: Buffer }[]): Promise<{ payload: Buffer; contentType: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, asText(value));
  for (const f of files) form.append(f.field, new Blob([new Uint8Array(f.data)], { type: 'image/jpeg' }), 'foto.jpg');
  const encoded = new Response(form);
  return { payload: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type')! };
}

function requestArbitrary(op: Op, gen: ReturnType<typeof arbitraries>): fc.Arbitrary<() => Promise<FuzzRequest>> {
  const params = op.operation.parameters ?? [];
  const path = params.filter((p) => p.in === 'path');
  const query = params.filter((p) => p.in === 'query');
  const headers = params.filter((p) => p.in === 'header');
  const body = op.operation.requestBody;
  const json = body?.content['application/json']?.schema;
  const form = body?.content['multipart/form-data']?.schema;
  const fileField = Object.entries(form?.properties ?? {}).find(([, s]) => s.format === 'binary' || s.items?.format === 'binary')?.[0];

  const pathValues = fc.tuple(...path.map((p) => fc.tuple(gen.forSchema(p.schema), fc.boolean())));
  const queryValues = fc.record(Object.fromEntries(query.map((p) => [p.name, gen.forSchema(p.schema)])), { requiredKeys: [] });
  const extraQuery = fc.option(fc.dictionary(gen.text, gen.text, { maxKeys: 2 }), { nil: undefined });
  const headerValues = fc.record(Object.fromEntries(headers.map((p) => [p.name, gen.forSchema(p.schema)])), { requiredKeys: [] });
  const bodyKind = fc.constantFrom(...(json ? ['json', 'json', 'json'] : []), ...(form ? ['form', 'form'] : []), 'none', 'junk');
  const bodyValue = json ? gen.forSchema(json) : gen.anything;
  const files = fc.array(fc.record({ field: fc.constantFrom(fileField ?? 'photos', 'other'), data: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)) }), { maxLength: 2 });
  const junk = fc.constantFrom(
    { type: 'application/json', data: '{"a":' },
    { type: 'application/json', data: '' },
    { type: 'text/plain', data: 'hello' },
    { type: 'application/x-www-form-urlencoded', data: 'a=%00&b=%E0%A4%A' },
    { type: 'multipart/form-data; boundary=x', data: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n\u0000\r\n--x--' },
    { type: 'application/json', data: '"\\u0000"' },
    { type: 'application/json', data: '[1,2,3]' },
  );

  return fc
    .record({
      role: fc.constantFrom<Role>('anonymous', 'citizen', 'admin'),
      pathValues,
      queryValues,
      extraQuery,
      headerValues,
      bodyKind,
      bodyValue,
      files,
      junk,
      // A forged or mangled credential, on the anonymous caller's requests.
      credential: fc.option(
        fc.constantFrom<Record<string, string>>(
          { authorization: 'Bearer not-a-token' },
          { authorization: 'Bearer ' },
          { authorization: 'Basic YWRtaW46YWRtaW4=' },
          { cookie: 'sk_session=%00' },
          { cookie: 'sk_session=%E0%A4%A' },
          { cookie: `sk_session=${'x'.repeat(5000)}` },
          { cookie: 'sk_session=00000000-0000-4000-8000-000000000000; sk_csrf=%00' },
        ),
        { nil: undefined },
      ),
    })
    .map((r) => async (): Promise<FuzzRequest> => {
      let url = op.path;
      path.forEach((p, i) => {
        const [value, raw] = r.pathValues[i]!;
        url = url.replace(`{${p.name}}`, segment(value, raw));
      });
      const search = new URLSearchParams();
      for (const [k, v] of Object.entries({ ...r.extraQuery, ...r.queryValues })) search.append(k, asText(v));
      if ([...search.keys()].length) url += `?${search}`;
      const hdrs: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.headerValues)) {
        // A header cannot carry every character; what HTTP itself refuses is not the server's to answer.
        const value = asText(v).replace(/[^\x20-\x7e]/g, '');
        if (value) hdrs[k] = value;
      }
      if (r.role === 'anonymous' && r.credential) Object.assign(hdrs, r.credential);
      let payload: string | Buffer | undefined;
      if (r.bodyKind === 'json') {
        hdrs['content-type'] = 'application/json';
        payload = JSON.stringify(r.bodyValue) ?? 'null';
      } else if (r.bodyKind === 'form') {
        const m = await multipart(r.bodyValue && typeof r.bodyValue === 'object' && !Array.isArray(r.bodyValue) ? (r.bodyValue as Record<string, unknown>) : { value: r.bodyValue }, r.files);
        hdrs['content-type'] = m.contentType;
        payload = m.payload;
      } else if (r.bodyKind === 'junk') {
        hdrs['content-type'] = r.junk.type;
        payload = r.junk.data;
      }
      return { role: r.role, method: op.method, url, headers: hdrs, payload };
    });
}

function seedOf(opKey: string): number {
  return (SEED ^ createHash('sha256').update(opKey).digest().readInt32BE(0)) | 0;
}

// --- the run -----------------------------------------------------------------------------------------

describeEachDatabase('hostile input', (kind) => {
  let h: Harness;
  let doc: OpenApi;
  const tokens: Partial<Record<Role, string>> = {};
  const LOGINS: Record<Exclude<Role, 'anonymous'>, string> = { citizen: '3672011708900001', admin: 'admin' };

  beforeAll(async () => {
    h = await startHarness(kind);
    doc = (await h.app.inject({ url: '/api/openapi.json' })).json() as OpenApi;
    for (const role of Object.keys(LOGINS) as (keyof typeof LOGINS)[]) tokens[role] = await bearer(h.app, LOGINS[role]);
    // A few reports, so that lists have a second page and the fuzz has real ids to aim at.
    for (const description of ['Sampah menumpuk di ujung gang.', 'Lampu jalan mati sejak minggu lalu.', 'Got mampet, air meluap saat hujan.']) {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/reports', headers: { authorization: `Bearer ${tokens.citizen}` }, payload: { categoryCode: 'sampah', description, kelurahanCode: '36.72.07.1001' } });
      expect(res.statusCode, res.body).toBe(201);
    }
  });
  afterAll(async () => h?.close());

  /** Sends a request as its role; the fuzz itself comes from another address, so its failed logins never throttle ours. */
  async function send(r: FuzzRequest) {
    const inject = () =>
      h.app.inject({
        method: r.method as 'GET',
        url: r.url,
        headers: { ...r.headers, ...(r.role !== 'anonymous' ? { authorization: `Bearer ${tokens[r.role]}` } : {}) },
        remoteAddress: '203.0.113.9',
        ...(r.payload !== undefined ? { payload: r.payload } : {}),
      });
    let res = await inject();
    if (r.role !== 'anonymous' && res.statusCode === 401) {
      // The fuzz may have logged this role out (POST /auth/logout): log in again and resend.
      tokens[r.role] = await bearer(h.app, LOGINS[r.role]);
      res = await inject();
    }
    return res;
  }

  /** Why this answer is wrong, or null. */
  function problemWith(op: Op, res: { statusCode: number; headers: Record<string, unknown>; body: string }): string | null {
    if (res.statusCode >= 500) return `status ${res.statusCode}`;
    if (res.statusCode < 400 || !op.path.startsWith('/api/')) return null;
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      return `status ${res.statusCode} with a body that is not JSON`;
    }
    const error = (body as { error?: { code?: unknown; message?: unknown } }).error;
    if (typeof error?.code !== 'string' || !/^[a-z0-9_]+$/.test(error.code) || typeof error.message !== 'string' || !error.message) return `status ${res.statusCode} without {error:{code,message}}`;
    return null;
  }

  // --- the findings of the adversarial probe, one by one (before the fuzz changes the city) -----------

  const as = (role: Exclude<Role, 'anonymous'>) => ({ authorization: `Bearer ${tokens[role]}` });
  const errorOf = (res: { json(): unknown }) => (res.json() as { error: { code: string; message: string; details?: { field?: string } } }).error;
  /** Two 36-character refs of hex digits and dashes that are not uuids. */
  const NOT_UUIDS = ['------------------------------------', '0123456789abcdef0123456789abcdef----'];

  it('answers a 36-character id that is not a uuid with 404 on the report, its actions, the public report and Open311', async () => {
    for (const ref of NOT_UUIDS) {
      for (const [method, url, headers] of [
        ['GET', `/api/v1/reports/${ref}`, as('admin')],
        ['POST', `/api/v1/reports/${ref}/actions/verify`, as('admin')],
        ['POST', `/api/v1/reports/${ref}/support`, as('citizen')],
        ['GET', `/api/v1/public/reports/${ref}`, {}],
      ] as const) {
        const res = await h.app.inject({ method, url, headers });
        expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(404);
        expect(errorOf(res).code).toBe('not_found');
      }
      const o311 = await h.app.inject({ url: `/open311/v2/requests/${ref}.json` });
      expect(o311.statusCode, o311.body).toBe(404);
      expect((o311.json() as { code: number }[])[0]!.code).toBe(404);
    }
  });

  it('refuses a page cursor that decodes but that no page wrote with 400 cursor_invalid, for every sort and the public feed', async () => {
    const uuid = '00000000-0000-4000-8000-000000000000';
    const newest = (await h.app.inject({ url: '/api/v1/reports?sort=newest&limit=1', headers: as('admin') })).json() as { nextCursor: string };
    expect(newest.nextCursor).toBeTruthy();
    const cases: [string, string][] = [
      ['due', b64(['x', NOT_UUIDS[0]])],
      ['due', b64(['tomorrow', uuid])],
      ['newest', b64(['0000-01-01T00:00:00.000Z', uuid])],
      ['newest', b64(['2026-02-30T00:00:00.000Z', uuid])],
      ['priority', b64(['x|y', uuid])],
      ['priority', b64(['99999999999999|2026-01-01T00:00:00.000Z', uuid])],
      // A cursor of one sort is not one of another.
      ['priority', newest.nextCursor],
    ];
    for (const [sort, cursor] of cases) {
      const res = await h.app.inject({ url: `/api/v1/reports?sort=${sort}&cursor=${cursor}`, headers: as('admin') });
      expect(res.statusCode, `${sort} ${Buffer.from(cursor, 'base64url').toString()}: ${res.body}`).toBe(400);
      expect(errorOf(res).code).toBe('cursor_invalid');
    }
    const pub = await h.app.inject({ url: `/api/v1/public/reports?cursor=${b64(['x', NOT_UUIDS[1]])}` });
    expect(pub.statusCode, pub.body).toBe(400);
    expect(errorOf(pub).code).toBe('cursor_invalid');
    // The cursor a page wrote still turns the page.
    expect((await h.app.inject({ url: `/api/v1/reports?sort=newest&limit=1&cursor=${newest.nextCursor}`, headers: as('admin') })).statusCode).toBe(200);
  });

  it('refuses NUL and broken Unicode in a JSON body, query, path or form field with 400 invalid_characters, anonymous login included', async () => {
    const token = await h.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { login: 'admin\u0000', password: 'x' }, headers: { 'accept-language': 'en' } });
    expect(token.statusCode, token.body).toBe(400);
    expect(errorOf(token)).toMatchObject({ code: 'invalid_characters', details: { field: 'login' } });
    expect(errorOf(token).message).toMatch(/not allowed/);
    const before = await h.db.one<{ n: number }>('select count(*)::int as n from reports');
    const cases: { url: string; method?: 'POST'; headers?: Record<string, string>; payload?: unknown; field: string }[] = [
      { url: '/api/v1/reports?q=%00', headers: as('admin'), field: 'q' },
      { url: '/api/v1/public/reports/SK-2026%00', field: 'ref' },
      { url: '/api/v1/reports', method: 'POST', headers: as('citizen'), payload: { categoryCode: 'sampah', description: 'Sampah menumpuk \ud800 di gang.', kelurahanCode: '36.72.07.1001' }, field: 'description' },
      { url: '/api/v1/reports', method: 'POST', headers: as('citizen'), payload: { categoryCode: 'sampah', description: 'Sampah menumpuk di ujung gang.', kelurahanCode: '36.72.07.1001', answers: { 'a\u0000': 1 } }, field: 'answers.a\u0000' },
    ];
    for (const c of cases) {
      const res = await h.app.inject({ method: c.method ?? 'GET', url: c.url, headers: c.headers ?? {}, ...(c.payload ? { payload: c.payload as object } : {}) });
      expect(res.statusCode, `${c.url}: ${res.body}`).toBe(400);
      expect(errorOf(res)).toMatchObject({ code: 'invalid_characters', details: { field: c.field } });
    }
    const form = await multipart({ categoryCode: 'sampah', description: 'Sampah menumpuk\u0000 di ujung gang.', kelurahanCode: '36.72.07.1001' }, []);
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/reports', headers: { ...as('citizen'), 'content-type': form.contentType }, payload: form.payload });
    expect(res.statusCode, res.body).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: 'invalid_characters', details: { field: 'description' } });
    expect(await h.db.one<{ n: number }>('select count(*)::int as n from reports')).toEqual(before);
    // Open311 answers in its own shape.
    const o311 = await h.app.inject({ url: '/open311/v2/requests.json?status=open%00' });
    expect(o311.statusCode, o311.body).toBe(400);
    expect((o311.json() as { code: number }[])[0]!.code).toBe(400);
  });

  it('refuses dates in year 0000 or before 1900 in filters, holidays and statistics with 400, and an export it refuses leaves no audit entry', async () => {
    const exports = async () => (await h.db.one<{ n: number }>(`select count(*)::int as n from audit_log where action = 'reports.exported'`)).n;
    const before = await exports();
    for (const [url, method, field] of [
      ['/api/v1/reports?from=0000-01-01', 'GET', 'from'],
      ['/api/v1/reports?to=1899-12-31', 'GET', 'to'],
      ['/api/v1/reports/export.csv?from=0000-01-01', 'GET', 'from'],
      ['/api/v1/reports/export.xlsx?to=0000-12-31', 'GET', 'to'],
      ['/api/v1/holidays/0000-01-01', 'PUT', 'date'],
      ['/api/v1/stats/summary?from=0000-01-01T00:00:00Z', 'GET', 'from'],
      ['/api/v1/stats/trend?to=1900-01-01T00:00:00%2B07:00', 'GET', 'to'],
    ] as const) {
      const res = await h.app.inject({ method, url, headers: as('admin'), ...(method === 'PUT' ? { payload: { name: 'Tahun nol', kind: 'public' } } : {}) });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
      expect(errorOf(res)).toMatchObject({ code: 'validation_failed', details: { field } });
    }
    expect(await exports()).toBe(before);
    const ok = await h.app.inject({ url: '/api/v1/reports/export.csv?from=1900-01-01&to=9999-12-31', headers: as('admin') });
    expect(ok.statusCode, ok.body.slice(0, 300)).toBe(200);
    expect(await exports()).toBe(before + 1);
  });

  it('answers a malformed or overlong path in the API’s error shape', async () => {
    const bad = await h.app.inject({ url: '/api/v1/reports/%E0%A4%A' });
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad).code).toBe('url_invalid');
    const long = await h.app.inject({ url: `/api/v1/public/reports/${'x'.repeat(200)}` });
    expect(long.statusCode).toBe(414);
    expect(errorOf(long).code).toBe('url_too_long');
  });

  it('takes a subnormal coordinate such as 5e-324 as 0 instead of failing in the database', async () => {
    const res = await h.app.inject({ url: '/api/v1/reports/nearby?category=sampah&lat=5e-324&lng=106.05', headers: as('citizen') });
    expect(res.statusCode, res.body).toBe(200);
  });

  it('answers every operation’s hostile input with a 2xx–4xx, and every JSON API error in its shape', { timeout: BUDGET_MS + 120_000 }, async () => {
    const pool = await poolOf(h);
    const gen = arbitraries(doc, pool);
    const ops = operationsOf(doc).filter((op) => !ONLY_OP || op.key === ONLY_OP);
    expect(ops.length).toBeGreaterThan(0);
    console.log(`fuzz [${kind}]: seed ${SEED}, ${ops.length} operations, ${BUDGET_MS} ms`);
    const perOp = Math.max(200, Math.floor(BUDGET_MS / ops.length));
    const failures: string[] = [];
    const statuses: Record<string, number> = {};
    for (const op of ops) {
      const property = fc.asyncProperty(requestArbitrary(op, gen), async (make) => {
        const r = await make();
        // The live stream never ends: only its refusals are fuzzed.
        if (op.path === '/api/v1/live' && r.role !== 'anonymous') return;
        const res = await send(r);
        const group = `${r.role} ${String(res.statusCode)[0]}xx`;
        statuses[group] = (statuses[group] ?? 0) + 1;
        const problem = problemWith(op, res);
        if (problem) throw new Error(`${problem}: ${r.role} ${r.method} ${r.url} ${r.payload ? String(r.payload).slice(0, 300) : ''}\n→ ${res.body.slice(0, 300)}`);
      });
      const base = { seed: seedOf(op.key), ...(REPLAY_PATH ? { path: REPLAY_PATH } : {}) };
      let details = await fc.check(property, { ...base, numRuns: 100_000, interruptAfterTimeLimit: perOp, markInterruptAsFailure: false });
      if (details.failed && details.interrupted && details.counterexamplePath === null) {
        // Its share of the time ran out before one request came back (a first call that builds a cache):
        // a few requests, however long they take.
        details = await fc.check(property, { ...base, numRuns: 3 });
      }
      if (details.failed) {
        failures.push(
          `${op.key}: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}\n` +
            `  replay: FUZZ_SEED=${SEED} FUZZ_OP='${op.key}' FUZZ_PATH='${details.counterexamplePath}' npx vitest run test/integration/fuzz.test.ts`,
        );
      }
    }
    // What the run reached (a fuzz that only ever met 401s would prove little).
    console.log(`fuzz [${kind}]: ${Object.entries(statuses).sort().map(([g, n]) => `${g} ${n}`).join(', ')}`);
    expect(statuses['admin 2xx'] && statuses['citizen 2xx'] && statuses['anonymous 2xx']).toBeGreaterThan(0);
    expect(failures, failures.join('\n\n')).toEqual([]);
  });
});

/** Real ids and codes of the demo city, so that the fuzz also reaches past "not found". */
async function poolOf(h: Harness): Promise<Record<string, string[]>> {
  const col = async (sql: string) => (await h.db.query<{ v: string }>(sql)).map((r) => String(r.v));
  const reports = await col(`select id::text as v from reports order by submitted_at desc limit 3`);
  const tracking = await col(`select tracking_no as v from reports order by submitted_at desc limit 3`);
  return {
    uuid: [...reports, ...(await col(`select id::text as v from report_photos limit 2`)), ...(await col(`select id::text as v from users where kind = 'officer' and username <> 'admin' limit 2`))],
    ref: tracking,
    code: [...(await col(`select code as v from report_categories limit 2`)), ...(await col(`select code as v from agencies limit 2`)), '36.72.07.1001', '36.72.07'],
    date: ['2026-08-17', '2026-01-01'],
    number: ['1', '2', '50'],
  };
}

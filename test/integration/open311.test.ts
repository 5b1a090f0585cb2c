import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_CITIZENS } from '../../src/modules/demo/seed.js';
import { asSession, describeEachDatabase, login, startHarness, type Harness, type Session } from '../support/harness.js';
import { jsonAsXmlText, xmlAsJson } from '../support/open311-xml.js';
import { RAMANUJU } from '../support/places.js';

/** A point `north` and `east` metres from Kelurahan Ramanuju's centre, so reports are not near-duplicates. */
const inRamanuju = (north: number, east: number) => ({ lat: RAMANUJU.lat + north / 111_320, lng: RAMANUJU.lng + east / 110_700 });

interface O311Item {
  service_request_id: string;
  status: string;
  status_notes: string;
  description: string | null;
  agency_responsible: string | null;
  address: string | null;
  address_id: string | null;
  lat: number | null;
  long: number | null;
  media_url: string | null;
}

/** Open311 GeoReport v2 at /open311/v2/, in JSON and XML, with the spec's errors; see docs/open311.md. */
describeEachDatabase('Open311 GeoReport v2', (kind) => {
  let h: Harness;
  let apiKey: string;
  let lurah: Session;

  beforeAll(async () => {
    h = await startHarness(kind);
    apiKey = (await h.ctx.open311Keys.create('Aplikasi mitra', { id: null, label: 'test' })).key;
    lurah = await login(h.app, 'lurah.ramanuju');
  });
  afterAll(async () => h?.close());

  const form = (fields: Record<string, string | string[]>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) p.append(k, x);
    return p.toString();
  };
  const postRequest = (fields: Record<string, string | string[]>, format: 'json' | 'xml' = 'json') =>
    h.app.inject({ method: 'POST', url: `/open311/v2/requests.${format}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form(fields) });
  const get = (url: string, headers: Record<string, string> = {}) => h.app.inject({ method: 'GET', url, headers });
  const act = async (s: Session, trackingNo: string, action: string, body: object = {}) => {
    const res = await h.app.inject({ method: 'POST', url: `/api/v1/reports/${trackingNo}/actions/${action}`, headers: asSession(s), payload: body });
    expect(res.statusCode, `${action}: ${res.body}`).toBe(200);
  };
  /** Both forms of a GET answer; fails unless they say the same thing, field by field. */
  const getBoth = async (path: string, query = '') => {
    const [json, xml] = [await get(`${path}.json${query}`), await get(`${path}.xml${query}`)];
    expect(xml.statusCode, xml.body).toBe(json.statusCode);
    expect(JSON.stringify(xmlAsJson(xml.body)), `${path}${query}`).toBe(JSON.stringify(jsonAsXmlText(json.json())));
    return json;
  };

  it('publishes discovery and services in both formats', async () => {
    const discovery = await get('/open311/v2/discovery.json');
    expect(discovery.statusCode).toBe(200);
    expect(discovery.json().endpoints[0]).toMatchObject({ specification: 'http://wiki.open311.org/GeoReport_v2', formats: ['text/xml', 'application/json'] });

    const services = await get('/open311/v2/services.json');
    expect(services.headers['content-type']).toContain('application/json');
    const road = (services.json() as { service_code: string; metadata: boolean; type: string }[]).find((s) => s.service_code === 'jalan-rusak');
    expect(road).toMatchObject({ metadata: true, type: 'realtime' });

    const xml = await get('/open311/v2/services.xml');
    expect(xml.headers['content-type']).toContain('text/xml');
    expect(xml.body).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>/);
    expect(xml.body).toContain('<services><service><service_code>');
    expect(xml.body).toContain('<service_code>jalan-rusak</service_code>');
  });

  it('describes a service’s attributes from the category’s questions', async () => {
    const def = (await get('/open311/v2/services/jalan-rusak.json')).json();
    expect(def.service_code).toBe('jalan-rusak');
    expect(def.attributes.find((a: { code: string }) => a.code === 'tingkat')).toMatchObject({ datatype: 'singlevaluelist', required: true, variable: true });
    const xml = (await get('/open311/v2/services/jalan-rusak.xml')).body;
    expect(xml).toContain('<service_definition><service_code>jalan-rusak</service_code><attributes><attribute>');
    expect(xml).toContain('<values><value><key>ringan</key>');
    const missing = await get('/open311/v2/services/tidak-ada.xml');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('<errors><error><code>404</code><description>');
  });

  it('accepts a request with an api_key, keeps the reporter private, and answers its tracking number', async () => {
    const res = await postRequest({
      api_key: apiKey,
      jurisdiction_id: '36.72',
      service_code: 'jalan-rusak',
      lat: String(RAMANUJU.lat),
      long: String(RAMANUJU.lng),
      description: 'Jalan berlubang di depan sekolah dasar.',
      email: 'budi@example.org',
      phone: '081298765432',
      first_name: 'Budi',
      last_name: 'Santoso',
      'attribute[tingkat]': 'sedang',
    });
    expect(res.statusCode, res.body).toBe(201);
    const [created] = res.json() as { service_request_id: string; service_notice: string | null; account_id: null }[];
    expect(created!.service_request_id).toMatch(/^SK-\d{4}-\d{6}$/);

    // The stored contact is encrypted: neither the e-mail nor the name is in the row in clear.
    const row = await h.db.one<Record<string, unknown>>('select * from reports where tracking_no = $1', [created!.service_request_id]);
    expect(JSON.stringify(row)).not.toContain('budi@example.org');
    expect(JSON.stringify(row)).not.toContain('Santoso');
    expect(row.channel).toBe('open311');

    // Readable by its id at once, with only what the public may see while it is unverified.
    const one = (await get(`/open311/v2/requests/${created!.service_request_id}.json`)).json()[0];
    expect(one).toMatchObject({ service_request_id: created!.service_request_id, status: 'open', service_code: 'jalan-rusak', description: null, lat: null });
    expect(one.status_notes).toContain('submitted');
    // Not in the public list before an officer has verified it.
    expect((await get('/open311/v2/requests.json')).json().map((r: { service_request_id: string }) => r.service_request_id)).not.toContain(created!.service_request_id);

    await h.app.inject({ method: 'POST', url: `/api/v1/reports/${created!.service_request_id}/actions/verify`, headers: asSession(lurah), payload: {} });
    const listed = (await get('/open311/v2/requests.json?status=open&service_code=jalan-rusak')).json() as { service_request_id: string; description: string }[];
    const item = listed.find((r) => r.service_request_id === created!.service_request_id);
    expect(item?.description).toBe('Jalan berlubang di depan sekolah dasar.');
    const all = JSON.stringify(listed) + (await get('/open311/v2/requests.xml')).body;
    for (const secret of ['budi@example.org', 'Budi', 'Santoso', '81298765432']) expect(all).not.toContain(secret);
    expect((await get('/open311/v2/requests.json?status=closed&service_code=jalan-rusak')).json()).toEqual([]);

    // The officer sees the reporter's name and a masked phone, never the full number.
    const detail = (await h.app.inject({ method: 'GET', url: `/api/v1/reports/${created!.service_request_id}`, headers: asSession(lurah) })).json();
    expect(detail.report.reporter).toMatchObject({ name: 'Budi Santoso', hasAccount: false });
    expect(detail.report.reporter.phoneMasked).not.toContain('98765');
    expect(detail.report.channel).toBe('open311');
  });

  it('answers the spec’s errors in the spec’s shape', async () => {
    const noKey = await postRequest({ service_code: 'sampah', address_string: 'Jl. Mawar 1' }, 'xml');
    expect(noKey.statusCode).toBe(403);
    expect(noKey.body).toMatch(/<errors><error><code>403<\/code><description>[^<]+<\/description><\/error><\/errors>/);

    const badKey = await postRequest({ api_key: 'sk311_wrong', service_code: 'sampah', address_string: 'Jl. Mawar 1' });
    expect(badKey.statusCode).toBe(403);
    expect(badKey.json()[0]).toMatchObject({ code: 403 });

    const noService = await postRequest({ api_key: apiKey, address_string: 'Jl. Mawar 1' });
    expect(noService.statusCode).toBe(400);
    expect(noService.json()[0].description).toContain('service_code');

    const unknownService = await postRequest({ api_key: apiKey, service_code: 'tidak-ada', address_string: 'Jl. Mawar 1' });
    expect(unknownService.statusCode).toBe(404);

    const noLocation = await postRequest({ api_key: apiKey, service_code: 'sampah' });
    expect(noLocation.statusCode).toBe(400);
    expect(noLocation.json()[0].description).toContain('Lokasi wajib diisi');

    const missingAttribute = await postRequest({ api_key: apiKey, service_code: 'jalan-rusak', address_string: 'Jl. Mawar 1' });
    expect(missingAttribute.statusCode).toBe(400);

    const otherCity = await postRequest({ api_key: apiKey, jurisdiction_id: '31.71', service_code: 'sampah', address_string: 'Jl. Mawar 1' });
    expect(otherCity.statusCode).toBe(404);

    const wideWindow = await get('/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z');
    expect(wideWindow.statusCode).toBe(400);
    expect((await get('/open311/v2/requests.json?status=pending')).statusCode).toBe(400);
    expect((await get('/open311/v2/requests/SK-1999-000001.xml')).statusCode).toBe(404);
    expect((await get('/open311/v2/services')).statusCode).toBe(404);

    // Nothing was written by the refused requests.
    const count = await h.db.one<{ n: number }>(`select count(*)::int as n from reports where channel = 'open311'`);
    expect(count.n).toBe(1);
  });

  it('locates a request by address_id (a kelurahan code) and by address alone', async () => {
    const byId = (await postRequest({ api_key: apiKey, service_code: 'sampah', address_id: '3672071001', description: 'Sampah menumpuk di pinggir jalan.' })).json()[0];
    const row = await h.db.one<{ kelurahan_code: string; handler_kind: string }>('select kelurahan_code, handler_kind from reports where tracking_no = $1', [byId.service_request_id]);
    expect(row).toEqual({ kelurahan_code: RAMANUJU.code, handler_kind: 'kelurahan' });

    const byAddress = (await postRequest({ api_key: apiKey, service_code: 'sampah', address_string: 'Gang Melati dekat pos ronda' })).json()[0];
    const queued = await h.db.one<{ handler_kind: string }>('select handler_kind from reports where tracking_no = $1', [byAddress.service_request_id]);
    expect(queued.handler_kind).toBe('coordinator');

    const token = await h.db.one<{ open311_token: string }>('select open311_token from reports where tracking_no = $1', [byAddress.service_request_id]);
    const tokens = (await get(`/open311/v2/tokens/${token.open311_token}.json`)).json();
    expect(tokens).toEqual([{ service_request_id: byAddress.service_request_id, token: token.open311_token }]);
  });

  it('makes keys from the CLI command and lets the admin revoke them', async () => {
    const admin = await login(h.app, 'admin');
    const made = await h.app.inject({ method: 'POST', url: '/api/v1/open311-keys', headers: asSession(admin), payload: { name: 'Mitra kedua' } });
    expect(made.statusCode).toBe(201);
    const { key, record } = made.json();
    expect((await postRequest({ api_key: key, service_code: 'sampah', address_string: 'Jl. Kenanga 2' })).statusCode).toBe(201);
    expect((await h.app.inject({ method: 'DELETE', url: `/api/v1/open311-keys/${record.id}`, headers: asSession(admin) })).statusCode).toBe(204);
    expect((await postRequest({ api_key: key, service_code: 'sampah', address_string: 'Jl. Kenanga 2' })).statusCode).toBe(403);
    const listed = (await h.app.inject({ method: 'GET', url: '/api/v1/open311-keys', headers: asSession(admin) })).json().keys;
    expect(JSON.stringify(listed)).not.toContain(key);
  });

  // --- what Open311 shows: the public feed's reports, and by id a request posted here ---------------

  it('shows by id exactly what the public feed shows, plus the requests posted through Open311, never a hidden app report', async () => {
    const ahmad = await login(h.app, DEMO_CITIZENS[0]!.nik);
    const koordinator = await login(h.app, 'koordinator');
    const file = async (body: Record<string, unknown>) => {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/reports', headers: asSession(ahmad), payload: body });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().report.trackingNo as string;
    };
    const unverified = await file({ categoryCode: 'drainase', description: 'Got tersumbat, belum diverifikasi.', ...inRamanuju(-300, -300) });
    const rejected = await file({ categoryCode: 'drainase', description: 'Laporan iseng yang ditolak.', ...inRamanuju(-300, 0) });
    await act(koordinator, rejected, 'reject', { note: 'Bukan laporan masalah.' });
    const original = await file({ categoryCode: 'lampu-jalan', description: 'Lampu jalan mati di tikungan.', ...inRamanuju(-300, 300) });
    const merged = await file({ categoryCode: 'lampu-jalan', description: 'PJU padam di tikungan yang sama.', ...inRamanuju(-300, 310) });
    await act(koordinator, original, 'verify');
    await act(koordinator, merged, 'verify');
    await act(koordinator, merged, 'merge', { intoTrackingNo: original });
    const confidential = await file({ categoryCode: 'rumah-tidak-layak', description: 'Rumah tetangga hampir roboh, rahasiakan.', address: 'Jl. Kenanga 7', ...inRamanuju(300, -300), privacy: 'confidential' });
    await act(koordinator, confidential, 'verify');
    const posted = async (north: number) => {
      const res = await postRequest({ api_key: apiKey, service_code: 'sampah', description: 'Sampah menumpuk, dikirim aplikasi mitra.', lat: String(inRamanuju(north, -450).lat), long: String(inRamanuju(north, -450).lng) });
      expect(res.statusCode, res.body).toBe(201);
      return res.json()[0].service_request_id as string;
    };
    const fromPartner = await posted(-150);
    const fromPartnerRejected = await posted(150);
    await act(koordinator, fromPartnerRejected, 'reject', { note: 'Di luar wewenang kelurahan.' });

    const hidden = [unverified, rejected, merged];
    const shown = [original, confidential, fromPartner, fromPartnerRejected];
    const byIds = (await getBoth('/open311/v2/requests', `?service_request_id=${[...hidden, ...shown].join(',')}`)).json() as O311Item[];
    expect(byIds.map((r) => r.service_request_id).sort()).toEqual([...shown].sort());
    for (const no of hidden) {
      for (const format of ['json', 'xml']) expect((await get(`/open311/v2/requests/${no}.${format}`)).statusCode, `${no}.${format}`).toBe(404);
    }

    // What the public feed shows of a report, Open311 shows of it; confidential ones reduced alike.
    for (const no of [original, confidential]) {
      const pub = (await get(`/api/v1/public/reports/${no}`)).json().report;
      const [one] = (await getBoth(`/open311/v2/requests/${no}`)).json() as O311Item[];
      expect(byIds.find((r) => r.service_request_id === no)).toEqual(one);
      expect(one, no).toMatchObject({
        description: pub.description,
        address: pub.address,
        address_id: pub.kelurahan?.code ?? null,
        lat: pub.location?.lat ?? null,
        long: pub.location?.lng ?? null,
        agency_responsible: pub.agency?.name ?? null,
      });
    }
    expect(byIds.find((r) => r.service_request_id === confidential)).toMatchObject({ description: null, address: null, lat: null, agency_responsible: null });

    // A request posted here can be followed by its id, told no more than a confidential report.
    for (const no of [fromPartner, fromPartnerRejected]) {
      const [one] = (await getBoth(`/open311/v2/requests/${no}`)).json() as O311Item[];
      expect(one, no).toMatchObject({ description: null, address: null, lat: null, long: null, media_url: null, agency_responsible: null });
    }
    expect((await get(`/open311/v2/requests/${fromPartnerRejected}.json`)).json()[0]).toMatchObject({ status: 'closed', status_notes: 'Ditolak (rejected)' });

    // The lists without ids hold the public feed's reports only.
    const listed = ((await getBoth('/open311/v2/requests')).json() as O311Item[]).map((r) => r.service_request_id);
    expect(listed).toEqual(expect.arrayContaining([original, confidential]));
    for (const no of [...hidden, fromPartner, fromPartnerRejected]) expect(listed, no).not.toContain(no);
  });

  it('takes at most 100 ids in service_request_id, and says so', async () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `SK-2026-${String(900000 + i).padStart(6, '0')}`).join(',');
    expect((await get(`/open311/v2/requests.json?service_request_id=${ids(100)}`)).statusCode).toBe(200);
    const tooMany = await get(`/open311/v2/requests.json?service_request_id=${ids(101)}`);
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json()[0]).toEqual({ code: 400, description: 'service_request_id memuat 101 nomor; paling banyak 100 sekaligus.' });
    const tooManyXml = await get(`/open311/v2/requests.xml?service_request_id=${ids(101)}`);
    expect(tooManyXml.statusCode).toBe(400);
    expect(tooManyXml.body).toContain('<errors><error><code>400</code>');
  });

  // --- what a real validator checks (SeeClickFix's open311-validator, not installable here) ---------

  it('discovery gives a base url to which a client appends /services.xml, the city’s name and when the service list changed', async () => {
    const discovery = (await getBoth('/open311/v2/discovery')).json();
    const endpoint = discovery.endpoints[0];
    expect(endpoint.url).not.toMatch(/\/$/);
    for (const resource of ['services.xml', 'services.json', 'requests.xml', 'discovery.json']) {
      const path = new URL(`${endpoint.url}/${resource}`).pathname;
      expect(path).not.toContain('//');
      expect((await get(path)).statusCode, path).toBe(200);
    }

    const city = (await get('/api/v1/city')).json();
    expect(discovery.contact).toContain(city.name);
    expect(discovery.contact).not.toContain(city.code);

    const lastChange = async () => (await h.db.one<{ at: Date }>('select max(updated_at) as at from report_categories')).at.toISOString();
    expect(discovery.changeset).toBe(await lastChange());
    expect(endpoint.changeset).toBe(discovery.changeset);

    const admin = await login(h.app, 'admin');
    const patched = await h.app.inject({ method: 'PATCH', url: '/api/v1/report-categories/sampah', headers: asSession(admin), payload: { name: { id: 'Sampah dan kebersihan', en: 'Rubbish and cleanliness' } } });
    expect(patched.statusCode, patched.body).toBe(200);
    const after = (await get('/open311/v2/discovery.json')).json();
    expect(after.changeset).toBe(await lastChange());
    expect(after.changeset > discovery.changeset).toBe(true);
    expect(after.endpoints[0].changeset).toBe(after.changeset);
  });

  it('refuses start_date and end_date without a zone offset, or not a real date, with a 400 that says why', async () => {
    const window = (start: string, end: string) => get(`/open311/v2/requests.json?start_date=${encodeURIComponent(start)}&end_date=${encodeURIComponent(end)}`);
    expect((await window('2026-01-01T00:00:00+07:00', '2026-02-01T00:00:00Z')).statusCode).toBe(200);
    expect((await window('2026-01-01T00:00:00.250-05:30', '2026-02-01T10:15Z')).statusCode).toBe(200);
    for (const [start, end, field] of [
      ['2026-01-01T00:00:00', '2026-02-01T00:00:00Z', 'start_date'],
      ['2026-01-01T00:00:00Z', '2026-02-01', 'end_date'],
      ['2026-01-01T00:00:00+0700', '2026-02-01T00:00:00Z', 'start_date'],
      ['2026-02-30T00:00:00Z', '2026-03-15T00:00:00Z', 'start_date'],
      ['0000-01-01T00:00:00Z', '0000-02-01T00:00:00Z', 'start_date'],
      ['2026-01-01T00:00:00Z', '2026-01-02T24:30:00Z', 'end_date'],
    ] as const) {
      const res = await window(start, end);
      expect(res.statusCode, `${start} ${end}: ${res.body}`).toBe(400);
      expect(res.json()[0].description).toBe(`${field} harus berupa tanggal dan waktu W3C dengan zona waktu, misalnya 2026-11-01T00:00:00+07:00.`);
    }
    const english = await get('/open311/v2/requests.json?start_date=2026-01-01T00:00:00', { 'accept-language': 'en' });
    expect(english.json()[0].description).toBe('start_date must be a W3C date-time with a time zone, such as 2026-11-01T00:00:00+07:00.');
  });

  it('answers every error in one language: Indonesian, or English when the client asks', async () => {
    const post = (body: string, contentType: string, lang?: string) =>
      h.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: { 'content-type': contentType, ...(lang ? { 'accept-language': lang } : {}) }, payload: body });
    const cases: [string, (lang?: string) => Promise<{ statusCode: number; body: string }>][] = [
      ['unknown resource', (l) => get('/open311/v2/nothing.json', l ? { 'accept-language': l } : {})],
      ['no format', (l) => get('/open311/v2/services', l ? { 'accept-language': l } : {})],
      ['other jurisdiction', (l) => get('/open311/v2/services.json?jurisdiction_id=31.71', l ? { 'accept-language': l } : {})],
      ['unknown service', (l) => get('/open311/v2/services/xyz-999.json', l ? { 'accept-language': l } : {})],
      ['unknown request', (l) => get('/open311/v2/requests/SK-1999-000001.json', l ? { 'accept-language': l } : {})],
      ['unknown token', (l) => get('/open311/v2/tokens/nothing.json', l ? { 'accept-language': l } : {})],
      ['bad status', (l) => get('/open311/v2/requests.json?status=pending', l ? { 'accept-language': l } : {})],
      ['dates reversed', (l) => get('/open311/v2/requests.json?start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z', l ? { 'accept-language': l } : {})],
      ['wide window', (l) => get('/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z', l ? { 'accept-language': l } : {})],
      ['no key', (l) => post(form({ service_code: 'sampah', address_string: 'Jl. Mawar 1' }), 'application/x-www-form-urlencoded', l)],
      ['no service_code', (l) => post(form({ api_key: apiKey, address_string: 'Jl. Mawar 1' }), 'application/x-www-form-urlencoded', l)],
      ['no location', (l) => post(form({ api_key: apiKey, service_code: 'sampah' }), 'application/x-www-form-urlencoded', l)],
      ['lat without long', (l) => post(form({ api_key: apiKey, service_code: 'sampah', lat: '-6' }), 'application/x-www-form-urlencoded', l)],
      ['bad coordinates', (l) => post(form({ api_key: apiKey, service_code: 'sampah', lat: 'x', long: '106' }), 'application/x-www-form-urlencoded', l)],
      ['bad address_id', (l) => post(form({ api_key: apiKey, service_code: 'sampah', address_id: 'abc' }), 'application/x-www-form-urlencoded', l)],
      ['bad email', (l) => post(form({ api_key: apiKey, service_code: 'sampah', address_string: 'Jl. Mawar 1', email: 'nope' }), 'application/x-www-form-urlencoded', l)],
      ['bad phone', (l) => post(form({ api_key: apiKey, service_code: 'sampah', address_string: 'Jl. Mawar 1', phone: '12' }), 'application/x-www-form-urlencoded', l)],
      ['long description', (l) => post(form({ api_key: apiKey, service_code: 'sampah', address_string: 'Jl. Mawar 1', description: 'a'.repeat(4001) }), 'application/x-www-form-urlencoded', l)],
      ['missing attribute', (l) => post(form({ api_key: apiKey, service_code: 'jalan-rusak', address_string: 'Jl. Mawar 1' }), 'application/x-www-form-urlencoded', l)],
      ['repeated field', (l) => post(form({ api_key: apiKey, service_code: ['sampah', 'drainase'], address_string: 'Jl. Mawar 1' }), 'application/x-www-form-urlencoded', l)],
      ['broken JSON', (l) => post('{"api_key": ', 'application/json', l)],
      ['unsupported body', (l) => post('<request/>', 'application/xml', l)],
    ];
    const open311Count = async () => (await h.db.one<{ n: number }>(`select count(*)::int as n from reports where channel = 'open311'`)).n;
    const before = await open311Count();
    const englishWords = /\b(the|is|are|must|not|no|found|missing|invalid|required|unknown|given|together|only|such|more|than)\b/i;
    const indonesianWords = /\b(tidak|harus|wajib|ditemukan|dan|atau|dengan|berupa|bukan|paling|belum|salah)\b/i;
    for (const [name, call] of cases) {
      const [id, en] = [await call(), await call('en')];
      expect(id.statusCode, `${name}: ${id.body}`).toBeGreaterThanOrEqual(400);
      expect(id.statusCode, `${name}: ${id.body}`).toBeLessThan(500);
      // Without .json or .xml the answer is XML, the spec's default.
      const description = (body: string) => ((body.startsWith('<?xml') ? xmlAsJson(body) : JSON.parse(body)) as { description: string }[])[0]!.description;
      const [idText, enText] = [description(id.body), description(en.body)];
      expect(idText, name).not.toMatch(englishWords);
      expect(enText, name).not.toMatch(indonesianWords);
      expect(idText, name).not.toBe(enText);
    }
    expect(await open311Count(), 'nothing written by a refused request').toBe(before);
  });

  it('declares the POST request body (form or JSON, with the GeoReport fields) and its error answers in the OpenAPI document', async () => {
    const doc = (await get('/api/openapi.json')).json();
    for (const path of ['/open311/v2/requests.json', '/open311/v2/requests.xml']) {
      const op = doc.paths[path]?.post;
      expect(op, path).toBeDefined();
      const content = op.requestBody.content;
      expect(Object.keys(content).sort()).toEqual(['application/json', 'application/x-www-form-urlencoded']);
      for (const schema of Object.values(content).map((c) => (c as { schema: { properties: Record<string, unknown>; required?: string[] } }).schema)) {
        expect(Object.keys(schema.properties)).toEqual(
          expect.arrayContaining(['api_key', 'jurisdiction_id', 'service_code', 'lat', 'long', 'address_string', 'address_id', 'email', 'device_id', 'account_id', 'first_name', 'last_name', 'phone', 'description', 'media_url']),
        );
        expect(schema.required).toEqual(['service_code']);
      }
      expect(Object.keys(op.responses).sort()).toEqual(['201', '400', '403', '404']);
    }
    expect(Object.keys(doc.paths['/open311/v2/requests.json'].post.responses['201'].content)).toEqual(['application/json']);
    expect(Object.keys(doc.paths['/open311/v2/requests.xml'].post.responses['400'].content)).toEqual(['text/xml']);

    // What the document says a client may send is taken: a JSON body too.
    const res = await h.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: { 'content-type': 'application/json' }, payload: { api_key: apiKey, service_code: 'sampah', lat: RAMANUJU.lat, long: RAMANUJU.lng, description: 'Dikirim sebagai JSON.' } });
    expect(res.statusCode, res.body).toBe(201);
  });
});

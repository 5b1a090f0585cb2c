import { afterAll, beforeAll, expect, it } from 'vitest';
import { asSession, describeEachDatabase, login, startHarness, type Harness, type Session } from '../support/harness.js';
import { RAMANUJU } from '../support/places.js';

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
  const get = (url: string) => h.app.inject({ method: 'GET', url });

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
    expect(noLocation.json()[0].description).toContain('location');

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
});

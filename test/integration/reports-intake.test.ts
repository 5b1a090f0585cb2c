import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { asSession, describeEachDatabase, login, startHarness, type Harness, type Session } from '../support/harness.js';
import { RAMANUJU } from '../support/places.js';

/**
 * How a report comes in: a citizen's form with photos (cleaned of their GPS), retries with an
 * Idempotency-Key, an officer entering a phone call, what is refused and why, nearby reports to
 * support or merge, comments and internal notes, and a report handed back and disputed.
 */

/** A point `north` and `east` metres from `from` (near the equator a degree is about 111 km). */
export function shifted(from: { lat: number; lng: number }, north: number, east: number): { lat: number; lng: number } {
  return { lat: from.lat + north / 111_320, lng: from.lng + east / (111_320 * Math.cos((from.lat * Math.PI) / 180)) };
}

/** Points inside Kelurahan Ramanuju, 150 m and more apart, so one test's reports are never another's neighbours. */
const inRamanuju = (north: number, east: number) => shifted(RAMANUJU, north, east);

/** A phone photo with the place it was taken in its EXIF, somewhere in Cilegon. */
const jpegWithGps = () =>
  sharp({ create: { width: 800, height: 600, channels: 3, background: '#888' } })
    .withExif({ IFD3: { GPSLatitudeRef: 'S', GPSLatitude: '5/1 59/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '106/1 0/1 0/1' } })
    .jpeg()
    .toBuffer();
const gif = () => sharp({ create: { width: 40, height: 30, channels: 3, background: '#888' } }).gif().toBuffer();

interface Upload {
  data: Buffer;
  type: string;
  filename: string;
}

/** A multipart/form-data body, as a browser would send it. */
async function formBody(fields: Record<string, string>, photos: Upload[]): Promise<{ payload: Buffer; contentType: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const p of photos) form.append('photos', new Blob([p.data], { type: p.type }), p.filename);
  const encoded = new Response(form);
  return { payload: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type')! };
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

interface Timeline {
  kind: string;
  actor: string;
  actorName?: string;
  internal: boolean;
  note: string | null;
  toStatus: string | null;
}

describeEachDatabase('report intake', (kind) => {
  let h: Harness;
  let ahmad: Session;
  let siti: Session;
  let rizky: Session;
  let lurah: Session;
  let dpupr: Session;
  let dlh: Session;
  let koordinator: Session;

  beforeAll(async () => {
    h = await startHarness(kind);
    ahmad = await login(h.app, '3672011708900001');
    siti = await login(h.app, '3672074503850002');
    rizky = await login(h.app, '3672080112010003');
    lurah = await login(h.app, 'lurah.ramanuju');
    dpupr = await login(h.app, 'petugas.dpupr');
    dlh = await login(h.app, 'petugas.dlh');
    koordinator = await login(h.app, 'koordinator');
  });
  afterAll(async () => h?.close());

  const post = (s: Session | null, url: string, payload: unknown, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'POST', url, headers: { ...(s ? asSession(s) : {}), ...headers }, payload: payload as object });
  const get = (s: Session | null, url: string) => h.app.inject({ method: 'GET', url, headers: s ? asSession(s) : {} });
  const postForm = async (s: Session, fields: Record<string, string>, photos: Upload[]) => {
    const { payload, contentType } = await formBody(fields, photos);
    return h.app.inject({ method: 'POST', url: '/api/v1/reports', headers: { ...asSession(s), 'content-type': contentType }, payload });
  };
  const count = async (table: 'reports' | 'report_photos' | 'report_idempotency') => (await h.db.one<{ n: number }>(`select count(*)::int as n from ${table}`)).n;

  /** Files a report and returns it; fails the test with the response body if that is refused. */
  const file = async (s: Session, body: Record<string, unknown>) => {
    const res = await post(s, '/api/v1/reports', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json().report as { id: string; trackingNo: string; status: string; priority: number; supportCount: number };
  };
  /** A report at `point` that the lurah of Ramanuju has verified, so that the public and its neighbours see it. */
  const verifiedAt = async (s: Session, categoryCode: string, point: { lat: number; lng: number }, description: string) => {
    const report = await file(s, { categoryCode, description, ...point });
    const res = await post(lurah, `/api/v1/reports/${report.id}/actions/verify`, {});
    expect(res.statusCode, res.body).toBe(200);
    return report;
  };

  // --- photos -------------------------------------------------------------------------------------

  it('takes a form with a photo and keeps it without the EXIF that tells where it was taken, with a small WebP thumbnail', async () => {
    const original = await jpegWithGps();
    expect((await sharp(original).metadata()).exif, 'the test photo carries EXIF to begin with').toBeDefined();

    const res = await postForm(ahmad, { categoryCode: 'drainase', description: 'Got mampet, air meluap ke jalan saat hujan.', lat: String(inRamanuju(0, -300).lat), lng: String(inRamanuju(0, -300).lng) }, [
      { data: original, type: 'image/jpeg', filename: 'IMG_20250101.jpg' },
    ]);
    expect(res.statusCode, res.body).toBe(201);
    const report = res.json().report;
    expect(report.kelurahan.code).toBe(RAMANUJU.code);
    expect(report.photos).toHaveLength(1);
    const photo = report.photos[0];
    expect(photo).toMatchObject({ purpose: 'report', url: `/api/v1/reports/${report.id}/photos/${photo.id}`, thumbnailUrl: `/api/v1/reports/${report.id}/photos/${photo.id}?size=thumb`, width: 800, height: 600 });

    const full = await get(ahmad, photo.url);
    expect(full.statusCode).toBe(200);
    expect(full.headers['content-type']).toBe('image/jpeg');
    const fullMeta = await sharp(full.rawPayload).metadata();
    expect(fullMeta).toMatchObject({ format: 'jpeg', width: 800, height: 600 });
    expect(fullMeta.exif, 'the stored photo must not carry EXIF (GPS)').toBeUndefined();

    const thumb = await get(ahmad, photo.thumbnailUrl);
    expect(thumb.statusCode).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    const thumbMeta = await sharp(thumb.rawPayload).metadata();
    expect(thumbMeta.format).toBe('webp');
    expect(Math.max(thumbMeta.width!, thumbMeta.height!)).toBeLessThanOrEqual(320);
    expect(thumbMeta.exif).toBeUndefined();

    // Another citizen learns nothing about it, not even its photo.
    expect((await get(siti, photo.url)).statusCode).toBe(404);
  });

  it('refuses a GIF or a text file posing as a photo with 415 and files nothing', async () => {
    const before = { reports: await count('reports'), photos: await count('report_photos'), files: filesUnder(h.config.filesDir).length };
    const fields = { categoryCode: 'drainase', description: 'Got mampet, air meluap ke jalan saat hujan.', kelurahanCode: RAMANUJU.code };

    const asGif = await postForm(ahmad, fields, [
      { data: await jpegWithGps(), type: 'image/jpeg', filename: 'ok.jpg' },
      { data: await gif(), type: 'image/gif', filename: 'animasi.gif' },
    ]);
    expect(asGif.statusCode, asGif.body).toBe(415);
    expect(asGif.json().error.code).toBe('photo_type_unsupported');
    expect(asGif.json().error.message).toBe('Foto harus berformat JPEG, PNG, atau WebP.');

    // The declared type and the file name are not trusted: the bytes are.
    const asText = await postForm(ahmad, fields, [{ data: Buffer.from('bukan foto, hanya teks biasa\n'), type: 'image/jpeg', filename: 'foto.jpg' }]);
    expect(asText.statusCode, asText.body).toBe(415);
    expect(asText.json().error.code).toBe('photo_type_unsupported');

    expect({ reports: await count('reports'), photos: await count('report_photos'), files: filesUnder(h.config.filesDir).length }).toEqual(before);
  });

  it('refuses a sixth photo with 413 and files nothing', async () => {
    const before = { reports: await count('reports'), photos: await count('report_photos'), files: filesUnder(h.config.filesDir).length };
    const jpeg = await jpegWithGps();
    const six = Array.from({ length: 6 }, (_, i) => ({ data: jpeg, type: 'image/jpeg', filename: `foto-${i + 1}.jpg` }));
    const res = await postForm(ahmad, { categoryCode: 'drainase', description: 'Got mampet, air meluap ke jalan saat hujan.', kelurahanCode: RAMANUJU.code }, six);
    expect(res.statusCode, res.body).toBe(413);
    expect(res.json().error).toMatchObject({ code: 'too_many_photos', message: 'Maksimal 5 foto.' });
    expect({ reports: await count('reports'), photos: await count('report_photos'), files: filesUnder(h.config.filesDir).length }).toEqual(before);
  });

  // --- Idempotency-Key ----------------------------------------------------------------------------

  it('answers a retry with the same Idempotency-Key and body with the same report, marked as replayed', async () => {
    const before = await count('reports');
    const body = { categoryCode: 'sampah', description: 'Sampah tidak diangkut sejak Senin, bau sekali.', kelurahanCode: RAMANUJU.code };
    const first = await post(ahmad, '/api/v1/reports', body, { 'idempotency-key': 'kirim-ulang-0001' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await post(ahmad, '/api/v1/reports', body, { 'idempotency-key': 'kirim-ulang-0001' });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().report.id).toBe(first.json().report.id);
    expect(again.json().report.trackingNo).toBe(first.json().report.trackingNo);
    expect(await count('reports')).toBe(before + 1);
  });

  it('refuses the same Idempotency-Key with a different body with 422', async () => {
    const body = { categoryCode: 'sampah', description: 'Sampah menumpuk di ujung gang.', kelurahanCode: RAMANUJU.code };
    expect((await post(ahmad, '/api/v1/reports', body, { 'idempotency-key': 'kirim-ulang-0002' })).statusCode).toBe(201);
    const before = await count('reports');
    const other = await post(ahmad, '/api/v1/reports', { ...body, description: 'Sampah menumpuk di ujung gang, sudah dua minggu.' }, { 'idempotency-key': 'kirim-ulang-0002' });
    expect(other.statusCode, other.body).toBe(422);
    expect(other.json().error.code).toBe('idempotency_key_reused');
    expect(await count('reports')).toBe(before);
  });

  it('keeps Idempotency-Keys apart per person: another citizen’s same key files their own report', async () => {
    const body = { categoryCode: 'sampah', description: 'Sampah pasar berserakan di bahu jalan.', kelurahanCode: RAMANUJU.code };
    const mine = await post(ahmad, '/api/v1/reports', body, { 'idempotency-key': 'kunci-sama-0004' });
    const theirs = await post(siti, '/api/v1/reports', body, { 'idempotency-key': 'kunci-sama-0004' });
    expect([mine.statusCode, theirs.statusCode]).toEqual([201, 201]);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.json().report.id).not.toBe(mine.json().report.id);
    expect((await get(siti, `/api/v1/reports/${theirs.json().report.id}`)).json().report.isMine).toBe(true);
  });

  it('refuses an officer’s reuse of an Idempotency-Key for a call from another person with 422', async () => {
    const call = { categoryCode: 'sampah', description: 'Penelepon melaporkan sampah menumpuk di gang.', kelurahanCode: RAMANUJU.code, channel: 'phone' };
    const first = await post(koordinator, '/api/v1/reports', { ...call, contactName: 'Pak Darmo', contactPhone: '081211112222' }, { 'idempotency-key': 'telepon-masuk-0005' });
    expect(first.statusCode, first.body).toBe(201);
    const before = await count('reports');
    // The same words from a different caller are a different report; answering with Pak Darmo's would lose this caller.
    const other = await post(koordinator, '/api/v1/reports', { ...call, contactName: 'Bu Warsini', contactPhone: '081233334444' }, { 'idempotency-key': 'telepon-masuk-0005' });
    expect(other.statusCode, other.body).toBe(422);
    expect(other.json().error.code).toBe('idempotency_key_reused');
    expect(await count('reports')).toBe(before);
  });

  it('files exactly one report for ten simultaneous submissions with one Idempotency-Key', async () => {
    const before = { reports: await count('reports'), keys: await count('report_idempotency') };
    const body = { categoryCode: 'sampah', description: 'Tumpukan sampah menutup trotoar depan sekolah.', kelurahanCode: RAMANUJU.code };
    const responses = await Promise.all(Array.from({ length: 10 }, () => post(ahmad, '/api/v1/reports', body, { 'idempotency-key': 'sinyal-lemah-0003' })));
    expect(responses.map((r) => r.statusCode), responses.map((r) => r.body).join('\n')).toEqual(Array(10).fill(201));
    const ids = new Set(responses.map((r) => r.json().report.id as string));
    expect(ids.size).toBe(1);
    expect(responses.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(9);
    expect({ reports: await count('reports'), keys: await count('report_idempotency') }).toEqual({ reports: before.reports + 1, keys: before.keys + 1 });
    const [id] = [...ids];
    expect((await h.db.one<{ n: number }>(`select count(*)::int as n from report_events where report_id = $1`, [id])).n).toBe(1);
  });

  // --- officers entering reports that came another way ---------------------------------------------

  it('lets an officer enter a phone call with the caller’s name, shown to officers with a masked number', async () => {
    const res = await post(dpupr, '/api/v1/reports', {
      categoryCode: 'drainase',
      description: 'Penelepon melaporkan saluran tersumbat di depan rumahnya.',
      ...inRamanuju(0, -150),
      channel: 'phone',
      contactName: 'Bu Sulastri',
      contactPhone: '0812-9876-5432',
    });
    expect(res.statusCode, res.body).toBe(201);
    const report = res.json().report;
    expect(report).toMatchObject({ channel: 'phone', status: 'submitted', kelurahan: { code: RAMANUJU.code }, agency: { code: 'dpupr' } });

    const seen = await get(dpupr, `/api/v1/reports/${report.id}`);
    expect(seen.statusCode, seen.body).toBe(200);
    expect(seen.json().report.reporter).toEqual({ name: 'Bu Sulastri', phoneMasked: '0812*****432', hasAccount: false });
    expect(seen.body).not.toContain('98765432');
    expect(seen.json().timeline[0].data).toMatchObject({ channel: 'phone' });
  });

  it('requires an officer to say which channel a report came by', async () => {
    const res = await post(koordinator, '/api/v1/reports', { categoryCode: 'sampah', description: 'Warga datang melaporkan sampah menumpuk.', kelurahanCode: RAMANUJU.code });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'channel_required', details: { field: 'channel' } });
    const walkIn = await post(koordinator, '/api/v1/reports', { categoryCode: 'sampah', description: 'Warga datang melaporkan sampah menumpuk.', kelurahanCode: RAMANUJU.code, channel: 'walk_in' });
    expect(walkIn.statusCode, walkIn.body).toBe(201);
    expect(walkIn.json().report.channel).toBe('walk_in');
  });

  it('records a citizen’s own report as web, whatever channel they claim', async () => {
    const res = await post(ahmad, '/api/v1/reports', { categoryCode: 'sampah', description: 'Sampah liar di lahan kosong belakang masjid.', kelurahanCode: RAMANUJU.code, channel: 'sp4n_lapor', contactName: 'Orang Lain' });
    expect(res.statusCode, res.body).toBe(201);
    const report = res.json().report;
    expect(report.channel).toBe('web');
    const row = await h.db.one<{ channel: string; reporter_id: string; reporter_contact_enc: string | null; entered_by: string | null }>(
      'select channel, reporter_id, reporter_contact_enc, entered_by from reports where id = $1',
      [report.id],
    );
    expect(row).toEqual({ channel: 'web', reporter_id: ahmad.userId, reporter_contact_enc: null, entered_by: null });
  });

  // --- what is refused ---------------------------------------------------------------------------------

  it('refuses a description that is too short with a message in Indonesian', async () => {
    const res = await post(ahmad, '/api/v1/reports', { categoryCode: 'sampah', description: 'Sampah.', kelurahanCode: RAMANUJU.code });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', message: 'Data yang dikirim tidak valid (description: minimal 10 karakter).', details: { field: 'description' } });
  });

  it('refuses an unknown category with 422', async () => {
    const res = await post(ahmad, '/api/v1/reports', { categoryCode: 'ufo-mendarat', description: 'Ada benda aneh mendarat di lapangan.', kelurahanCode: RAMANUJU.code });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'category_unknown', message: 'Kategori laporan tidak dikenal.', details: { field: 'categoryCode' } });
  });

  it('refuses a latitude without a longitude', async () => {
    const res = await post(ahmad, '/api/v1/reports', { categoryCode: 'sampah', description: 'Sampah menumpuk di pinggir jalan.', lat: RAMANUJU.lat });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', details: { field: 'lng' } });
    expect(res.json().error.message).toContain('lat dan lng harus diisi bersama');
  });

  it('refuses a kelurahan code that is not a kelurahan of this city with 422', async () => {
    for (const code of ['36.72.99.9999', '36.72.07', '36.71.01.1001']) {
      const res = await post(ahmad, '/api/v1/reports', { categoryCode: 'sampah', description: 'Sampah menumpuk di pinggir jalan.', kelurahanCode: code });
      expect(res.statusCode, code).toBe(422);
      expect(res.json().error).toMatchObject({ code: 'kelurahan_unknown', details: { field: 'kelurahanCode' } });
    }
  });

  it('asks someone who is not logged in to log in', async () => {
    const before = await count('reports');
    const res = await post(null, '/api/v1/reports', { categoryCode: 'sampah', description: 'Sampah menumpuk di pinggir jalan.', kelurahanCode: RAMANUJU.code });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthenticated');
    expect(await count('reports')).toBe(before);
  });

  // --- nearby reports: support instead of filing again, merge duplicates -------------------------------

  it('offers another citizen a verified report of the same category within the radius, with its distance', async () => {
    const here = inRamanuju(150, -450);
    const report = await verifiedAt(ahmad, 'drainase', here, 'Selokan tersumbat lumpur, air menggenang.');
    const nearby = async (category: string, point: { lat: number; lng: number }) => {
      const res = await get(siti, `/api/v1/reports/nearby?category=${category}&lat=${point.lat}&lng=${point.lng}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().reports as { trackingNo: string; distanceMeters: number }[];
    };

    const close = await nearby('drainase', shifted(here, 20, 0));
    expect(close.map((r) => r.trackingNo)).toEqual([report.trackingNo]);
    expect(close[0]!.distanceMeters).toBeGreaterThanOrEqual(18);
    expect(close[0]!.distanceMeters).toBeLessThanOrEqual(22);

    expect(await nearby('drainase', shifted(here, 200, 0))).toEqual([]);
    expect(await nearby('sampah', shifted(here, 20, 0))).toEqual([]);

    // One not yet verified is not offered to citizens.
    const fresh = await file(ahmad, { categoryCode: 'pkl-ketertiban', description: 'PKL menutup seluruh trotoar setiap sore.', ...here });
    expect(fresh.status).toBe('submitted');
    expect(await nearby('pkl-ketertiban', shifted(here, 20, 0))).toEqual([]);
  });

  it('counts a second citizen’s support once, raises the priority, and refuses the reporter’s own support', async () => {
    const report = await verifiedAt(ahmad, 'taman-kota', inRamanuju(150, -300), 'Ayunan taman patah, berbahaya untuk anak-anak.');
    expect(report.priority).toBe(0);

    const first = await post(siti, `/api/v1/reports/${report.trackingNo}/support`, {});
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ supportCount: 1, added: true });
    const again = await post(siti, `/api/v1/reports/${report.trackingNo}/support`, {});
    expect(again.json()).toEqual({ supportCount: 1, added: false });

    const own = await post(ahmad, `/api/v1/reports/${report.trackingNo}/support`, {});
    expect(own.statusCode).toBe(403);
    expect(own.json().error.code).toBe('forbidden');

    const now = (await get(ahmad, `/api/v1/reports/${report.id}`)).json().report;
    expect(now).toMatchObject({ supportCount: 1, priority: 1 });
  });

  it('shows the verifying officer a new report next to an open one as a duplicate; merging makes its reporter a supporter', async () => {
    const here = inRamanuju(150, -150);
    const original = await verifiedAt(ahmad, 'lampu-jalan', here, 'Tiga lampu jalan mati berturut-turut, gelap sekali.');
    const duplicate = await file(rizky, { categoryCode: 'lampu-jalan', description: 'Lampu PJU mati, jalan gelap gulita malam hari.', ...shifted(here, 10, 0) });

    // The new one, not verified, is not offered to other citizens; the verified original is.
    const offered = (await get(siti, `/api/v1/reports/nearby?category=lampu-jalan&lat=${here.lat}&lng=${here.lng}`)).json().reports;
    expect(offered.map((r: { trackingNo: string }) => r.trackingNo)).toEqual([original.trackingNo]);

    const seen = (await get(lurah, `/api/v1/reports/${duplicate.id}`)).json();
    expect(seen.duplicates).toHaveLength(1);
    expect(seen.duplicates[0]).toMatchObject({ trackingNo: original.trackingNo, status: 'verified' });
    expect(seen.duplicates[0].distanceMeters).toBeGreaterThanOrEqual(9);
    expect(seen.duplicates[0].distanceMeters).toBeLessThanOrEqual(11);
    expect(seen.report.actions).toContain('merge');

    const merged = await post(lurah, `/api/v1/reports/${duplicate.id}/actions/merge`, { intoTrackingNo: original.trackingNo });
    expect(merged.statusCode, merged.body).toBe(200);
    expect(merged.json().report).toMatchObject({ status: 'merged', mergedInto: original.trackingNo });

    const after = (await get(lurah, `/api/v1/reports/${original.id}`)).json();
    expect(after.report).toMatchObject({ supportCount: 1, priority: 1 });
    const supporters = await h.db.query<{ user_id: string }>('select user_id from report_supporters where report_id = $1', [original.id]);
    expect(supporters.map((s) => s.user_id)).toEqual([rizky.userId]);
    // Rizky follows the original now: his own report tells him where it went.
    expect((await get(rizky, `/api/v1/reports/${duplicate.id}`)).json().report).toMatchObject({ status: 'merged', mergedInto: original.trackingNo });
  });

  it('does not make a reporter a supporter of their own report when their second filing is merged into it', async () => {
    const here = inRamanuju(300, -450);
    const original = await verifiedAt(ahmad, 'bansos', here, 'Bantuan sembako belum diterima warga RT 03 sejak tiga bulan.');
    const again = await file(ahmad, { categoryCode: 'bansos', description: 'Sembako bansos RT 03 belum juga dibagikan, mohon dicek.', ...shifted(here, 5, 0) });
    const merged = await post(lurah, `/api/v1/reports/${again.id}/actions/merge`, { intoTrackingNo: original.trackingNo });
    expect(merged.statusCode, merged.body).toBe(200);
    // The reporter may not support their own report (403 above), so a merge must not do it for them either.
    const supporters = await h.db.query<{ user_id: string }>('select user_id from report_supporters where report_id = $1', [original.id]);
    expect(supporters).toEqual([]);
    expect((await get(lurah, `/api/v1/reports/${original.id}`)).json().report).toMatchObject({ supportCount: 0, priority: 0 });
  });

  // --- comments and internal notes ---------------------------------------------------------------------

  it('shows comments to the citizen and internal notes only to officers', async () => {
    const report = await file(ahmad, { categoryCode: 'drainase', description: 'Drainase depan rumah nomor 12 tersumbat sampah.', ...inRamanuju(300, -300) });
    const comment = (s: Session, text: string, internal = false) => post(s, `/api/v1/reports/${report.id}/comments`, { text, internal });

    const fromCitizen = await comment(ahmad, 'Airnya sudah masuk ke teras rumah, Pak.');
    expect(fromCitizen.statusCode, fromCitizen.body).toBe(201);
    expect(fromCitizen.json().entry).toMatchObject({ kind: 'comment', actor: 'Pelapor', internal: false, note: 'Airnya sudah masuk ke teras rumah, Pak.' });
    const fromLurah = await comment(lurah, 'Baik, petugas kami cek besok pagi.');
    expect(fromLurah.statusCode, fromLurah.body).toBe(201);
    expect(fromLurah.json().entry).toMatchObject({ kind: 'comment', internal: false, actorName: 'Lurah Ramanuju' });
    const note = await comment(lurah, 'Catatan internal: lokasi ini langganan banjir, usulkan ke DPUPR.', true);
    expect(note.statusCode, note.body).toBe(201);
    expect(note.json().entry).toMatchObject({ kind: 'note', internal: true });

    const forCitizen = (await get(ahmad, `/api/v1/reports/${report.id}`)).json().timeline as Timeline[];
    expect(forCitizen.filter((e) => e.kind !== 'status').map((e) => [e.kind, e.note])).toEqual([
      ['comment', 'Airnya sudah masuk ke teras rumah, Pak.'],
      ['comment', 'Baik, petugas kami cek besok pagi.'],
    ]);
    expect(JSON.stringify(forCitizen)).not.toContain('langganan banjir');
    expect(forCitizen.every((e) => e.actorName === undefined)).toBe(true);

    const forOfficer = (await get(lurah, `/api/v1/reports/${report.id}`)).json().timeline as Timeline[];
    expect(forOfficer.filter((e) => e.kind !== 'status').map((e) => [e.kind, e.internal, e.note])).toEqual([
      ['comment', false, 'Airnya sudah masuk ke teras rumah, Pak.'],
      ['comment', false, 'Baik, petugas kami cek besok pagi.'],
      ['note', true, 'Catatan internal: lokasi ini langganan banjir, usulkan ke DPUPR.'],
    ]);
  });

  it('refuses an internal note from a citizen with 403', async () => {
    const report = await file(ahmad, { categoryCode: 'drainase', description: 'Drainase depan rumah nomor 14 tersumbat sampah.', ...inRamanuju(300, -150) });
    const res = await post(ahmad, `/api/v1/reports/${report.id}/comments`, { text: 'Rahasia untuk petugas saja.', internal: true });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
    expect((await h.db.one<{ n: number }>(`select count(*)::int as n from report_events where report_id = $1 and kind = 'note'`, [report.id])).n).toBe(0);
  });

  it('hides a report from another citizen who tries to comment on it (404)', async () => {
    const report = await file(ahmad, { categoryCode: 'drainase', description: 'Drainase depan rumah nomor 16 tersumbat sampah.', ...inRamanuju(300, 0) });
    const res = await post(siti, `/api/v1/reports/${report.id}/comments`, { text: 'Saya juga mengalami ini.' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
    expect((await h.db.one<{ n: number }>(`select count(*)::int as n from report_events where report_id = $1 and kind = 'comment'`, [report.id])).n).toBe(0);
  });

  // --- handed back, and disputed ---------------------------------------------------------------------

  it('goes back to the coordinator when DPUPR returns it, to DLH next, and back to DLH when the citizen disputes the resolution', async () => {
    const report = await verifiedAt(ahmad, 'drainase', inRamanuju(300, 150), 'Saluran tersumbat tumpukan sampah rumah tangga.');
    const act = async (s: Session, action: string, body: unknown = {}) => {
      const res = await post(s, `/api/v1/reports/${report.id}/actions/${action}`, body);
      expect(res.statusCode, `${action}: ${res.body}`).toBe(200);
      return res.json().report;
    };

    expect(await act(lurah, 'dispatch', { target: { kind: 'opd', code: 'dpupr' }, note: 'Mohon dibersihkan.' })).toMatchObject({ status: 'dispatched', handler: { kind: 'opd', code: 'dpupr' } });

    expect((await post(dpupr, `/api/v1/reports/${report.id}/actions/return`, {})).json().error.code).toBe('note_required');
    const returned = await act(dpupr, 'return', { note: 'Isinya sampah, bukan kerusakan saluran: kewenangan DLH.' });
    expect(returned).toMatchObject({ status: 'verified', handler: { kind: 'coordinator' }, statusReason: 'Isinya sampah, bukan kerusakan saluran: kewenangan DLH.' });
    expect((await get(koordinator, `/api/v1/reports?mine=true`)).json().reports.map((r: { id: string }) => r.id)).toContain(report.id);

    expect(await act(koordinator, 'dispatch', { target: { kind: 'opd', code: 'dlh' }, note: 'Angkut sampah di saluran.' })).toMatchObject({
      status: 'dispatched',
      handler: { kind: 'opd', code: 'dlh' },
      agency: { code: 'dlh' },
    });
    const resolved = await act(dlh, 'resolve', { note: 'Sampah sudah diangkut.' });
    expect(resolved).toMatchObject({ status: 'resolved', due: null });
    expect(resolved.resolvedAt).toBeTruthy();

    const mine = (await get(ahmad, `/api/v1/reports/${report.id}`)).json().report;
    expect(mine.actions.sort()).toEqual(['close', 'dispute']);
    expect(new Date(mine.disputeUntil).getTime()).toBeGreaterThan(Date.now());

    const disputed = await act(ahmad, 'dispute', { note: 'Sampahnya menumpuk lagi, saluran tetap mampet.' });
    expect(disputed).toMatchObject({ status: 'dispatched', handler: { kind: 'opd', code: 'dlh' }, resolvedAt: null, statusReason: 'Sampahnya menumpuk lagi, saluran tetap mampet.' });
    expect(disputed.due.at).toBeTruthy();
    expect(disputed.resolveDue.at).toBe(disputed.due.at);
    expect(new Date(disputed.due.at).getTime()).toBeGreaterThan(new Date(resolved.resolvedAt).getTime());
    expect((await get(dlh, `/api/v1/reports/${report.id}`)).json().report.actions).toContain('resolve');
  });
});

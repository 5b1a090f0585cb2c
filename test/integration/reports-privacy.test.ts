import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_CITIZENS } from '../../src/modules/demo/seed.js';
import type { LiveViewer } from '../../src/modules/command/live.js';
import { reportsLiveLayer } from '../../src/modules/reports/live.js';
import { asSession, describeEachDatabase, login, startHarness, type Harness, type Session } from '../support/harness.js';
import { CIBEBER, RAMANUJU } from '../support/places.js';

/**
 * Who sees what of a report: officers never learn who filed an anonymous one, the public sees only
 * verified reports (confidential ones reduced to category, kelurahan and status) and only photos an
 * officer approved, and every officer's list holds exactly the reports that officer may open.
 */

/** A point `north` and `east` metres from `from`. */
function shifted(from: { lat: number; lng: number }, north: number, east: number): { lat: number; lng: number } {
  return { lat: from.lat + north / 111_320, lng: from.lng + east / (111_320 * Math.cos((from.lat * Math.PI) / 180)) };
}
/** Points inside Kelurahan Ramanuju, 150 m and more apart. */
const inRamanuju = (north: number, east: number) => shifted(RAMANUJU, north, east);

/** Every form in which a demo citizen's name, NIK or phone could show. */
function secretsOf(c: (typeof DEMO_CITIZENS)[number]): string[] {
  const national = c.phone.slice(1); // 8…
  return [c.name, ...c.name.split(' '), c.nik, c.phone, `+62${national}`, `62${national}`, national];
}
const AHMAD = DEMO_CITIZENS[0]!;
const ALL_SECRETS = DEMO_CITIZENS.flatMap(secretsOf);

/** The secrets found in a response: the test fails with the list, not just "true". */
const leaked = (json: unknown, secrets: string[]) => {
  const text = typeof json === 'string' ? json : JSON.stringify(json);
  return secrets.filter((s) => text.includes(s));
};

const jpeg = (background: string) => sharp({ create: { width: 640, height: 480, channels: 3, background } }).jpeg().toBuffer();

async function formBody(fields: Record<string, string>, photos: Buffer[]): Promise<{ payload: Buffer; contentType: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  photos.forEach((p, i) => form.append('photos', new Blob([p], { type: 'image/jpeg' }), `foto-${i + 1}.jpg`));
  const encoded = new Response(form);
  return { payload: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type')! };
}

interface Report {
  id: string;
  trackingNo: string;
  status: string;
  kelurahan: { code: string } | null;
  photos: { id: string; url: string; thumbnailUrl: string }[];
}
interface PublicReport {
  trackingNo: string;
  photos: { id: string; url: string; thumbnailUrl: string }[];
  [key: string]: unknown;
}

describeEachDatabase('report privacy', (kind) => {
  let h: Harness;
  let ahmad: Session;
  let siti: Session;
  let rizky: Session;
  let lurah: Session;
  let camat: Session;
  let dpupr: Session;
  let dlh: Session;
  let koordinator: Session;
  let walikota: Session;
  let command: Session;

  beforeAll(async () => {
    h = await startHarness(kind);
    ahmad = await login(h.app, AHMAD.nik);
    siti = await login(h.app, DEMO_CITIZENS[1]!.nik);
    rizky = await login(h.app, DEMO_CITIZENS[2]!.nik);
    lurah = await login(h.app, 'lurah.ramanuju');
    camat = await login(h.app, 'camat.purwakarta');
    dpupr = await login(h.app, 'petugas.dpupr');
    dlh = await login(h.app, 'petugas.dlh');
    koordinator = await login(h.app, 'koordinator');
    walikota = await login(h.app, 'walikota');
    command = await login(h.app, 'command');
  });
  afterAll(async () => h?.close());

  const post = (s: Session, url: string, payload: unknown) => h.app.inject({ method: 'POST', url, headers: asSession(s), payload: payload as object });
  const get = (s: Session | null, url: string) => h.app.inject({ method: 'GET', url, headers: s ? asSession(s) : {} });

  const file = async (s: Session, body: Record<string, unknown>): Promise<Report> => {
    const res = await post(s, '/api/v1/reports', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json().report;
  };
  const fileWithPhotos = async (s: Session, fields: Record<string, string>, photos: Buffer[]): Promise<Report> => {
    const { payload, contentType } = await formBody(fields, photos);
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/reports', headers: { ...asSession(s), 'content-type': contentType }, payload });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().report;
  };
  const act = async (s: Session, r: { id: string }, action: string, body: unknown = {}) => {
    const res = await post(s, `/api/v1/reports/${r.id}/actions/${action}`, body);
    expect(res.statusCode, `${action}: ${res.body}`).toBe(200);
    return res.json();
  };
  const moderate = async (r: Report, photoId: string, decision: 'approved' | 'rejected') => {
    const res = await post(lurah, `/api/v1/reports/${r.id}/photos/${photoId}/moderation`, { decision });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ id: photoId, moderation: decision });
  };

  /** Every page of the public feed (or GeoJSON), following nextCursor. */
  const walkPublic = async (path: string, limit: number) => {
    const pages: { body: string; items: PublicReport[] }[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(null, `${path}?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      const json = res.json();
      pages.push({ body: res.body, items: json.reports ?? json.features.map((f: { properties: PublicReport }) => f.properties) });
      cursor = json.nextCursor;
      expect(pages.length, 'the feed should end').toBeLessThan(200);
    } while (cursor);
    return pages;
  };
  const publicItem = async (trackingNo: string) => (await walkPublic('/api/v1/public/reports', 200)).flatMap((p) => p.items).find((r) => r.trackingNo === trackingNo);
  const publicDetail = (trackingNo: string) => get(null, `/api/v1/public/reports/${trackingNo}`);

  // --- anonymous reports ------------------------------------------------------------------------

  it('never tells officers who filed an anonymous report: no reporter, "Pelapor" in the timeline, no name, NIK, phone or account id', async () => {
    const report = await file(ahmad, { categoryCode: 'sampah', description: 'Pembuangan sampah liar oleh tetangga di lahan kosong.', ...inRamanuju(0, -300), address: 'Gang Melati', privacy: 'anonymous' });
    const own = await post(ahmad, `/api/v1/reports/${report.id}/comments`, { text: 'Mohon nama saya tidak disebutkan.' });
    expect(own.statusCode, own.body).toBe(201);
    expect(own.json().entry).toMatchObject({ actor: 'Pelapor', note: 'Mohon nama saya tidak disebutkan.' });
    expect(own.json().entry.actorName).toBeUndefined();

    const secrets = [...secretsOf(AHMAD), ahmad.userId];
    const responses: [string, Awaited<ReturnType<typeof get>>][] = [];
    const seen = async (label: string, s: Session, url: string) => {
      const res = await get(s, url);
      expect(res.statusCode, `${label}: ${res.body}`).toBe(200);
      responses.push([label, res]);
      return res.json();
    };

    const detail = await seen('lurah detail', lurah, `/api/v1/reports/${report.id}`);
    expect(detail.report.reporter).toBeNull();
    const fromReporter = detail.timeline.filter((e: { actor: string }) => e.actor === 'Pelapor');
    expect(fromReporter.map((e: { kind: string }) => e.kind)).toEqual(['status', 'comment']);
    expect(fromReporter.every((e: { actorName?: string }) => e.actorName === undefined)).toBe(true);

    const reply = await post(lurah, `/api/v1/reports/${report.id}/comments`, { text: 'Terima kasih, akan kami tindak lanjuti.' });
    expect(reply.statusCode).toBe(201);
    responses.push(['lurah comment', reply]);
    const verified = await post(lurah, `/api/v1/reports/${report.id}/actions/verify`, {});
    expect(verified.statusCode).toBe(200);
    responses.push(['lurah verify', verified]);

    for (const [label, s] of [['lurah', lurah], ['camat', camat], ['dlh', dlh], ['koordinator', koordinator], ['walikota', walikota], ['command', command]] as const) {
      const list = await seen(`${label} list`, s, '/api/v1/reports?limit=200');
      const item = list.reports.find((r: { id: string }) => r.id === report.id);
      expect(item, `${label} lists it`).toBeDefined();
      expect(item.reporter, `${label} list`).toBeNull();
      expect((await seen(`${label} detail`, s, `/api/v1/reports/${report.trackingNo}`)).report.reporter, `${label} detail`).toBeNull();
    }
    for (const [label, res] of responses) expect(leaked(res.body, secrets), label).toEqual([]);
  });

  it('leads no officer role, the admin included, from an anonymous report to its reporter: detail, list, timeline, comments, export, live stream, notification deliveries', async () => {
    const SITI = DEMO_CITIZENS[1]!;
    const admin = await login(h.app, 'admin');
    const anon = await file(ahmad, { categoryCode: 'sampah', description: 'Tetangga membuang sampah ke sungai setiap pagi.', ...inRamanuju(300, -300), privacy: 'anonymous' });
    expect((await post(ahmad, `/api/v1/reports/${anon.id}/comments`, { text: 'Saya melihatnya sendiri.' })).statusCode).toBe(201);
    // Left by phone with the lurah: the reporter is reached through the contact.
    const byPhone = await file(lurah, {
      categoryCode: 'sampah',
      description: 'Warga menelepon: sampah dibakar di gang sempit.',
      ...inRamanuju(300, -150),
      privacy: 'anonymous',
      channel: 'phone',
      contactName: AHMAD.name,
      contactPhone: AHMAD.phone,
    });
    // Siti's anonymous report merged into Rizky's: Siti follows Rizky's report as a supporter from now on.
    const original = await file(rizky, { categoryCode: 'sampah', description: 'Tumpukan sampah di tepi jalan desa.', ...inRamanuju(300, 0) });
    const duplicate = await file(siti, { categoryCode: 'sampah', description: 'Sampah menumpuk di tepi jalan.', ...inRamanuju(300, 20), privacy: 'anonymous' });
    await act(lurah, original, 'verify');
    await act(lurah, duplicate, 'merge', { intoTrackingNo: original.trackingNo });
    await act(lurah, anon, 'verify');
    await act(lurah, original, 'start');
    const reply = await post(lurah, `/api/v1/reports/${anon.id}/comments`, { text: 'Sudah kami catat, terima kasih.' });
    expect(reply.statusCode).toBe(201);
    // The notifications those events cause.
    while ((await h.ctx.events.dispatchBatch()) > 0);

    const secrets = [...secretsOf(AHMAD), ...secretsOf(SITI), ahmad.userId, siti.userId];
    const reports = [anon, byPhone, duplicate, original];
    const seen: [string, string][] = [['lurah comment', reply.body]];
    const read = async (label: string, s: Session, url: string) => {
      const res = await get(s, url);
      expect(res.statusCode, `${label} ${url}: ${res.body}`).toBe(200);
      seen.push([`${label} ${url}`, res.body]);
      return res;
    };
    const officers = { admin, koordinator, walikota, command, lurah, camat, dlh } as const;
    for (const [label, s] of Object.entries(officers)) {
      for (const r of reports) {
        const detail = (await read(label, s, `/api/v1/reports/${r.id}`)).json();
        if (r !== original) expect(detail.report.reporter, `${label} ${r.trackingNo}`).toBeNull();
      }
      await read(label, s, '/api/v1/reports?limit=200');
      await read(label, s, '/api/v1/reports/export.csv');
    }

    // The live stream, as each of them would receive it.
    const viewers: LiveViewer[] = [];
    const sent: string[] = [];
    for (const s of Object.values(officers)) {
      const principal = await h.ctx.identity.sessions.authenticate(/sk_session=([^;]+)/.exec(s.cookie)![1]!);
      expect(principal).toBeDefined();
      viewers.push({ principal, lang: 'id', send: (event, data) => sent.push(JSON.stringify({ event, data })) });
    }
    for (const r of reports) await reportsLiveLayer(h.ctx.reports)({ topic: 'report.status_changed', payload: { reportId: r.id } }, viewers);
    expect(sent.length).toBe(reports.length * viewers.length);
    seen.push(['live stream', sent.join('\n')]);

    // The admin's delivery log: the reporter's messages are there, their recipient is not.
    const deliveries = await read('admin', admin, '/api/v1/notification-deliveries?limit=200');
    const listed = deliveries.json().deliveries as { id: number; reportId: string | null; recipient: string | null; recipientUserId: string | null; recipientHidden: boolean }[];
    const toReporters = await h.db.query<{ id: number }>(
      `select id from notification_deliveries where (recipient_user_id = $1 and report_id = $2) or (recipient_user_id is null and report_id = $3) or (recipient_user_id = $4 and report_id = $5)`,
      [ahmad.userId, anon.id, byPhone.id, siti.userId, original.id],
    );
    const reporterIds = new Set(toReporters.map((d) => d.id));
    expect(listed.filter((d) => d.reportId === anon.id && reporterIds.has(d.id)).length, 'messages to the anonymous reporter').toBe(2);
    expect(listed.filter((d) => d.reportId === byPhone.id && reporterIds.has(d.id)).length, 'message to the contact').toBe(1);
    expect(listed.filter((d) => d.reportId === original.id && reporterIds.has(d.id)).length, 'messages to the merged reporter').toBeGreaterThan(0);
    for (const d of listed.filter((x) => reporterIds.has(x.id))) expect(d).toMatchObject({ recipientHidden: true, recipient: null, recipientUserId: null });
    // No account id anywhere in it (or elsewhere) that /users/{id}/personal-data would turn into a person.
    for (const [label, body] of seen) expect(leaked(body, secrets), label).toEqual([]);
  });

  it('does show officers the reporter of a report that is not anonymous (so the scan above can find a name)', async () => {
    const report = await file(ahmad, { categoryCode: 'sampah', description: 'Sampah menumpuk di depan pos ronda.', ...inRamanuju(0, -150) });
    const res = await get(lurah, `/api/v1/reports/${report.id}`);
    expect(res.json().report.reporter).toEqual({ name: AHMAD.name, phoneMasked: '0812*****001', hasAccount: true });
    expect(leaked(res.body, secretsOf(AHMAD))).toEqual(['Ahmad Fauzi', 'Ahmad', 'Fauzi']);
  });

  it('leaves the reporter of an anonymous report out of the CSV export', async () => {
    const report = await file(ahmad, { categoryCode: 'sampah', description: 'Sampah dibakar setiap malam di lapangan.', ...inRamanuju(0, 150), privacy: 'anonymous' });
    const res = await get(koordinator, '/api/v1/reports/export.csv');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain(report.trackingNo);
    expect(leaked(res.body, [...ALL_SECRETS, ahmad.userId])).toEqual([]);
  });

  // --- confidential reports -----------------------------------------------------------------------

  it('reduces a confidential report in the public feed and detail to category, kelurahan and status', async () => {
    const report = await fileWithPhotos(
      ahmad,
      { categoryCode: 'rumah-tidak-layak', description: 'Rumah nenek di samping kami hampir roboh, atapnya bocor.', ...stringsOf(inRamanuju(0, 300)), address: 'Jl. Kenanga 7 RT 02', privacy: 'confidential' },
      [await jpeg('#a33')],
    );
    await act(lurah, report, 'verify');
    await moderate(report, report.photos[0]!.id, 'approved');

    const reduced = {
      trackingNo: report.trackingNo,
      category: { code: 'rumah-tidak-layak' },
      confidential: true,
      description: null,
      location: null,
      kelurahan: { code: RAMANUJU.code, name: 'Ramanuju' },
      kecamatan: null,
      address: null,
      status: 'verified',
      agency: null,
      supportCount: 0,
      resolutionNote: null,
      photos: [],
    };
    const item = await publicItem(report.trackingNo);
    expect(item).toMatchObject(reduced);
    const one = await publicDetail(report.trackingNo);
    expect(one.statusCode).toBe(200);
    expect(one.json().report).toMatchObject(reduced);
    for (const text of [JSON.stringify(item), one.body]) {
      expect(text).not.toContain('hampir roboh');
      expect(text).not.toContain('Kenanga');
      expect(text).not.toContain(String(inRamanuju(0, 300).lat).slice(0, 7));
    }
  });

  it('leaves a confidential report off the GeoJSON map and out of a bounding-box query', async () => {
    const here = inRamanuju(150, -450);
    const hidden = await file(ahmad, { categoryCode: 'bansos', description: 'Bansos dipotong oknum pendamping setiap bulan.', ...here, privacy: 'confidential' });
    const shown = await file(ahmad, { categoryCode: 'taman-kota', description: 'Bangku taman patah dan berkarat.', ...shifted(here, 0, 150) });
    await act(lurah, hidden, 'verify');
    await act(lurah, shown, 'verify');

    const features = (await walkPublic('/api/v1/public/reports.geojson', 200)).flatMap((p) => p.items).map((f) => f.trackingNo);
    expect(features).toContain(shown.trackingNo);
    expect(features).not.toContain(hidden.trackingNo);

    const bbox = `${here.lng - 0.01},${here.lat - 0.01},${here.lng + 0.01},${here.lat + 0.01}`;
    const inBox = (await get(null, `/api/v1/public/reports?bbox=${bbox}&limit=200`)).json().reports.map((r: PublicReport) => r.trackingNo);
    expect(inBox).toContain(shown.trackingNo);
    expect(inBox).not.toContain(hidden.trackingNo);
  });

  it('does not offer a confidential report to other citizens as a nearby one: its distance would give away where it is', async () => {
    const here = inRamanuju(150, -300);
    const hidden = await file(ahmad, { categoryCode: 'pkl-ketertiban', description: 'Preman memungut uang keamanan dari pedagang.', ...here, privacy: 'confidential' });
    await act(lurah, hidden, 'verify');
    const res = await get(siti, `/api/v1/reports/nearby?category=pkl-ketertiban&lat=${shifted(here, 20, 0).lat}&lng=${shifted(here, 20, 0).lng}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().reports.map((r: PublicReport) => r.trackingNo)).not.toContain(hidden.trackingNo);
  });

  // --- nothing unverified reaches the public ------------------------------------------------------------

  it('keeps a submitted report out of the public feed and detail until an officer verifies it', async () => {
    const report = await file(ahmad, { categoryCode: 'drainase', description: 'Got depan balai warga tersumbat plastik.', ...inRamanuju(150, -150) });
    expect(await publicItem(report.trackingNo)).toBeUndefined();
    expect((await publicDetail(report.trackingNo)).statusCode).toBe(404);
    expect((await publicDetail(report.id)).statusCode).toBe(404);

    await act(lurah, report, 'verify');
    expect(await publicItem(report.trackingNo)).toMatchObject({ status: 'verified', description: 'Got depan balai warga tersumbat plastik.' });
    expect((await publicDetail(report.trackingNo)).json().report).toMatchObject({ trackingNo: report.trackingNo, status: 'verified' });
  });

  it('never publishes a rejected report', async () => {
    const report = await file(ahmad, { categoryCode: 'drainase', description: 'Laporan percobaan, abaikan saja ya.', ...inRamanuju(150, 0) });
    await act(lurah, report, 'reject', { note: 'Bukan laporan masalah.' });
    expect(await publicItem(report.trackingNo)).toBeUndefined();
    const res = await publicDetail(report.trackingNo);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });

  it('never publishes a merged report, not even one that was verified before it was merged', async () => {
    const here = inRamanuju(150, 150);
    const original = await file(ahmad, { categoryCode: 'lampu-jalan', description: 'Lampu jalan di tikungan mati sudah seminggu.', ...here });
    const duplicate = await file(siti, { categoryCode: 'lampu-jalan', description: 'PJU di tikungan padam, rawan kecelakaan.', ...shifted(here, 10, 0) });
    const late = await file(rizky, { categoryCode: 'lampu-jalan', description: 'Tikungan gelap karena lampu jalan mati.', ...shifted(here, 0, 10) });
    await act(lurah, original, 'verify');
    await act(lurah, late, 'verify');
    expect(await publicItem(late.trackingNo)).toBeDefined();

    await act(lurah, duplicate, 'merge', { intoTrackingNo: original.trackingNo });
    await act(lurah, late, 'merge', { intoTrackingNo: original.trackingNo });
    for (const merged of [duplicate, late]) {
      expect(await publicItem(merged.trackingNo), merged.trackingNo).toBeUndefined();
      expect((await publicDetail(merged.trackingNo)).statusCode, merged.trackingNo).toBe(404);
    }
    expect(await publicItem(original.trackingNo)).toMatchObject({ status: 'verified' });
  });

  // --- photos only after approval ------------------------------------------------------------------------

  it('shows a verified report’s photo publicly only once an officer approves it, and never a rejected one', async () => {
    const report = await fileWithPhotos(
      ahmad,
      { categoryCode: 'taman-kota', description: 'Pagar taman roboh, anak-anak bisa jatuh ke selokan.', ...stringsOf(inRamanuju(300, -450)) },
      [await jpeg('#3a3'), await jpeg('#33a')],
    );
    const [kept, refused] = report.photos;
    await act(lurah, report, 'verify');
    const publicPhoto = (id: string, query = '') => get(null, `/api/v1/public/photos/${id}${query}`);

    expect((await publicItem(report.trackingNo))!.photos).toEqual([]);
    expect((await publicPhoto(kept!.id)).statusCode).toBe(404);
    expect((await publicPhoto(refused!.id)).statusCode).toBe(404);

    await moderate(report, kept!.id, 'approved');
    await moderate(report, refused!.id, 'rejected');

    expect((await publicItem(report.trackingNo))!.photos).toEqual([
      { id: kept!.id, purpose: 'report', url: `/api/v1/public/photos/${kept!.id}`, thumbnailUrl: `/api/v1/public/photos/${kept!.id}?size=thumb`, width: 640, height: 480 },
    ]);
    expect((await publicDetail(report.trackingNo)).json().report.photos.map((p: { id: string }) => p.id)).toEqual([kept!.id]);
    const full = await publicPhoto(kept!.id);
    expect(full.statusCode).toBe(200);
    expect(full.headers['content-type']).toBe('image/jpeg');
    expect(full.headers['cache-control']).toBe('public, max-age=3600');
    const thumb = await publicPhoto(kept!.id, '?size=thumb');
    expect(thumb.statusCode).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/webp');

    const gone = await publicPhoto(refused!.id);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('not_found');
  });

  it('does not serve an approved photo of a report that is not verified yet', async () => {
    const report = await fileWithPhotos(ahmad, { categoryCode: 'drainase', description: 'Gorong-gorong ambrol di depan sekolah.', ...stringsOf(inRamanuju(300, -300)) }, [await jpeg('#777')]);
    await moderate(report, report.photos[0]!.id, 'approved');
    expect((await get(null, `/api/v1/public/photos/${report.photos[0]!.id}`)).statusCode).toBe(404);
  });

  it('never serves the approved photo of a confidential report publicly', async () => {
    const report = await fileWithPhotos(
      ahmad,
      { categoryCode: 'rumah-tidak-layak', description: 'Dinding rumah retak besar, keluarga tidur di luar.', ...stringsOf(inRamanuju(300, -150)), privacy: 'confidential' },
      [await jpeg('#555')],
    );
    await act(lurah, report, 'verify');
    await moderate(report, report.photos[0]!.id, 'approved');
    expect((await get(null, `/api/v1/public/photos/${report.photos[0]!.id}`)).statusCode).toBe(404);
    expect((await get(null, `/api/v1/public/photos/${report.photos[0]!.id}?size=thumb`)).statusCode).toBe(404);
    // The reporter still sees it.
    expect((await get(ahmad, report.photos[0]!.url)).statusCode).toBe(200);
  });

  // --- the public feed as a whole ----------------------------------------------------------------------

  it('walks the public feed page by page without repeats or gaps, and no page or detail names a citizen', async () => {
    const filers = [ahmad, siti, rizky, ahmad, siti, rizky];
    for (const [i, s] of filers.entries()) {
      const r = await file(s, { categoryCode: 'pkl-ketertiban', description: `Lapak pedagang nomor ${i + 1} memakan badan jalan.`, ...inRamanuju(450, -450 + i * 150), privacy: i % 2 ? 'anonymous' : 'public' });
      await act(lurah, r, 'verify');
    }
    // A phone call taken by an officer, the caller named with their phone number.
    const call = await file(koordinator, { categoryCode: 'pkl-ketertiban', description: 'Penelepon mengeluhkan parkir lapak di trotoar.', ...inRamanuju(600, -300), channel: 'phone', contactName: DEMO_CITIZENS[1]!.name, contactPhone: DEMO_CITIZENS[1]!.phone });
    await act(lurah, call, 'verify');

    const pages = await walkPublic('/api/v1/public/reports', 3);
    const walked = pages.flatMap((p) => p.items.map((r) => r.trackingNo));
    const expected = (await h.db.query<{ tracking_no: string }>(
      `select tracking_no from reports where status in ('verified', 'dispatched', 'in_progress', 'resolved', 'closed') order by submitted_at desc, id desc`,
    )).map((r) => r.tracking_no);
    expect(expected.length).toBeGreaterThanOrEqual(7);
    expect(pages.length).toBe(Math.ceil(expected.length / 3));
    expect(new Set(walked).size).toBe(walked.length);
    expect(walked).toEqual(expected);

    for (const [i, page] of pages.entries()) expect(leaked(page.body, ALL_SECRETS), `page ${i + 1}`).toEqual([]);
    for (const trackingNo of walked) expect(leaked((await publicDetail(trackingNo)).body, ALL_SECRETS), trackingNo).toEqual([]);
    for (const [i, page] of (await walkPublic('/api/v1/public/reports.geojson', 3)).entries()) expect(leaked(page.body, ALL_SECRETS), `geojson page ${i + 1}`).toEqual([]);
  });

  // --- who may open what ------------------------------------------------------------------------------

  it('hides a citizen’s report from another citizen (404)', async () => {
    const report = await file(ahmad, { categoryCode: 'drainase', description: 'Saluran di belakang rumah meluap.', ...inRamanuju(300, 0) });
    for (const ref of [report.id, report.trackingNo]) {
      const res = await get(siti, `/api/v1/reports/${ref}`);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
    expect((await get(siti, '/api/v1/reports?limit=200')).json().reports.map((r: Report) => r.id)).not.toContain(report.id);
  });

  it('hides a DPUPR report in a kelurahan of someone else from DLH (404)', async () => {
    const report = await file(ahmad, { categoryCode: 'drainase', description: 'Drainase Cibeber tersumbat lumpur.', ...CIBEBER });
    expect((await get(dpupr, `/api/v1/reports/${report.id}`)).statusCode).toBe(200);
    expect((await get(dlh, `/api/v1/reports/${report.id}`)).statusCode).toBe(404);
  });

  it('lets the camat of Purwakarta see reports in Ramanuju but not in Cibeber', async () => {
    const ramanuju = await file(ahmad, { categoryCode: 'drainase', description: 'Drainase Ramanuju tersumbat lumpur.', ...inRamanuju(300, 150) });
    const cibeber = await file(ahmad, { categoryCode: 'drainase', description: 'Drainase Cibeber meluap ke jalan.', ...shifted(CIBEBER, 150, 0) });
    expect([ramanuju.kelurahan?.code, cibeber.kelurahan?.code]).toEqual([RAMANUJU.code, CIBEBER.code]);
    expect((await get(camat, `/api/v1/reports/${ramanuju.id}`)).statusCode).toBe(200);
    expect((await get(camat, `/api/v1/reports/${cibeber.id}`)).statusCode).toBe(404);
    const listed = (await get(camat, '/api/v1/reports?limit=200')).json().reports.map((r: Report) => r.id);
    expect(listed).toContain(ramanuju.id);
    expect(listed).not.toContain(cibeber.id);
  });

  it('lists for each officer exactly the reports that officer may open', async () => {
    // Reports held by units other than where they are, so that the area and the holder disagree.
    const toKecamatan = await file(ahmad, { categoryCode: 'drainase', description: 'Drainase Cibeber, ditangani kecamatan lain.', ...shifted(CIBEBER, -150, 0) });
    await act(koordinator, toKecamatan, 'verify');
    await act(koordinator, toKecamatan, 'dispatch', { target: { kind: 'kecamatan', code: '36.72.07' }, note: 'Mohon dibantu.' });
    const toKelurahan = await file(ahmad, { categoryCode: 'taman-kota', description: 'Taman Cibeber, ditangani kelurahan lain.', ...shifted(CIBEBER, 0, -150) });
    await act(koordinator, toKelurahan, 'verify');
    await act(koordinator, toKelurahan, 'dispatch', { target: { kind: 'kelurahan', code: RAMANUJU.code }, note: 'Mohon dibantu.' });
    const toDlh = await file(ahmad, { categoryCode: 'sampah', description: 'Sampah Ramanuju untuk DLH.', ...inRamanuju(450, 300) });
    await act(lurah, toDlh, 'verify');
    await act(lurah, toDlh, 'dispatch', { target: { kind: 'opd', code: 'dlh' }, note: 'Mohon diangkut.' });
    const returned = await file(ahmad, { categoryCode: 'jalan-rusak', description: 'Jalan Ramanuju, dikembalikan DPUPR.', ...inRamanuju(450, 450), answers: { tingkat: 'ringan' } });
    await act(lurah, returned, 'verify');
    await act(lurah, returned, 'dispatch', { target: { kind: 'opd', code: 'dpupr' }, note: 'Mohon ditambal.' });
    await act(dpupr, returned, 'return', { note: 'Jalan lingkungan, bukan kewenangan kami.' });
    await file(ahmad, { categoryCode: 'lampu-jalan', description: 'Lampu jalan mati, lokasi hanya alamat.', address: 'Jl. Mawar 3' });
    await file(ahmad, { categoryCode: 'kebakaran', description: 'Gudang terbakar di Cibeber!', ...shifted(CIBEBER, 150, 150) });

    const all = (await h.db.query<{ id: string }>('select id from reports order by id')).map((r) => r.id);
    for (const name of ['lurah.ramanuju', 'camat.purwakarta', 'petugas.dpupr', 'petugas.dlh', 'koordinator']) {
      const s = await login(h.app, name);
      const listed: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await get(s, `/api/v1/reports?limit=50${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.statusCode, res.body).toBe(200);
        listed.push(...res.json().reports.map((r: Report) => r.id));
        cursor = res.json().nextCursor;
      } while (cursor);
      const readable: string[] = [];
      for (const id of all) {
        const status = (await get(s, `/api/v1/reports/${id}`)).statusCode;
        expect([200, 404], `${name} ${id}`).toContain(status);
        if (status === 200) readable.push(id);
      }
      expect(listed.length, `${name} lists something`).toBeGreaterThan(0);
      expect([...listed].sort(), `${name}: list and policy`).toEqual(readable.sort());
    }
  });
});

/** Form fields are text. */
function stringsOf(point: { lat: number; lng: number }): { lat: string; lng: string } {
  return { lat: String(point.lat), lng: String(point.lng) };
}

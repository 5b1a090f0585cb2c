import { afterAll, beforeAll, expect, it } from 'vitest';
import { asSession, describeEachDatabase, login, startHarness, type Harness, type Session } from '../support/harness.js';
import { CIBEBER, RAMANUJU } from '../support/places.js';

/**
 * A report's whole life over HTTP: a citizen files it at a point in Kelurahan Ramanuju, the lurah
 * verifies and dispatches it to DPUPR, DPUPR's officer starts and resolves it, the citizen rates it.
 */

describeEachDatabase('report life cycle', (kind) => {
  let h: Harness;
  let citizen: Session;
  let lurah: Session;
  let dpupr: Session;

  beforeAll(async () => {
    h = await startHarness(kind);
    citizen = await login(h.app, '3672011708900001');
    lurah = await login(h.app, 'lurah.ramanuju');
    dpupr = await login(h.app, 'petugas.dpupr');
  });
  afterAll(async () => h?.close());

  const post = (s: Session, url: string, payload: unknown, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'POST', url, headers: { ...asSession(s), ...headers }, payload: payload as object });
  const get = (s: Session | null, url: string) => h.app.inject({ method: 'GET', url, headers: s ? asSession(s) : {} });

  it('lists the demo categories with their deadlines and questions', async () => {
    const res = await get(null, '/api/v1/report-categories');
    expect(res.statusCode).toBe(200);
    const categories = res.json().categories as { code: string; emergency: boolean; deadlineUnit: string; agencyCode: string }[];
    expect(categories.length).toBeGreaterThanOrEqual(20);
    expect(categories.find((c) => c.code === 'kebakaran')).toMatchObject({ emergency: true, deadlineUnit: 'hours', agencyCode: 'damkar' });
    expect(categories.find((c) => c.code === 'jalan-rusak')).toMatchObject({ emergency: false, deadlineUnit: 'working_days', agencyCode: 'dpupr' });
  });

  it('goes from a phone to a rated resolution, each step by the one allowed to take it', async () => {
    const submitted = await post(citizen, '/api/v1/reports', {
      categoryCode: 'jalan-rusak',
      description: 'Lubang besar di depan pasar, sudah dua motor jatuh.',
      ...{ lat: RAMANUJU.lat, lng: RAMANUJU.lng },
      address: 'Jl. Ahmad Yani depan pasar',
      answers: { tingkat: 'berat', lebar_lubang_cm: '80' },
    });
    expect(submitted.statusCode, submitted.body).toBe(201);
    const report = submitted.json().report;
    expect(report.trackingNo).toMatch(/^SK-\d{4}-\d{6}$/);
    expect(report).toMatchObject({ status: 'submitted', kelurahan: { code: RAMANUJU.code, name: 'Ramanuju' }, handler: { kind: 'kelurahan', code: RAMANUJU.code }, agency: { code: 'dpupr' } });
    expect(report.answers).toEqual({ tingkat: 'berat', lebar_lubang_cm: 80 });
    expect(report.due.at).toBeTruthy();
    expect(report.actions).toEqual([]); // a citizen cannot verify their own report

    // The lurah of Ramanuju finds it in the inbox, with exactly the actions the state allows.
    const inbox = await get(lurah, '/api/v1/reports?mine=true');
    expect(inbox.json().reports.map((r: { trackingNo: string }) => r.trackingNo)).toContain(report.trackingNo);
    const seen = await get(lurah, `/api/v1/reports/${report.trackingNo}`);
    expect(seen.json().report.actions.sort()).toEqual(['merge', 'reject', 'verify']);
    expect(seen.json().report.reporter).toMatchObject({ name: 'Ahmad Fauzi' });

    // DPUPR may not verify a report the kelurahan holds.
    expect((await post(dpupr, `/api/v1/reports/${report.id}/actions/verify`, {})).statusCode).toBe(403);

    const verified = await post(lurah, `/api/v1/reports/${report.id}/actions/verify`, {});
    expect(verified.statusCode, verified.body).toBe(200);
    expect(verified.json().report.status).toBe('verified');

    expect((await post(lurah, `/api/v1/reports/${report.id}/actions/dispatch`, { target: { kind: 'opd', code: 'dpupr' } })).json().error.code).toBe('note_required');
    const dispatched = await post(lurah, `/api/v1/reports/${report.id}/actions/dispatch`, { target: { kind: 'opd', code: 'dpupr' }, note: 'Mohon ditambal minggu ini.' });
    expect(dispatched.statusCode, dispatched.body).toBe(200);
    expect(dispatched.json().report).toMatchObject({ status: 'dispatched', handler: { kind: 'opd', code: 'dpupr' } });
    expect(dispatched.json().report.resolveDue.at).toBeTruthy();

    // The lurah no longer holds it: no more actions for them.
    expect((await get(lurah, `/api/v1/reports/${report.id}`)).json().report.actions).toEqual([]);

    const detailForDpupr = (await get(dpupr, `/api/v1/reports/${report.id}`)).json();
    expect(detailForDpupr.report.instruction).toBe('Mohon ditambal minggu ini.');
    expect(detailForDpupr.report.actions.sort()).toEqual(['dispatch', 'resolve', 'return', 'start']);

    expect((await post(dpupr, `/api/v1/reports/${report.id}/actions/start`, {})).json().report.status).toBe('in_progress');
    const resolved = await post(dpupr, `/api/v1/reports/${report.id}/actions/resolve`, { note: 'Lubang sudah ditambal dengan aspal.' });
    expect(resolved.json().report).toMatchObject({ status: 'resolved', resolutionNote: 'Lubang sudah ditambal dengan aspal.' });

    // The citizen sees the timeline without internal instructions or officers' names, then rates it.
    const mine = (await get(citizen, `/api/v1/reports/${report.id}`)).json();
    expect(mine.report.actions.sort()).toEqual(['close', 'dispute']);
    expect(mine.report.instruction).toBeUndefined();
    expect(mine.timeline.map((e: { toStatus: string }) => e.toStatus)).toEqual(['submitted', 'verified', 'dispatched', 'in_progress', 'resolved']);
    expect(JSON.stringify(mine.timeline)).not.toContain('Mohon ditambal');
    expect(mine.timeline.every((e: { actorName?: string }) => e.actorName === undefined)).toBe(true);

    expect((await post(citizen, `/api/v1/reports/${report.id}/actions/close`, {})).json().error.code).toBe('rating_required');
    const closed = await post(citizen, `/api/v1/reports/${report.id}/actions/close`, { rating: 5, note: 'Terima kasih, cepat sekali.' });
    expect(closed.json().report).toMatchObject({ status: 'closed', rating: 5 });
    expect((await post(citizen, `/api/v1/reports/${report.id}/actions/dispute`, { note: 'x' })).statusCode).toBe(409);
  });

  it('refuses an action the state does not allow with a 409 a person understands', async () => {
    const r = (await post(citizen, '/api/v1/reports', { categoryCode: 'sampah', description: 'Sampah tidak diangkut seminggu.', kelurahanCode: RAMANUJU.code })).json().report;
    const res = await post(lurah, `/api/v1/reports/${r.id}/actions/resolve`, { note: 'selesai' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'transition_not_allowed' });
    expect(res.json().error.message).toContain('Diajukan');
  });

  it('routes by category and location; what cannot be routed lands with the coordinator', async () => {
    const opdFirst = (await post(citizen, '/api/v1/reports', { categoryCode: 'banjir', description: 'Banjir setinggi lutut di perumahan.', ...CIBEBER, answers: { tinggi_air_cm: 50 } })).json().report;
    expect(opdFirst.handler).toMatchObject({ kind: 'opd', code: 'bpbd' });
    expect(opdFirst.kelurahan.code).toBe(CIBEBER.code);

    const addressOnly = (await post(citizen, '/api/v1/reports', { categoryCode: 'lampu-jalan', description: 'Lampu jalan mati sepanjang gang.', address: 'Gang Mawar, dekat masjid' })).json().report;
    expect(addressOnly.handler.kind).toBe('coordinator');
    expect(addressOnly.kelurahan).toBeNull();

    const fire = (await post(citizen, '/api/v1/reports', { categoryCode: 'kebakaran', description: 'Rumah terbakar, api besar!', address: 'Jl. Kenari 5' })).json().report;
    expect(fire).toMatchObject({ emergency: true, handler: { kind: 'opd', code: 'damkar' } });
    expect(fire.priority).toBeGreaterThanOrEqual(1000);
    // Hours, not working days: due within the hour.
    expect(new Date(fire.due.at).getTime() - Date.now()).toBeLessThan(3600_000);

    const outside = await post(citizen, '/api/v1/reports', { categoryCode: 'sampah', description: 'Sampah menumpuk di pinggir jalan.', lat: -6.2, lng: 106.8 });
    expect(outside.statusCode).toBe(422);
    expect(outside.json().error.code).toBe('location_outside_city');

    const nowhere = await post(citizen, '/api/v1/reports', { categoryCode: 'sampah', description: 'Sampah menumpuk di pinggir jalan.' });
    expect(nowhere.statusCode).toBe(400);
    expect(nowhere.json().error.code).toBe('location_required');
  });

  it('checks the answers to the category questions', async () => {
    const missing = await post(citizen, '/api/v1/reports', { categoryCode: 'jalan-rusak', description: 'Jalan rusak parah sekali.', kelurahanCode: RAMANUJU.code });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toMatchObject({ code: 'answer_invalid', details: { field: 'answers.tingkat' } });
    const wrong = await post(citizen, '/api/v1/reports', { categoryCode: 'jalan-rusak', description: 'Jalan rusak parah sekali.', kelurahanCode: RAMANUJU.code, answers: { tingkat: 'parah' } });
    expect(wrong.json().error.code).toBe('answer_invalid');
  });
});

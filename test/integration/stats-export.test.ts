import { afterAll, beforeAll, expect, it } from 'vitest';
import { asSession, describeEachDatabase, login, startHarness, type Harness, type Session } from '../support/harness.js';
import { CIBEBER, RAMANUJU } from '../support/places.js';

/** Statistics for the command center and the officers' export, on a city with a handful of known reports. */
describeEachDatabase('statistics and export', (kind) => {
  let h: Harness;
  let citizen: Session;
  let koordinator: Session;
  let dlh: Session;
  let lurah: Session;

  beforeAll(async () => {
    h = await startHarness(kind);
    citizen = await login(h.app, '3672011708900001');
    koordinator = await login(h.app, 'koordinator');
    dlh = await login(h.app, 'petugas.dlh');
    lurah = await login(h.app, 'lurah.ramanuju');
    const file = (body: object) => h.app.inject({ method: 'POST', url: '/api/v1/reports', headers: asSession(citizen), payload: body });
    const act = (s: Session, id: string, action: string, payload: object = {}) => h.app.inject({ method: 'POST', url: `/api/v1/reports/${id}/actions/${action}`, headers: asSession(s), payload });
    // Three trash reports (DLH) in Ramanuju: one resolved, one open, one rejected; a flood (BPBD) in Cibeber.
    const a = (await file({ categoryCode: 'sampah', description: 'Sampah menumpuk, "sangat" bau, dekat pasar.', ...RAMANUJU, address: '=HYPERLINK("x")' })).json().report;
    const b = (await file({ categoryCode: 'sampah', description: 'Sampah menumpuk di gang sempit.', ...RAMANUJU })).json().report;
    const c = (await file({ categoryCode: 'sampah', description: 'Laporan uji yang akan ditolak.', ...RAMANUJU })).json().report;
    await file({ categoryCode: 'banjir', description: 'Banjir di perumahan warga.', ...CIBEBER, answers: { tinggi_air_cm: 30 } });
    await act(lurah, a.id, 'verify');
    await act(lurah, a.id, 'dispatch', { target: { kind: 'opd', code: 'dlh' }, note: 'Angkut hari ini.' });
    await act(dlh, a.id, 'resolve', { note: 'Sudah diangkut.' });
    await act(lurah, b.id, 'verify');
    await act(lurah, c.id, 'reject', { note: 'Tidak jelas.' });
  });
  afterAll(async () => h?.close());

  const get = (s: Session, url: string) => h.app.inject({ method: 'GET', url, headers: asSession(s) });

  it('sums the city: new, open, resolved, median time and share within deadline', async () => {
    const res = await get(koordinator, '/api/v1/stats/summary');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().figures).toMatchObject({ new: 4, open: 2, overdue: 0, escalated: 0, resolved: 1, emergencyOpen: 0, resolvedWithinDeadline: 1 });
    expect(res.json().figures.medianHoursToResolve).toBeGreaterThanOrEqual(0);
    expect(res.json().figures.medianHoursToResolve).toBeLessThan(1);
  });

  it('breaks the figures down per OPD and per kecamatan', async () => {
    const agencies = (await get(koordinator, '/api/v1/stats/agencies')).json().rows as { code: string; new: number; open: number; resolved: number }[];
    expect(agencies.find((r) => r.code === 'dlh')).toMatchObject({ new: 3, open: 1, resolved: 1 });
    expect(agencies.find((r) => r.code === 'bpbd')).toMatchObject({ new: 1, open: 1, resolved: 0 });
    const kecamatan = (await get(koordinator, '/api/v1/stats/kecamatan')).json().rows as { code: string; name: string; new: number }[];
    expect(kecamatan.find((r) => r.code === '36.72.07')).toMatchObject({ name: 'Purwakarta', new: 3 });
    expect(kecamatan.find((r) => r.code === '36.72.01')).toMatchObject({ new: 1 });
  });

  it('shows an OPD officer only their OPD', async () => {
    const summary = (await get(dlh, '/api/v1/stats/summary')).json().figures;
    expect(summary).toMatchObject({ new: 3, open: 1, resolved: 1 });
    const agencies = (await get(dlh, '/api/v1/stats/agencies')).json().rows as { code: string }[];
    expect(agencies.map((r) => r.code)).toEqual(['dlh']);
  });

  it('counts per day and clusters the map on the server', async () => {
    const trend = (await get(koordinator, '/api/v1/stats/trend?days=7')).json().days as { day: string; submitted: number; resolved: number }[];
    expect(trend.reduce((n, d) => n + d.submitted, 0)).toBe(4);
    expect(trend.reduce((n, d) => n + d.resolved, 0)).toBe(1);
    const wide = (await get(koordinator, '/api/v1/stats/map?bbox=105.9,-6.1,106.2,-5.8&zoom=10')).json().clusters as { count: number }[];
    expect(wide.reduce((n, c) => n + c.count, 0)).toBe(4);
    expect(wide.length).toBeLessThan(4); // Ramanuju's three share a cell at this zoom
    const close = (await get(koordinator, '/api/v1/stats/map?bbox=106.0,-5.995,106.02,-5.985&zoom=17')).json().clusters as { count: number; report?: { trackingNo: string } }[];
    expect(close.reduce((n, c) => n + c.count, 0)).toBe(3);
    expect(await get(koordinator, '/api/v1/stats/summary?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z').then((r) => r.json().error.code)).toBe('window_invalid');
  });

  it('exports the filtered reports as CSV without any reporter data, safe to open in a spreadsheet', async () => {
    const res = await get(koordinator, '/api/v1/reports/export.csv?category=sampah');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="laporan-\d{4}-\d{2}-\d{2}\.csv"/);
    const lines = res.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toMatch(/^Nomor laporan,Kategori,Status,/);
    expect(lines).toHaveLength(4);
    expect(res.body).toContain('"Sampah menumpuk, ""sangat"" bau, dekat pasar."');
    expect(res.body).toContain(`'=HYPERLINK`); // a formula is defused
    expect(res.body).not.toContain('Ahmad Fauzi');
    const forDlh = await get(dlh, '/api/v1/reports/export.csv');
    expect(forDlh.body.replace(/^\uFEFF/, '').trim().split('\r\n')).toHaveLength(4); // DLH's three, not BPBD's flood
    const audit = await h.db.query<{ action: string }>(`select action from audit_log where action = 'reports.exported'`);
    expect(audit.length).toBeGreaterThanOrEqual(2);
  });

  it('exports XLSX as a real workbook', async () => {
    const res = await get(koordinator, '/api/v1/reports/export.xlsx');
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.subarray(0, 2).toString()).toBe('PK');
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect((await get(citizen, '/api/v1/reports/export.xlsx')).statusCode).toBe(403);
  });
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { asSession, describeEachDatabase, login, startHarness, type Harness, type Session } from '../support/harness.js';
import { RAMANUJU } from '../support/places.js';

/**
 * The export reads the reports a page at a time, newest first, each page continuing after the last
 * report of the one before. Reports filed within the same millisecond (timestamps hold microseconds)
 * must come out once each, in order, across page boundaries.
 */
describeEachDatabase('export pages', (kind) => {
  let h: Harness;
  let koordinator: Session;
  const COUNT = 777; // three pages and a bit

  beforeAll(async () => {
    h = await startHarness(kind);
    const citizen = await login(h.app, '3672011708900001');
    koordinator = await login(h.app, 'koordinator');
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/reports', headers: asSession(citizen), payload: { categoryCode: 'sampah', description: 'Laporan asal salinan.', ...RAMANUJU } });
    expect(res.statusCode, res.body).toBe(201);
    // Copies of it, submitted in three milliseconds: many share a millisecond and differ in microseconds.
    await h.db.query(
      `insert into reports (id, number, tracking_no, category_code, description, lat, lng, location, kelurahan_code, kecamatan_code, answers, privacy, channel,
         reporter_id, status, emergency, agency_code, handler_kind, handler_code, due_at, submitted_at, updated_at)
       select gen_random_uuid(), nextval('report_number_seq'), 'PAGE-' || lpad(i::text, 4, '0'), category_code, description, lat, lng, location, kelurahan_code,
         kecamatan_code, answers, privacy, channel, reporter_id, status, emergency, agency_code, handler_kind, handler_code, due_at,
         timestamptz '2026-03-01 08:00:00.001' + make_interval(secs => (i % 3) * 0.001 + (i % 7) * 0.000001), now()
       from reports, generate_series(1, $1) i where tracking_no = $2`,
      [COUNT, res.json().report.trackingNo],
    );
  });
  afterAll(async () => h?.close());

  it('exports every report once, newest first, across pages', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/reports/export.csv?from=2026-03-01&to=2026-03-01', headers: asSession(koordinator) });
    expect(res.statusCode).toBe(200);
    const numbers = res.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(',')[0]!);
    expect(numbers).toHaveLength(COUNT);
    expect(new Set(numbers).size).toBe(COUNT);
    const expected = await h.db.query<{ tracking_no: string }>(`select tracking_no from reports where tracking_no like 'PAGE-%' order by submitted_at desc, id desc`);
    expect(numbers).toEqual(expected.map((r) => r.tracking_no));
  });
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemoReports } from '../../src/modules/demo/reports.js';
import type { Principal } from '../../src/modules/identity/index.js';
import { ReportStats } from '../../src/modules/reports/stats.js';
import { rollupFigures, type Dim } from '../../src/modules/reports/stats-rollups.js';
import { asSession, describeEachDatabase, login, startHarness, type Harness, type Session } from '../support/harness.js';
import { CIBEBER, RAMANUJU } from '../support/places.js';

/**
 * The rollups of migration 0007 (kept by triggers on `reports`) against the reports themselves: the
 * rollup tables hold exactly the facts of every report (whatever wrote it: intake, transitions, merges,
 * the deadline job, a fuzz of raw updates), and every statistic read from them equals the same
 * statistic read from the reports, for windows that start and end anywhere (on a midnight, inside
 * one day, in the past, in the future) and map boxes whose edges cut through the rollup's cells.
 */
const DAY = 86_400_000;

describeEachDatabase('statistics rollups', (kind) => {
  let h: Harness;
  let fast: ReportStats;
  let slow: ReportStats;
  let viewer: Principal;
  /** Officers of an OPD and of a kecamatan (their unit's rollup group), and of a kelurahan (always the reports). */
  let scoped: Principal[];

  beforeAll(async () => {
    h = await startHarness(kind);
    fast = new ReportStats(h.db, h.ctx.reports.names);
    slow = new ReportStats(h.db, h.ctx.reports.names, { rollups: false });
    const coordinator = await h.db.one<{ id: string }>(`select id from users where username = 'koordinator'`);
    viewer = { userId: coordinator.id, kind: 'officer', role: 'coordinator', scope: { kind: 'city', code: h.config.cityCode }, isHead: false, sessionId: 'test', via: 'bearer', csrfToken: null };
    scoped = [];
    for (const username of ['petugas.dlh', 'kepala.dpupr', 'camat.purwakarta', 'lurah.ramanuju']) {
      const u = await h.db.one<{ id: string; role: Principal['role']; scope_kind: 'opd' | 'kecamatan' | 'kelurahan'; scope_code: string; is_head: boolean }>(
        'select id, role, scope_kind, scope_code, is_head from users where username = $1',
        [username],
      );
      scoped.push({ userId: u.id, kind: 'officer', role: u.role, scope: { kind: u.scope_kind, code: u.scope_code }, isHead: u.is_head, sessionId: 'test', via: 'bearer', csrfToken: null });
    }
    await seedDemoReports(h.ctx);
  });
  afterAll(async () => h?.close());

  /** Rollup + appended facts, summed, equal the facts of the reports as they are now. */
  async function expectRollupsExact(): Promise<void> {
    const dims = await h.db.query(
      `with expected as (
         select f.kind, f.dim, f.code, f.day, f.bucket, f.flags, count(*)::bigint as n from reports r cross join lateral report_rollup_facts(r) f group by 1, 2, 3, 4, 5, 6),
       actual as (
         select kind, dim, code, day, bucket, flags, sum(n)::bigint as n
         from (select kind, dim, code, day, bucket, flags, n from report_rollup union all select kind, dim, code, day, bucket, flags, n from report_rollup_delta) x
         group by 1, 2, 3, 4, 5, 6 having sum(n) <> 0)
       select e.kind, e.dim, e.code, e.day, e.bucket, e.flags, e.n as expected, a.kind as a_kind, a.dim as a_dim, a.code as a_code, a.day as a_day, a.n as actual
       from expected e full join actual a on (e.kind, e.dim, e.code, e.day, e.bucket, e.flags) = (a.kind, a.dim, a.code, a.day, a.bucket, a.flags)
       where e.n is distinct from a.n`,
    );
    expect(dims).toEqual([]);
    const map = await h.db.query(
      `with expected as (
         select f.level, f.kind, f.gx, f.gy, f.day, f.flags, count(*)::bigint as n, sum(f.lat::numeric) as sum_lat, sum(f.lng::numeric) as sum_lng
         from reports r cross join lateral report_map_facts(r) f group by 1, 2, 3, 4, 5, 6),
       actual as (
         select level, kind, gx, gy, day, flags, sum(n)::bigint as n, sum(sum_lat) as sum_lat, sum(sum_lng) as sum_lng
         from (select level, kind, gx, gy, day, flags, n, sum_lat, sum_lng from report_map_rollup
               union all select level, kind, gx, gy, day, flags, n, sum_lat, sum_lng from report_map_rollup_delta) x
         group by 1, 2, 3, 4, 5, 6 having sum(n) <> 0)
       select e.*, a.n as actual_n, a.sum_lat as actual_lat, a.sum_lng as actual_lng, a.kind as actual_kind
       from expected e full join actual a on (e.level, e.kind, e.gx, e.gy, e.day, e.flags) = (a.level, a.kind, a.gx, a.gy, a.day, a.flags)
       where e.n is distinct from a.n or e.sum_lat is distinct from a.sum_lat or e.sum_lng is distinct from a.sum_lng`,
    );
    expect(map).toEqual([]);
  }

  /** Windows around the reports' days: on midnights, inside one day, long, past, future, empty. */
  function windows(): { from: Date; to: Date }[] {
    const now = Date.now();
    const midnight = Math.floor(now / DAY) * DAY;
    return [
      { from: new Date(now - 30 * DAY), to: new Date(now) },
      { from: new Date(now - 7 * DAY), to: new Date(now) },
      { from: new Date(now - DAY), to: new Date(now) },
      { from: new Date(now - 3660 * DAY), to: new Date(now) },
      { from: new Date(midnight - 10 * DAY), to: new Date(now) },
      { from: new Date(midnight - 20 * DAY), to: new Date(midnight - 5 * DAY) },
      { from: new Date(midnight - 3 * DAY + 3_600_000), to: new Date(midnight - 3 * DAY + 5 * 3_600_000) },
      { from: new Date(now - 15 * DAY - 12_345), to: new Date(now - 4 * DAY + 777) },
      { from: new Date(now + DAY), to: new Date(now + 10 * DAY) },
      { from: new Date(now - 2 * DAY), to: new Date(now - 2 * DAY) },
    ];
  }

  /** Map boxes: the whole city, parts of it with edges through the cells, a street zoomed in past the rollup, a box inside one cell. */
  const BOXES: { bbox: [number, number, number, number]; zoom: number }[] = [
    { bbox: [105.9, -6.1, 106.2, -5.8], zoom: 10 },
    { bbox: [105.94, -6.1, 106.1, -5.88], zoom: 13 },
    { bbox: [105.98, -6.05, 106.05, -5.97], zoom: 12 },
    { bbox: [106.0, -6.01, 106.03, -5.98], zoom: 15 },
    { bbox: [106.001, -6.0031, 106.0237, -5.9812], zoom: 14 },
    { bbox: [106.0, -5.995, 106.02, -5.985], zoom: 17 },
    { bbox: [106.005, -5.99, 106.007, -5.988], zoom: 13 },
  ];

  type Clusters = Awaited<ReturnType<ReportStats['map']>>;
  /** The same clusters; the centres (averages, summed in another order) to a nanodegree. */
  function expectSameClusters(actual: Clusters, expected: Clusters, label: string): void {
    const order = (list: Clusters) => [...list].sort((a, b) => a.lat - b.lat || a.lng - b.lng);
    const [a, e] = [order(actual), order(expected)];
    const rest = (list: Clusters) => list.map((c) => ({ ...c, lat: 0, lng: 0 }));
    expect(rest(a), label).toEqual(rest(e));
    a.forEach((c, i) => {
      expect(Math.abs(c.lat - e[i]!.lat), label).toBeLessThan(1e-9);
      expect(Math.abs(c.lng - e[i]!.lng), label).toBeLessThan(1e-9);
    });
  }

  /** Every statistic, from the rollups and from the reports, for every window; medians to the last bit. */
  async function expectSameStatistics(): Promise<void> {
    for (const w of windows()) {
      const label = `${w.from.toISOString()} – ${w.to.toISOString()}`;
      expect(await fast.summary(viewer, w), label).toEqual(await slow.summary(viewer, w));
      expect(await fast.byAgency(viewer, w), label).toEqual(await slow.byAgency(viewer, w));
      expect(await fast.byKecamatan(viewer, w), label).toEqual(await slow.byKecamatan(viewer, w));
      for (const officer of scoped) {
        const who = `${label} as ${officer.scope!.kind} ${officer.scope!.code}`;
        expect(await fast.summary(officer, w), who).toEqual(await slow.summary(officer, w));
        expect(await fast.byAgency(officer, w), who).toEqual(await slow.byAgency(officer, w));
        expect(await fast.byKecamatan(officer, w), who).toEqual(await slow.byKecamatan(officer, w));
      }
      for (const { bbox, zoom } of BOXES) {
        expectSameClusters(await fast.map(viewer, w, bbox, zoom), await slow.map(viewer, w, bbox, zoom), `${label} ${bbox.join(',')} z${zoom}`);
      }
      for (const [dim, group] of [['city', `''`], ['agency', 'agency_code'], ['kecamatan', `coalesce(kecamatan_code, '')`]] as [Dim, string][]) {
        const expected = await h.db.query<{ code: string; median: number }>(
          `select ${group} as code, percentile_cont(0.5) within group (order by date_part('epoch', resolved_at - submitted_at) / 3600) as median
           from reports where resolved_at >= $1 and submitted_at <= $2 group by 1`,
          [w.from, w.to],
        );
        const actual = await h.db.transaction((tx) => rollupFigures(tx, dim, w));
        for (const e of expected) expect(actual?.get(e.code)?.median_hours, `${label} ${dim} ${e.code}`).toBe(Number(e.median));
      }
    }
  }

  it('after the demo history (intake, workflow, escalations, closures moved back in time)', async () => {
    await expectRollupsExact();
    await expectSameStatistics();
    expect(await fast.foldRollups()).toBeGreaterThan(0);
    await expectRollupsExact();
    await expectSameStatistics();
  });

  it('after intake, transitions, a merge, a dispute and escalations through the service', async () => {
    const citizen: Session = await login(h.app, '3672011708900001');
    const koordinator = await login(h.app, 'koordinator');
    const lurah = await login(h.app, 'lurah.ramanuju');
    const dlh = await login(h.app, 'petugas.dlh');
    const file = async (body: object) => {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/reports', headers: asSession(citizen), payload: body });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().report as { id: string; trackingNo: string };
    };
    const act = async (s: Session, id: string, action: string, payload: object = {}) => {
      const res = await h.app.inject({ method: 'POST', url: `/api/v1/reports/${id}/actions/${action}`, headers: asSession(s), payload });
      expect(res.statusCode, `${action}: ${res.body}`).toBe(200);
    };
    const a = await file({ categoryCode: 'sampah', description: 'Sampah menumpuk di pinggir jalan.', ...RAMANUJU });
    const b = await file({ categoryCode: 'sampah', description: 'Sampah yang sama, dilaporkan lagi.', ...RAMANUJU });
    const c = await file({ categoryCode: 'banjir', description: 'Banjir setinggi lutut.', ...CIBEBER, answers: { tinggi_air_cm: 40 } });
    await file({ categoryCode: 'sampah', description: 'Laporan tanpa titik, hanya alamat.', address: 'Jl. Contoh 1' });
    await expectRollupsExact();
    await act(lurah, a.id, 'verify');
    await act(lurah, b.id, 'merge', { intoTrackingNo: a.trackingNo, note: 'Sama dengan laporan sebelumnya.' });
    await act(lurah, a.id, 'dispatch', { target: { kind: 'opd', code: 'dlh' }, note: 'Angkut hari ini.' });
    await act(dlh, a.id, 'start');
    await act(dlh, a.id, 'resolve', { note: 'Sudah diangkut.' });
    await act(citizen, a.id, 'dispute', { note: 'Masih ada sampah.' });
    await act(dlh, a.id, 'resolve', { note: 'Sudah bersih.' });
    await act(koordinator, c.id, 'verify');
    await expectRollupsExact();
    await expectSameStatistics();
    // A week on: warnings, escalations up the ladder, closures of unconfirmed resolutions.
    const result = await h.ctx.deadlines.run(new Date(Date.now() + 7 * DAY));
    expect(result.escalated + result.closed).toBeGreaterThan(0);
    await expectRollupsExact();
    await expectSameStatistics();
  });

  it('after a fuzz of raw changes to reports (replay: FUZZ_SEED)', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
    let state = seed;
    const random = () => {
      // mulberry32
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T,>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const agencies = (await h.db.query<{ code: string }>('select code from agencies')).map((r) => r.code);
    const kecamatan = (await h.db.query<{ code: string }>(`select code from regions where level = 'district' and code like '36.72.%'`)).map((r) => r.code);
    const statuses = ['submitted', 'verified', 'dispatched', 'in_progress', 'resolved', 'closed', 'rejected', 'merged'];
    const at = (days: number) => new Date(Date.now() + days * DAY);
    const mutations: (() => Promise<unknown>)[] = [
      () => h.db.query('update reports set status = $2 where id = (select id from reports order by md5(id::text || $1) limit 1)', [random(), pick(statuses)]),
      () =>
        h.db.query(`update reports set resolved_at = case when $2 then null else submitted_at + make_interval(secs => $3) end where id = (select id from reports order by md5(id::text || $1) limit 1)`, [
          random(),
          random() < 0.3,
          (random() * 42 - 2) * 86400,
        ]),
      () => h.db.query('update reports set due_at = $2 where id = (select id from reports order by md5(id::text || $1) limit 1)', [random(), random() < 0.2 ? null : at(random() * 40 - 20)]),
      () => h.db.query('update reports set resolve_due_at = $2 where id = (select id from reports order by md5(id::text || $1) limit 1)', [random(), random() < 0.2 ? null : at(random() * 40 - 20)]),
      () => h.db.query('update reports set escalation_count = $2 where id = (select id from reports order by md5(id::text || $1) limit 1)', [random(), Math.floor(random() * 3)]),
      () => h.db.query('update reports set emergency = not emergency where id = (select id from reports order by md5(id::text || $1) limit 1)', [random()]),
      () => h.db.query('update reports set agency_code = $2 where id = (select id from reports order by md5(id::text || $1) limit 1)', [random(), pick(agencies)]),
      () => h.db.query('update reports set kecamatan_code = $2 where id = (select id from reports order by md5(id::text || $1) limit 1)', [random(), random() < 0.2 ? null : pick(kecamatan)]),
      () => h.db.query('update reports set submitted_at = $2 where id = (select id from reports order by md5(id::text || $1) limit 1)', [random(), at(random() * 60 - 50)]),
      () => {
        const none = random() < 0.2;
        const lat = -6.0 + (random() - 0.5) * 0.2;
        const lng = 106.02 + (random() - 0.5) * 0.2;
        return h.db.query('update reports set lat = $2, lng = $3, location = case when $2::float8 is null then null else point($3::float8, $2::float8) end where id = (select id from reports order by md5(id::text || $1) limit 1)', [
          random(),
          none ? null : lat,
          none ? null : lng,
        ]);
      },
      // Several rows in one statement, and rows inserted and deleted (statement triggers).
      () => h.db.query(`update reports set escalation_count = escalation_count + 1, status = case when status = 'closed' then 'resolved' else status end where number % 5 = $1`, [Math.floor(random() * 5)]),
      () =>
        h.db.query(
          `insert into reports (id, number, tracking_no, category_code, description, lat, lng, location, kelurahan_code, kecamatan_code, answers, privacy, channel, status,
             emergency, agency_code, handler_kind, handler_code, due_at, resolve_due_at, escalation_count, submitted_at, resolved_at, updated_at)
           select gen_random_uuid(), nextval('report_number_seq'), 'FUZZ-' || nextval('report_number_seq'), category_code, 'copy', lat, lng, location, kelurahan_code,
             kecamatan_code, answers, privacy, channel, status, emergency, agency_code, handler_kind, handler_code, due_at, resolve_due_at, escalation_count,
             submitted_at - make_interval(secs => $2), resolved_at, updated_at
           from reports where number % 7 = $1`,
          [Math.floor(random() * 7), Math.floor(random() * 86400 * 3)],
        ),
      () => h.db.query(`delete from reports where tracking_no like 'FUZZ-%' and number % 3 = $1`, [Math.floor(random() * 3)]),
      () => fast.foldRollups(),
    ];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 40; i++) await pick(mutations)();
      try {
        await expectRollupsExact();
        await expectSameStatistics();
      } catch (error) {
        throw new Error(`fuzz with FUZZ_SEED=${seed}, round ${round}: ${(error as Error).message}`, { cause: error });
      }
    }
  });
});

import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { asSession, describeEachDatabase, login, startHarness, type Harness, type Session } from '../support/harness.js';
import { RAMANUJU } from '../support/places.js';

/**
 * Deadlines, warnings, escalation and auto-close, at chosen moments.
 *
 * The city is Kota Cilegon, time zone Asia/Jakarta (WIB = UTC+7, no daylight saving). A deadline in
 * working days ends at 23:59:59.999 WIB of the N-th working day after the local date of the start;
 * an emergency counts clock hours around the clock. Every expected instant below is computed by hand
 * in the comment next to it. `ReportsService.clock` decides "now" for new deadlines;
 * `DeadlineKeeper.run(now)` is called directly with the moment under test.
 *
 * All reports live in one database for the whole file and a run touches every report that is due,
 * so what a run did is checked per report (`runFor`). The escalation tests use moments in November
 * 2026 before the 26th, so that they also lie in the past of the real clock (database timestamps
 * such as verified_at use it); the calendar tests use the end of November and December.
 */

const ROAD = { categoryCode: 'jalan-rusak', description: 'Jalan berlubang besar di depan pasar, berbahaya bagi motor.', kelurahanCode: RAMANUJU.code, answers: { tingkat: 'sedang' } };
const FIRE = { categoryCode: 'kebakaran', description: 'Rumah terbakar, api besar di dalam gang!', address: 'Jl. Kenari No. 5, Cilegon' };
const NOTHING = { warned: 0, escalated: 0, closed: 0 };
const DAY = 86_400_000;

interface DeadlineRow {
  status: string;
  due_at: Date | null;
  resolve_due_at: Date | null;
  warn_at: Date | null;
  warned_at: Date | null;
  next_escalation_at: Date | null;
  escalation_level: number;
  escalation_count: number;
  resolved_at: Date | null;
  closed_at: Date | null;
}

interface EscalationRow {
  level: number;
  stage: string;
  target_label: string;
  target_user_id: string | null;
  created_at: Date;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

describeEachDatabase('report deadlines and escalation', (kind) => {
  let h: Harness;
  let realClock: () => Date;
  let citizen: Session;
  let admin: Session;
  let koordinator: Session;
  let lurah: Session;
  let camat: Session;
  let walikota: Session;
  let dpupr: Session;
  let kepalaDpupr: Session;
  let dlh: Session;
  let kepalaDamkar: Session;

  beforeAll(async () => {
    h = await startHarness(kind);
    // The moments below are in 2026; the template seeded only the years around the real clock's.
    await h.ctx.reports.holidays.ensureSeeded(new Date('2026-07-01T00:00:00Z'));
    realClock = h.ctx.reports.clock;
    citizen = await login(h.app, '3672011708900001');
    admin = await login(h.app, 'admin');
    koordinator = await login(h.app, 'koordinator');
    lurah = await login(h.app, 'lurah.ramanuju');
    camat = await login(h.app, 'camat.purwakarta');
    walikota = await login(h.app, 'walikota');
    dpupr = await login(h.app, 'petugas.dpupr');
    kepalaDpupr = await login(h.app, 'kepala.dpupr');
    dlh = await login(h.app, 'petugas.dlh');
    kepalaDamkar = await login(h.app, 'kepala.damkar');
  });
  afterEach(() => {
    h.ctx.reports.clock = realClock;
  });
  afterAll(async () => h?.close());

  const send = (method: 'POST' | 'PUT' | 'DELETE', s: Session | null, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    h.app.inject({ method, url, headers: { ...(s ? asSession(s) : {}), ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const post = (s: Session | null, url: string, payload: unknown = {}) => send('POST', s, url, payload);
  const get = (s: Session | null, url: string, headers: Record<string, string> = {}) => h.app.inject({ method: 'GET', url, headers: { ...(s ? asSession(s) : {}), ...headers } });

  /** Sets the service's clock: deadlines computed from now on start at `moment`. */
  const at = (moment: string | Date) => {
    const fixed = new Date(moment);
    h.ctx.reports.clock = () => fixed;
  };
  const run = (moment: string | Date) => h.ctx.deadlines.run(new Date(moment));

  const submit = async (moment: string | null, body: object = ROAD) => {
    if (moment) at(moment);
    const res = await post(citizen, '/api/v1/reports', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json().report as { id: string; trackingNo: string; submittedAt: string; due: { at: string; text: string }; handler: { kind: string; code: string } };
  };
  const act = async (s: Session, id: string, action: string, payload: object = {}) => {
    const res = await post(s, `/api/v1/reports/${id}/actions/${action}`, payload);
    expect(res.statusCode, `${action}: ${res.body}`).toBe(200);
    return res.json();
  };
  const state = (id: string) =>
    h.db.one<DeadlineRow>(
      `select status, due_at, resolve_due_at, warn_at, warned_at, next_escalation_at, escalation_level, escalation_count, resolved_at, closed_at from reports where id = $1`,
      [id],
    );
  const escalations = (id: string) =>
    h.db.query<EscalationRow>('select level, stage, target_label, target_user_id, created_at from report_escalations where report_id = $1 order by id', [id]);
  const outbox = async (topic: string, id: string) =>
    (await h.db.query<{ payload: Record<string, unknown> }>('select payload from outbox where topic = $1 order by id', [topic])).map((r) => r.payload).filter((p) => p.reportId === id);
  /** Runs the job at `moment` and says what it did to this one report. */
  const runFor = async (id: string, moment: string) => {
    const tally = () =>
      h.db.one<{ warned: number; escalated: number; closed: number }>(
        `select (select count(*)::int from report_events where report_id = $1 and kind = 'warning') as warned,
                (select count(*)::int from report_escalations where report_id = $1) as escalated,
                (select count(*)::int from report_events where report_id = $1 and kind = 'status' and to_status = 'closed') as closed`,
        [id],
      );
    const before = await tally();
    await run(moment);
    const after = await tally();
    return { warned: after.warned - before.warned, escalated: after.escalated - before.escalated, closed: after.closed - before.closed };
  };
  const timeline = async (s: Session, id: string) => {
    const res = await get(s, `/api/v1/reports/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().timeline as { kind: string; fromStatus: string | null; toStatus: string | null; actor: string; internal: boolean; data?: Record<string, unknown> }[];
  };

  /** A report taken through verify, dispatch to DPUPR, start and resolve, on the real clock. */
  const resolvedReport = async () => {
    const r = await submit(null);
    await act(lurah, r.id, 'verify');
    await act(lurah, r.id, 'dispatch', { target: { kind: 'opd', code: 'dpupr' }, note: 'Mohon segera ditambal.' });
    await act(dpupr, r.id, 'start');
    const resolved = await act(dpupr, r.id, 'resolve', { note: 'Lubang sudah ditambal.' });
    expect(resolved.report.status).toBe('resolved');
    return { ...r, resolvedAt: (await state(r.id)).resolved_at! };
  };

  // --- the calendar ---------------------------------------------------------------------------------

  it('counts working days from the local date: a Friday-afternoon report is due on Monday night', async () => {
    // Friday 27 Nov 2026, 16.00 WIB = 09:00Z. Verify within 1 working day: Sat 28 and Sun 29 are
    // skipped → Monday 30 Nov, 23:59:59.999 WIB = 2026-11-30T16:59:59.999Z.
    const r = await submit('2026-11-27T09:00:00Z');
    expect(r.submittedAt).toBe('2026-11-27T09:00:00.000Z');
    expect(r.due).toMatchObject({ at: '2026-11-30T16:59:59.999Z', text: 'Senin, 30 November 2026 pukul 23.59 WIB' });
    expect(r.due.text).toContain('Senin');
    // The same deadline for an English reader.
    const en = await get(lurah, `/api/v1/reports/${r.id}`, { 'accept-language': 'en' });
    expect(en.json().report.due.text).toBe('Monday, 30 November 2026 at 23:59 WIB');
    // Warned a day before: Sunday 29 Nov 23:59:59.999 WIB = 16:59:59.999Z.
    const s = await state(r.id);
    expect(iso(s.warn_at)).toBe('2026-11-29T16:59:59.999Z');
    expect(iso(s.next_escalation_at)).toBe('2026-11-30T16:59:59.999Z');

    // The local date decides, not the UTC date. Thursday 26 Nov 23.59 WIB (16:59Z) is still Thursday
    // → due Friday 27 Nov 23:59:59.999 WIB (16:59:59.999Z).
    expect((await submit('2026-11-26T16:59:00Z')).due.at).toBe('2026-11-27T16:59:59.999Z');
    // Friday 27 Nov 00.01 WIB is 26 Nov 17:01Z, a Thursday in UTC, but a Friday in Cilegon → Monday.
    expect((await submit('2026-11-26T17:01:00Z')).due.at).toBe('2026-11-30T16:59:59.999Z');
  });

  it('skips a public holiday and the weekend: a report of Thursday 24 December is due Monday 28 December', async () => {
    // Thursday 24 Dec 2026, 10.00 WIB = 03:00Z. Fri 25 Dec is Natal (seeded from date-holidays),
    // Sat 26 and Sun 27 are the weekend → Monday 28 Dec 23:59:59.999 WIB = 16:59:59.999Z.
    const r = await submit('2026-12-24T03:00:00Z');
    expect(r.due).toMatchObject({ at: '2026-12-28T16:59:59.999Z', text: 'Senin, 28 Desember 2026 pukul 23.59 WIB' });
  });

  it('lets the admin add a cuti bersama day that deadlines then skip, and remove it again', async () => {
    const listed = await get(null, '/api/v1/holidays?year=2026');
    expect(listed.statusCode).toBe(200);
    const holidays = listed.json().holidays as { date: string; name: string; kind: string; source: string }[];
    expect(holidays.every((d) => d.date.startsWith('2026-'))).toBe(true);
    expect(holidays.find((d) => d.date === '2026-08-17')).toMatchObject({ kind: 'public', source: 'date-holidays' });
    expect(holidays.find((d) => d.date === '2026-12-25')).toMatchObject({ name: 'Hari Raya Natal', kind: 'public', source: 'date-holidays' });
    expect(holidays.find((d) => d.date === '2026-11-30')).toBeUndefined();

    const cuti = { name: 'Cuti bersama (uji)', kind: 'cuti_bersama' };
    expect((await send('PUT', null, '/api/v1/holidays/2026-11-30', cuti)).statusCode).toBe(401);
    expect((await send('PUT', lurah, '/api/v1/holidays/2026-11-30', cuti)).statusCode).toBe(403);
    expect((await send('PUT', koordinator, '/api/v1/holidays/2026-11-30', cuti)).statusCode).toBe(403);
    expect((await send('PUT', admin, '/api/v1/holidays/2026-02-30', cuti)).statusCode).toBe(400); // no such day
    expect((await send('PUT', admin, '/api/v1/holidays/30-11-2026', cuti)).statusCode).toBe(400);
    expect((await send('PUT', admin, '/api/v1/holidays/2026-11-30', { name: 'Cuti', kind: 'libur' })).statusCode).toBe(400);

    const set = await send('PUT', admin, '/api/v1/holidays/2026-11-30', cuti);
    expect(set.statusCode, set.body).toBe(200);
    try {
      expect(set.json().holiday).toEqual({ date: '2026-11-30', name: 'Cuti bersama (uji)', kind: 'cuti_bersama', source: 'admin' });
      const again = (await get(null, '/api/v1/holidays?year=2026')).json().holidays;
      expect(again).toContainEqual({ date: '2026-11-30', name: 'Cuti bersama (uji)', kind: 'cuti_bersama', source: 'admin' });

      // Friday 27 Nov 16.00 WIB: Sat, Sun, and now Mon 30 Nov are days off → Tuesday 1 Dec 23:59:59.999 WIB.
      const r = await submit('2026-11-27T09:00:00Z');
      expect(r.due).toMatchObject({ at: '2026-12-01T16:59:59.999Z', text: 'Selasa, 1 Desember 2026 pukul 23.59 WIB' });

      expect((await send('DELETE', lurah, '/api/v1/holidays/2026-11-30')).statusCode).toBe(403);
      expect((await send('DELETE', admin, '/api/v1/holidays/2026-02-30')).statusCode).toBe(400);
    } finally {
      expect((await send('DELETE', admin, '/api/v1/holidays/2026-11-30')).statusCode).toBe(204);
    }
    expect((await send('DELETE', admin, '/api/v1/holidays/2026-11-30')).statusCode).toBe(404);
    // Monday is a working day again.
    expect((await submit('2026-11-27T09:00:00Z')).due.at).toBe('2026-11-30T16:59:59.999Z');
  });

  it('counts an emergency in hours around the clock: Saturday 23.50 is due 15 minutes later, on Sunday', async () => {
    // Saturday 28 Nov 2026, 23.50 WIB = 16:50Z. Kebakaran: verify within 0.25 h → 17:05Z = Sunday 00.05 WIB.
    const r = await submit('2026-11-28T16:50:00Z', FIRE);
    expect(r.handler).toMatchObject({ kind: 'opd', code: 'damkar' });
    expect(r.due).toMatchObject({ at: '2026-11-28T17:05:00.000Z', text: 'Minggu, 29 November 2026 pukul 00.05 WIB' });
    // Warned a quarter of the stage (3¾ minutes) before: 17:01:15Z.
    expect(iso((await state(r.id)).warn_at)).toBe('2026-11-28T17:01:15.000Z');
  });

  // --- warnings and escalation ----------------------------------------------------------------------

  it('warns, then escalates a report the kelurahan sits on: Lurah, Camat, Pimpinan daerah, then stops', async () => {
    // Friday 13 Nov 2026, 16.00 WIB = 09:00Z. Verify within 1 working day → Monday 16 Nov 23:59:59.999 WIB
    // = 16:59:59.999Z; warning a day before: Sunday 15 Nov 23:59:59.999 WIB = 16:59:59.999Z.
    const r = await submit('2026-11-13T09:00:00Z');
    expect(r.handler).toMatchObject({ kind: 'kelurahan', code: RAMANUJU.code });
    expect(r.due.at).toBe('2026-11-16T16:59:59.999Z');
    let s = await state(r.id);
    expect(iso(s.warn_at)).toBe('2026-11-15T16:59:59.999Z');
    expect(iso(s.next_escalation_at)).toBe('2026-11-16T16:59:59.999Z');

    // (1) A minute before the warning: nothing.
    expect(await runFor(r.id, '2026-11-15T16:58:59.999Z')).toEqual(NOTHING);
    expect(await timeline(lurah, r.id)).toHaveLength(1);

    // (2) After the warning time: one warning, officers only, and an event for the notifications.
    expect(await runFor(r.id, '2026-11-15T17:00:00Z')).toEqual({ warned: 1, escalated: 0, closed: 0 });
    expect(await runFor(r.id, '2026-11-15T17:00:00Z')).toEqual(NOTHING);
    expect(iso((await state(r.id)).warned_at)).toBe('2026-11-15T17:00:00.000Z');
    const warning = (await timeline(lurah, r.id)).filter((e) => e.kind === 'warning');
    expect(warning).toEqual([expect.objectContaining({ actor: 'Sistem', internal: true, data: { stage: 'verify' } })]);
    expect((await timeline(citizen, r.id)).map((e) => e.kind)).toEqual(['status']);
    expect(await outbox('report.deadline_near', r.id)).toEqual([{ reportId: r.id }]);
    expect(await escalations(r.id)).toEqual([]);

    // (3) Due Monday 16:59:59.999Z. Just before: nothing. Tuesday 00.00 WIB (17:00Z): level 1, the Lurah.
    expect(await runFor(r.id, '2026-11-16T16:59:59.998Z')).toEqual(NOTHING);
    expect(await runFor(r.id, '2026-11-16T17:00:00Z')).toEqual({ warned: 0, escalated: 1, closed: 0 });
    expect(await runFor(r.id, '2026-11-16T17:00:00Z')).toEqual(NOTHING); // the same moment again: no second escalation
    expect(await escalations(r.id)).toEqual([{ level: 1, stage: 'verify', target_label: 'Lurah', target_user_id: lurah.userId, created_at: new Date('2026-11-16T17:00:00Z') }]);
    s = await state(r.id);
    expect(s).toMatchObject({ escalation_level: 1, escalation_count: 1 });
    // Next rung one working day later: escalated on Tue 17 Nov (local) → end of Wed 18 Nov = 16:59:59.999Z.
    expect(iso(s.next_escalation_at)).toBe('2026-11-18T16:59:59.999Z');
    const first = (await timeline(lurah, r.id)).filter((e) => e.kind === 'escalation');
    expect(first).toEqual([
      expect.objectContaining({ actor: 'Sistem', internal: true, data: { level: 1, stage: 'verify', to: 'Lurah', targetUserId: lurah.userId, noAccount: false } }),
    ]);
    expect(await outbox('report.escalated', r.id)).toEqual([{ reportId: r.id, level: 1, targetUserId: lurah.userId, targetLabel: 'Lurah' }]);

    // (4) One working day later: level 2, the Camat of Purwakarta. Next: Thu 19 → end of Fri 20 Nov.
    expect(await runFor(r.id, '2026-11-18T16:59:00Z')).toEqual(NOTHING);
    expect(await runFor(r.id, '2026-11-18T17:00:00Z')).toEqual({ warned: 0, escalated: 1, closed: 0 });
    s = await state(r.id);
    expect(s).toMatchObject({ escalation_level: 2, escalation_count: 2 });
    expect(iso(s.next_escalation_at)).toBe('2026-11-20T16:59:59.999Z');

    // (5) One more working day: level 3, the pimpinan daerah (the wali kota), the top of the chain.
    expect(await runFor(r.id, '2026-11-20T17:00:00Z')).toEqual({ warned: 0, escalated: 1, closed: 0 });
    s = await state(r.id);
    expect(s).toMatchObject({ escalation_level: 3, escalation_count: 3, next_escalation_at: null });

    // (6) Later runs: no level 4.
    expect(await runFor(r.id, '2026-11-23T17:00:00Z')).toEqual(NOTHING);
    expect(await runFor(r.id, '2026-11-24T17:00:00Z')).toEqual(NOTHING);
    expect(await escalations(r.id)).toEqual([
      { level: 1, stage: 'verify', target_label: 'Lurah', target_user_id: lurah.userId, created_at: new Date('2026-11-16T17:00:00Z') },
      { level: 2, stage: 'verify', target_label: 'Camat', target_user_id: camat.userId, created_at: new Date('2026-11-18T17:00:00Z') },
      { level: 3, stage: 'verify', target_label: 'Pimpinan daerah', target_user_id: walikota.userId, created_at: new Date('2026-11-20T17:00:00Z') },
    ]);
    expect((await timeline(lurah, r.id)).filter((e) => e.kind === 'escalation').map((e) => e.data?.to)).toEqual(['Lurah', 'Camat', 'Pimpinan daerah']);
    expect((await timeline(citizen, r.id)).map((e) => e.kind)).toEqual(['status']);

    // The coordinator's escalation list: all three, newest first.
    const list = await get(koordinator, '/api/v1/reports/escalations');
    expect(list.statusCode, list.body).toBe(200);
    const mine = (list.json().escalations as { trackingNo: string; handler: string }[]).filter((e) => e.trackingNo === r.trackingNo);
    expect(mine).toEqual([
      { trackingNo: r.trackingNo, level: 3, stage: 'verify', to: 'Pimpinan daerah', toName: 'Wali Kota', handler: expect.stringContaining('Ramanuju'), agency: 'DPUPR', at: '2026-11-20T17:00:00.000Z' },
      { trackingNo: r.trackingNo, level: 2, stage: 'verify', to: 'Camat', toName: 'Camat Purwakarta', handler: expect.stringContaining('Ramanuju'), agency: 'DPUPR', at: '2026-11-18T17:00:00.000Z' },
      { trackingNo: r.trackingNo, level: 1, stage: 'verify', to: 'Lurah', toName: 'Lurah Ramanuju', handler: expect.stringContaining('Ramanuju'), agency: 'DPUPR', at: '2026-11-16T17:00:00.000Z' },
    ]);
    expect((await get(dlh, '/api/v1/reports/escalations')).statusCode).toBe(403);
    expect((await get(citizen, '/api/v1/reports/escalations')).statusCode).toBe(403);
    expect((await get(null, '/api/v1/reports/escalations')).statusCode).toBe(401);

    // The report shows it, and the coordinator finds it among the escalated and the overdue ones
    // (`overdue` is judged by the service's clock, here a day after the last escalation).
    at('2026-11-21T17:00:00Z');
    const detail = (await get(koordinator, `/api/v1/reports/${r.id}`)).json().report;
    expect(detail).toMatchObject({ escalated: true, escalationLevel: 3, status: 'submitted' });
    expect(detail.due.overdue).toBe(true);
    const escalated = (await get(koordinator, '/api/v1/reports?escalated=true&limit=200')).json().reports as { trackingNo: string; escalated: boolean }[];
    expect(escalated.map((x) => x.trackingNo)).toContain(r.trackingNo);
    expect(escalated.every((x) => x.escalated)).toBe(true);
    const overdue = (await get(koordinator, '/api/v1/reports?overdue=true&limit=200')).json().reports as { trackingNo: string }[];
    expect(overdue.map((x) => x.trackingNo)).toContain(r.trackingNo);
  });

  it('escalates an overdue report at an OPD to the head of the OPD, then the pimpinan, then stops', async () => {
    // Submitted Monday 2 Nov 09.00 WIB (02:00Z); verified and dispatched to DPUPR at 10.00 WIB (03:00Z).
    const r = await submit('2026-11-02T02:00:00Z');
    at('2026-11-02T03:00:00Z');
    await act(lurah, r.id, 'verify');
    const dispatched = (await act(lurah, r.id, 'dispatch', { target: { kind: 'opd', code: 'dpupr' }, note: 'Mohon ditambal.' })).report;
    // Resolve within 10 working days after Mon 2 Nov: 3, 4, 5, 6, 9, 10, 11, 12, 13, 16 → Monday 16 Nov
    // 23:59:59.999 WIB = 16:59:59.999Z; warning a day before (Sun 15 Nov 16:59:59.999Z).
    expect(dispatched).toMatchObject({ status: 'dispatched', handler: { kind: 'opd', code: 'dpupr' }, escalationLevel: 0 });
    expect(dispatched.resolveDue.at).toBe('2026-11-16T16:59:59.999Z');
    expect(dispatched.due.at).toBe('2026-11-16T16:59:59.999Z');
    expect(iso((await state(r.id)).warn_at)).toBe('2026-11-15T16:59:59.999Z');

    expect((await run('2026-11-16T16:00:00Z')).warned).toBeGreaterThanOrEqual(1);
    expect((await timeline(dpupr, r.id)).filter((e) => e.kind === 'warning')).toEqual([expect.objectContaining({ data: { stage: 'resolve' } })]);
    expect(await escalations(r.id)).toEqual([]);

    // Overdue from Tuesday 17 Nov 00.00 WIB: the head of DPUPR.
    await run('2026-11-16T17:00:00Z');
    expect(await escalations(r.id)).toEqual([{ level: 1, stage: 'resolve', target_label: 'Kepala OPD', target_user_id: kepalaDpupr.userId, created_at: new Date('2026-11-16T17:00:00Z') }]);
    expect(iso((await state(r.id)).next_escalation_at)).toBe('2026-11-18T16:59:59.999Z');

    // One working day later: the pimpinan daerah, the top of an OPD's chain.
    await run('2026-11-18T16:59:00Z');
    expect(await escalations(r.id)).toHaveLength(1);
    await run('2026-11-18T17:00:00Z');
    await run('2026-11-18T17:00:00Z');
    expect((await escalations(r.id)).map((e) => [e.level, e.target_label, e.target_user_id])).toEqual([
      [1, 'Kepala OPD', kepalaDpupr.userId],
      [2, 'Pimpinan daerah', walikota.userId],
    ]);
    expect(await state(r.id)).toMatchObject({ escalation_level: 2, escalation_count: 2, next_escalation_at: null });

    // Then it stops.
    await run('2026-11-20T17:00:00Z');
    await run('2026-11-24T17:00:00Z');
    expect(await escalations(r.id)).toHaveLength(2);
    const esc = (await get(walikota, '/api/v1/reports/escalations')).json().escalations.filter((e: { trackingNo: string }) => e.trackingNo === r.trackingNo);
    expect(esc.map((e: { to: string; toName: string | null; handler: string }) => [e.to, e.toName, e.handler])).toEqual([
      ['Pimpinan daerah', 'Wali Kota', 'DPUPR'],
      ['Kepala OPD', 'Kepala DPUPR', 'DPUPR'],
    ]);
  });

  it('starts over at level 0 in a new stage: the lurah verifies an escalated report', async () => {
    // Tuesday 3 Nov 10.00 WIB (03:00Z) → verify due Wednesday 4 Nov 23:59:59.999 WIB = 16:59:59.999Z.
    const r = await submit('2026-11-03T03:00:00Z');
    expect(r.due.at).toBe('2026-11-04T16:59:59.999Z');
    await run('2026-11-04T17:00:00Z');
    expect((await escalations(r.id)).map((e) => [e.level, e.stage, e.target_label])).toEqual([[1, 'verify', 'Lurah']]);

    // Thursday 5 Nov 09.00 WIB (02:00Z): verified. Dispatch within 2 working days: Fri 6, Mon 9 →
    // Monday 9 Nov 23:59:59.999 WIB = 16:59:59.999Z; warning Sunday 8 Nov 16:59:59.999Z.
    at('2026-11-05T02:00:00Z');
    const verified = (await act(lurah, r.id, 'verify')).report;
    expect(verified).toMatchObject({ status: 'verified', escalationLevel: 0, escalated: true });
    expect(verified.due.at).toBe('2026-11-09T16:59:59.999Z');
    const s = await state(r.id);
    expect(s).toMatchObject({ escalation_level: 0, escalation_count: 1, warned_at: null });
    expect(iso(s.next_escalation_at)).toBe('2026-11-09T16:59:59.999Z');
    expect(iso(s.warn_at)).toBe('2026-11-08T16:59:59.999Z');

    // Overdue again in the new stage: the chain begins again with the Lurah.
    await run('2026-11-09T16:59:00Z');
    expect(await escalations(r.id)).toHaveLength(1);
    await run('2026-11-09T17:00:00Z');
    expect((await escalations(r.id)).map((e) => [e.level, e.stage, e.target_label])).toEqual([
      [1, 'verify', 'Lurah'],
      [1, 'dispatch', 'Lurah'],
    ]);
    expect(await state(r.id)).toMatchObject({ escalation_level: 1, escalation_count: 2 });
  });

  it('starts over when the kelurahan starts the work itself on a verified report (a new stage: resolve)', async () => {
    // Tuesday 3 Nov 10.00 WIB submitted, verified at 11.00 WIB (04:00Z). Dispatch within 2 working
    // days: Wed 4, Thu 5 → Thursday 5 Nov 23:59:59.999 WIB = 16:59:59.999Z.
    const r = await submit('2026-11-03T03:00:00Z');
    at('2026-11-03T04:00:00Z');
    expect((await act(lurah, r.id, 'verify')).report.due.at).toBe('2026-11-05T16:59:59.999Z');
    await run('2026-11-05T17:00:00Z');
    expect((await escalations(r.id)).map((e) => [e.level, e.stage, e.target_label])).toEqual([[1, 'dispatch', 'Lurah']]);
    // Without a change, the Camat would follow at the end of the next working day, Mon 9 Nov 16:59:59.999Z.

    // Friday 6 Nov 09.00 WIB (02:00Z): the kelurahan starts the work itself. Resolve within 10 working
    // days after Fri 6: 9, 10, 11, 12, 13, 16, 17, 18, 19, 20 → Friday 20 Nov 23:59:59.999 WIB = 16:59:59.999Z.
    at('2026-11-06T02:00:00Z');
    const started = (await act(lurah, r.id, 'start')).report;
    expect(started).toMatchObject({ status: 'in_progress', escalated: true });
    expect(started.due.at).toBe('2026-11-20T16:59:59.999Z');

    // The resolve stage has its own deadline, so it has its own warning and its own escalation chain.
    const s = await state(r.id);
    expect.soft({ level: s.escalation_level, next: iso(s.next_escalation_at), warnAt: iso(s.warn_at), warnedAt: iso(s.warned_at) }).toEqual({
      level: 0,
      next: '2026-11-20T16:59:59.999Z',
      warnAt: '2026-11-19T16:59:59.999Z',
      warnedAt: null,
    });
    // Monday 9 Nov after the old next rung: the work is within its deadline, the Camat is not called.
    await run('2026-11-09T17:00:00Z');
    expect.soft((await escalations(r.id)).map((e) => [e.stage, e.target_label])).toEqual([['dispatch', 'Lurah']]);
    // Thursday 19 Nov after 23:59:59.999 WIB: the kelurahan is warned of the resolve deadline.
    await run('2026-11-19T17:00:00Z');
    expect((await timeline(lurah, r.id)).filter((e) => e.kind === 'warning').map((e) => e.data?.stage)).toEqual(['dispatch', 'resolve']);
  });

  it('keeps the resolve deadline on a re-dispatch and still warns a day before it', async () => {
    // Dispatched to DPUPR Monday 2 Nov 10.00 WIB: resolve due Monday 16 Nov 16:59:59.999Z, warning
    // Sunday 15 Nov 16:59:59.999Z (see the OPD escalation above).
    const r = await submit('2026-11-02T02:00:00Z');
    at('2026-11-02T03:00:00Z');
    await act(lurah, r.id, 'verify');
    await act(lurah, r.id, 'dispatch', { target: { kind: 'opd', code: 'dpupr' }, note: 'Mohon ditambal.' });
    expect(iso((await state(r.id)).warn_at)).toBe('2026-11-15T16:59:59.999Z');

    // Thursday 5 Nov 10.00 WIB: DPUPR passes it on to Dishub. The citizen's deadline does not move…
    at('2026-11-05T03:00:00Z');
    const moved = (await act(dpupr, r.id, 'dispatch', { target: { kind: 'opd', code: 'dishub' }, note: 'Kewenangan Dishub (PJU).' })).report;
    expect(moved).toMatchObject({ handler: { kind: 'opd', code: 'dishub' } });
    expect(moved.resolveDue.at).toBe('2026-11-16T16:59:59.999Z');
    // …and Dishub is warned a day before it, like any handler: Sunday 15 Nov 16:59:59.999Z.
    expect.soft(iso((await state(r.id)).warn_at)).toBe('2026-11-15T16:59:59.999Z');
    await run('2026-11-15T17:00:00Z');
    expect((await timeline(koordinator, r.id)).filter((e) => e.kind === 'warning'), 'warned on Sunday night, a day before the deadline').toHaveLength(1);
  });

  it('escalates each report once per rung, however often and however concurrently the job runs', async () => {
    // Emergency: Sunday 22 Nov 02.00 WIB (21 Nov 19:00Z) → verify due 15 minutes later, 19:15Z.
    const r = await submit('2026-11-21T19:00:00Z', FIRE);
    expect(r.due.at).toBe('2026-11-21T19:15:00.000Z');

    await Promise.all([run('2026-11-21T19:15:01Z'), run('2026-11-21T19:15:01Z'), run('2026-11-21T19:15:01Z')]);
    await run('2026-11-21T19:15:01Z');
    expect(await escalations(r.id)).toEqual([{ level: 1, stage: 'verify', target_label: 'Kepala OPD', target_user_id: kepalaDamkar.userId, created_at: new Date('2026-11-21T19:15:01Z') }]);
    expect((await timeline(kepalaDamkar, r.id)).filter((e) => e.kind === 'warning')).toHaveLength(1);
    // An emergency's next rung is an hour later, around the clock (a Sunday night).
    expect(await state(r.id)).toMatchObject({ escalation_level: 1, next_escalation_at: new Date('2026-11-21T20:15:01Z') });

    await run('2026-11-21T20:15:00Z');
    expect(await escalations(r.id)).toHaveLength(1);
    await Promise.all([run('2026-11-21T20:15:01Z'), run('2026-11-21T20:15:01Z')]);
    await run('2026-11-21T20:15:01Z');
    expect((await escalations(r.id)).map((e) => [e.level, e.target_label])).toEqual([
      [1, 'Kepala OPD'],
      [2, 'Pimpinan daerah'],
    ]);
    expect(await state(r.id)).toMatchObject({ escalation_level: 2, escalation_count: 2, next_escalation_at: null });
    expect(await outbox('report.escalated', r.id)).toHaveLength(2);
  });

  // --- auto-close and the dispute window --------------------------------------------------------------

  it('closes a resolution by itself after the dispute window (7 days), as "Sistem"', async () => {
    const r = await resolvedReport();
    const resolvedAt = r.resolvedAt.getTime();

    await run(new Date(resolvedAt + 7 * DAY - 60_000));
    expect((await state(r.id)).status).toBe('resolved');

    const closeAt = new Date(resolvedAt + 7 * DAY + 60_000);
    expect((await run(closeAt)).closed).toBeGreaterThanOrEqual(1);
    const s = await state(r.id);
    expect(s.status).toBe('closed');
    expect(iso(s.closed_at)).toBe(closeAt.toISOString());
    expect((await run(closeAt)).closed).toBe(0);

    const mine = (await get(citizen, `/api/v1/reports/${r.id}`)).json();
    expect(mine.report).toMatchObject({ status: 'closed', rating: null, closedAt: closeAt.toISOString(), disputeUntil: null });
    expect(mine.timeline.at(-1)).toMatchObject({ kind: 'status', fromStatus: 'resolved', toStatus: 'closed', actor: 'Sistem', internal: false });
    expect((await outbox('report.status_changed', r.id)).at(-1)).toMatchObject({ action: 'close', from: 'resolved', to: 'closed', automatic: true });
    // Nothing left to dispute or rate.
    expect((await post(citizen, `/api/v1/reports/${r.id}/actions/dispute`, { note: 'Belum selesai.' })).statusCode).toBe(409);
  });

  it('refuses a dispute after the window and accepts one within it', async () => {
    const r = await resolvedReport();
    const resolvedAt = r.resolvedAt.getTime();
    const seen = (await get(citizen, `/api/v1/reports/${r.id}`)).json().report;
    expect(seen.disputeUntil).toBe(new Date(resolvedAt + 7 * DAY).toISOString());

    at(new Date(resolvedAt + 7 * DAY + 60_000));
    const late = await post(citizen, `/api/v1/reports/${r.id}/actions/dispute`, { note: 'Lubangnya muncul lagi.' });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('dispute_window_passed');
    expect(late.json().error.message).toContain('7 hari');
    expect((await state(r.id)).status).toBe('resolved');

    at(new Date(resolvedAt + 7 * DAY - 60_000));
    const inTime = await post(citizen, `/api/v1/reports/${r.id}/actions/dispute`, { note: 'Lubangnya muncul lagi.' });
    expect(inTime.statusCode, inTime.body).toBe(200);
    expect(inTime.json().report).toMatchObject({ status: 'dispatched', handler: { kind: 'opd', code: 'dpupr' }, escalationLevel: 0 });
    // A new resolve deadline, counted from the (chosen) moment of the dispute.
    expect(new Date(inTime.json().report.resolveDue.at).getTime()).toBeGreaterThan(resolvedAt + 7 * DAY);
  });

  // --- categories and their deadlines -------------------------------------------------------------------

  it('refuses working-day deadlines that are not whole days (a submission could not compute its deadline)', async () => {
    const category = {
      code: 'uji-setengah-hari',
      name: { id: 'Uji setengah hari', en: 'Half-day test' },
      group: 'infrastruktur',
      icon: 'road',
      agencyCode: 'dpupr',
      firstHandler: 'kelurahan',
      deadlines: { verify: 0.5, dispatch: 1, resolve: 2 },
    };
    const fileIn = (code: string) => post(citizen, '/api/v1/reports', { categoryCode: code, description: 'Uji kategori dengan tenggat pecahan.', kelurahanCode: RAMANUJU.code });
    const created = await post(admin, '/api/v1/report-categories', category);
    if (created.statusCode === 201) {
      // Accepted: then a citizen's report in it must still work.
      const filed = await fileIn(category.code);
      expect.soft(filed.statusCode, `a report in the new category: ${filed.body}`).toBe(201);
    }
    expect.soft(created.statusCode, created.body).toBe(400);

    // The same through a change: an emergency (hours) category made a normal one keeps 0.25 "days".
    const emergency = { ...category, code: 'uji-darurat-jam', emergency: true, firstHandler: 'opd', deadlines: { verify: 0.25, dispatch: 0.25, resolve: 6 } };
    expect((await post(admin, '/api/v1/report-categories', emergency)).statusCode).toBe(201);
    expect((await fileIn(emergency.code)).statusCode).toBe(201);
    const changed = await h.app.inject({ method: 'PATCH', url: '/api/v1/report-categories/uji-darurat-jam', headers: asSession(admin), payload: { emergency: false } });
    if (changed.statusCode === 200) {
      const filed = await fileIn(emergency.code);
      expect.soft(filed.statusCode, `a report after the change: ${filed.body}`).toBe(201);
    }
    expect(changed.statusCode, changed.body).toBe(400);
  });
});

import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachDatabase, startHarness, type Harness } from '../support/harness.js';

/**
 * THE ROLE × ROUTE MATRIX — who may call what.
 *
 * Every route added to the API adds its rows here (see src/modules/identity/policy.ts). One row per
 * route: method and URL, then one cell per role, A = allow, D = deny, then a valid body when the
 * route takes one. The body must be valid because Fastify validates a body before authentication:
 * an invalid body would answer 400 and hide the policy.
 *
 *   deny  = 401 for anonymous, 403 for everybody else
 *   allow = neither 401 nor 403 (the route may still refuse the input), and no server error
 *
 * Placeholders in URLs: {officerId} (petugas.dlh), {citizenId} (the demo citizen 3672011708900001),
 * {channelId} (a console notification channel made for the matrix).
 * An allowed write really happens, so rows are written to be harmless when repeated.
 */
const ROLES = ['anonymous', 'citizen', 'admin', 'coordinator', 'pimpinan', 'command', 'officer', 'officer-kelurahan'] as const;
type RoleName = (typeof ROLES)[number];

/** Who each role logs in as (bearer tokens). */
const LOGINS: Record<Exclude<RoleName, 'anonymous'>, string> = {
  citizen: '3672011708900001',
  admin: 'admin',
  coordinator: 'koordinator',
  pimpinan: 'walikota',
  command: 'command',
  officer: 'petugas.dishub',
  'officer-kelurahan': 'lurah.ramanuju',
};

// prettier-ignore
const MATRIX: [route: string, cells: string, body?: unknown][] = [
  //                                                anon cit  adm  coo  pim  cmd  off  kel
  // --- public -----------------------------------------------------------------------------------
  ['GET    /health',                                 'A    A    A    A    A    A    A    A'],
  ['GET    /api/v1/city',                            'A    A    A    A    A    A    A    A'],
  ['GET    /api/v1/privacy-notice',                  'A    A    A    A    A    A    A    A'],
  ['GET    /api/v1/agencies',                        'A    A    A    A    A    A    A    A'],
  ['GET    /api/v1/agencies/dishub',                 'A    A    A    A    A    A    A    A'],
  ['GET    /api/v1/regions',                         'A    A    A    A    A    A    A    A'],
  ['GET    /api/v1/regions/boundaries.geojson',      'A    A    A    A    A    A    A    A'],
  ['GET    /api/v1/regions/locate?lat=-6.0&lng=106.0','A    A    A    A    A    A    A    A'],
  // --- one's own account --------------------------------------------------------------------------
  ['GET    /api/v1/me',                              'D    A    A    A    A    A    A    A'],
  ['GET    /api/v1/me/personal-data',                'D    A    A    A    A    A    A    A'],
  ['POST   /api/v1/auth/phone/resend',               'D    A    A    A    A    A    A    A'],
  // --- users (admin) -----------------------------------------------------------------------------
  ['GET    /api/v1/users',                           'D    D    A    D    D    D    D    D'],
  ['POST   /api/v1/users',                           'D    D    A    D    D    D    D    D',
    { username: 'matrix.officer', name: 'Petugas Matriks', role: 'officer', scope: { kind: 'opd', code: 'dishub' }, password: 'matrix-password-1' }],
  ['PATCH  /api/v1/users/{officerId}',               'D    D    A    D    D    D    D    D', { isHead: false }],
  ['GET    /api/v1/users/{citizenId}/personal-data', 'D    D    A    D    D    D    D    D'],
  // --- agencies and regions (admin) --------------------------------------------------------------
  ['POST   /api/v1/agencies',                        'D    D    A    D    D    D    D    D',
    { code: 'matrix-opd', kind: 'opd', name: 'Dinas Matriks', shortName: 'Matriks' }],
  ['PATCH  /api/v1/agencies/dishub',                 'D    D    A    D    D    D    D    D', { shortName: 'Dishub' }],
  ['POST   /api/v1/regions/boundaries',              'D    D    A    D    D    D    D    D', { type: 'FeatureCollection', features: [] }],
  // --- audit (admin) -----------------------------------------------------------------------------
  ['GET    /api/v1/audit',                           'D    D    A    D    D    D    D    D'],
  ['GET    /api/v1/audit/verify',                    'D    D    A    D    D    D    D    D'],
  // --- NIK claims (officer of a kelurahan) -------------------------------------------------------
  ['POST   /api/v1/identity/nik-claims',             'D    D    D    D    D    D    D    A',
    { nik: '3672071212750011', name: 'Bambang Matriks', birthDate: '1975-12-12', phone: '081399990011' }],
  // --- report categories and the holiday calendar: everybody reads, the admin writes ----------------
  ['GET    /api/v1/report-categories',               'A    A    A    A    A    A    A    A'],
  ['GET    /api/v1/report-categories?all=true',      'A    A    A    A    A    A    A    A'],
  ['POST   /api/v1/report-categories',               'D    D    A    D    D    D    D    D',
    { code: 'matriks-uji', name: { id: 'Kategori matriks', en: 'Matrix category' }, group: 'lainnya', icon: 'other', agencyCode: 'dishub', firstHandler: 'opd', deadlines: { verify: 1, dispatch: 1, resolve: 5 } }],
  ['PATCH  /api/v1/report-categories/matriks-uji',   'D    D    A    D    D    D    D    D', { sortOrder: 990 }],
  ['GET    /api/v1/holidays',                        'A    A    A    A    A    A    A    A'],
  ['GET    /api/v1/holidays?year=2026',              'A    A    A    A    A    A    A    A'],
  ['PUT    /api/v1/holidays/2030-01-02',             'D    D    A    D    D    D    D    D', { name: 'Cuti bersama matriks', kind: 'cuti_bersama' }],
  ['DELETE /api/v1/holidays/2030-01-02',             'D    D    A    D    D    D    D    D'],
  // --- reports (routes bound to one report: REPORT_MATRIX below) -------------------------------------
  ['GET    /api/v1/reports',                         'D    A    A    A    A    A    A    A'],
  ['GET    /api/v1/reports?mine=true&overdue=true&escalated=true&sort=priority', 'D    A    A    A    A    A    A    A'],
  ['GET    /api/v1/reports/nearby?category=sampah&lat=-5.98979&lng=106.0143', 'D    A    A    A    A    A    A    A'],
  ['GET    /api/v1/reports/escalations',             'D    D    A    A    A    A    D    D'],
  // A report that does not exist: anonymous still gets 401, so nobody learns which numbers exist.
  ['GET    /api/v1/reports/SK-2026-999999',          'D    A    A    A    A    A    A    A'],
  // --- the public feed ----------------------------------------------------------------------------------
  ['GET    /api/v1/public/reports',                  'A    A    A    A    A    A    A    A'],
  ['GET    /api/v1/public/reports?status=resolved,closed&bbox=105.9,-6.1,106.2,-5.9', 'A    A    A    A    A    A    A    A'],
  ['GET    /api/v1/public/reports.geojson',          'A    A    A    A    A    A    A    A'],
  ['GET    /api/v1/public/reports/SK-2026-999999',   'A    A    A    A    A    A    A    A'],
  ['GET    /api/v1/public/photos/00000000-0000-4000-8000-000000000000', 'A    A    A    A    A    A    A    A'],
  // --- notifications (admin) -------------------------------------------------------------------------
  ['GET    /api/v1/notification-channels',           'D    D    A    D    D    D    D    D'],
  ['POST   /api/v1/notification-channels',           'D    D    A    D    D    D    D    D', { kind: 'console', name: 'Konsol matriks' }],
  ['PATCH  /api/v1/notification-channels/{channelId}', 'D    D    A    D    D    D    D    D', { enabled: true }],
  ['POST   /api/v1/notification-channels/{channelId}/test', 'D    D    A    D    D    D    D    D', {}],
  ['DELETE /api/v1/notification-channels/{channelId}', 'D    D    A    D    D    D    D    D'],
  ['GET    /api/v1/notification-deliveries',         'D    D    A    D    D    D    D    D'],
  ['GET    /api/v1/notification-deliveries?status=failed', 'D    D    A    D    D    D    D    D'],
  ['POST   /api/v1/notification-deliveries/999999/retry', 'D    D    A    D    D    D    D    D'],
  // --- Open311 keys (admin); Open311 itself needs no login, only an api_key to POST ------------------
  ['GET    /api/v1/open311-keys',                    'D    D    A    D    D    D    D    D'],
  ['POST   /api/v1/open311-keys',                    'D    D    A    D    D    D    D    D', { name: 'Mitra matriks' }],
  ['DELETE /api/v1/open311-keys/00000000-0000-4000-8000-000000000000', 'D    D    A    D    D    D    D    D'],
  ['GET    /open311/v2/services.json',               'A    A    A    A    A    A    A    A'],
  ['GET    /open311/v2/requests.xml',                'A    A    A    A    A    A    A    A'],
  // --- export and statistics (officers; each sees their own scope) -------------------------------------
  ['GET    /api/v1/reports/export.csv',              'D    D    A    A    A    A    A    A'],
  ['GET    /api/v1/reports/export.xlsx?status=submitted', 'D    D    A    A    A    A    A    A'],
  ['GET    /api/v1/stats/summary',                   'D    D    A    A    A    A    A    A'],
  ['GET    /api/v1/stats/agencies?days=90',          'D    D    A    A    A    A    A    A'],
  ['GET    /api/v1/stats/kecamatan',                 'D    D    A    A    A    A    A    A'],
  ['GET    /api/v1/stats/trend?days=7',              'D    D    A    A    A    A    A    A'],
  ['GET    /api/v1/stats/map?bbox=105.9,-6.1,106.2,-5.8&zoom=12', 'D    D    A    A    A    A    A    A'],
];

/**
 * THE REPORT MATRIX — who may do what to one report, in a known state.
 *
 * The report: a pothole (jalan-rusak, agency DPUPR) filed by the demo citizen 3672011708900001 in
 * Kelurahan Ramanuju (36.72.07.1001, Kecamatan Purwakarta 36.72.07), then taken as far as the row's
 * state: submitted and verified (the kelurahan holds it), dispatched and in_progress (DPUPR holds
 * it), resolved. More roles than above, because here who sees and who holds the report matters:
 *
 *   rep  the reporter                      cit  another citizen
 *   opd  an officer of an unrelated OPD (Dishub)            agy  an officer of the report's OPD (DPUPR)
 *   kel  the kelurahan where it happened (lurah.ramanuju)   oth  another kelurahan (lurah.cibeber)
 *   kec  the kecamatan around it (camat.purwakarta)
 *
 *   A = 2xx: it happens         D = 401 for anonymous, 403: may see the report, may not do this
 *   N = 404: may not even see the report (its existence is not revealed)
 *
 * Placeholders: {report} (the report's id), {other} (the tracking number of a second report of the
 * reporter in the same kelurahan, for merge), {photo} (the report's photo, state "submitted+photo").
 * An allowed action gets a fresh report in the state; the others share one. Every action a state
 * allows has its row, so the rows also say which `actions` a reader of the report is offered.
 */
const REPORT_ROLES = ['anonymous', 'reporter', 'citizen', 'admin', 'coordinator', 'pimpinan', 'command', 'officer', 'officer-agency', 'officer-kelurahan', 'officer-other-kelurahan', 'officer-kecamatan'] as const;
type ReportRoleName = (typeof REPORT_ROLES)[number];
type ReportState = 'none' | 'submitted' | 'submitted+photo' | 'verified' | 'dispatched' | 'in_progress' | 'resolved';

const REPORT_LOGINS: Record<Exclude<ReportRoleName, 'anonymous'>, string> = {
  reporter: '3672011708900001',
  citizen: '3672074503850002',
  admin: 'admin',
  coordinator: 'koordinator',
  pimpinan: 'walikota',
  command: 'command',
  officer: 'petugas.dishub',
  'officer-agency': 'petugas.dpupr',
  'officer-kelurahan': 'lurah.ramanuju',
  'officer-other-kelurahan': 'lurah.cibeber',
  'officer-kecamatan': 'camat.purwakarta',
};

const NEW_REPORT = { categoryCode: 'jalan-rusak', description: 'Matriks: jalan berlubang di depan sekolah.', kelurahanCode: '36.72.07.1001', answers: { tingkat: 'sedang' } };

// prettier-ignore
const REPORT_MATRIX: [route: string, state: ReportState, cells: string, body?: unknown][] = [
  //                                                  state             anon rep cit adm coo pim cmd opd agy kel oth kec
  // Filing: a citizen for themselves, an officer for a caller (with the channel; a citizen's is ignored).
  ['POST   /api/v1/reports',                          'none',           'D   A   A   D   A   D   D   A   A   A   A   A',
    { ...NEW_REPORT, channel: 'phone', contactName: 'Penelepon Matriks' }],
  // Reading.
  ['GET    /api/v1/reports/{report}',                 'submitted',      'D   A   N   A   A   A   A   N   A   A   N   A'],
  ['GET    /api/v1/reports/{report}',                 'dispatched',     'D   A   N   A   A   A   A   N   A   A   N   A'],
  ['GET    /api/v1/reports/{report}/photos/{photo}',  'submitted+photo','D   A   N   A   A   A   A   N   A   A   N   A'],
  // The workflow: whoever holds the report acts (the coordinator holds every report, the camat what
  // the kelurahan of the kecamatan holds); only officers return, start and resolve; only the reporter
  // closes and disputes.
  ['POST   /api/v1/reports/{report}/actions/verify',  'submitted',      'D   D   N   D   A   D   D   N   D   A   N   A', {}],
  ['POST   /api/v1/reports/{report}/actions/reject',  'submitted',      'D   D   N   D   A   D   D   N   D   A   N   A', { note: 'Bukan masalah jalan umum.' }],
  ['POST   /api/v1/reports/{report}/actions/merge',   'submitted',      'D   D   N   D   A   D   D   N   D   A   N   A', { intoTrackingNo: '{other}' }],
  ['POST   /api/v1/reports/{report}/actions/merge',   'verified',       'D   D   N   D   A   D   D   N   D   A   N   A', { intoTrackingNo: '{other}' }],
  ['POST   /api/v1/reports/{report}/actions/dispatch','verified',       'D   D   N   D   A   D   D   N   D   A   N   A', { target: { kind: 'opd', code: 'dpupr' }, note: 'Mohon ditambal.' }],
  ['POST   /api/v1/reports/{report}/actions/start',   'verified',       'D   D   N   D   D   D   D   N   D   A   N   A', {}],
  ['POST   /api/v1/reports/{report}/actions/dispatch','dispatched',     'D   D   N   D   A   D   D   N   A   D   N   D', { target: { kind: 'opd', code: 'dishub' }, note: 'Kewenangan Dishub.' }],
  ['POST   /api/v1/reports/{report}/actions/return',  'dispatched',     'D   D   N   D   D   D   D   N   A   D   N   D', { note: 'Bukan kewenangan kami.' }],
  ['POST   /api/v1/reports/{report}/actions/start',   'dispatched',     'D   D   N   D   D   D   D   N   A   D   N   D', {}],
  ['POST   /api/v1/reports/{report}/actions/resolve', 'dispatched',     'D   D   N   D   D   D   D   N   A   D   N   D', { note: 'Sudah ditambal.' }],
  ['POST   /api/v1/reports/{report}/actions/dispatch','in_progress',    'D   D   N   D   A   D   D   N   A   D   N   D', { target: { kind: 'opd', code: 'dishub' }, note: 'Kewenangan Dishub.' }],
  ['POST   /api/v1/reports/{report}/actions/return',  'in_progress',    'D   D   N   D   D   D   D   N   A   D   N   D', { note: 'Bukan kewenangan kami.' }],
  ['POST   /api/v1/reports/{report}/actions/resolve', 'in_progress',    'D   D   N   D   D   D   D   N   A   D   N   D', { note: 'Sudah ditambal.' }],
  ['POST   /api/v1/reports/{report}/actions/close',   'resolved',       'D   A   N   D   D   D   D   N   D   D   N   D', { rating: 4 }],
  ['POST   /api/v1/reports/{report}/actions/dispute', 'resolved',       'D   A   N   D   D   D   D   N   D   D   N   D', { note: 'Lubangnya masih ada.' }],
  // Talking about it: comments (reporter and officers who see it), internal notes (officers only).
  ['POST   /api/v1/reports/{report}/comments',        'submitted',      'D   A   N   D   A   A   D   N   A   A   N   A', { text: 'Terima kasih, sedang kami periksa.' }],
  ['POST   /api/v1/reports/{report}/comments',        'submitted',      'D   D   N   D   A   A   D   N   A   A   N   A', { text: 'Catatan internal.', internal: true }],
  // Supporting: another citizen, once the report is public (verified); before that it is not found
  // (by the reporter either: support looks among public reports).
  ['POST   /api/v1/reports/{report}/support',         'verified',       'D   D   A   D   D   D   D   D   D   D   D   D'],
  ['POST   /api/v1/reports/{report}/support',         'submitted',      'D   N   N   D   D   D   D   D   D   D   D   D'],
  // Moderating a photo: whoever holds the report.
  ['POST   /api/v1/reports/{report}/photos/{photo}/moderation', 'submitted+photo', 'D   D   N   D   A   D   D   N   D   A   N   A', { decision: 'approved' }],
];

interface ReportCell {
  method: 'GET' | 'POST';
  url: string;
  state: ReportState;
  role: ReportRoleName;
  expected: 'A' | 'D' | 'N';
  body: unknown;
}

const REPORT_CELLS: ReportCell[] = REPORT_MATRIX.flatMap(([route, state, cells, body]) => {
  const [method, url] = route.trim().split(/\s+/) as [ReportCell['method'], string];
  const marks = cells.trim().split(/\s+/);
  if (marks.length !== REPORT_ROLES.length || marks.some((m) => !['A', 'D', 'N'].includes(m))) throw new Error(`report matrix row "${route}" needs ${REPORT_ROLES.length} cells of A, D or N`);
  return REPORT_ROLES.map((role, i) => ({ method, url, state, role, expected: marks[i] as ReportCell['expected'], body }));
});

interface Cell {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  role: RoleName;
  outcome: 'allow' | 'deny';
  body: unknown;
}

const CELLS: Cell[] = MATRIX.flatMap(([route, cells, body]) => {
  const [method, url] = route.trim().split(/\s+/) as [Cell['method'], string];
  const marks = cells.trim().split(/\s+/);
  if (marks.length !== ROLES.length || marks.some((m) => m !== 'A' && m !== 'D')) throw new Error(`matrix row "${route}" needs ${ROLES.length} cells of A or D`);
  return ROLES.map((role, i) => ({ method, url, role, outcome: marks[i] === 'A' ? ('allow' as const) : ('deny' as const), body }));
});

describeEachDatabase('policy matrix', (kind) => {
  let h: Harness;
  const tokens = new Map<RoleName, string>();
  const ids: Record<string, string> = {};
  const reportTokens = new Map<ReportRoleName, string>();
  let photo: Buffer;
  beforeAll(async () => {
    h = await startHarness(kind);
    for (const [role, login] of Object.entries(LOGINS)) tokens.set(role as RoleName, await bearer(h.app, login));
    ids.officerId = (await h.db.one<{ id: string }>(`select id from users where username = 'petugas.dlh'`)).id;
    const citizen = await h.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${tokens.get('citizen')}` } });
    ids.citizenId = citizen.json().user.id;
    ids.channelId = (await h.ctx.notifications.createChannel({ kind: 'console', name: 'Matriks', config: {} }, { id: null, label: 'test' })).id;
    for (const [role, login] of Object.entries(REPORT_LOGINS)) reportTokens.set(role as ReportRoleName, await bearer(h.app, login));
    photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 120, g: 120, b: 120 } } }).jpeg().toBuffer();
  });
  afterAll(async () => h?.close());

  // --- report fixtures --------------------------------------------------------------------------------
  interface Fixture {
    id: string;
    trackingNo: string;
    state: ReportState;
    other?: string;
    photo?: string;
  }

  const call = async (role: ReportRoleName, method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) => {
    const token = reportTokens.get(role);
    return h.app.inject({
      method,
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> | Buffer }),
    });
  };
  const must = async (what: string, res: Promise<{ statusCode: number; body: string; json: () => unknown }>, status = 200) => {
    const r = await res;
    if (r.statusCode !== status) throw new Error(`fixture: ${what} answered ${r.statusCode} ${r.body.slice(0, 300)}`);
    return (r.json() as { report: { id: string; trackingNo: string; photos: { id: string }[] } }).report;
  };

  /** A multipart form with the fields of a new report and one photo. */
  const withPhoto = (fields: Record<string, string>) => {
    const boundary = `matriks${Date.now()}`;
    const parts: Buffer[] = Object.entries(fields).map(([k, v]) => Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="photos"; filename="lubang.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`), photo, Buffer.from(`\r\n--${boundary}--\r\n`));
    return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
  };

  /** A new report of the reporter in Kelurahan Ramanuju, taken to `state` by the ones who may. */
  async function makeFixture(state: Exclude<ReportState, 'none'>, needs: { other: boolean }): Promise<Fixture> {
    let report;
    if (state === 'submitted+photo') {
      const form = withPhoto({ categoryCode: NEW_REPORT.categoryCode, description: NEW_REPORT.description, kelurahanCode: NEW_REPORT.kelurahanCode, answers: JSON.stringify(NEW_REPORT.answers) });
      report = await must('submit with a photo', call('reporter', 'POST', '/api/v1/reports', form.payload, form.headers), 201);
    } else {
      report = await must('submit', call('reporter', 'POST', '/api/v1/reports', NEW_REPORT), 201);
    }
    const fixture: Fixture = { id: report.id, trackingNo: report.trackingNo, state, photo: report.photos[0]?.id };
    if (needs.other) fixture.other = (await must('submit another', call('reporter', 'POST', '/api/v1/reports', NEW_REPORT), 201)).trackingNo;
    const steps: [ReportState, ReportRoleName, string, object][] = [
      ['verified', 'officer-kelurahan', 'verify', {}],
      ['dispatched', 'officer-kelurahan', 'dispatch', { target: { kind: 'opd', code: 'dpupr' }, note: 'Mohon ditambal.' }],
      ['in_progress', 'officer-agency', 'start', {}],
      ['resolved', 'officer-agency', 'resolve', { note: 'Sudah ditambal.' }],
    ];
    const order: ReportState[] = ['submitted', 'verified', 'dispatched', 'in_progress', 'resolved'];
    const target = order.indexOf(state === 'submitted+photo' ? 'submitted' : state);
    for (const [reached, role, action, body] of steps) {
      if (order.indexOf(reached) > target) break;
      await must(action, call(role, 'POST', `/api/v1/reports/${fixture.id}/actions/${action}`, body));
    }
    return fixture;
  }

  /** Shared fixtures for cells that change nothing; made again if a cell changed one after all. */
  const shared = new Map<string, Fixture>();
  async function sharedFixture(state: Exclude<ReportState, 'none'>, needs: { other: boolean }): Promise<Fixture> {
    const key = `${state}${needs.other ? '+other' : ''}`;
    const existing = shared.get(key);
    const status = state === 'submitted+photo' ? 'submitted' : state;
    if (existing && (await h.db.one<{ status: string }>('select status from reports where id = $1', [existing.id])).status === status) return existing;
    const made = await makeFixture(state, needs);
    shared.set(key, made);
    return made;
  }

  it.each(CELLS)('$method $url as $role → $outcome', async ({ method, url, role, outcome, body }) => {
    const realUrl = url.replace(/\{(\w+)\}/g, (_, name: string) => {
      const id = ids[name];
      if (!id) throw new Error(`unknown placeholder ${name}`);
      return id;
    });
    const token = tokens.get(role);
    const res = await h.app.inject({
      method,
      url: realUrl,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });
    const where = `${res.statusCode} ${res.body.slice(0, 300)}`;
    if (outcome === 'deny') {
      expect(res.statusCode, where).toBe(role === 'anonymous' ? 401 : 403);
    } else {
      expect([401, 403], where).not.toContain(res.statusCode);
      expect(res.statusCode, where).toBeLessThan(500);
    }
  });

  it.each(REPORT_CELLS)('$method $url on a $state report as $role → $expected', async ({ method, url, state, role, expected, body }) => {
    const needs = { other: JSON.stringify(body ?? null).includes('{other}') };
    const changes = method !== 'GET' && expected === 'A';
    const fixture = state === 'none' ? undefined : changes ? await makeFixture(state, needs) : await sharedFixture(state, needs);
    const fill = (text: string) =>
      text.replace(/\{(\w+)\}/g, (_, name: string) => {
        const value = name === 'report' ? fixture?.id : name === 'other' ? fixture?.other : name === 'photo' ? fixture?.photo : undefined;
        if (!value) throw new Error(`no value for placeholder ${name}`);
        return value;
      });
    const payload = body === undefined ? undefined : (JSON.parse(fill(JSON.stringify(body))) as unknown);
    const res = await call(role, method, fill(url), payload);
    const where = `${res.statusCode} ${res.body.slice(0, 300)}`;
    if (expected === 'A') {
      expect(res.statusCode, where).toBeGreaterThanOrEqual(200);
      expect(res.statusCode, where).toBeLessThan(300);
    } else if (expected === 'N') {
      expect(res.statusCode, where).toBe(404);
    } else {
      expect(res.statusCode, where).toBe(role === 'anonymous' ? 401 : 403);
    }
  });

  // The same rules seen from the other side: the list agrees with the detail, and the actions a report
  // offers its reader are exactly the A cells of the action rows for its state.
  const READERS = REPORT_ROLES.filter((r) => r !== 'anonymous');
  const STATES = ['submitted', 'verified', 'dispatched', 'in_progress', 'resolved'] as const;
  it.each(STATES.flatMap((state) => READERS.map((role) => ({ state, role }))))('a $state report as $role: list, detail and offered actions agree with the matrix', async ({ state, role }) => {
    const fixture = await sharedFixture(state, { other: false });
    const column = REPORT_ROLES.indexOf(role);
    const expected = REPORT_MATRIX.filter(([route, s]) => s === state && route.includes('/actions/'))
      .filter(([, , cells]) => cells.trim().split(/\s+/)[column] === 'A')
      .map(([route]) => route.split('/actions/')[1]!)
      .sort();
    const detail = await call(role, 'GET', `/api/v1/reports/${fixture.id}`);
    const listed = await call(role, 'GET', `/api/v1/reports?q=${fixture.trackingNo}`);
    expect(listed.statusCode).toBe(200);
    const inList = (listed.json().reports as { trackingNo: string }[]).some((r) => r.trackingNo === fixture.trackingNo);
    expect(inList, `listed: ${inList}, detail: ${detail.statusCode}`).toBe(detail.statusCode === 200);
    if (detail.statusCode === 200) expect([...detail.json().report.actions].sort()).toEqual(expected);
    else expect(expected).toEqual([]);
    // The photo buttons the page shows follow the moderation row (whoever holds the report).
    if (detail.statusCode === 200 && state === 'submitted') {
      const moderation = REPORT_MATRIX.find(([route]) => route.includes('/moderation'))!;
      expect(detail.json().report.canModeratePhotos).toBe(moderation[2].trim().split(/\s+/)[column] === 'A');
    }
  });
});

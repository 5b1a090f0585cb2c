import http from 'node:http';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, describeEachDatabase, startHarness, type Harness } from '../support/harness.js';
import { DEMO_PASSWORD } from '../support/env.js';

/**
 * THE ROLE × ROUTE MATRIX — who may call what.
 *
 * Every route added to the API adds its rows here (see src/modules/identity/policy.ts). One row per
 * route: method and URL, then one cell per role, then the body when the route takes one. A cell is
 *
 *   D    deny: 401 for anonymous, 403 for everybody else
 *   2xx  allow, and the exact status that role gets (a 4xx when the policy allows it but the input is
 *        refused for another reason, e.g. 409 for a phone already verified)
 *
 * Every route of the API has at least one row here: the test fails on a route the matrix misses.
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

/** A row whose call must use a session of its own (it ends the session). */
const FRESH_SESSION = Symbol('fresh session');

// prettier-ignore
const MATRIX: [route: string, cells: string, body?: unknown][] = [
  //                                                anon cit  adm  coo  pim  cmd  off  kel
  // --- public -----------------------------------------------------------------------------------
  ['GET    /health',                                 '200  200  200  200  200  200  200  200'],
  ['GET    /api/v1/city',                            '200  200  200  200  200  200  200  200'],
  ['GET    /api/v1/privacy-notice',                  '200  200  200  200  200  200  200  200'],
  ['GET    /api/v1/agencies',                        '200  200  200  200  200  200  200  200'],
  ['GET    /api/v1/agencies/dishub',                 '200  200  200  200  200  200  200  200'],
  ['GET    /api/v1/regions',                         '200  200  200  200  200  200  200  200'],
  ['GET    /api/v1/regions/boundaries.geojson',      '200  200  200  200  200  200  200  200'],
  ['GET    /api/v1/regions/locate?lat=-6.0&lng=106.0','200  200  200  200  200  200  200  200'],
  // --- one's own account --------------------------------------------------------------------------
  ['GET    /api/v1/me',                              'D    200  200  200  200  200  200  200'],
  ['GET    /api/v1/me/personal-data',                'D    200  200  200  200  200  200  200'],
  ['POST   /api/v1/auth/phone/resend',               'D    409  400  400  400  400  400  400'],
  ['POST   /api/v1/auth/phone/verify',               'D    400  400  400  400  400  400  400', { code: '000000' }],
  // Logging out ends the session the row is called with: each cell gets a session of its own.
  ['POST   /api/v1/auth/logout',                     'D    204  204  204  204  204  204  204', FRESH_SESSION],
  ['GET    /api/v1/me/nik-claims',                   'D    200  200  200  200  200  200  200'],
  ['POST   /api/v1/me/nik-claims/00000000-0000-4000-8000-000000000000/objection', 'D    404  404  404  404  404  404  404', { text: 'Saya pemilik NIK ini, bukan pengklaim.' }],
  // --- logging in and registering: anybody, with or without a session ----------------------------
  ['POST   /api/v1/auth/register',                   '400  400  400  400  400  400  400  400',
    { nik: '3672011708900001', name: 'Warga Matriks', birthDate: '1990-08-17', phone: '081399990000', password: 'matrix-password-1', consent: false }],
  ['POST   /api/v1/auth/login',                      '200  200  200  200  200  200  200  200', { login: 'walikota', password: DEMO_PASSWORD }],
  ['POST   /api/v1/auth/token',                      '200  200  200  200  200  200  200  200', { login: 'walikota', password: DEMO_PASSWORD }],
  ['POST   /api/v1/auth/setup',                      '400  400  400  400  400  400  400  400', { nik: '3672011708900001', code: '000000', password: 'matrix-password-1' }],
  // --- the live stream: everybody, each as they may see it (the status is read, then the stream closed)
  ['GET    /api/v1/live',                            '200  200  200  200  200  200  200  200'],
  // --- users (admin) -----------------------------------------------------------------------------
  ['GET    /api/v1/users',                           'D    D    200  D    D    D    D    D'],
  ['POST   /api/v1/users',                           'D    D    201  D    D    D    D    D',
    { username: 'matrix.officer', name: 'Petugas Matriks', role: 'officer', scope: { kind: 'opd', code: 'dishub' }, password: 'matrix-password-1' }],
  ['PATCH  /api/v1/users/{officerId}',               'D    D    200  D    D    D    D    D', { isHead: false }],
  ['GET    /api/v1/users/{citizenId}/personal-data', 'D    D    200  D    D    D    D    D'],
  // --- agencies and regions (admin) --------------------------------------------------------------
  ['POST   /api/v1/agencies',                        'D    D    201  D    D    D    D    D',
    { code: 'matrix-opd', kind: 'opd', name: 'Dinas Matriks', shortName: 'Matriks' }],
  ['PATCH  /api/v1/agencies/dishub',                 'D    D    200  D    D    D    D    D', { shortName: 'Dishub' }],
  ['POST   /api/v1/regions/boundaries',              'D    D    200  D    D    D    D    D', { type: 'FeatureCollection', features: [] }],
  // --- audit (admin) -----------------------------------------------------------------------------
  ['GET    /api/v1/audit',                           'D    D    200  D    D    D    D    D'],
  ['GET    /api/v1/audit/verify',                    'D    D    200  D    D    D    D    D'],
  // --- NIK claims (officers of a kelurahan or kecamatan file them; the coordinator decides the rest;
  // which claims an officer may settle at once: NIK_CLAIM_MATRIX below) ------------------------------
  ['POST   /api/v1/identity/nik-claims',             'D    D    D    D    D    D    D    201',
    { nik: '3672071212750011', name: 'Bambang Matriks', birthDate: '1975-12-12', phone: '081399990011' }],
  ['GET    /api/v1/identity/nik-claims',             'D    D    D    200  D    D    D    D'],
  ['POST   /api/v1/identity/nik-claims/00000000-0000-4000-8000-000000000000/approve', 'D    D    D    404  D    D    D    D', {}],
  ['POST   /api/v1/identity/nik-claims/00000000-0000-4000-8000-000000000000/reject', 'D    D    D    404  D    D    D    D', { reason: 'Tidak terbukti.' }],
  // --- report categories and the holiday calendar: everybody reads, the admin writes ----------------
  ['GET    /api/v1/report-categories',               '200  200  200  200  200  200  200  200'],
  ['GET    /api/v1/report-categories?all=true',      '200  200  200  200  200  200  200  200'],
  ['POST   /api/v1/report-categories',               'D    D    201  D    D    D    D    D',
    { code: 'matriks-uji', name: { id: 'Kategori matriks', en: 'Matrix category' }, group: 'lainnya', icon: 'other', agencyCode: 'dishub', firstHandler: 'opd', deadlines: { verify: 1, dispatch: 1, resolve: 5 } }],
  ['PATCH  /api/v1/report-categories/matriks-uji',   'D    D    200  D    D    D    D    D', { sortOrder: 990 }],
  ['GET    /api/v1/holidays',                        '200  200  200  200  200  200  200  200'],
  ['GET    /api/v1/holidays?year=2026',              '200  200  200  200  200  200  200  200'],
  ['PUT    /api/v1/holidays/2030-01-02',             'D    D    200  D    D    D    D    D', { name: 'Cuti bersama matriks', kind: 'cuti_bersama' }],
  ['DELETE /api/v1/holidays/2030-01-02',             'D    D    204  D    D    D    D    D'],
  // --- reports (routes bound to one report: REPORT_MATRIX below) -------------------------------------
  ['GET    /api/v1/reports',                         'D    200  200  200  200  200  200  200'],
  ['GET    /api/v1/reports?mine=true&overdue=true&escalated=true&sort=priority', 'D    200  200  200  200  200  200  200'],
  ['GET    /api/v1/reports/nearby?category=sampah&lat=-5.98979&lng=106.0143', 'D    200  200  200  200  200  200  200'],
  ['GET    /api/v1/reports/escalations',             'D    D    200  200  200  200  D    D'],
  // A report that does not exist: anonymous still gets 401, so nobody learns which numbers exist.
  ['GET    /api/v1/reports/SK-2026-999999',          'D    404  404  404  404  404  404  404'],
  // --- the public feed ----------------------------------------------------------------------------------
  ['GET    /api/v1/public/reports',                  '200  200  200  200  200  200  200  200'],
  ['GET    /api/v1/public/reports?status=resolved,closed&bbox=105.9,-6.1,106.2,-5.9', '200  200  200  200  200  200  200  200'],
  ['GET    /api/v1/public/reports.geojson',          '200  200  200  200  200  200  200  200'],
  ['GET    /api/v1/public/reports/SK-2026-999999',   '404  404  404  404  404  404  404  404'],
  ['GET    /api/v1/public/photos/00000000-0000-4000-8000-000000000000', '404  404  404  404  404  404  404  404'],
  // --- notifications (admin) -------------------------------------------------------------------------
  ['GET    /api/v1/notification-channels',           'D    D    200  D    D    D    D    D'],
  ['POST   /api/v1/notification-channels',           'D    D    201  D    D    D    D    D', { kind: 'console', name: 'Konsol matriks' }],
  ['PATCH  /api/v1/notification-channels/{channelId}', 'D    D    200  D    D    D    D    D', { enabled: true }],
  ['POST   /api/v1/notification-channels/{channelId}/test', 'D    D    200  D    D    D    D    D', {}],
  ['DELETE /api/v1/notification-channels/{channelId}', 'D    D    204  D    D    D    D    D'],
  ['GET    /api/v1/notification-deliveries',         'D    D    200  D    D    D    D    D'],
  ['GET    /api/v1/notification-deliveries?status=failed', 'D    D    200  D    D    D    D    D'],
  ['POST   /api/v1/notification-deliveries/999999/retry', 'D    D    404  D    D    D    D    D'],
  // --- Open311 keys (admin); Open311 itself needs no login, only an api_key to POST ------------------
  ['GET    /api/v1/open311-keys',                    'D    D    200  D    D    D    D    D'],
  ['POST   /api/v1/open311-keys',                    'D    D    201  D    D    D    D    D', { name: 'Mitra matriks' }],
  ['DELETE /api/v1/open311-keys/00000000-0000-4000-8000-000000000000', 'D    D    404  D    D    D    D    D'],
  ['GET    /open311/v2/discovery.json',              '200  200  200  200  200  200  200  200'],
  ['GET    /open311/v2/services.json',               '200  200  200  200  200  200  200  200'],
  ['GET    /open311/v2/services/sampah.xml',         '200  200  200  200  200  200  200  200'],
  ['GET    /open311/v2/requests.xml',                '200  200  200  200  200  200  200  200'],
  ['GET    /open311/v2/tokens/0a1b2c3d.json',        '404  404  404  404  404  404  404  404'],
  ['GET    /open311/v2/requests/SK-2026-999999.json', '404  404  404  404  404  404  404  404'],
  // Without an api_key: refused by Open311's own rule, whoever asks.
  ['POST   /open311/v2/requests.json',               '403  403  403  403  403  403  403  403', { service_code: 'sampah', lat: '-5.98979', long: '106.0143', description: 'Matriks' }],
  ['POST   /open311/v2/requests.xml',                '403  403  403  403  403  403  403  403', { service_code: 'sampah', lat: '-5.98979', long: '106.0143', description: 'Matriks' }],
  // --- export and statistics (officers; each sees their own scope) -------------------------------------
  ['GET    /api/v1/reports/export.csv',              'D    D    200  200  200  200  200  200'],
  ['GET    /api/v1/reports/export.xlsx?status=submitted', 'D    D    200  200  200  200  200  200'],
  ['GET    /api/v1/stats/summary',                   'D    D    200  200  200  200  200  200'],
  ['GET    /api/v1/stats/agencies?days=90',          'D    D    200  200  200  200  200  200'],
  ['GET    /api/v1/stats/kecamatan',                 'D    D    200  200  200  200  200  200'],
  ['GET    /api/v1/stats/trend?days=7',              'D    D    200  200  200  200  200  200'],
  ['GET    /api/v1/stats/map?bbox=105.9,-6.1,106.2,-5.8&zoom=12', 'D    D    200  200  200  200  200  200'],
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
 *   A = it happens: 201 when it creates something (a report, a comment), else 200
 *   D = 401 for anonymous, 403: may see the report, may not do this
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
  /** 'deny', or the exact status the role gets. */
  expected: 'deny' | number;
  body: unknown;
}

const CELLS: Cell[] = MATRIX.flatMap(([route, cells, body]) => {
  const [method, url] = route.trim().split(/\s+/) as [Cell['method'], string];
  const marks = cells.trim().split(/\s+/);
  if (marks.length !== ROLES.length || marks.some((m) => m !== 'D' && !/^[2-4]\d\d$/.test(m))) throw new Error(`matrix row "${route}" needs ${ROLES.length} cells of D or a status`);
  return ROLES.map((role, i) => ({ method, url, role, expected: marks[i] === 'D' ? ('deny' as const) : Number(marks[i]), body }));
});

/** "GET /api/v1/reports/{ref}" matches the row "GET /api/v1/reports/SK-2026-999999?x=1". */
function rowMatches(route: string, row: string): boolean {
  const [method, path] = route.split(' ') as [string, string];
  const [rowMethod, rowUrl] = row.trim().split(/\s+/) as [string, string];
  const pattern = new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`);
  return method === rowMethod && pattern.test(rowUrl.split('?')[0]!);
}

/**
 * THE NIK CLAIM MATRIX — who may settle a claim on which NIK at once.
 *
 * An officer of a kelurahan or kecamatan files the claim; it is settled at once (201) where the NIK
 * belongs to the officer's area — issued in its kecamatan, or held by an account whose recorded
 * domicile is there — and otherwise waits for the coordinator (202). Everybody else: D (401/403).
 * Each cell claims a NIK of its own (and registers its holder first where the row has one).
 */
const CLAIM_ROLES = ['anonymous', 'citizen', 'admin', 'coordinator', 'officer', 'officer-kelurahan', 'officer-other-kelurahan', 'officer-kecamatan'] as const;
type ClaimRoleName = (typeof CLAIM_ROLES)[number];
const CLAIM_LOGINS: Record<Exclude<ClaimRoleName, 'anonymous'>, string> = {
  citizen: '3672011708900001',
  admin: 'admin',
  coordinator: 'koordinator',
  officer: 'petugas.dishub',
  'officer-kelurahan': 'lurah.ramanuju', // Kelurahan Ramanuju 36.72.07.1001, in Kecamatan Purwakarta
  'officer-other-kelurahan': 'lurah.cibeber', // Kelurahan 36.72.01.1001, in Kecamatan Cibeber
  'officer-kecamatan': 'camat.purwakarta', // Kecamatan Purwakarta 36.72.07
};

// prettier-ignore
const NIK_CLAIM_MATRIX: [nik: { issuedIn: string; holder: 'none' | 'account' | 'resident of 36.72.07.1001' }, cells: string][] = [
  //                                                                     anon cit  adm  coo  off  kel  oth  kec
  [{ issuedIn: '367207', holder: 'none' },                               'D    D    D    D    D    201  202  201'],
  [{ issuedIn: '367207', holder: 'account' },                            'D    D    D    D    D    201  202  201'],
  [{ issuedIn: '367201', holder: 'account' },                            'D    D    D    D    D    202  201  202'],
  [{ issuedIn: '317101', holder: 'account' },                            'D    D    D    D    D    202  202  202'],
  [{ issuedIn: '317101', holder: 'resident of 36.72.07.1001' },          'D    D    D    D    D    201  202  201'],
  [{ issuedIn: '367301', holder: 'resident of 36.72.07.1001' },          'D    D    D    D    D    201  202  201'],
];

const CLAIM_CELLS = NIK_CLAIM_MATRIX.flatMap(([nik, cells]) =>
  cells
    .trim()
    .split(/\s+/)
    .map((mark, i) => ({ ...nik, role: CLAIM_ROLES[i]!, expected: mark === 'D' ? ('deny' as const) : Number(mark) })),
);

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

  /** The status of the live stream's answer: read, then the stream is closed (it never ends by itself). */
  const liveStatus = async (token: string | undefined) => {
    const base = await listening();
    return new Promise<number>((resolve, reject) => {
      const req = http.get(`${base}/api/v1/live`, { headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
    });
  };
  let base: string | undefined;
  const listening = async () => {
    if (!base) {
      await h.app.listen({ port: 0, host: '127.0.0.1' });
      const address = h.app.server.address();
      base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    }
    return base;
  };

  it('has a row for every route of the API', async () => {
    const doc = (await h.app.inject({ url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes.length).toBeGreaterThan(50);
    const rows = [...MATRIX.map(([route]) => route), ...REPORT_MATRIX.map(([route]) => route)];
    expect(routes.filter((route) => !rows.some((row) => rowMatches(route, row)))).toEqual([]);
  });

  it.each(CELLS)('$method $url as $role → $expected', async ({ method, url, role, expected, body }) => {
    const realUrl = url.replace(/\{(\w+)\}/g, (_, name: string) => {
      const id = ids[name];
      if (!id) throw new Error(`unknown placeholder ${name}`);
      return id;
    });
    const token = body === FRESH_SESSION && role !== 'anonymous' ? await bearer(h.app, LOGINS[role]) : tokens.get(role);
    const res =
      url === '/api/v1/live'
        ? { statusCode: await liveStatus(token), body: '' }
        : await h.app.inject({
            method,
            url: realUrl,
            headers: token ? { authorization: `Bearer ${token}` } : {},
            ...(body === undefined || body === FRESH_SESSION ? {} : { payload: body as Record<string, unknown> }),
          });
    const where = `${res.statusCode} ${res.body.slice(0, 300)}`;
    expect(res.statusCode, where).toBe(expected === 'deny' ? (role === 'anonymous' ? 401 : 403) : expected);
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
      expect(res.statusCode, where).toBe(url === '/api/v1/reports' || url.endsWith('/comments') ? 201 : 200);
    } else if (expected === 'N') {
      expect(res.statusCode, where).toBe(404);
    } else {
      expect(res.statusCode, where).toBe(role === 'anonymous' ? 401 : 403);
    }
  });

  let nikSerial = 100;
  it.each(CLAIM_CELLS)('a NIK claim on a NIK issued in $issuedIn held by $holder, filed by $role → $expected', async ({ issuedIn, holder, role, expected }) => {
    const serial = String(nikSerial++).padStart(4, '0');
    // A man born on 15 May 1988.
    const nik = `${issuedIn}150588${serial}`;
    if (holder !== 'none') {
      const registered = await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/register',
        payload: {
          nik,
          name: 'Pemegang Matriks',
          birthDate: '1988-05-15',
          phone: `08139${serial}7777`,
          password: 'matrix-password-1',
          consent: true,
          ...(holder === 'account' ? {} : { domicileCode: '36.72.07.1001' }),
        },
      });
      expect(registered.statusCode, registered.body).toBe(201);
    }
    const login = role === 'anonymous' ? undefined : CLAIM_LOGINS[role];
    const token = login && (await bearer(h.app, login));
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/identity/nik-claims',
      headers: token ? { authorization: `Bearer ${token}` } : {},
      payload: { nik, name: 'Pemilik Matriks', birthDate: '1988-05-15', phone: `08138${serial}6666` },
    });
    expect(res.statusCode, res.body).toBe(expected === 'deny' ? (role === 'anonymous' ? 401 : 403) : expected);
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

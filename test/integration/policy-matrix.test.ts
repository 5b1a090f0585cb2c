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
 * Placeholders in URLs: {officerId} (petugas.dlh), {citizenId} (the demo citizen 3672011708900001).
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
];

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
  beforeAll(async () => {
    h = await startHarness(kind);
    for (const [role, login] of Object.entries(LOGINS)) tokens.set(role as RoleName, await bearer(h.app, login));
    ids.officerId = (await h.db.one<{ id: string }>(`select id from users where username = 'petugas.dlh'`)).id;
    const citizen = await h.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${tokens.get('citizen')}` } });
    ids.citizenId = citizen.json().user.id;
  });
  afterAll(async () => h?.close());

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
});

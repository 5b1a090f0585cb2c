import { errors } from '../../platform/errors.js';

/**
 * One answer to "may this user do this action on this resource?". Every route asks it; the test in
 * test/integration/policy-matrix.test.ts holds the role × route matrix, and every new route adds rows.
 */
export type Role = 'citizen' | 'admin' | 'coordinator' | 'pimpinan' | 'command' | 'officer';
export const OFFICER_ROLES = ['admin', 'coordinator', 'pimpinan', 'command', 'officer'] as const;

/** Where an officer works: the whole city, an OPD (code), a kecamatan or a kelurahan (Kemendagri code). */
export interface Scope {
  kind: 'city' | 'opd' | 'kecamatan' | 'kelurahan';
  code: string;
}

export interface Principal {
  userId: string;
  kind: 'citizen' | 'officer';
  role: Role;
  scope: Scope | null;
  isHead: boolean;
  sessionId: string;
  via: 'cookie' | 'bearer';
  csrfToken: string | null;
}

export type Action =
  | 'account.read_own'
  | 'account.reveal_own'
  | 'users.list'
  | 'users.create'
  | 'users.update'
  | 'users.reveal_personal_data'
  | 'agencies.write'
  | 'regions.import'
  | 'audit.read'
  | 'nik_claims.create';

export type Resource = { type: 'user'; id: string } | { type: 'kelurahan'; code: string } | undefined;

type Rule = (p: Principal, resource: Resource) => boolean;

const anyone: Rule = () => true;
const roles =
  (...allowed: Role[]): Rule =>
  (p) =>
    allowed.includes(p.role);

const rules: Record<Action, Rule> = {
  'account.read_own': anyone,
  'account.reveal_own': anyone,
  'users.list': roles('admin'),
  'users.create': roles('admin'),
  'users.update': roles('admin'),
  'users.reveal_personal_data': roles('admin'),
  'agencies.write': roles('admin'),
  'regions.import': roles('admin'),
  'audit.read': roles('admin'),
  // Only an officer of a kelurahan confirms a NIK owner in person, and only in their own kelurahan.
  'nik_claims.create': (p, r) =>
    p.role === 'officer' && p.scope?.kind === 'kelurahan' && (r?.type !== 'kelurahan' || r.code === p.scope.code),
};

export function can(principal: Principal, action: Action, resource?: Resource): boolean {
  return rules[action](principal, resource);
}

export function authorize(principal: Principal | undefined, action: Action, resource?: Resource): Principal {
  if (!principal) throw errors.unauthenticated();
  if (!can(principal, action, resource)) throw errors.forbidden();
  return principal;
}

/**
 * Roles and scopes: who a principal is and where they work. Each module's policy.ts decides what they
 * may do there, with the resource (platform/policy.ts).
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

/** A rule for actions any of these roles may do, wherever. */
export const roles =
  (...allowed: Role[]) =>
  (p: Principal): boolean =>
    allowed.includes(p.role);

/** A rule for actions every signed-in person may do (on their own account). */
export const anyone = (): boolean => true;

/** Roles that watch the whole city. */
export const CITY_WIDE_READERS: Role[] = ['admin', 'coordinator', 'pimpinan', 'command'];

/**
 * A kelurahan or kecamatan scope covers an area code: its own, the areas inside it, and — for a
 * kelurahan — the kecamatan it lies in (a NIK names only the kecamatan where it was issued).
 */
export function covers(scope: Scope, area: string): boolean {
  if (scope.kind !== 'kelurahan' && scope.kind !== 'kecamatan') return false;
  return area === scope.code || area.startsWith(`${scope.code}.`) || (scope.kind === 'kelurahan' && scope.code.startsWith(`${area}.`));
}


import { errors } from '../../platform/errors.js';

/**
 * (Being moved: each module's actions go to its own policy.ts; what is left here are reports' until
 * its split lands.) One answer to "may this user do this action on this resource?". Every route asks it; the test in
 * test/integration/policy-matrix.test.ts holds the role × route matrix, and every new route adds rows.
 */
import { CITY_WIDE_READERS, covers, type Principal, type Role } from './roles.js';

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
  | 'nik_claims.create'
  | 'nik_claims.complete'
  | 'nik_claims.list'
  | 'nik_claims.decide'
  | 'nik_claims.object'
  | 'categories.write'
  | 'holidays.write'
  | 'notifications.configure'
  | 'open311_keys.manage'
  | 'stats.read'
  | 'reports.create'
  | 'reports.create_for_citizen'
  | 'reports.list'
  | 'reports.escalations'
  | 'reports.read'
  | 'reports.verify'
  | 'reports.reject'
  | 'reports.merge'
  | 'reports.dispatch'
  | 'reports.return'
  | 'reports.start'
  | 'reports.resolve'
  | 'reports.close'
  | 'reports.dispute'
  | 'reports.support'
  | 'reports.comment'
  | 'reports.note'
  | 'reports.moderate_photo'
  | 'reports.export';

/** What the policy needs to know about a report: who reported it, who holds it, where it is. */
export interface ReportResource {
  type: 'report';
  reporterId: string | null;
  handler: { kind: 'kelurahan' | 'kecamatan' | 'opd' | 'coordinator'; code: string };
  agencyCode: string;
  kelurahanCode: string | null;
  kecamatanCode: string | null;
}

/** A NIK someone claims in person: where it was issued (a kecamatan, for life) and where its holder lives now. */
export interface NikResource {
  type: 'nik';
  issuingKecamatan: string;
  holderDomicile: string | null;
}

/** A claim waiting for the coordinator, as far as its current holder is concerned. */
export interface NikClaimResource {
  type: 'nik_claim';
  holderUserId: string | null;
}

export type Resource = { type: 'user'; id: string } | NikResource | NikClaimResource | ReportResource | undefined;

type Rule = (p: Principal, resource: Resource) => boolean;

const anyone: Rule = () => true;
const roles =
  (...allowed: Role[]): Rule =>
  (p) =>
    allowed.includes(p.role);

function asReport(r: Resource): ReportResource | undefined {
  return r?.type === 'report' ? r : undefined;
}

/** The officer's unit holds the report now (the coordinator holds every report city-wide). */
function holds(p: Principal, r: ReportResource): boolean {
  if (p.role === 'coordinator') return true;
  if (p.role !== 'officer' || !p.scope) return false;
  const { kind, code } = p.scope;
  if (kind === 'opd' || kind === 'kelurahan') return r.handler.kind === kind && r.handler.code === code;
  if (kind === 'kecamatan') return (r.handler.kind === 'kecamatan' && r.handler.code === code) || (r.handler.kind === 'kelurahan' && r.handler.code.startsWith(`${code}.`));
  return false;
}

/** The report is in the officer's scope: their area, their OPD, or held by their unit. */
function sees(p: Principal, r: ReportResource): boolean {
  if (CITY_WIDE_READERS.includes(p.role)) return true;
  if (p.role !== 'officer' || !p.scope) return false;
  const { kind, code } = p.scope;
  if (kind === 'city') return true;
  if (kind === 'opd' && r.agencyCode === code) return true;
  if (kind === 'kelurahan' && r.kelurahanCode === code) return true;
  if (kind === 'kecamatan' && r.kecamatanCode === code) return true;
  return holds(p, r);
}

const reportRule =
  (rule: (p: Principal, r: ReportResource) => boolean): Rule =>
  (p, resource) => {
    const r = asReport(resource);
    return r !== undefined && rule(p, r);
  };
const isReporter = (p: Principal, r: ReportResource) => p.role === 'citizen' && r.reporterId === p.userId;
const handlesIt = reportRule(holds);
const worksOnIt = reportRule((p, r) => p.role === 'officer' && holds(p, r));
const talksAboutIt = (p: Principal, r: ReportResource) => ['officer', 'coordinator', 'pimpinan'].includes(p.role) && sees(p, r);

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
  // An officer of a kelurahan or kecamatan confirms a NIK owner in person; the claim is settled at once
  // only where the NIK belongs to their area, else it waits for the coordinator.
  'nik_claims.create': (p) => p.role === 'officer' && (p.scope?.kind === 'kelurahan' || p.scope?.kind === 'kecamatan'),
  'nik_claims.complete': (p, r) =>
    r?.type === 'nik' && p.role === 'officer' && p.scope !== null && (covers(p.scope, r.issuingKecamatan) || (r.holderDomicile !== null && covers(p.scope, r.holderDomicile))),
  'nik_claims.list': roles('coordinator'),
  'nik_claims.decide': roles('coordinator'),
  'nik_claims.object': (p, r) => r?.type === 'nik_claim' && p.role === 'citizen' && r.holderUserId === p.userId,
  'categories.write': roles('admin'),
  'holidays.write': roles('admin'),
  'notifications.configure': roles('admin'),
  'open311_keys.manage': roles('admin'),
  'stats.read': roles('admin', 'coordinator', 'pimpinan', 'command', 'officer'),
  'reports.create': roles('citizen'),
  // Reports that came by phone, walk-in, WhatsApp or SP4N-LAPOR! are entered by an officer.
  'reports.create_for_citizen': roles('coordinator', 'officer'),
  'reports.list': roles(...CITY_WIDE_READERS, 'officer', 'citizen'),
  // Every escalation, city-wide: for those who watch the whole city.
  'reports.escalations': roles(...CITY_WIDE_READERS),
  'reports.read': reportRule((p, r) => isReporter(p, r) || sees(p, r)),
  'reports.verify': handlesIt,
  'reports.reject': handlesIt,
  'reports.merge': handlesIt,
  'reports.dispatch': handlesIt,
  // "Not our responsibility": the unit holding it hands it back to the coordinator.
  'reports.return': reportRule((p, r) => p.role === 'officer' && holds(p, r) && r.handler.kind !== 'coordinator'),
  'reports.start': worksOnIt,
  'reports.resolve': worksOnIt,
  'reports.close': reportRule(isReporter),
  'reports.dispute': reportRule(isReporter),
  'reports.support': reportRule((p, r) => p.role === 'citizen' && r.reporterId !== p.userId),
  'reports.comment': reportRule((p, r) => isReporter(p, r) || talksAboutIt(p, r)),
  'reports.note': reportRule(talksAboutIt),
  'reports.moderate_photo': handlesIt,
  'reports.export': roles(...CITY_WIDE_READERS, 'officer'),
};

export function can(principal: Principal, action: Action, resource?: Resource): boolean {
  return rules[action](principal, resource);
}

export function authorize(principal: Principal | undefined, action: Action, resource?: Resource): Principal {
  if (!principal) throw errors.unauthenticated();
  if (!can(principal, action, resource)) throw errors.forbidden();
  return principal;
}

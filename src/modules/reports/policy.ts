import { definePolicy } from '../../platform/policy.js';
import { CITY_WIDE_READERS, roles, type Principal } from '../identity/index.js';

/** What the policy needs to know about a report: who reported it, who holds it, where it is. */
export interface ReportResource {
  reporterId: string | null;
  handler: { kind: 'kelurahan' | 'kecamatan' | 'opd' | 'coordinator'; code: string };
  agencyCode: string;
  kelurahanCode: string | null;
  kecamatanCode: string | null;
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

const isReporter = (p: Principal, r: ReportResource) => p.role === 'citizen' && r.reporterId === p.userId;
const worksOnIt = (p: Principal, r: ReportResource) => p.role === 'officer' && holds(p, r);
const talksAboutIt = (p: Principal, r: ReportResource) => ['officer', 'coordinator', 'pimpinan'].includes(p.role) && sees(p, r);

/**
 * Reports' actions. Those about one report take it (ReportResource): who may act depends on who
 * reported it, which unit holds it and where it is. The role × route matrix is tested in
 * test/integration/policy-matrix.test.ts; every new route adds its rows there.
 */
export const reportsPolicy = definePolicy({
  general: {
    'categories.write': roles('admin'),
    'holidays.write': roles('admin'),
    'open311_keys.manage': roles('admin'),
    'reports.create': roles('citizen'),
    // Reports that came by phone, walk-in, WhatsApp or SP4N-LAPOR! are entered by an officer.
    'reports.create_for_citizen': roles('coordinator', 'officer'),
    'reports.list': roles(...CITY_WIDE_READERS, 'officer', 'citizen'),
    // Every escalation, city-wide: for those who watch the whole city.
    'reports.escalations': roles(...CITY_WIDE_READERS),
    'reports.export': roles(...CITY_WIDE_READERS, 'officer'),
  },
  onResource: {
    'reports.read': (p: Principal, r: ReportResource) => isReporter(p, r) || sees(p, r),
    'reports.verify': holds,
    'reports.reject': holds,
    'reports.merge': holds,
    'reports.dispatch': holds,
    // "Not our responsibility": the unit holding it hands it back to the coordinator.
    'reports.return': (p: Principal, r: ReportResource) => worksOnIt(p, r) && r.handler.kind !== 'coordinator',
    'reports.start': worksOnIt,
    'reports.resolve': worksOnIt,
    'reports.close': isReporter,
    'reports.dispute': isReporter,
    'reports.support': (p: Principal, r: ReportResource) => p.role === 'citizen' && r.reporterId !== p.userId,
    'reports.comment': (p: Principal, r: ReportResource) => isReporter(p, r) || talksAboutIt(p, r),
    'reports.note': talksAboutIt,
    'reports.moderate_photo': holds,
  },
});

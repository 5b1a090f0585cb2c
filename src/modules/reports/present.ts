import type { Language } from '../../platform/errors.js';
import { type Principal } from '../identity/index.js';
import { reportsPolicy } from './policy.js';
import { formatDue } from '../../platform/calendar/calendar.js';
import type { Names } from './names.js';
import type { PublicReportView, ReportView } from './schema.js';
import { reportResource } from './queries.js';
import type { EventRow, PhotoRow, ReportRow } from './repository.js';
import { actionsFrom, OPEN_STATUSES, policyActionOf, statusName } from './workflow.js';

export interface PresentContext {
  names: Names;
  lang: Language;
  timezone: string;
  autoCloseDays: number;
  now?: Date;
}

function due(at: Date | null, ctx: PresentContext, open: boolean) {
  if (!at) return null;
  return { at: at.toISOString(), text: formatDue(at, ctx.timezone, ctx.lang), overdue: open && at.getTime() < (ctx.now ?? new Date()).getTime() };
}

function photoLinks(p: PhotoRow, base: string) {
  return { id: p.id, purpose: p.purpose, url: `${base}/${p.id}`, thumbnailUrl: `${base}/${p.id}?size=thumb`, width: p.width, height: p.height };
}

/** A report for its reporter or an officer in scope; an anonymous reporter is never shown to officers. */
export function presentReport(
  r: ReportRow,
  viewer: Principal,
  ctx: PresentContext,
  extra: { photos?: PhotoRow[]; reporter?: ReportView['reporter']; supported?: boolean } = {},
): ReportView {
  const { names } = ctx;
  const resource = reportResource(r);
  const isOfficer = viewer.kind === 'officer';
  const isMine = viewer.role === 'citizen' && r.reporter_id === viewer.userId;
  const open = OPEN_STATUSES.includes(r.status);
  const category = names.category(r.category_code);
  const base = `/api/v1/reports/${r.id}/photos`;
  return {
    id: r.id,
    trackingNo: r.tracking_no,
    category: { code: category.code, name: category.name[ctx.lang], icon: category.icon },
    description: r.description,
    location: r.lat !== null && r.lng !== null ? { lat: r.lat, lng: r.lng } : null,
    kelurahan: names.region(r.kelurahan_code),
    kecamatan: names.region(r.kecamatan_code),
    address: r.address,
    answers: r.answers,
    privacy: r.privacy,
    channel: r.channel,
    status: r.status,
    statusName: statusName(r.status, ctx.lang),
    emergency: r.emergency,
    priority: r.priority,
    supportCount: r.support_count,
    agency: { code: r.agency_code, name: names.agency(r.agency_code).name },
    handler: { kind: r.handler_kind, code: r.handler_code, name: names.unit(r.handler_kind, r.handler_code) },
    ...(isOfficer ? { instruction: r.instruction } : {}),
    due: due(r.due_at, ctx, open),
    resolveDue: due(r.resolve_due_at, ctx, open),
    escalationLevel: r.escalation_level,
    escalated: r.escalation_count > 0,
    submittedAt: r.submitted_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    resolvedAt: r.resolved_at?.toISOString() ?? null,
    closedAt: r.closed_at?.toISOString() ?? null,
    rating: r.rating,
    resolutionNote: r.resolution_note,
    statusReason: r.status_reason,
    mergedInto: null,
    ...(isOfficer ? { reporter: r.privacy === 'anonymous' ? null : (extra.reporter ?? null) } : {}),
    photos: (extra.photos ?? []).map((p) => ({ ...photoLinks(p, base), ...(isOfficer ? { moderation: p.moderation } : {}) })),
    actions: actionsFrom(r.status).filter((a) => reportsPolicy.can(viewer, policyActionOf(a), resource)),
    canComment: reportsPolicy.can(viewer, 'reports.comment', resource),
    canNote: reportsPolicy.can(viewer, 'reports.note', resource),
    canModeratePhotos: reportsPolicy.can(viewer, 'reports.moderate_photo', resource),
    canSupport: open && !extra.supported && reportsPolicy.can(viewer, 'reports.support', resource),
    isMine,
    disputeUntil: r.status === 'resolved' && r.resolved_at ? new Date(r.resolved_at.getTime() + ctx.autoCloseDays * 86400_000).toISOString() : null,
  };
}

/** What the public may see: no reporter ever; confidential reports show only category, kelurahan and status. */
export function presentPublic(r: ReportRow & { distance_m?: number }, photos: PhotoRow[], ctx: PresentContext): PublicReportView {
  const { names } = ctx;
  const category = names.category(r.category_code);
  const confidential = r.privacy === 'confidential';
  return {
    id: r.id,
    trackingNo: r.tracking_no,
    category: { code: category.code, name: category.name[ctx.lang], icon: category.icon },
    confidential,
    description: confidential ? null : r.description,
    location: !confidential && r.lat !== null && r.lng !== null ? { lat: r.lat, lng: r.lng } : null,
    kelurahan: names.region(r.kelurahan_code),
    kecamatan: confidential ? null : names.region(r.kecamatan_code),
    address: confidential ? null : r.address,
    status: r.status,
    statusName: statusName(r.status, ctx.lang),
    agency: confidential ? null : { code: r.agency_code, name: names.agency(r.agency_code).name },
    supportCount: confidential ? 0 : r.support_count,
    submittedAt: r.submitted_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    resolvedAt: r.resolved_at?.toISOString() ?? null,
    resolutionNote: confidential ? null : r.resolution_note,
    photos: confidential ? [] : photos.filter((p) => p.moderation === 'approved').map((p) => photoLinks(p, '/api/v1/public/photos')),
    ...(r.distance_m !== undefined ? { distanceMeters: Math.round(r.distance_m) } : {}),
  };
}

const ROLE_LABELS: Record<string, string> = {
  citizen: 'Pelapor',
  coordinator: 'Koordinator pengaduan',
  pimpinan: 'Pimpinan daerah',
  admin: 'Admin',
  command: 'Command center',
  system: 'Sistem',
};

/**
 * The timeline. Citizens see public entries and units, never officers' names or internal data;
 * officers see everything except who an anonymous reporter is.
 */
export function presentTimeline(events: EventRow[], report: ReportRow, viewer: Principal, officerNames: Map<string, string>) {
  const officer = viewer.kind === 'officer';
  return events
    .filter((e) => officer || e.visibility === 'public')
    .map((e) => {
      const fromReporter = e.actor_id !== null && e.actor_id === report.reporter_id;
      const unit = typeof e.data.unit === 'string' ? e.data.unit : undefined;
      const actor = fromReporter ? 'Pelapor' : e.actor_role === 'citizen' ? 'Warga pendukung' : (unit ?? ROLE_LABELS[e.actor_role ?? 'system'] ?? 'Petugas');
      const name = officer && e.actor_id && e.actor_role !== 'citizen' ? officerNames.get(e.actor_id) : undefined;
      const { unit: _unit, ...data } = e.data;
      return {
        id: e.id,
        kind: e.kind,
        fromStatus: e.from_status,
        toStatus: e.to_status,
        actor,
        ...(name ? { actorName: name } : {}),
        internal: e.visibility === 'officers',
        note: e.note,
        ...(officer ? { data } : {}),
        at: e.created_at.toISOString(),
      };
    });
}

import { AppError, type LocalisedText } from '../../platform/errors.js';

/**
 * The report state machine, in one place. `TRANSITIONS` says from which states each action may be
 * taken and where it leads; the policy (identity/policy.ts, action `reports.<name>`) says who may
 * take it. Routes and the service only ask these two.
 *
 *   submitted → verified → dispatched → in_progress → resolved → closed
 *       ↘ rejected   ↘ merged (a duplicate)        ↖ dispute ↙
 */
export const REPORT_STATUSES = ['submitted', 'verified', 'dispatched', 'in_progress', 'resolved', 'closed', 'rejected', 'merged'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** Someone still has to act: these carry a deadline and can become overdue. */
export const OPEN_STATUSES: readonly ReportStatus[] = ['submitted', 'verified', 'dispatched', 'in_progress'];
/** Seen by the public: verified by an officer, not rejected or folded into another report. */
export const PUBLIC_STATUSES: readonly ReportStatus[] = ['verified', 'dispatched', 'in_progress', 'resolved', 'closed'];

export const TRANSITION_ACTIONS = ['verify', 'reject', 'merge', 'dispatch', 'return', 'start', 'resolve', 'close', 'dispute'] as const;
export type TransitionAction = (typeof TRANSITION_ACTIONS)[number];

interface Transition {
  from: readonly ReportStatus[];
  to: ReportStatus;
  /** When the actor must give a note (a reason, an instruction, what was done): what to ask for. */
  noteRequired?: LocalisedText;
}

export const TRANSITIONS: Record<TransitionAction, Transition> = {
  verify: { from: ['submitted'], to: 'verified' },
  reject: {
    from: ['submitted'],
    to: 'rejected',
    noteRequired: { id: 'Tulis alasan penolakan yang dapat dipahami pelapor.', en: 'Give a reason the reporter can understand.' },
  },
  merge: { from: ['submitted', 'verified'], to: 'merged' },
  // Disposisi, and re-disposisi while the work has not been finished.
  dispatch: {
    from: ['verified', 'dispatched', 'in_progress'],
    to: 'dispatched',
    noteRequired: { id: 'Tulis instruksi disposisi untuk unit tujuan.', en: 'Write an instruction for the unit.' },
  },
  // "Not our responsibility": back to the coordinator, who dispatches again.
  return: {
    from: ['dispatched', 'in_progress'],
    to: 'verified',
    noteRequired: { id: 'Jelaskan mengapa laporan ini bukan kewenangan unit Anda.', en: 'Explain why this report is not your unit’s responsibility.' },
  },
  // A unit that can fix it itself starts without a disposisi.
  start: { from: ['verified', 'dispatched'], to: 'in_progress' },
  resolve: {
    from: ['dispatched', 'in_progress'],
    to: 'resolved',
    noteRequired: { id: 'Jelaskan apa yang telah dilakukan untuk menyelesaikan masalah.', en: 'Describe what was done to resolve the problem.' },
  },
  close: { from: ['resolved'], to: 'closed' },
  // The citizen disputes a resolution within the window: back to the unit that resolved it.
  dispute: { from: ['resolved'], to: 'dispatched', noteRequired: { id: 'Jelaskan mengapa masalah belum selesai.', en: 'Explain why the problem is not solved.' } },
};

/** The policy's action for a workflow action (`reports.verify`, …). */
export function policyActionOf<A extends TransitionAction>(action: A): `reports.${A}` {
  return `reports.${action}`;
}

const STATUS_NAMES: Record<ReportStatus, { id: string; en: string }> = {
  submitted: { id: 'Diajukan', en: 'Submitted' },
  verified: { id: 'Diverifikasi', en: 'Verified' },
  dispatched: { id: 'Didisposisikan', en: 'Dispatched' },
  in_progress: { id: 'Sedang ditangani', en: 'In progress' },
  resolved: { id: 'Selesai ditangani', en: 'Resolved' },
  closed: { id: 'Ditutup', en: 'Closed' },
  rejected: { id: 'Ditolak', en: 'Rejected' },
  merged: { id: 'Digabung', en: 'Merged' },
};

/** A status as people read it: "Didisposisikan" / "Dispatched". */
export function statusName(status: ReportStatus, lang: 'id' | 'en'): string {
  return STATUS_NAMES[status][lang];
}

/** Throws a 409 a person understands when the action does not apply in the report's state. */
export function assertTransition(action: TransitionAction, status: ReportStatus): ReportStatus {
  const t = TRANSITIONS[action];
  if (!t.from.includes(status)) {
    throw new AppError(
      409,
      'transition_not_allowed',
      {
        id: `Laporan berstatus "${statusName(status, 'id')}" tidak dapat di-${ACTION_NAMES[action].id}.`,
        en: `A report that is "${statusName(status, 'en')}" cannot be ${ACTION_NAMES[action].en}.`,
      },
      { action, status, allowedFrom: t.from },
    );
  }
  return t.to;
}

const ACTION_NAMES: Record<TransitionAction, { id: string; en: string }> = {
  verify: { id: 'verifikasi', en: 'verified' },
  reject: { id: 'tolak', en: 'rejected' },
  merge: { id: 'gabungkan', en: 'merged' },
  dispatch: { id: 'disposisikan', en: 'dispatched' },
  return: { id: 'kembalikan', en: 'returned' },
  start: { id: 'mulai tangani', en: 'started' },
  resolve: { id: 'selesaikan', en: 'resolved' },
  close: { id: 'tutup', en: 'closed' },
  dispute: { id: 'sanggah', en: 'disputed' },
};

/** The actions a state allows (the web app shows only these, further narrowed by the policy). */
export function actionsFrom(status: ReportStatus): TransitionAction[] {
  return TRANSITION_ACTIONS.filter((a) => TRANSITIONS[a].from.includes(status));
}

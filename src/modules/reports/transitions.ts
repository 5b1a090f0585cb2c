import { dueAt } from '../../platform/calendar/calendar.js';
import type { Database, Queryable } from '../../platform/db.js';
import { errors } from '../../platform/errors.js';
import { publish } from '../../platform/events.js';
import { type Principal } from '../identity/index.js';
import { reportsPolicy } from './policy.js';
import { stageDuration, stageTimes, warnBefore, type CategoriesService, type Category } from './categories.js';
import type { HolidaysService } from './holidays.js';
import type { Neighbours } from './neighbours.js';
import type { NameDirectory } from './names.js';
import { processPhoto, type PhotoStore } from './photos.js';
import { reportNotFound, reportResource, type ReportQueries } from './queries.js';
import * as repo from './repository.js';
import { NOW, NOW_UNLESS_SET, type EventRow, type PhotoRow, type ReportChanges, type ReportRow } from './repository.js';
import { recordStep } from './timeline.js';
import { assertTransition, OPEN_STATUSES, PUBLIC_STATUSES, policyActionOf, TRANSITIONS, type TransitionAction } from './workflow.js';

/**
 * What officers and citizens do to a report once it is filed: the workflow actions (verify, reject,
 * merge, dispatch, return, start, resolve, close, dispute) with the deadlines each one sets, and
 * support, comments and internal notes, and photo moderation. The state machine (workflow.ts) says
 * whether an action applies, the policy whether this person may take it.
 */

export interface TransitionInput {
  note?: string | undefined;
  /** dispatch: the unit that should act. */
  target?: { kind: 'opd' | 'kelurahan' | 'kecamatan'; code: string } | undefined;
  /** merge: the report this one duplicates. */
  intoTrackingNo?: string | undefined;
  /** close: the citizen's rating. */
  rating?: number | undefined;
  /** resolve: a photo of the result. */
  photo?: Buffer | undefined;
}

export interface TransitionsOptions {
  cityCode: string;
  /** Days after a resolution within which the citizen may dispute it; then it closes itself. */
  autoCloseDays: number;
}

/** An action's changes to the row, worked out before its transaction (PGlite has one connection). */
interface Prepared {
  changes: ReportChanges;
  eventData: Record<string, unknown>;
  /** More to write in the same transaction (a merge moves the supporters). */
  after?: (tx: Queryable) => Promise<void>;
}

/** A stage starts over: the next escalation climbs from the first rung, and its warning is still to come. */
const RESET_ESCALATION = { escalation_level: 0, warned_at: null } satisfies ReportChanges;
/** No deadline runs: the report waits for nobody (rejected, merged, resolved). */
const NO_DEADLINE = { due_at: null, warn_at: null, next_escalation_at: null } satisfies ReportChanges;

export class Transitions {
  constructor(
    private readonly db: Database,
    private readonly deps: {
      categories: CategoriesService;
      holidays: HolidaysService;
      names: NameDirectory;
      photos: PhotoStore;
      queries: ReportQueries;
      clock: () => Date;
      neighbours: Pick<Neighbours, 'isArea' | 'agencyExists'>;
    },
    private readonly options: TransitionsOptions,
  ) {}

  /** Takes a workflow action: the state machine says whether it applies, the policy whether this person may. */
  async act(ref: string, action: TransitionAction, input: TransitionInput, principal: Principal | undefined): Promise<ReportRow> {
    const current = await this.deps.queries.readable(principal, ref);
    const p = reportsPolicy.authorize(principal, policyActionOf(action), reportResource(current));
    assertTransition(action, current.status);
    const note = input.note?.trim() || null;
    const ask = TRANSITIONS[action].noteRequired;
    if (ask && !note) throw errors.badRequest('note_required', ask, { field: 'note' });
    const category = (await this.deps.categories.get(current.category_code))!;
    // Everything that may fail or needs other lookups happens before the transaction (PGlite has one connection).
    const prepared = await this.prepare(action, current, input, category, p);
    const processed = action === 'resolve' && input.photo ? await processPhoto(input.photo) : undefined;
    const stored = processed ? await this.deps.photos.store(current.id, [processed]) : [];
    const names = await this.deps.names.get();
    try {
      await this.db.transaction(async (tx) => {
        // Lock the row: two officers acting at once must not both move it.
        const locked = await repo.lockReport(tx, current.id);
        const to = assertTransition(action, locked.status);
        await repo.updateReport(tx, current.id, to, prepared.changes);
        await this.deps.photos.keep(tx, stored);
        await repo.insertPhotos(tx, current.id, 'resolution', stored, p.userId);
        await recordStep(tx, names, current.id, {
          kind: 'status',
          from: locked.status,
          to,
          actor: p,
          // Instructions and merge targets are internal; reasons and resolutions the citizen reads.
          visibility: 'public',
          note: action === 'dispatch' ? null : note,
          data: { action, ...prepared.eventData },
        });
        await prepared.after?.(tx);
        await publish(tx, 'report.status_changed', { reportId: current.id, action, from: locked.status, to, ...(prepared.eventData.target ? { target: prepared.eventData.target } : {}) });
      });
    } catch (error) {
      await this.deps.photos.discard(stored);
      throw error;
    }
    return (await this.deps.queries.row(current.id))!;
  }

  private async prepare(action: TransitionAction, r: ReportRow, input: TransitionInput, category: Category, p: Principal): Promise<Prepared> {
    const now = this.deps.clock();
    const names = await this.deps.names.get();
    const calendar = () => this.deps.holidays.calendar();
    // A re-disposisi keeps the resolution deadline: handing a report on does not buy time.
    const resolveDue = async () => r.resolve_due_at ?? dueAt(now, stageDuration(category, 'resolve'), await calendar());
    switch (action) {
      case 'verify': {
        const t = stageTimes(category, 'dispatch', now, await calendar());
        return { changes: { verified_at: NOW, due_at: t.due, warn_at: t.warn, next_escalation_at: t.due, ...RESET_ESCALATION }, eventData: {} };
      }
      case 'reject':
        return { changes: { status_reason: input.note, ...NO_DEADLINE }, eventData: {} };
      case 'merge': {
        const target = input.intoTrackingNo ? await this.deps.queries.find(input.intoTrackingNo) : undefined;
        if (!target || target.id === r.id || !OPEN_STATUSES.includes(target.status) || !reportsPolicy.can(p, 'reports.read', reportResource(target))) {
          throw errors.unprocessable('merge_target_invalid', {
            id: 'Laporan tujuan penggabungan tidak ditemukan atau sudah tidak terbuka.',
            en: 'The report to merge into was not found or is no longer open.',
          }, { field: 'intoTrackingNo' });
        }
        return {
          changes: { merged_into: target.id, ...NO_DEADLINE, status_reason: input.note ?? null },
          eventData: { into: target.tracking_no },
          after: async (tx) => {
            // The reporter and supporters of the duplicate follow the original from now on.
            // (never the original's own reporter: nobody supports their own report)
            if (r.reporter_id && r.reporter_id !== target.reporter_id) await repo.addSupporter(tx, target.id, r.reporter_id);
            await repo.copySupporters(tx, r.id, target.id, target.reporter_id);
            await repo.refreshSupport(tx, target.id);
            await recordStep(tx, names, target.id, { kind: 'merge', actor: p, visibility: 'officers', data: { from: r.tracking_no } });
          },
        };
      }
      case 'dispatch': {
        const target = input.target;
        if (!target) throw errors.badRequest('target_required', { id: 'Pilih unit tujuan disposisi.', en: 'Choose the unit to dispatch to.' }, { field: 'target' });
        if (!(await (target.kind === 'opd' ? this.deps.neighbours.agencyExists(target.code) : this.deps.neighbours.isArea(target.kind, target.code)))) {
          throw errors.unprocessable('target_unknown', { id: 'Unit tujuan disposisi tidak dikenal.', en: 'Unknown unit to dispatch to.' }, { field: 'target' });
        }
        const due = await resolveDue();
        return {
          changes: {
            handler_kind: target.kind,
            handler_code: target.code,
            instruction: input.note,
            dispatched_at: NOW_UNLESS_SET,
            resolve_due_at: due,
            due_at: due,
            warn_at: warnBefore(category, 'resolve', now, due),
            next_escalation_at: due,
            ...RESET_ESCALATION,
            ...(target.kind === 'opd' ? { agency_code: target.code } : {}),
          },
          eventData: { target, instruction: input.note },
        };
      }
      case 'return': {
        const t = stageTimes(category, 'dispatch', now, await calendar());
        return {
          changes: { handler_kind: 'coordinator', handler_code: this.options.cityCode, instruction: null, status_reason: input.note, due_at: t.due, warn_at: t.warn, next_escalation_at: t.due, ...RESET_ESCALATION },
          eventData: { returnedBy: { kind: r.handler_kind, code: r.handler_code } },
        };
      }
      case 'start': {
        if (r.status === 'verified') {
          // The unit fixes it itself, without a disposisi: the resolution stage begins now.
          const due = await resolveDue();
          return {
            changes: { started_at: NOW_UNLESS_SET, resolve_due_at: due, due_at: due, warn_at: warnBefore(category, 'resolve', now, due), next_escalation_at: due, ...RESET_ESCALATION },
            eventData: {},
          };
        }
        return { changes: { started_at: NOW_UNLESS_SET }, eventData: {} };
      }
      case 'resolve':
        return { changes: { resolved_at: NOW, resolution_note: input.note, ...NO_DEADLINE }, eventData: {} };
      case 'close': {
        if (!input.rating || input.rating < 1 || input.rating > 5) {
          throw errors.badRequest('rating_required', { id: 'Beri penilaian 1 sampai 5 bintang.', en: 'Give a rating from 1 to 5 stars.' }, { field: 'rating' });
        }
        return { changes: { closed_at: NOW, rating: input.rating, rating_comment: input.note ?? null }, eventData: { rating: input.rating } };
      }
      case 'dispute': {
        const deadline = r.resolved_at ? r.resolved_at.getTime() + this.options.autoCloseDays * 86400_000 : 0;
        if (this.deps.clock().getTime() > deadline) {
          throw errors.conflict('dispute_window_passed', {
            id: `Sanggahan hanya dapat diajukan dalam ${this.options.autoCloseDays} hari setelah laporan diselesaikan.`,
            en: `A resolution can only be disputed within ${this.options.autoCloseDays} days.`,
          });
        }
        const t = stageTimes(category, 'resolve', now, await calendar());
        return {
          changes: { resolved_at: null, status_reason: input.note, resolve_due_at: t.due, due_at: t.due, warn_at: t.warn, next_escalation_at: t.due, ...RESET_ESCALATION },
          eventData: {},
        };
      }
    }
  }

  /** A citizen supports a report instead of filing the same problem again. */
  async support(ref: string, principal: Principal | undefined): Promise<{ report: ReportRow; added: boolean }> {
    const p = reportsPolicy.authorize(principal, 'reports.create');
    const row = await this.deps.queries.find(ref);
    if (!row || !PUBLIC_STATUSES.includes(row.status)) throw reportNotFound();
    reportsPolicy.authorize(p, 'reports.support', reportResource(row));
    if (!OPEN_STATUSES.includes(row.status)) {
      throw errors.conflict('report_not_open', { id: 'Laporan ini sudah selesai ditangani.', en: 'This report has already been resolved.' });
    }
    const names = await this.deps.names.get();
    const added = await this.db.transaction(async (tx) => {
      if (!(await repo.addSupporter(tx, row.id, p.userId))) return false;
      await repo.refreshSupport(tx, row.id);
      await recordStep(tx, names, row.id, { kind: 'support', actor: p, visibility: 'officers' });
      return true;
    });
    return { report: (await this.deps.queries.row(row.id))!, added };
  }

  /** A comment the reporter and officers read, or an internal note for officers only. */
  async comment(ref: string, text: string, internal: boolean, principal: Principal | undefined): Promise<EventRow> {
    const row = await this.deps.queries.readable(principal, ref);
    const p = reportsPolicy.authorize(principal, internal ? 'reports.note' : 'reports.comment', reportResource(row));
    const names = await this.deps.names.get();
    return this.db.transaction(async (tx) => {
      await recordStep(tx, names, row.id, { kind: internal ? 'note' : 'comment', actor: p, visibility: internal ? 'officers' : 'public', note: text.trim() });
      const created = await repo.latestEvent(tx, row.id);
      if (!internal) await publish(tx, 'report.commented', { reportId: row.id, eventId: created.id, byCitizen: p.role === 'citizen' });
      return created;
    });
  }

  /** An officer approves a photo for the public, or keeps it internal (faces, number plates, hateful content). */
  async moderatePhoto(ref: string, photoId: string, decision: 'approved' | 'rejected', principal: Principal | undefined): Promise<PhotoRow> {
    const row = await this.deps.queries.readable(principal, ref);
    const p = reportsPolicy.authorize(principal, 'reports.moderate_photo', reportResource(row));
    const names = await this.deps.names.get();
    return this.db.transaction(async (tx) => {
      const photo = await repo.moderatePhoto(tx, row.id, photoId, decision, p.userId);
      if (!photo) throw errors.notFound({ id: 'Foto', en: 'Photo' });
      await recordStep(tx, names, row.id, { kind: 'moderation', actor: p, visibility: 'officers', data: { photoId, decision } });
      return photo;
    });
  }
}

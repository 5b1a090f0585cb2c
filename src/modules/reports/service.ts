import type { Cipher } from '../../platform/crypto.js';
import type { Database, Queryable } from '../../platform/db.js';
import type { Language } from '../../platform/errors.js';
import type { FileStore } from '../../platform/files.js';
import type { Principal } from '../identity/index.js';
import type { RegionsService } from '../regions/index.js';
import type { CategoriesService } from './categories.js';
import type { HolidaysService } from './holidays.js';
import { Intake, type Origin, type SubmitInput } from './intake.js';
import type { NameDirectory } from './names.js';
import type { Neighbours } from './neighbours.js';
import { PhotoStore } from './photos.js';
import type { PresentContext } from './present.js';
import { ReportQueries, type Contact } from './queries.js';
import type { ReportRow } from './repository.js';
import { Transitions, type TransitionInput } from './transitions.js';
import type { TransitionAction } from './workflow.js';

export type { Contact } from './queries.js';
export type { Channel, EventRow, HandlerKind, PhotoRow, Privacy, ReportRow } from './repository.js';

export interface ReportsOptions {
  cityCode: string;
  timezone: string;
  /** Days after a resolution within which the citizen may dispute it; then it closes itself. */
  autoCloseDays: number;
  duplicateRadiusMeters: number;
  duplicateWindowDays: number;
}

/**
 * Citizen reports, as one service over one clock: filing (`intake`), the workflow and what else
 * people do to a report (`transitions`), reading (`queries`), and the photos' files (`photoStore`).
 * app.ts builds it; routes, Open311, the live stream, the export and other modules hold it.
 */
export class ReportsService {
  /** Deadlines are computed from this clock; tests set it to a chosen moment. */
  clock: () => Date = () => new Date();
  readonly queries: ReportQueries;
  readonly photoStore: PhotoStore;
  readonly intake: Intake;
  readonly transitions: Transitions;

  constructor(
    db: Database,
    cipher: Cipher,
    files: FileStore,
    readonly categories: CategoriesService,
    readonly holidays: HolidaysService,
    regions: RegionsService,
    readonly names: NameDirectory,
    neighbours: Neighbours,
    readonly options: ReportsOptions,
  ) {
    const clock = () => this.clock();
    this.queries = new ReportQueries(db, cipher, neighbours);
    this.photoStore = new PhotoStore(db, files, options.timezone);
    const shared = { categories, holidays, names, photos: this.photoStore, queries: this.queries, clock, neighbours };
    this.intake = new Intake(db, cipher, { ...shared, regions }, options);
    this.transitions = new Transitions(db, shared, options);
  }

  /** One report by id (inside `q`'s transaction when given): what the notifications read. */
  row(id: string, q?: Queryable): Promise<ReportRow | undefined> {
    return this.queries.row(id, q);
  }

  /** The decrypted contact of a reporter without an account. */
  contactOf(row: Pick<ReportRow, 'reporter_contact_enc'>): Contact | null {
    return this.queries.contactOf(row);
  }

  /** Files a report (citizen, officer for a citizen, or Open311 client); a retry with its key returns the first. */
  submit(input: SubmitInput, origin: Origin): Promise<{ report: ReportRow; replayed: boolean }> {
    return this.intake.submit(input, origin);
  }

  /** Takes a workflow action on a report (the demo seed takes its reports through them). */
  act(ref: string, action: TransitionAction, input: TransitionInput, principal: Principal | undefined): Promise<ReportRow> {
    return this.transitions.act(ref, action, input, principal);
  }

  /** What the presenters need to show reports in `lang` at this service's moment. */
  async presentContext(lang: Language): Promise<PresentContext> {
    return { names: await this.names.get(), lang, timezone: this.options.timezone, autoCloseDays: this.options.autoCloseDays, now: this.clock() };
  }

  /**
   * Everything one report's page shows `viewer`: photos, the timeline (officers: internal entries and
   * officers' names too), the reporter (officers), whether a citizen supports it, the report it was
   * merged into, and for an officer still sorting it the open reports nearby that may duplicate it.
   */
  async detail(row: ReportRow, viewer: Principal) {
    const officer = viewer.kind === 'officer';
    const [photos, events, reporter, supported] = [
      await this.queries.photos(row.id),
      await this.queries.events(row.id, officer ? 'officers' : 'citizen'),
      officer ? await this.queries.reporterOf(row) : null,
      viewer.role === 'citizen' ? await this.queries.isSupporter(row.id, viewer.userId) : false,
    ];
    const officerNames = officer ? await this.queries.officerNames(events.map((e) => e.actor_id)) : new Map<string, string>();
    const duplicates =
      officer && row.lat !== null && row.lng !== null && ['submitted', 'verified'].includes(row.status)
        ? await this.intake.nearby(row.category_code, row.lat, row.lng, 'officers', row.id)
        : [];
    const merged = row.merged_into ? await this.queries.row(row.merged_into) : undefined;
    return { photos, events, reporter, supported, officerNames, duplicates, mergedInto: merged?.tracking_no ?? null };
  }
}

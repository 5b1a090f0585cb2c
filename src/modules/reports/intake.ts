import { randomUUID } from 'node:crypto';
import { localDate } from '../../platform/calendar/calendar.js';
import type { Cipher } from '../../platform/crypto.js';
import { sha256 } from '../../platform/crypto.js';
import type { Database } from '../../platform/db.js';
import { errors } from '../../platform/errors.js';
import { publish } from '../../platform/events.js';
import { canonicalJson } from '../audit/index.js';
import type { Principal } from '../identity/index.js';
import type { RegionsService } from '../regions/index.js';
import { stageTimes, validateAnswers, type CategoriesService, type Category } from './categories.js';
import type { HolidaysService } from './holidays.js';
import type { Neighbours } from './neighbours.js';
import type { NameDirectory } from './names.js';
import { processPhoto, type PhotoStore, type ProcessedPhoto } from './photos.js';
import type { Contact, ReportQueries } from './queries.js';
import * as repo from './repository.js';
import type { Channel, HandlerKind, Privacy, ReportRow } from './repository.js';
import { recordStep } from './timeline.js';
import { OPEN_STATUSES, PUBLIC_STATUSES } from './workflow.js';

/**
 * Filing a report: the category's questions checked, photos cleaned and stored, the place located
 * in a kelurahan and the first handler chosen (routing), the first deadline set, and a retried
 * submission answered with the report it already made. Also the open reports nearby that a citizen
 * may support instead of filing the same problem again.
 */

/** Who is filing: a logged-in citizen, an officer entering a report that came another way, or an Open311 client. */
export type Origin =
  | { kind: 'citizen'; principal: Principal }
  | { kind: 'officer'; principal: Principal; channel: Exclude<Channel, 'web' | 'open311'>; contact: Contact }
  | { kind: 'open311'; keyId: string; contact: Contact };

export interface SubmitInput {
  categoryCode: string;
  description: string;
  lat?: number | undefined;
  lng?: number | undefined;
  kelurahanCode?: string | undefined;
  address?: string | undefined;
  answers?: Record<string, unknown> | undefined;
  privacy: Privacy;
  photos?: Buffer[] | undefined;
  idempotencyKey?: string | undefined;
}

export interface IntakeOptions {
  cityCode: string;
  timezone: string;
  duplicateRadiusMeters: number;
  duplicateWindowDays: number;
}

/** Emergencies first, then reports many citizens support. */
export function priorityOf(emergency: boolean, supportCount: number): number {
  return (emergency ? 1000 : 0) + Math.min(supportCount, 999);
}

class Replayed extends Error {
  constructor(readonly reportId: string) {
    super('idempotent replay');
  }
}

export class Intake {
  private extent: { at: number; box: [number, number, number, number] | null } | undefined;

  constructor(
    private readonly db: Database,
    private readonly cipher: Cipher,
    private readonly deps: {
      categories: CategoriesService;
      holidays: HolidaysService;
      regions: RegionsService;
      neighbours: Pick<Neighbours, 'cityExtent'>;
      names: NameDirectory;
      photos: PhotoStore;
      queries: ReportQueries;
      clock: () => Date;
    },
    private readonly options: IntakeOptions,
  ) {}

  /** Kept for a minute: every report with a point is checked against it. */
  private async cityExtent(): Promise<[number, number, number, number] | null> {
    if (this.extent && Date.now() - this.extent.at < 60_000) return this.extent.box;
    const box = await this.deps.neighbours.cityExtent();
    this.extent = { at: Date.now(), box };
    return box;
  }

  /**
   * Where the report is and who handles it first. A point is located in the kelurahan boundaries;
   * a point between polygons or an address without a point goes to the coordinator, never nowhere.
   */
  async route(
    category: Category,
    input: Pick<SubmitInput, 'lat' | 'lng' | 'kelurahanCode' | 'address'>,
  ): Promise<{ kelurahanCode: string | null; kecamatanCode: string | null; handler: { kind: HandlerKind; code: string } }> {
    let kelurahanCode: string | null = null;
    let kecamatanCode: string | null = null;
    if (input.kelurahanCode) {
      const region = await this.deps.regions.get(input.kelurahanCode);
      if (region?.level !== 'village' || !region.code.startsWith(`${this.options.cityCode}.`)) {
        throw errors.unprocessable(
          'kelurahan_unknown',
          { id: `Kelurahan dengan kode ${input.kelurahanCode} tidak ada di kota ini.`, en: `There is no kelurahan ${input.kelurahanCode} in this city.` },
          { field: 'kelurahanCode' },
        );
      }
      kelurahanCode = region.code;
      kecamatanCode = region.parentCode;
    } else if (input.lat !== undefined && input.lng !== undefined) {
      const extent = await this.cityExtent();
      // About 1 km of slack: a report from the city's edge must not be refused for a rough boundary.
      const margin = 0.01;
      if (extent && (input.lng < extent[0] - margin || input.lng > extent[2] + margin || input.lat < extent[1] - margin || input.lat > extent[3] + margin)) {
        throw errors.unprocessable(
          'location_outside_city',
          { id: 'Lokasi yang dipilih berada di luar wilayah kota ini. Geser penanda ke lokasi masalah di dalam kota.', en: 'The chosen location is outside this city. Move the pin to the problem inside the city.' },
          { field: 'lat' },
        );
      }
      const hit = await this.deps.regions.locate(input.lat, input.lng);
      if (hit) {
        kelurahanCode = hit.code;
        kecamatanCode = hit.districtCode;
      }
    } else if (!input.address?.trim()) {
      throw errors.badRequest(
        'location_required',
        { id: 'Tentukan lokasi masalah: titik di peta, kelurahan, atau alamat.', en: 'Give the location of the problem: a map point, a kelurahan or an address.' },
        { field: 'lat' },
      );
    }
    let handler: { kind: HandlerKind; code: string };
    // An emergency goes straight to the responsible agency, whatever the location.
    if (category.emergency || (category.firstHandler === 'opd' && kelurahanCode)) handler = { kind: 'opd', code: category.agencyCode };
    else if (kelurahanCode) handler = { kind: 'kelurahan', code: kelurahanCode };
    else handler = { kind: 'coordinator', code: this.options.cityCode };
    return { kelurahanCode, kecamatanCode, handler };
  }

  private idempotencyOwner(origin: Origin): string {
    return origin.kind === 'open311' ? `open311:${origin.keyId}` : origin.principal.userId;
  }

  async submit(input: SubmitInput, origin: Origin): Promise<{ report: ReportRow; replayed: boolean }> {
    const owner = this.idempotencyOwner(origin);
    const category = await this.deps.categories.cached(input.categoryCode);
    if (!category?.active) {
      throw errors.unprocessable('category_unknown', { id: 'Kategori laporan tidak dikenal.', en: 'Unknown report category.' }, { field: 'categoryCode' });
    }
    const answers = validateAnswers(category.questions, input.answers);
    const photos: ProcessedPhoto[] = [];
    for (const buffer of input.photos ?? []) photos.push(await processPhoto(buffer));
    const requestHash = sha256(
      canonicalJson({
        c: input.categoryCode,
        d: input.description,
        lat: input.lat ?? null,
        lng: input.lng ?? null,
        k: input.kelurahanCode ?? null,
        a: input.address ?? null,
        ans: answers,
        p: input.privacy,
        ph: photos.map((p) => p.sha256),
        // An officer reusing a key for another caller must not get the first caller's report back.
        ch: origin.kind === 'officer' ? origin.channel : null,
        ct: origin.kind === 'citizen' ? null : origin.contact,
      }),
    );
    // With photos a retry is worth catching before the transaction; without, the insert's conflict catches it.
    if (input.idempotencyKey && photos.length > 0) {
      const previous = await this.replay(owner, input.idempotencyKey, requestHash);
      if (previous) return { report: previous, replayed: true };
    }
    const routed = await this.route(category, input);
    const id = randomUUID();
    const now = this.deps.clock();
    const year = localDate(now, this.options.timezone).slice(0, 4);
    const stored = await this.deps.photos.store(id, photos);
    const times = stageTimes(category, 'verify', now, await this.deps.holidays.calendar());
    const names = await this.deps.names.get();
    const contact = origin.kind === 'citizen' ? null : origin.contact;
    const channel: Channel = origin.kind === 'citizen' ? 'web' : origin.kind === 'open311' ? 'open311' : origin.channel;
    let inserted: ReportRow | undefined;
    try {
      await this.db.transaction(async (tx) => {
        inserted = await repo.insertReport(tx, {
          id,
          year,
          category_code: category.code,
          description: input.description.trim(),
          lat: input.lat ?? null,
          lng: input.lng ?? null,
          kelurahan_code: routed.kelurahanCode,
          kecamatan_code: routed.kecamatanCode,
          address: input.address?.trim() || null,
          answers,
          privacy: input.privacy,
          channel,
          reporter_id: origin.kind === 'citizen' ? origin.principal.userId : null,
          reporter_contact_enc: contact && Object.values(contact).some(Boolean) ? this.cipher.encrypt(JSON.stringify(contact)) : null,
          entered_by: origin.kind === 'officer' ? origin.principal.userId : null,
          open311_key_id: origin.kind === 'open311' ? origin.keyId : null,
          open311_token: origin.kind === 'open311' ? randomUUID() : null,
          emergency: category.emergency,
          priority: priorityOf(category.emergency, 0),
          agency_code: category.agencyCode,
          handler_kind: routed.handler.kind,
          handler_code: routed.handler.code,
          due_at: times.due,
          warn_at: times.warn,
          submitted_at: now,
        });
        await this.deps.photos.keep(tx, stored);
        await repo.insertPhotos(tx, id, 'report', stored, origin.kind === 'open311' ? null : origin.principal.userId);
        await recordStep(tx, names, id, {
          kind: 'status',
          to: 'submitted',
          actor: origin.kind === 'open311' ? null : origin.principal,
          visibility: 'public',
          data: { channel, handler: routed.handler, unrouted: routed.handler.kind === 'coordinator' && !category.emergency },
        });
        // A concurrent retry with the same key won: undo this one and answer with that report.
        if (input.idempotencyKey && !(await repo.claimIdempotencyKey(tx, owner, input.idempotencyKey, requestHash, id))) throw new Replayed(id);
        await publish(tx, 'report.submitted', { reportId: id, emergency: category.emergency, channel });
      });
    } catch (error) {
      await this.deps.photos.discard(stored);
      if (error instanceof Replayed && input.idempotencyKey) {
        const previous = await this.replay(owner, input.idempotencyKey, requestHash);
        if (previous) return { report: previous, replayed: true };
      }
      throw error;
    }
    return { report: inserted!, replayed: false };
  }

  private async replay(owner: string, key: string, requestHash: string): Promise<ReportRow | undefined> {
    const previous = await repo.idempotentSubmission(this.db, owner, key);
    if (!previous) return undefined;
    if (previous.request_hash !== requestHash) {
      throw errors.unprocessable('idempotency_key_reused', {
        id: 'Kunci Idempotency-Key ini sudah dipakai untuk laporan lain. Gunakan kunci baru untuk laporan baru.',
        en: 'This Idempotency-Key was used for a different report. Use a new key for a new report.',
      });
    }
    return this.deps.queries.row(previous.report_id);
  }

  /**
   * Open reports of the same category within the radius and the recent window: offered to a citizen
   * to support instead of filing anew (only what the public may see), and to an officer to merge.
   */
  async nearby(categoryCode: string, lat: number, lng: number, audience: 'public' | 'officers', excludeId?: string): Promise<(ReportRow & { distance_m: number })[]> {
    const r = this.options.duplicateRadiusMeters;
    const dLat = r / 111_320;
    const dLng = r / (111_320 * Math.max(0.01, Math.cos((lat * Math.PI) / 180)));
    return repo.nearbyReports(this.db, {
      categoryCode,
      lat,
      lng,
      radiusMeters: r,
      box: [lng - dLng, lat - dLat, lng + dLng, lat + dLat],
      statuses: audience === 'public' ? OPEN_STATUSES.filter((s) => PUBLIC_STATUSES.includes(s)) : OPEN_STATUSES,
      windowDays: this.options.duplicateWindowDays,
      excludeId: excludeId ?? null,
      publicOnly: audience === 'public',
    });
  }
}

import type { Database, Queryable } from '../../platform/db.js';
import type { EventDispatcher, OutboxEvent } from '../../platform/events.js';
import { statusName, type Contact, type HandlerKind, type ReportRow, type ReportStatus, type TransitionAction } from '../reports/index.js';
import type { Deliveries, NotificationMessage, People, Recipient, ReportFacts } from './deliveries.js';

/**
 * The subscriber that turns report events into messages: to the reporter, the supporters, the unit
 * that must act, the coordinators. Who is who comes from the reports module and from identity.
 */

/** What the subscriber needs from the reports module. */
export interface ReportsLookup {
  row(id: string, q?: Queryable): Promise<ReportRow | undefined>;
  contactOf(row: Pick<ReportRow, 'reporter_contact_enc'>): Contact | null;
  /** The accounts supporting a report (the reporters of duplicates merged into it among them). */
  supportersOf(reportId: string, q?: Queryable): Promise<string[]>;
  /** The accounts whose anonymous reports were merged into this one. */
  anonymousReportersMergedInto(reportId: string, q?: Queryable): Promise<string[]>;
}

/** What the reporter reads after each workflow action (the status name is in the line before). */
const REPORTER_HINTS: Record<TransitionAction, string> = {
  verify: 'Laporan akan diteruskan ke unit yang menangani.',
  reject: 'Alasannya dapat dilihat pada laporan.',
  merge: 'Laporan digabung dengan laporan serupa; Anda akan menerima kabar dari laporan tersebut.',
  dispatch: 'Laporan sudah diteruskan ke unit yang menangani.',
  return: 'Laporan sedang diteruskan ulang ke unit yang tepat.',
  start: 'Petugas sedang menangani laporan.',
  resolve: 'Petugas menyatakan masalah selesai. Beri penilaian, atau sanggah bila belum beres.',
  close: 'Terima kasih.',
  dispute: 'Laporan kembali ditangani.',
};

export class ReportMessages {
  private readonly publicUrl: string | undefined;

  constructor(
    private readonly db: Database,
    private readonly deliveries: Deliveries,
    private readonly people: People,
    private readonly reports: ReportsLookup,
    publicUrl: string | undefined,
  ) {
    this.publicUrl = publicUrl?.replace(/\/+$/, '');
  }

  /** Turns report events into messages. Idempotent: the dispatcher may deliver an event again. */
  subscribe(events: Pick<EventDispatcher, 'subscribe'>): () => void {
    return events.subscribe('report.*', async (event) => {
      const reportId = event.payload.reportId;
      if (typeof reportId !== 'string') return;
      // The common case, decided from the event alone: an ordinary report from the app notifies nobody.
      if (event.topic === 'report.submitted' && !event.payload.emergency && event.payload.channel === 'web') return;
      // Read before the transaction: identity's and reports' lookups use their own connection (PGlite has one).
      const report = await this.reports.row(reportId);
      if (!report) return;
      const messages = await this.messagesFor(event, report);
      const facts = messages.some((m) => m.recipients.length > 0) ? await this.factsOf(report) : undefined;
      const mergedAway = event.topic === 'report.status_changed' && event.payload.action === 'merge' && report.privacy === 'anonymous' && report.reporter_id && report.merged_into;
      if (!facts && !mergedAway) return;
      await this.db.transaction(async (tx) => {
        if (mergedAway) await this.deliveries.hideRecipient(tx, report.merged_into!, report.reporter_id!);
        await this.deliveries.notify(tx, facts ? messages.map((m) => ({ ...m, report: facts })) : messages);
      });
    });
  }

  private async factsOf(report: ReportRow): Promise<ReportFacts> {
    return {
      id: report.id,
      trackingNo: report.tracking_no,
      anonymous: report.privacy === 'anonymous',
      anonymousReportersMergedIn: await this.reports.anonymousReportersMergedInto(report.id),
    };
  }

  private async messagesFor(event: OutboxEvent, report: ReportRow): Promise<NotificationMessage[]> {
    const trk = report.tracking_no;
    const link = this.publicUrl ? ` ${this.publicUrl}/laporan-saya/${trk}` : '';
    const p = event.payload;
    const message = (recipients: Recipient[], subject: string, body: string): NotificationMessage => ({
      recipients,
      subject,
      body,
      topic: event.topic,
      dedupeKey: `event:${event.id}`,
    });
    const unit = (kind: HandlerKind, code: string) => this.unitOfficers(kind, code);
    switch (event.topic) {
      case 'report.submitted': {
        // Officers find new reports in their inbox (and the wall shows them live); only an emergency
        // is pushed to the unit at once. A reporter without the app (phone, Open311) gets the
        // tracking number; a citizen in the app already sees it.
        const out: NotificationMessage[] = [];
        if (p.emergency) {
          out.push(message(await unit(report.handler_kind, report.handler_code), `Laporan DARURAT ${trk}`, `SatuKota: laporan DARURAT ${trk} masuk ke unit Anda. Mohon segera ditangani.`));
        }
        if (report.channel !== 'web') {
          out.push(message(this.reporterOf(report), `Laporan ${trk} diterima`, `SatuKota: laporan Anda diterima dengan nomor ${trk}. Simpan nomor ini untuk memantau penanganannya.${link}`));
        }
        return out;
      }
      case 'report.status_changed': {
        const action = p.action as TransitionAction;
        const status = statusName(p.to as ReportStatus, 'id');
        const subject = `Laporan ${trk}: ${status}`;
        const supporters = await this.reports.supportersOf(report.id);
        // The reporter closes and disputes; they need no message about their own act (an automatic close they do).
        const byReporter = (action === 'close' && !p.automatic) || action === 'dispute';
        const hint = action === 'close' && p.automatic ? 'Laporan ditutup otomatis karena tidak ada sanggahan. Terima kasih.' : (REPORTER_HINTS[action] ?? '');
        const out = [
          message(byReporter ? [] : this.reporterOf(report), subject, `SatuKota: laporan Anda ${trk} kini berstatus "${status}". ${hint}${link}`),
          message(
            supporters.filter((id) => id !== report.reporter_id).map((id) => ({ userId: id })),
            subject,
            `SatuKota: laporan ${trk} yang Anda dukung kini berstatus "${status}".${link}`,
          ),
        ];
        if (action === 'dispatch') {
          const target = p.target as { kind?: HandlerKind; code?: string } | undefined;
          const officers = target?.kind && target.code ? await unit(target.kind, target.code) : await unit(report.handler_kind, report.handler_code);
          out.push(message(officers, `Disposisi laporan ${trk}`, `SatuKota: laporan ${trk} didisposisikan ke unit Anda. Mohon segera ditindaklanjuti.`));
        }
        if (action === 'dispute') {
          out.push(
            message(await unit(report.handler_kind, report.handler_code), `Sanggahan laporan ${trk}`, `SatuKota: pelapor menyanggah penyelesaian laporan ${trk}. Mohon ditindaklanjuti kembali.`),
          );
        }
        return out;
      }
      case 'report.deadline_near':
        return [
          message(
            await unit(report.handler_kind, report.handler_code),
            `Tenggat laporan ${trk}`,
            `SatuKota: tenggat penanganan laporan ${trk} segera berakhir. Mohon segera ditindaklanjuti.`,
          ),
        ];
      case 'report.escalated': {
        const target: Recipient[] = typeof p.targetUserId === 'string' ? [{ userId: p.targetUserId }] : [];
        // targetLabel names a position ('Camat', 'Kepala OPD'), never a person.
        const to = typeof p.targetLabel === 'string' && p.targetLabel ? ` ke ${p.targetLabel.slice(0, 40)}` : '';
        return [
          message(
            [...target, ...(await this.coordinators())],
            `Eskalasi laporan ${trk}`,
            `SatuKota: laporan ${trk} melewati tenggat dan dieskalasi${to} (tingkat ${Number(p.level) || 1}). Mohon segera ditindaklanjuti.`,
          ),
        ];
      }
      case 'report.commented':
        return p.byCitizen
          ? [message(await unit(report.handler_kind, report.handler_code), `Tanggapan pelapor ${trk}`, `SatuKota: pelapor menambahkan tanggapan pada laporan ${trk}.`)]
          : [message(this.reporterOf(report), `Tanggapan petugas ${trk}`, `SatuKota: petugas menanggapi laporan Anda ${trk}.${link}`)];
      default:
        return [];
    }
  }

  /** The citizen with an account, or the contact left with an officer or an Open311 client (anonymous reports too). */
  private reporterOf(report: ReportRow): Recipient[] {
    if (report.reporter_id) return [{ userId: report.reporter_id }];
    const contact = this.reports.contactOf(report);
    return contact && (contact.phone || contact.email) ? [{ contact: { phone: contact.phone, email: contact.email } }] : [];
  }

  /** The active officers of the unit holding a report; the coordinator's "unit" is every coordinator. */
  private async unitOfficers(kind: HandlerKind, code: string): Promise<Recipient[]> {
    if (kind === 'coordinator') return this.coordinators();
    return (await this.people.officersOf({ kind, code })).map((id) => ({ userId: id }));
  }

  private async coordinators(): Promise<Recipient[]> {
    return (await this.people.withRole('coordinator')).map((id) => ({ userId: id }));
  }
}

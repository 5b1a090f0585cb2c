import type { Cipher } from '../../platform/crypto.js';
import type { Database, Queryable } from '../../platform/db.js';
import { errors } from '../../platform/errors.js';
import type { EventDispatcher, OutboxEvent } from '../../platform/events.js';
import { enqueue, type JobRunner } from '../../platform/jobs.js';
import type { Logger } from '../../platform/logger.js';
import type { AuditActor, AuditRecorder } from '../../platform/audit.js';
import { normalisePhone } from '../identity/index.js';
import { statusName, type Contact, type HandlerKind, type ReportRow, type ReportStatus, type TransitionAction } from '../reports/index.js';
import {
  defaultAdapters,
  isE164,
  isEmail,
  maskRecipient,
  mergeConfig,
  presentConfig,
  type Adapters,
  type ChannelConfig,
} from './channels.js';
import type { ChannelKind, ChannelView, DeliveryStatus, DeliveryView } from './schema.js';

/**
 * Notifications: messages to citizens and officers about their reports, through every enabled
 * channel. `notify` writes one delivery row per channel and recipient inside the caller's
 * transaction and enqueues a job for it; the job sends it and records the outcome, so a message
 * is never lost when the process dies and a failing gateway is retried with back-off.
 */
export const DELIVER_JOB = 'notification.deliver';
export const MAX_ATTEMPTS = 6;

export type Recipient = { userId: string } | { contact: { phone?: string | undefined; email?: string | undefined; name?: string | undefined } };

export interface NotificationMessage {
  recipients: Recipient[];
  subject: string;
  /** Short and SMS-friendly; never a name, phone number or NIK. */
  body: string;
  topic: string;
  reportId?: string | undefined;
  /** Unique per cause (e.g. `event:<outbox id>`): notifying again for the same cause adds nothing. */
  dedupeKey: string;
}

/** What the subscriber needs from the reports module (ReportsService fits). */
export interface ReportsLookup {
  row(id: string, q?: Queryable): Promise<ReportRow | undefined>;
  contactOf(row: Pick<ReportRow, 'reporter_contact_enc'>): Contact | null;
}

export interface NotificationsOptions {
  /** e.g. https://satukota.cilegon.go.id: messages to citizens link to their report. */
  publicUrl?: string | undefined;
  /** Replaces adapters (tests). */
  adapters?: Partial<Adapters> | undefined;
}

interface ChannelRow {
  id: string;
  kind: ChannelKind;
  name: string;
  config_enc: string;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

interface DeliveryRow {
  id: number;
  channel_id: string;
  channel_name: string;
  channel_kind: ChannelKind;
  recipient_user_id: string | null;
  recipient_enc: string | null;
  topic: string;
  subject: string;
  report_id: string | null;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
  recipient_is_officer: boolean;
  recipient_hidden: boolean;
}

/**
 * SQL (over `d` deliveries, `r` its report, `u` its recipient's account): whether the recipient may be
 * the reporter of an anonymous report — a citizen or contact notified about an anonymous report, or a
 * citizen following a report because their anonymous report was merged into it. Such a recipient is
 * never shown, not even masked: the delivery log must not lead from a report to its anonymous reporter.
 */
const HIDDEN_RECIPIENT_SQL = `((r.privacy = 'anonymous' and u.kind is distinct from 'officer')
  or exists (select 1 from reports m where m.reporter_id = d.recipient_user_id and m.merged_into = d.report_id and m.privacy = 'anonymous'))`;

/** What a hidden recipient is called in the console log. */
const HIDDEN_RECIPIENT_LABEL = 'pelapor anonim';

const channelNotFound = () => errors.notFound({ id: 'Kanal notifikasi', en: 'Notification channel' });
const deliveryNotFound = () => errors.notFound({ id: 'Pengiriman notifikasi', en: 'Notification delivery' });

// Any constant works; it only has to be the same on every node.
const DEFAULT_CHANNEL_LOCK = 7_263_101;

/** Phone numbers as the webhook wants them (E.164), or null when it is not a usable number. */
function toE164(raw: string | null | undefined): string | null {
  if (!raw) return null;
  if (isE164(raw)) return raw;
  try {
    return normalisePhone(raw);
  } catch {
    return null;
  }
}

const EMAIL_IN_TEXT = /[^\s<>()"',;:]+@[^\s<>()"',;:]+/g;

/** Error text for the delivery row and the log, with addresses masked (SMTP servers echo them). */
function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text
    .replace(EMAIL_IN_TEXT, (m) => maskRecipient(m))
    .replace(/\+?[0-9]{9,15}/g, (m) => maskRecipient(m))
    .slice(0, 500);
}

/** A stored error text without even the masked address (its first and last digits, its domain). */
function withoutAddresses(text: string): string {
  return text.replace(EMAIL_IN_TEXT, '[alamat]').replace(/\+?[0-9][0-9*]{7,}/g, '[nomor]');
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

export class NotificationsService {
  private readonly adapters: Adapters;
  private readonly publicUrl: string | undefined;

  constructor(
    private readonly db: Database,
    private readonly cipher: Cipher,
    private readonly audit: AuditRecorder,
    private readonly log: Logger,
    jobs?: JobRunner,
    options: NotificationsOptions = {},
  ) {
    this.adapters = { ...defaultAdapters(), ...options.adapters };
    this.publicUrl = options.publicUrl?.replace(/\/+$/, '');
    jobs?.register(DELIVER_JOB, (payload, job) => this.deliver(payload, job));
  }

  // --- channels -----------------------------------------------------------------------------------

  private configOf(row: Pick<ChannelRow, 'config_enc'>): ChannelConfig {
    return JSON.parse(this.cipher.decrypt(row.config_enc)) as ChannelConfig;
  }

  private present(row: ChannelRow): ChannelView {
    return {
      id: row.id,
      kind: row.kind,
      name: row.name,
      enabled: row.enabled,
      config: presentConfig(row.kind, this.configOf(row)),
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  }

  private async channelRow(id: string, q: Queryable = this.db, lock = false): Promise<ChannelRow> {
    const row = await q.maybeOne<ChannelRow>(`select * from notification_channels where id = $1 and deleted_at is null ${lock ? 'for update' : ''}`, [id]);
    if (!row) throw channelNotFound();
    return row;
  }

  async listChannels(): Promise<ChannelView[]> {
    const rows = await this.db.query<ChannelRow>('select * from notification_channels where deleted_at is null order by created_at, id');
    return rows.map((r) => this.present(r));
  }

  async getChannel(id: string): Promise<ChannelView> {
    return this.present(await this.channelRow(id));
  }

  async createChannel(
    input: { kind: ChannelKind; name: string; enabled?: boolean | undefined; config: Record<string, unknown> },
    actor: AuditActor,
    ip?: string,
  ): Promise<ChannelView> {
    const config = mergeConfig(input.kind, undefined, input.config);
    const row = await this.db.transaction(async (tx) => {
      const created = await tx.one<ChannelRow>(`insert into notification_channels (kind, name, config_enc, enabled) values ($1, $2, $3, $4) returning *`, [
        input.kind,
        input.name,
        this.cipher.encrypt(JSON.stringify(config)),
        input.enabled ?? true,
      ]);
      await this.audit.append(
        { actor, action: 'notification_channel.created', subject: { type: 'notification_channel', id: created.id }, ip, details: { kind: input.kind, name: input.name, enabled: created.enabled } },
        tx,
      );
      return created;
    });
    return this.present(row);
  }

  async updateChannel(
    id: string,
    changes: { name?: string | undefined; enabled?: boolean | undefined; config?: Record<string, unknown> | undefined },
    actor: AuditActor,
    ip?: string,
  ): Promise<ChannelView> {
    const row = await this.db.transaction(async (tx) => {
      const current = await this.channelRow(id, tx, true);
      const config = changes.config ? mergeConfig(current.kind, this.configOf(current), changes.config) : undefined;
      const updated = await tx.one<ChannelRow>(
        `update notification_channels set name = coalesce($2, name), enabled = coalesce($3, enabled), config_enc = coalesce($4, config_enc), updated_at = now()
         where id = $1 returning *`,
        [id, changes.name ?? null, changes.enabled ?? null, config ? this.cipher.encrypt(JSON.stringify(config)) : null],
      );
      // Which fields changed, never their values: the config holds secrets.
      const details = {
        kind: current.kind,
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.enabled !== undefined ? { enabled: changes.enabled } : {}),
        ...(changes.config ? { configFields: Object.keys(changes.config).sort() } : {}),
      };
      await this.audit.append({ actor, action: 'notification_channel.updated', subject: { type: 'notification_channel', id }, ip, details }, tx);
      return updated;
    });
    return this.present(row);
  }

  /** Kept as a row (deliveries refer to it) but gone for everyone; its pending messages are skipped. */
  async deleteChannel(id: string, actor: AuditActor, ip?: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const row = await tx.maybeOne<{ kind: ChannelKind; name: string }>(
        `update notification_channels set deleted_at = now(), enabled = false, updated_at = now() where id = $1 and deleted_at is null returning kind, name`,
        [id],
      );
      if (!row) throw channelNotFound();
      await this.audit.append({ actor, action: 'notification_channel.deleted', subject: { type: 'notification_channel', id }, ip, details: { kind: row.kind, name: row.name } }, tx);
    });
  }

  /** Sends a test message now (enabled or not) and reports the outcome instead of throwing it. */
  async testChannel(id: string, to: string | undefined, actor: AuditActor, ip?: string): Promise<{ ok: boolean; error: string | null }> {
    const row = await this.channelRow(id);
    const address = this.testAddress(row.kind, to?.trim() || undefined);
    let error: string | null = null;
    try {
      await this.adapters[row.kind].send(
        {
          to: address,
          subject: 'Uji coba notifikasi SatuKota',
          body: 'SatuKota: ini pesan uji coba. Jika pesan ini sampai, kanal notifikasi berfungsi.',
          topic: 'notification.test',
        },
        this.configOf(row),
      );
    } catch (e) {
      error = errorText(e);
    }
    await this.audit.append({ actor, action: 'notification_channel.tested', subject: { type: 'notification_channel', id }, ip, details: { kind: row.kind, ok: error === null } });
    return { ok: error === null, error };
  }

  private testAddress(kind: ChannelKind, to: string | undefined): string | null {
    if (kind === 'console') return to ?? null;
    if (!to) {
      throw errors.badRequest('recipient_required', { id: 'Isi alamat tujuan pesan uji coba.', en: 'Give an address for the test message.' }, { field: 'to' });
    }
    if (kind === 'smtp') {
      if (!isEmail(to)) throw errors.badRequest('email_invalid', { id: 'Alamat e-mail tidak valid.', en: 'Invalid e-mail address.' }, { field: 'to' });
      return to;
    }
    return toE164(to) ?? normalisePhone(to);
  }

  /** At start-up: a fresh install prints its notifications to the console. Returns whether it created one. */
  async ensureDefaultChannel(): Promise<boolean> {
    const created = await this.db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1)', [DEFAULT_CHANNEL_LOCK]);
      return tx.maybeOne(
        `insert into notification_channels (kind, name, config_enc) select 'console', 'Konsol', $1
         where not exists (select 1 from notification_channels) returning id`,
        [this.cipher.encrypt('{}')],
      );
    });
    if (created) this.log.info('notification channel "Konsol" (console) created');
    return Boolean(created);
  }

  // --- deliveries ---------------------------------------------------------------------------------

  private presentDelivery(row: DeliveryRow): DeliveryView {
    const hidden = row.recipient_hidden;
    const address = hidden ? null : this.cipher.decryptOptional(row.recipient_enc);
    return {
      id: row.id,
      channelId: row.channel_id,
      channelName: row.channel_name,
      channelKind: row.channel_kind,
      recipient: address && maskRecipient(address),
      recipientHidden: hidden,
      // Officers only: a citizen's account id would lead straight to their personal data.
      recipientUserId: row.recipient_is_officer ? row.recipient_user_id : null,
      topic: row.topic,
      subject: row.subject,
      reportId: row.report_id,
      status: row.status,
      attempts: row.attempts,
      lastError: hidden && row.last_error ? withoutAddresses(row.last_error) : row.last_error,
      createdAt: row.created_at.toISOString(),
      sentAt: row.sent_at?.toISOString() ?? null,
    };
  }

  private readonly deliverySelect = `select d.id, d.channel_id, c.name as channel_name, c.kind as channel_kind, d.recipient_user_id, d.recipient_enc,
      d.topic, d.subject, d.report_id, d.status, d.attempts, d.last_error, d.created_at, d.sent_at,
      coalesce(u.kind = 'officer', false) as recipient_is_officer, ${HIDDEN_RECIPIENT_SQL} as recipient_hidden
    from notification_deliveries d join notification_channels c on c.id = d.channel_id
      left join reports r on r.id = d.report_id left join users u on u.id = d.recipient_user_id`;

  /** Newest first; `before` is the last id of the previous page. */
  async listDeliveries(options: { status?: DeliveryStatus | undefined; limit: number; before?: number | undefined }): Promise<{ deliveries: DeliveryView[]; nextCursor: number | null }> {
    const rows = await this.db.query<DeliveryRow>(
      `${this.deliverySelect} where ($1::text is null or d.status = $1) and d.id < $2 order by d.id desc limit $3`,
      [options.status ?? null, options.before ?? Number.MAX_SAFE_INTEGER, options.limit],
    );
    return { deliveries: rows.map((r) => this.presentDelivery(r)), nextCursor: rows.length === options.limit ? (rows.at(-1)?.id ?? null) : null };
  }

  /** The admin sends a failed (or skipped) delivery again, with a fresh set of attempts. */
  async retryDelivery(id: number, actor: AuditActor, ip?: string): Promise<DeliveryView> {
    await this.db.transaction(async (tx) => {
      const row = await tx.maybeOne(`update notification_deliveries set status = 'pending', attempts = 0 where id = $1 and status in ('failed', 'skipped') returning id`, [id]);
      if (!row) {
        const existing = await tx.maybeOne<{ status: DeliveryStatus }>('select status from notification_deliveries where id = $1', [id]);
        if (!existing) throw deliveryNotFound();
        throw errors.conflict(
          'delivery_not_retryable',
          { id: 'Hanya pengiriman yang gagal atau dilewati yang dapat dikirim ulang.', en: 'Only failed or skipped deliveries can be sent again.' },
          { status: existing.status },
        );
      }
      await enqueue(tx, DELIVER_JOB, { deliveryId: id }, { maxAttempts: MAX_ATTEMPTS, uniqueKey: String(id) });
      await this.audit.append({ actor, action: 'notification_delivery.retried', subject: { type: 'notification_delivery', id: String(id) }, ip }, tx);
    });
    return this.presentDelivery((await this.db.maybeOne<DeliveryRow>(`${this.deliverySelect} where d.id = $1`, [id]))!);
  }

  // --- notify and deliver -------------------------------------------------------------------------

  /**
   * Inside the caller's transaction: one delivery per enabled channel and recipient that channel can
   * reach (console: everyone; webhook: a phone; smtp: an e-mail), each with its job. A recipient named
   * twice under the same dedupeKey gets one message. Returns how many deliveries were created.
   */
  async notify(tx: Queryable, messages: NotificationMessage[]): Promise<number> {
    const channels = await tx.query<{ id: string; kind: ChannelKind }>(
      'select id, kind from notification_channels where enabled and deleted_at is null order by created_at, id',
    );
    if (channels.length === 0) return 0;
    const userIds = [...new Set(messages.flatMap((m) => m.recipients.flatMap((r) => ('userId' in r ? [r.userId] : []))))];
    const users = new Map<string, { phone: string | null; email: string | null }>();
    if (userIds.length > 0) {
      const rows = await tx.query<{ id: string; phone_enc: string | null; email_enc: string | null }>(
        `select id, phone_enc, email_enc from users where id = any($1::uuid[]) and status <> 'suspended'`,
        [userIds],
      );
      for (const u of rows) users.set(u.id, { phone: toE164(this.cipher.decryptOptional(u.phone_enc)), email: this.cipher.decryptOptional(u.email_enc) });
    }
    let created = 0;
    for (const m of messages) {
      const bodyEnc = this.cipher.encrypt(m.body);
      for (const recipient of m.recipients) {
        const target = this.addressesOf(recipient, users);
        if (!target) continue;
        for (const channel of channels) {
          const address = channel.kind === 'webhook' ? target.phone : channel.kind === 'smtp' ? target.email : target.userId ? null : (target.phone ?? target.email);
          if (channel.kind !== 'console' && !address) continue;
          const row = await tx.maybeOne<{ id: number }>(
            `insert into notification_deliveries (channel_id, recipient_user_id, recipient_enc, topic, subject, body_enc, report_id, dedupe_key)
             values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (dedupe_key) do nothing returning id`,
            [channel.id, target.userId, this.cipher.encryptOptional(address), m.topic, m.subject, bodyEnc, m.reportId ?? null, `${m.dedupeKey}:${channel.id}:${target.key}`],
          );
          if (!row) continue;
          await enqueue(tx, DELIVER_JOB, { deliveryId: row.id }, { maxAttempts: MAX_ATTEMPTS, uniqueKey: String(row.id) });
          created += 1;
        }
      }
    }
    return created;
  }

  private addressesOf(
    recipient: Recipient,
    users: Map<string, { phone: string | null; email: string | null }>,
  ): { key: string; userId: string | null; phone: string | null; email: string | null } | null {
    if ('userId' in recipient) {
      const user = users.get(recipient.userId);
      return user ? { key: `u:${recipient.userId}`, userId: recipient.userId, ...user } : null;
    }
    const phone = toE164(recipient.contact.phone);
    const email = recipient.contact.email && isEmail(recipient.contact.email) ? recipient.contact.email.toLowerCase() : null;
    const address = phone ?? email;
    // A keyed hash, not the address: dedupe keys are stored in the clear.
    return address ? { key: `c:${this.cipher.blindIndex('notification-recipient', address)}`, userId: null, phone, email } : null;
  }

  /** The job: sends one delivery. Throws on failure so the job runner retries with back-off. */
  async deliver(payload: Record<string, unknown>, job: { attempts: number }): Promise<void> {
    const id = Number(payload.deliveryId);
    const d = await this.db.maybeOne<{
      status: DeliveryStatus;
      recipient_user_id: string | null;
      recipient_enc: string | null;
      topic: string;
      subject: string;
      body_enc: string;
      kind: ChannelKind;
      config_enc: string;
      enabled: boolean;
      deleted_at: Date | null;
      tracking_no: string | null;
      recipient_hidden: boolean;
    }>(
      `select d.status, d.recipient_user_id, d.recipient_enc, d.topic, d.subject, d.body_enc, c.kind, c.config_enc, c.enabled, c.deleted_at, r.tracking_no,
         ${HIDDEN_RECIPIENT_SQL} as recipient_hidden
       from notification_deliveries d join notification_channels c on c.id = d.channel_id left join reports r on r.id = d.report_id
         left join users u on u.id = d.recipient_user_id
       where d.id = $1`,
      [id],
    );
    if (!d || d.status !== 'pending') return;
    if (!d.enabled || d.deleted_at) {
      await this.db.query(`update notification_deliveries set status = 'skipped' where id = $1 and status = 'pending'`, [id]);
      return;
    }
    try {
      // The console prints to the server's log: an anonymous reporter is not named there either.
      const address = this.cipher.decryptOptional(d.recipient_enc);
      const account = d.recipient_user_id ? `pengguna ${d.recipient_user_id.slice(0, 8)}` : null;
      const to = d.kind !== 'console' ? address : d.recipient_hidden ? HIDDEN_RECIPIENT_LABEL : (address ?? account);
      await this.adapters[d.kind].send(
        { to, subject: d.subject, body: this.cipher.decrypt(d.body_enc), topic: d.topic, trackingNo: d.tracking_no ?? undefined },
        this.configOf(d),
      );
    } catch (error) {
      const text = errorText(error);
      await this.db.query(`update notification_deliveries set attempts = $2, last_error = $3, status = $4 where id = $1 and status = 'pending'`, [
        id,
        job.attempts,
        text,
        job.attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
      ]);
      // eslint-disable-next-line preserve-caught-error -- the original may name the recipient, and the job runner logs it
      throw new Error(text);
    }
    // Marked after the send: a crash in between sends the message twice rather than never.
    await this.db.query(`update notification_deliveries set status = 'sent', sent_at = now(), attempts = $2, last_error = null where id = $1`, [id, job.attempts]);
  }

  // --- report events ------------------------------------------------------------------------------

  /** Turns report events into messages. Idempotent: the dispatcher may deliver an event again. */
  subscribe(events: EventDispatcher, reports: ReportsLookup): () => void {
    return events.subscribe('report.*', async (event) => {
      const reportId = event.payload.reportId;
      if (typeof reportId !== 'string') return;
      // The common case, decided from the event alone: an ordinary report from the app notifies nobody.
      if (event.topic === 'report.submitted' && !event.payload.emergency && event.payload.channel === 'web') return;
      await this.db.transaction(async (tx) => {
        const report = await reports.row(reportId, tx);
        if (!report) return;
        await this.notify(tx, await this.messagesFor(tx, event, report, reports));
      });
    });
  }

  private async messagesFor(tx: Queryable, event: OutboxEvent, report: ReportRow, reports: ReportsLookup): Promise<NotificationMessage[]> {
    const trk = report.tracking_no;
    const link = this.publicUrl ? ` ${this.publicUrl}/laporan-saya/${trk}` : '';
    const p = event.payload;
    const message = (recipients: Recipient[], subject: string, body: string): NotificationMessage => ({
      recipients,
      subject,
      body,
      topic: event.topic,
      reportId: report.id,
      dedupeKey: `event:${event.id}`,
    });
    const unit = (kind: HandlerKind, code: string) => this.unitOfficers(tx, kind, code);
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
          out.push(message(this.reporterOf(report, reports), `Laporan ${trk} diterima`, `SatuKota: laporan Anda diterima dengan nomor ${trk}. Simpan nomor ini untuk memantau penanganannya.${link}`));
        }
        return out;
      }
      case 'report.status_changed': {
        const action = p.action as TransitionAction;
        const status = statusName(p.to as ReportStatus, 'id');
        const subject = `Laporan ${trk}: ${status}`;
        const supporters = await tx.query<{ user_id: string }>('select user_id from report_supporters where report_id = $1', [report.id]);
        // The reporter closes and disputes; they need no message about their own act (an automatic close they do).
        const byReporter = (action === 'close' && !p.automatic) || action === 'dispute';
        const hint = action === 'close' && p.automatic ? 'Laporan ditutup otomatis karena tidak ada sanggahan. Terima kasih.' : (REPORTER_HINTS[action] ?? '');
        const out = [
          message(byReporter ? [] : this.reporterOf(report, reports), subject, `SatuKota: laporan Anda ${trk} kini berstatus "${status}". ${hint}${link}`),
          message(
            supporters.filter((s) => s.user_id !== report.reporter_id).map((s) => ({ userId: s.user_id })),
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
            [...target, ...(await this.coordinators(tx))],
            `Eskalasi laporan ${trk}`,
            `SatuKota: laporan ${trk} melewati tenggat dan dieskalasi${to} (tingkat ${Number(p.level) || 1}). Mohon segera ditindaklanjuti.`,
          ),
        ];
      }
      case 'report.commented':
        return p.byCitizen
          ? [message(await unit(report.handler_kind, report.handler_code), `Tanggapan pelapor ${trk}`, `SatuKota: pelapor menambahkan tanggapan pada laporan ${trk}.`)]
          : [message(this.reporterOf(report, reports), `Tanggapan petugas ${trk}`, `SatuKota: petugas menanggapi laporan Anda ${trk}.${link}`)];
      default:
        return [];
    }
  }

  /** The citizen with an account, or the contact left with an officer or an Open311 client (anonymous reports too). */
  private reporterOf(report: ReportRow, reports: ReportsLookup): Recipient[] {
    if (report.reporter_id) return [{ userId: report.reporter_id }];
    const contact = reports.contactOf(report);
    return contact && (contact.phone || contact.email) ? [{ contact: { phone: contact.phone, email: contact.email } }] : [];
  }

  /** The active officers of the unit holding a report; the coordinator's "unit" is every coordinator. */
  private async unitOfficers(tx: Queryable, kind: HandlerKind, code: string): Promise<Recipient[]> {
    if (kind === 'coordinator') return this.coordinators(tx);
    const rows = await tx.query<{ id: string }>(
      `select id from users where kind = 'officer' and status = 'active' and scope_kind = $1 and scope_code = $2 order by id`,
      [kind, code],
    );
    return rows.map((r) => ({ userId: r.id }));
  }

  private async coordinators(tx: Queryable): Promise<Recipient[]> {
    const rows = await tx.query<{ id: string }>(`select id from users where role = 'coordinator' and status = 'active' order by id`);
    return rows.map((r) => ({ userId: r.id }));
  }
}

import type { AuditActor, AuditRecorder } from '../../platform/audit.js';
import type { Cipher } from '../../platform/crypto.js';
import type { Database, Queryable } from '../../platform/db.js';
import { errors } from '../../platform/errors.js';
import { enqueue, type JobRunner } from '../../platform/jobs.js';
import type { Reachable, Role, Scope } from '../identity/index.js';
import { errorText, toE164, withoutAddresses } from './addresses.js';
import { isEmail, maskRecipient, readConfig, type Adapters } from './channels.js';
import type { ChannelKind, DeliveryStatus, DeliveryView } from './schema.js';

export const DELIVER_JOB = 'notification.deliver';
export const MAX_ATTEMPTS = 6;

export type Recipient = { userId: string } | { contact: { phone?: string | undefined; email?: string | undefined; name?: string | undefined } };

/** What the delivery log keeps of the report a message is about. */
export interface ReportFacts {
  id: string;
  trackingNo: string;
  /** Its reporter chose to be anonymous: no recipient but an officer is shown beside it. */
  anonymous: boolean;
  /** Accounts whose anonymous report was merged into it: they follow it, and are never shown beside it. */
  anonymousReportersMergedIn: readonly string[];
}

export interface NotificationMessage {
  recipients: Recipient[];
  subject: string;
  /** Short and SMS-friendly; never a name, phone number or NIK. */
  body: string;
  topic: string;
  report?: ReportFacts | undefined;
  /** Unique per cause (e.g. `event:<outbox id>`): notifying again for the same cause adds nothing. */
  dedupeKey: string;
}

/** What notifications needs of identity (identity's accounts fit): who works where, and how each is reached. */
export interface People {
  /** The active officers of a unit, by id. */
  officersOf(scope: Scope): Promise<string[]>;
  /** The active accounts with a role, by id. */
  withRole(role: Role): Promise<string[]>;
  /** Phone, e-mail and kind of the accounts that are not suspended (the others are left out). */
  reachable(userIds: readonly string[], q?: Queryable): Promise<Map<string, Reachable>>;
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

interface Target {
  /** Who, for the dedupe key: an account id, or a keyed hash of the address. */
  key: string;
  userId: string | null;
  phone: string | null;
  email: string | null;
  isOfficer: boolean;
}

/** What a hidden recipient is called in the console log. */
const HIDDEN_RECIPIENT_LABEL = 'pelapor anonim';

const deliveryNotFound = () => errors.notFound({ id: 'Pengiriman notifikasi', en: 'Notification delivery' });

const DELIVERY_SELECT = `select d.id, d.channel_id, c.name as channel_name, c.kind as channel_kind, d.recipient_user_id, d.recipient_enc,
    d.topic, d.subject, d.report_id, d.status, d.attempts, d.last_error, d.created_at, d.sent_at, d.recipient_is_officer, d.recipient_hidden
  from notification_deliveries d join notification_channels c on c.id = d.channel_id`;

/**
 * Deliveries: one row per message, channel and recipient, written inside the caller's transaction with
 * a job that sends it and records the outcome, so a message is never lost when the process dies and a
 * failing gateway is retried with back-off. What the delivery log may show of a recipient is decided
 * when the row is written (the caller knows the report and the recipients), so listing and sending
 * read this module's tables only.
 */
export class Deliveries {
  constructor(
    private readonly db: Database,
    private readonly cipher: Cipher,
    private readonly audit: AuditRecorder,
    private readonly people: Pick<People, 'reachable'>,
    private readonly adapters: Adapters,
    jobs?: JobRunner,
  ) {
    jobs?.register(DELIVER_JOB, (payload, job) => this.deliver(payload, job));
  }

  private present(row: DeliveryRow): DeliveryView {
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

  /** Newest first; `before` is the last id of the previous page. */
  async list(options: { status?: DeliveryStatus | undefined; limit: number; before?: number | undefined }): Promise<{ deliveries: DeliveryView[]; nextCursor: number | null }> {
    const rows = await this.db.query<DeliveryRow>(`${DELIVERY_SELECT} where ($1::text is null or d.status = $1) and d.id < $2 order by d.id desc limit $3`, [
      options.status ?? null,
      options.before ?? Number.MAX_SAFE_INTEGER,
      options.limit,
    ]);
    return { deliveries: rows.map((r) => this.present(r)), nextCursor: rows.length === options.limit ? (rows.at(-1)?.id ?? null) : null };
  }

  /** The admin sends a failed (or skipped) delivery again, with a fresh set of attempts. */
  async retry(id: number, actor: AuditActor, ip?: string): Promise<DeliveryView> {
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
    return this.present((await this.db.maybeOne<DeliveryRow>(`${DELIVERY_SELECT} where d.id = $1`, [id]))!);
  }

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
    const users = await this.people.reachable(userIds, tx);
    let created = 0;
    for (const m of messages) {
      const bodyEnc = this.cipher.encrypt(m.body);
      for (const recipient of m.recipients) {
        const target = this.targetOf(recipient, users);
        if (!target) continue;
        const hidden = m.report ? isHiddenBeside(m.report, target) : false;
        for (const channel of channels) {
          const address = channel.kind === 'webhook' ? target.phone : channel.kind === 'smtp' ? target.email : target.userId ? null : (target.phone ?? target.email);
          if (channel.kind !== 'console' && !address) continue;
          const row = await tx.maybeOne<{ id: number }>(
            `insert into notification_deliveries (channel_id, recipient_user_id, recipient_enc, topic, subject, body_enc, report_id, dedupe_key,
               tracking_no, recipient_is_officer, recipient_hidden)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) on conflict (dedupe_key) do nothing returning id`,
            [
              channel.id,
              target.userId,
              this.cipher.encryptOptional(address),
              m.topic,
              m.subject,
              bodyEnc,
              m.report?.id ?? null,
              `${m.dedupeKey}:${channel.id}:${target.key}`,
              m.report?.trackingNo ?? null,
              target.isOfficer,
              hidden,
            ],
          );
          if (!row) continue;
          await enqueue(tx, DELIVER_JOB, { deliveryId: row.id }, { maxAttempts: MAX_ATTEMPTS, uniqueKey: String(row.id) });
          created += 1;
        }
      }
    }
    return created;
  }

  /**
   * Inside the caller's transaction: an account's anonymous report was merged into `reportId`, so the
   * messages it already got about that report are hidden too, as if they had been written after the merge.
   */
  async hideRecipient(tx: Queryable, reportId: string, userId: string): Promise<void> {
    await tx.query('update notification_deliveries set recipient_hidden = true where report_id = $1 and recipient_user_id = $2 and not recipient_hidden', [reportId, userId]);
  }

  private targetOf(recipient: Recipient, users: Map<string, Reachable>): Target | null {
    if ('userId' in recipient) {
      const user = users.get(recipient.userId);
      return user ? { key: `u:${recipient.userId}`, userId: recipient.userId, phone: toE164(user.phone), email: user.email, isOfficer: user.isOfficer } : null;
    }
    const phone = toE164(recipient.contact.phone);
    const email = recipient.contact.email && isEmail(recipient.contact.email) ? recipient.contact.email.toLowerCase() : null;
    const address = phone ?? email;
    // A keyed hash, not the address: dedupe keys are stored in the clear.
    return address ? { key: `c:${this.cipher.blindIndex('notification-recipient', address)}`, userId: null, phone, email, isOfficer: false } : null;
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
      `select d.status, d.recipient_user_id, d.recipient_enc, d.topic, d.subject, d.body_enc, c.kind, c.config_enc, c.enabled, c.deleted_at, d.tracking_no, d.recipient_hidden
       from notification_deliveries d join notification_channels c on c.id = d.channel_id
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
        readConfig(this.cipher, d.config_enc),
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
}

/**
 * Whether the recipient may be the reporter of an anonymous report — anyone but an officer notified
 * about an anonymous report, or an account following a report because its anonymous report was merged
 * into it. Such a recipient is never shown, not even masked: the delivery log must not lead from a
 * report to its anonymous reporter.
 */
function isHiddenBeside(report: ReportFacts, target: Target): boolean {
  return (report.anonymous && !target.isOfficer) || (target.userId !== null && report.anonymousReportersMergedIn.includes(target.userId));
}

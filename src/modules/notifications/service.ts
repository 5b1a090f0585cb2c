import type { AuditActor, AuditRecorder } from '../../platform/audit.js';
import type { Cipher } from '../../platform/crypto.js';
import type { Database, Queryable } from '../../platform/db.js';
import { errors } from '../../platform/errors.js';
import type { JobRunner } from '../../platform/jobs.js';
import type { Logger } from '../../platform/logger.js';
import { normalisePhone } from '../identity/index.js';
import { errorText, toE164 } from './addresses.js';
import { defaultAdapters, isEmail, mergeConfig, presentConfig, readConfig, type Adapters, type ChannelConfig } from './channels.js';
import { Deliveries, type People } from './deliveries.js';
import type { ChannelKind, ChannelView } from './schema.js';

export interface NotificationsOptions {
  /** e.g. https://satukota.cilegon.go.id: messages to citizens link to their report. */
  publicUrl?: string | undefined;
  /** Replaces adapters (tests). */
  adapters?: Partial<Adapters> | undefined;
}

export interface NotificationsServiceDeps {
  db: Database;
  cipher: Cipher;
  audit: AuditRecorder;
  log: Logger;
  /** Runs the delivery job (left out where nothing is sent). */
  jobs?: JobRunner | undefined;
  people: People;
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

const channelNotFound = () => errors.notFound({ id: 'Kanal notifikasi', en: 'Notification channel' });

// Any constant works; it only has to be the same on every node.
const DEFAULT_CHANNEL_LOCK = 7_263_101;

/**
 * Notifications: messages to citizens and officers about their reports, through every enabled
 * channel. The admin configures the channels here; `deliveries` writes, sends and lists the messages.
 */
export class NotificationsService {
  readonly deliveries: Deliveries;
  private readonly adapters: Adapters;
  private readonly db: Database;
  private readonly cipher: Cipher;
  private readonly audit: AuditRecorder;
  private readonly log: Logger;

  constructor(deps: NotificationsServiceDeps, options: NotificationsOptions = {}) {
    ({ db: this.db, cipher: this.cipher, audit: this.audit, log: this.log } = deps);
    this.adapters = { ...defaultAdapters(), ...options.adapters };
    this.deliveries = new Deliveries(deps.db, deps.cipher, deps.audit, deps.people, this.adapters, deps.jobs);
  }

  // --- channels -----------------------------------------------------------------------------------

  private configOf(row: Pick<ChannelRow, 'config_enc'>): ChannelConfig {
    return readConfig(this.cipher, row.config_enc);
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

  /** The channels that were not deleted, oldest first. */
  async listChannels(): Promise<ChannelView[]> {
    const rows = await this.db.query<ChannelRow>('select * from notification_channels where deleted_at is null order by created_at, id');
    return rows.map((r) => this.present(r));
  }

  /** One channel, its secrets masked. */
  async getChannel(id: string): Promise<ChannelView> {
    return this.present(await this.channelRow(id));
  }

  /** Adds a channel (its config checked and encrypted), audited without its secrets. */
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

  /** Changes a channel's name, state or config fields; a secret sent back masked keeps the stored one. */
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
}

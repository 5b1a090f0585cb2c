import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { insertAgencyAndCategory, insertReport, insertSupporter, insertUser, markMerged, reportRow } from '../../../test/support/rows.js';
import { Cipher, deriveKeys } from '../../platform/crypto.js';
import { openPglite, type Database } from '../../platform/db.js';
import type { OutboxEvent, Subscriber } from '../../platform/events.js';
import { JobRunner } from '../../platform/jobs.js';
import { createLogger } from '../../platform/logger.js';
import { memorySender } from '../../platform/messaging.js';
import { migrate, readMigrations } from '../../platform/migrate.js';
import { auditModule } from '../audit/index.js';
import { identityModule, type Identity } from '../identity/index.js';
import { anonymousReportersMergedInto, supportersOf, type ReportRow } from '../reports/index.js';
import type { ChannelAdapter, OutgoingMessage } from './channels.js';
import { DELIVER_JOB, MAX_ATTEMPTS } from './deliveries.js';
import { ReportMessages, type ReportsLookup } from './report-messages.js';
import { NotificationsService } from './service.js';

const keys = deriveKeys('notifications-test-secret');
const cipher = new Cipher(keys);
const log = createLogger({ level: 'silent' });
const admin = { id: null, label: 'admin' };

/** Records what it was asked to send; fails while `failing` is set. */
function recorder(kind: ChannelAdapter['kind']): ChannelAdapter & { sent: OutgoingMessage[]; failing: string | null } {
  const a = {
    kind,
    sent: [] as OutgoingMessage[],
    failing: null as string | null,
    async send(message: OutgoingMessage) {
      if (a.failing) throw new Error(a.failing);
      a.sent.push(message);
    },
  };
  return a;
}

describe('NotificationsService', () => {
  let db: Database;
  let jobs: JobRunner;
  let service: NotificationsService;
  let identity: Identity;
  const consoleA = recorder('console');
  const webhookA = recorder('webhook');
  const smtpA = recorder('smtp');
  let citizen: string;
  let officer: string;
  let coordinator: string;

  const user = (u: Parameters<typeof insertUser>[2]) => insertUser(db, cipher, u);

  const deliveries = () =>
    db.query<{ id: number; channel_kind: string; recipient_user_id: string | null; recipient_enc: string | null; status: string; attempts: number; last_error: string | null; dedupe_key: string }>(
      `select d.*, c.kind as channel_kind from notification_deliveries d join notification_channels c on c.id = d.channel_id order by d.id`,
    );

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    jobs = new JobRunner(db, log);
    const audit = auditModule({ db, key: keys.audit }).trail;
    // Who is who comes from identity's own functions, as in the app.
    identity = identityModule({ db, cipher, audit, sender: memorySender(), argon2: { memoryKib: 1024, timeCost: 1 }, sessionTtlHours: 1, scopeName: async () => null });
    service = new NotificationsService({ db, cipher, audit, log, jobs, people: identity.accounts }, { adapters: { console: consoleA, webhook: webhookA, smtp: smtpA } });
    citizen = await user({ kind: 'citizen', role: 'citizen', phone: '+6281234567890' });
    officer = await user({ kind: 'officer', role: 'officer', email: 'petugas@example.id', scope: ['opd', 'dpupr'] });
    coordinator = await user({ kind: 'officer', role: 'coordinator', phone: '+6281111111111', scope: ['city', '36.72'] });
    await user({ kind: 'officer', role: 'officer', phone: '+6282222222222', scope: ['opd', 'dpupr'], status: 'suspended' });
  }, 60_000);

  afterAll(async () => {
    await db.close();
  });

  beforeEach(async () => {
    await db.exec(`delete from notification_deliveries; delete from notification_channels; delete from jobs;`);
    for (const a of [consoleA, webhookA, smtpA]) {
      a.sent.length = 0;
      a.failing = null;
    }
  });

  const addChannels = async () => {
    expect(await service.ensureDefaultChannel()).toBe(true);
    expect(await service.ensureDefaultChannel()).toBe(false);
    const webhook = await service.createChannel({ kind: 'webhook', name: 'SMS', config: { url: 'https://gw.example.id/send', secret: 'topsecret' } }, admin);
    const smtp = await service.createChannel({ kind: 'smtp', name: 'E-mail', config: { host: 'smtp.example.id', from: 'noreply@example.id', password: 'pw' } }, admin);
    return { webhook, smtp };
  };

  const message = (dedupeKey = 'event:1') => ({
    recipients: [{ userId: citizen }, { userId: officer }, { contact: { phone: '0813 9999 8888', name: 'Siti' } }, { contact: { name: 'nobody reachable' } }],
    subject: 'Laporan SK-2026-000001: Diverifikasi',
    body: 'SatuKota: laporan Anda SK-2026-000001 kini berstatus "Diverifikasi".',
    topic: 'report.status_changed',
    dedupeKey,
  });

  it('creates one delivery per channel and reachable recipient, each with a job, and only once per dedupe key', async () => {
    const { webhook } = await addChannels();
    expect(webhook.config).toEqual({ url: 'https://gw.example.id/send', secret: '********' });
    const created = await db.transaction((tx) => service.deliveries.notify(tx, [message()]));
    const rows = await deliveries();
    // console: citizen, officer, contact; webhook: citizen's and contact's phone; smtp: officer's e-mail.
    expect(created).toBe(6);
    expect(rows.map((r) => `${r.channel_kind}:${r.recipient_user_id ?? 'contact'}`).sort()).toEqual(
      [`console:${citizen}`, `console:${officer}`, 'console:contact', `smtp:${officer}`, `webhook:${citizen}`, 'webhook:contact'].sort(),
    );
    const consoleToUser = rows.find((r) => r.channel_kind === 'console' && r.recipient_user_id === citizen)!;
    expect(consoleToUser.recipient_enc).toBeNull();
    const smsToContact = rows.find((r) => r.channel_kind === 'webhook' && !r.recipient_user_id)!;
    expect(cipher.decrypt(smsToContact.recipient_enc!)).toBe('+6281399998888');
    expect(rows.map((r) => r.dedupe_key).join()).not.toContain('8888');
    expect((await db.one<{ n: number }>(`select count(*)::int as n from jobs where kind = $1 and max_attempts = $2`, [DELIVER_JOB, MAX_ATTEMPTS])).n).toBe(6);

    expect(await db.transaction((tx) => service.deliveries.notify(tx, [message()]))).toBe(0);
    expect(await deliveries()).toHaveLength(6);
    expect(await db.transaction((tx) => service.deliveries.notify(tx, [message('event:2')]))).toBe(6);
  });

  it('delivers through the job runner and marks the delivery sent', async () => {
    await addChannels();
    await db.transaction((tx) => service.deliveries.notify(tx, [{ ...message(), recipients: [{ userId: citizen }] }]));
    expect(await jobs.runDue()).toBe(2);
    const rows = await deliveries();
    expect(rows.map((r) => [r.channel_kind, r.status, r.attempts])).toEqual([
      ['console', 'sent', 1],
      ['webhook', 'sent', 1],
    ]);
    expect(webhookA.sent).toEqual([{ to: '+6281234567890', subject: message().subject, body: message().body, topic: 'report.status_changed', trackingNo: undefined }]);
    expect(consoleA.sent[0]!.to).toBe(`pengguna ${citizen.slice(0, 8)}`);
  });

  it('records failed attempts, rethrows for a retry and marks the last attempt failed', async () => {
    await addChannels();
    await db.transaction((tx) => service.deliveries.notify(tx, [{ ...message(), recipients: [{ contact: { phone: '+6281399998888' } }] }]));
    const sms = (await deliveries()).find((r) => r.channel_kind === 'webhook')!;
    webhookA.failing = 'webhook answered HTTP 503 for +6281399998888';
    await expect(service.deliveries.deliver({ deliveryId: sms.id }, { attempts: 1 })).rejects.toThrow('webhook answered HTTP 503');
    let row = (await deliveries()).find((r) => r.id === sms.id)!;
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.last_error).toBe('webhook answered HTTP 503 for +6281******888');

    await expect(service.deliveries.deliver({ deliveryId: sms.id }, { attempts: MAX_ATTEMPTS })).rejects.toThrow();
    row = (await deliveries()).find((r) => r.id === sms.id)!;
    expect(row).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });

    const listed = await service.deliveries.list({ status: 'failed', limit: 10 });
    expect(listed.deliveries).toEqual([expect.objectContaining({ id: sms.id, recipient: '+6281******888', channelKind: 'webhook', attempts: MAX_ATTEMPTS })]);

    webhookA.failing = null;
    await service.deliveries.retry(sms.id, admin);
    await expect(service.deliveries.retry(sms.id, admin)).rejects.toMatchObject({ code: 'delivery_not_retryable' });
    await jobs.runDue();
    expect((await deliveries()).find((r) => r.id === sms.id)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('skips deliveries of a disabled or deleted channel', async () => {
    const { webhook, smtp } = await addChannels();
    await db.transaction((tx) => service.deliveries.notify(tx, [message()]));
    await service.updateChannel(webhook.id, { enabled: false }, admin);
    await service.deleteChannel(smtp.id, admin);
    await jobs.runDue();
    const rows = await deliveries();
    expect(rows.filter((r) => r.channel_kind !== 'console').every((r) => r.status === 'skipped')).toBe(true);
    expect(rows.filter((r) => r.channel_kind === 'console').every((r) => r.status === 'sent')).toBe(true);
    expect(webhookA.sent).toHaveLength(0);
    expect((await service.listChannels()).map((c) => c.name)).toEqual(['Konsol', 'SMS']);
    // A disabled channel gets no new deliveries.
    expect(await db.transaction((tx) => service.deliveries.notify(tx, [message('event:9')]))).toBe(3);
  });

  it('keeps the secret when the admin saves the masked config, and audits without secrets', async () => {
    const { webhook } = await addChannels();
    const updated = await service.updateChannel(webhook.id, { config: { ...webhook.config, timeoutMs: 3000 } }, admin);
    expect(updated.config).toEqual({ url: 'https://gw.example.id/send', secret: '********', timeoutMs: 3000 });
    const stored = await db.one<{ config_enc: string }>('select config_enc from notification_channels where id = $1', [webhook.id]);
    expect(JSON.parse(cipher.decrypt(stored.config_enc))).toMatchObject({ secret: 'topsecret', timeoutMs: 3000 });
    const audit = await db.query<{ details: unknown }>(`select details from audit_log where action like 'notification_channel.%'`);
    expect(JSON.stringify(audit)).not.toMatch(/topsecret|"pw"/);
  });

  describe('report events', () => {
    let reportId: string;
    let phoneReportId: string;
    const supporter = () => user({ kind: 'citizen', role: 'citizen', email: 'pendukung@example.id' });
    const lookup: ReportsLookup = {
      row: (id, q = db) => reportRow<ReportRow>(q, id),
      contactOf: (row) => (row.reporter_contact_enc ? JSON.parse(cipher.decrypt(row.reporter_contact_enc)) : null),
      supportersOf: (id, q = db) => supportersOf(q, id),
      anonymousReportersMergedInto: (id, q = db) => anonymousReportersMergedInto(q, id),
    };
    /** The subscriber as the event dispatcher holds it: handing it the same event again is a redelivery. */
    let handle: Subscriber;
    let eventId = 0;

    beforeAll(async () => {
      await insertAgencyAndCategory(db, 'dpupr', 'jalan');
      reportId = await insertReport(db, cipher, { number: 1, category: 'jalan', agency: 'dpupr', privacy: 'anonymous', reporterId: citizen });
      phoneReportId = await insertReport(db, cipher, { number: 2, category: 'jalan', agency: 'dpupr', privacy: 'anonymous', contact: { name: 'Siti', phone: '081399998888' } });
      await insertSupporter(db, reportId, await supporter());
      const messages = new ReportMessages(db, service.deliveries, identity.accounts, lookup, 'https://satukota.example.id/');
      messages.subscribe({
        subscribe: (pattern, fn) => {
          expect(pattern).toBe('report.*');
          handle = fn;
          return () => undefined;
        },
      });
    });

    const emit = async (topic: string, payload: Record<string, unknown>): Promise<OutboxEvent> => {
      const event = { id: ++eventId, topic, payload, createdAt: new Date() };
      await handle(event);
      return event;
    };
    const consoleMessages = async () =>
      (await db.query<{ recipient_user_id: string | null; subject: string; body_enc: string }>(
        `select d.recipient_user_id, d.subject, d.body_enc from notification_deliveries d join notification_channels c on c.id = d.channel_id where c.kind = 'console' order by d.id`,
      )).map((d) => ({ to: d.recipient_user_id ?? 'contact', subject: d.subject, body: cipher.decrypt(d.body_enc) }));

    it('pushes an emergency to the handling unit at once; an ordinary web report waits in the inbox', async () => {
      await service.ensureDefaultChannel();
      await emit('report.submitted', { reportId, emergency: false });
      expect(await consoleMessages()).toEqual([]);
      await emit('report.submitted', { reportId, emergency: true });
      expect(await consoleMessages()).toEqual([{ to: officer, subject: 'Laporan DARURAT SK-2026-000001', body: expect.stringContaining('DARURAT') }]);
    });

    it('gives a reporter without the app (phone, Open311) the tracking number', async () => {
      await service.ensureDefaultChannel();
      await emit('report.submitted', { reportId: phoneReportId, emergency: false });
      const msgs = await consoleMessages();
      expect(msgs).toHaveLength(1);
      expect(msgs[0]).toMatchObject({ to: 'contact', subject: expect.stringMatching(/^Laporan SK-\d{4}-\d{6} diterima$/) });
    });

    it('tells the reporter (anonymous too) and supporters of a status change, and the target unit of a disposisi', async () => {
      await service.ensureDefaultChannel();
      const event = await emit('report.status_changed', { reportId, action: 'dispatch', from: 'verified', to: 'dispatched', target: { kind: 'opd', code: 'dpupr' } });
      const msgs = await consoleMessages();
      expect(msgs.map((m) => m.subject)).toEqual(['Laporan SK-2026-000001: Didisposisikan', 'Laporan SK-2026-000001: Didisposisikan', 'Disposisi laporan SK-2026-000001']);
      expect(msgs[0]).toMatchObject({ to: citizen, body: expect.stringContaining('https://satukota.example.id/laporan-saya/SK-2026-000001') });
      expect(msgs[2]!.to).toBe(officer);
      expect(msgs.map((m) => m.body).join()).not.toMatch(/Budi|Siti|\+62/);
      // The dispatcher may hand the same event over again: nothing is added.
      await handle(event);
      expect(await consoleMessages()).toHaveLength(3);
    });

    it('reaches a reporter without an account through their contact', async () => {
      await service.ensureDefaultChannel();
      await service.createChannel({ kind: 'webhook', name: 'SMS', config: { url: 'https://gw.example.id/send' } }, admin);
      await emit('report.commented', { reportId: phoneReportId, eventId: 1, byCitizen: false });
      await jobs.runDue();
      expect(webhookA.sent).toEqual([expect.objectContaining({ to: '+6281399998888', subject: 'Tanggapan petugas SK-2026-000002', trackingNo: 'SK-2026-000002' })]);
    });

    it('escalates to the target and the coordinators', async () => {
      await service.ensureDefaultChannel();
      await emit('report.escalated', { reportId, level: 2, targetUserId: officer, targetLabel: 'Kepala OPD' });
      const msgs = await consoleMessages();
      expect(msgs.map((m) => m.to).sort()).toEqual([officer, coordinator].sort());
      expect(msgs[0]!.body).toContain('dieskalasi ke Kepala OPD (tingkat 2)');
    });

    it('never shows who the reporter of an anonymous report is in the delivery log or the console, not even masked', async () => {
      await service.ensureDefaultChannel();
      await service.createChannel({ kind: 'webhook', name: 'SMS', config: { url: 'https://gw.example.id/send' } }, admin);
      await emit('report.status_changed', { reportId, action: 'dispatch', from: 'verified', to: 'dispatched', target: { kind: 'opd', code: 'dpupr' } });
      await emit('report.commented', { reportId: phoneReportId, eventId: 2, byCitizen: false });
      webhookA.failing = 'webhook answered HTTP 503 for +6281234567890 and +6281399998888';
      await jobs.runDue();
      const { deliveries: listed } = await service.deliveries.list({ limit: 50 });
      const officers = listed.filter((d) => d.recipientUserId === officer);
      expect(officers.length).toBeGreaterThan(0);
      expect(officers.every((d) => !d.recipientHidden)).toBe(true);
      // The reporter with an account, the one reached through a contact, and the supporter (a citizen).
      const others = listed.filter((d) => d.recipientUserId !== officer);
      expect(others.map((d) => `${d.channelKind}:${d.reportId === phoneReportId ? 'contact' : 'account'}`).sort()).toEqual(
        ['console:account', 'console:account', 'console:contact', 'webhook:account', 'webhook:contact'].sort(),
      );
      for (const d of others) expect(d).toMatchObject({ recipientHidden: true, recipient: null, recipientUserId: null });
      const failed = others.filter((d) => d.lastError);
      expect(failed).toHaveLength(2);
      for (const d of failed) expect(d.lastError).toBe('webhook answered HTTP 503 for [nomor] and [nomor]');
      const text = JSON.stringify(listed);
      for (const secret of [citizen, '6281234567890', '1399998888', '+6281******890', '+6281******888']) expect(text).not.toContain(secret);
      // The console prints to the server's log: no account id there either.
      expect(consoleA.sent.filter((m) => m.subject.startsWith('Laporan SK-2026-000001')).map((m) => m.to)).toEqual(['pelapor anonim', 'pelapor anonim']);
      expect(consoleA.sent.find((m) => m.subject === 'Tanggapan petugas SK-2026-000002')?.to).toBe('pelapor anonim');
      expect(consoleA.sent.find((m) => m.subject === 'Disposisi laporan SK-2026-000001')?.to).toBe(`pengguna ${officer.slice(0, 8)}`);
    });

    it('hides an account that follows a report because its anonymous report was merged into it, in the messages it got before the merge too', async () => {
      await service.ensureDefaultChannel();
      await service.createChannel({ kind: 'webhook', name: 'SMS', config: { url: 'https://gw.example.id/send' } }, admin);
      const reporter = await user({ kind: 'citizen', role: 'citizen', phone: '+6281366667777' });
      const follower = await user({ kind: 'citizen', role: 'citizen', phone: '+6281355554444' });
      const original = await insertReport(db, cipher, { number: 3, category: 'jalan', agency: 'dpupr', privacy: 'public', reporterId: reporter });
      const duplicate = await insertReport(db, cipher, { number: 4, category: 'jalan', agency: 'dpupr', privacy: 'anonymous', reporterId: follower });
      await insertSupporter(db, original, follower);
      const toFollower = async () => {
        const ids = new Set((await db.query<{ id: number }>('select id from notification_deliveries where recipient_user_id = $1 and report_id = $2', [follower, original])).map((d) => d.id));
        return (await service.deliveries.list({ limit: 50 })).deliveries.filter((d) => ids.has(d.id));
      };

      // Supporting a report says nothing about anyone's anonymous report: shown (masked) like any citizen.
      await emit('report.status_changed', { reportId: original, action: 'verify', from: 'submitted', to: 'verified' });
      expect((await toFollower()).map((d) => [d.channelKind, d.recipient, d.recipientHidden]).sort()).toEqual([
        ['console', null, false],
        ['webhook', '+6281******444', false],
      ]);

      // Its anonymous duplicate is merged into the report: from then on, and in what it got before, hidden.
      await markMerged(db, duplicate, original);
      await emit('report.status_changed', { reportId: duplicate, action: 'merge', from: 'submitted', to: 'merged' });
      await emit('report.status_changed', { reportId: original, action: 'start', from: 'verified', to: 'in_progress' });
      const hidden = await toFollower();
      expect(hidden).toHaveLength(4);
      for (const d of hidden) expect(d).toMatchObject({ recipientHidden: true, recipient: null, recipientUserId: null });
      // The report's own reporter, who is not anonymous, is still shown.
      const shown = (await service.deliveries.list({ limit: 50 })).deliveries.filter((d) => d.reportId === original && d.recipient === '+6281******777');
      expect(shown).toHaveLength(2);
      expect(shown.every((d) => !d.recipientHidden)).toBe(true);
    });

    it('tells the reporter of an automatic close but not of their own', async () => {
      await service.ensureDefaultChannel();
      await emit('report.status_changed', { reportId, action: 'close', from: 'resolved', to: 'closed' });
      expect((await consoleMessages()).map((m) => m.to)).not.toContain(citizen);
      await emit('report.status_changed', { reportId, action: 'close', from: 'resolved', to: 'closed', automatic: true });
      expect((await consoleMessages()).find((m) => m.to === citizen)?.body).toContain('ditutup otomatis');
    });
  });

  it('migration 0008 keeps what the delivery log showed of deliveries written before it, when it read reports and users', async () => {
    const old = await openPglite();
    try {
      await migrate(old, readMigrations().filter((m) => m.version < '0008'));
      const someone = (u: Parameters<typeof insertUser>[2]) => insertUser(old, cipher, u);
      const officer = await someone({ kind: 'officer', role: 'officer', scope: ['opd', 'dpupr'] });
      const [anonymousReporter, publicReporter, mergedReporter] = [await someone({ kind: 'citizen', role: 'citizen' }), await someone({ kind: 'citizen', role: 'citizen' }), await someone({ kind: 'citizen', role: 'citizen' })];
      await insertAgencyAndCategory(old, 'dpupr', 'jalan');
      const report = { category: 'jalan', agency: 'dpupr' };
      const anonymous = await insertReport(old, cipher, { ...report, number: 1, privacy: 'anonymous', reporterId: anonymousReporter });
      const original = await insertReport(old, cipher, { ...report, number: 2, privacy: 'public', reporterId: publicReporter });
      await insertReport(old, cipher, { ...report, number: 3, privacy: 'anonymous', reporterId: mergedReporter, mergedInto: original });
      const { id: channel } = await old.one<{ id: string }>(`insert into notification_channels (kind, name, config_enc) values ('console', 'Konsol', $1) returning id`, [cipher.encrypt('{}')]);
      const deliveries: [string | null, string | null][] = [
        [officer, anonymous],
        [anonymousReporter, anonymous],
        [null, anonymous],
        [publicReporter, original],
        [mergedReporter, original],
        [officer, original],
        [publicReporter, null],
      ];
      for (const [i, [userId, reportId]] of deliveries.entries()) {
        await old.query(
          `insert into notification_deliveries (channel_id, recipient_user_id, recipient_enc, topic, subject, body_enc, report_id, dedupe_key)
           values ($1, $2, $3, 'report.status_changed', 'Laporan', $4, $5, $6)`,
          [channel, userId, userId ? null : cipher.encrypt('+6281399998888'), cipher.encrypt('Isi'), reportId, `old:${i}`],
        );
      }
      await migrate(old);
      const rows = await old.query<{ tracking_no: string | null; recipient_is_officer: boolean; recipient_hidden: boolean }>(
        'select tracking_no, recipient_is_officer, recipient_hidden from notification_deliveries order by id',
      );
      expect(rows.map((r) => [r.tracking_no, r.recipient_is_officer, r.recipient_hidden])).toEqual([
        ['SK-2026-000001', true, false],
        ['SK-2026-000001', false, true],
        ['SK-2026-000001', false, true],
        ['SK-2026-000002', false, false],
        ['SK-2026-000002', false, true],
        ['SK-2026-000002', true, false],
        [null, false, false],
      ]);
    } finally {
      await old.close();
    }
  }, 60_000);
});

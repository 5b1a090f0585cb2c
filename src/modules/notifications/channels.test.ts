import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.js';
import { consoleAdapter, maskRecipient, mergeConfig, presentConfig, webhookAdapter, type WebhookConfig } from './channels.js';
import { SECRET_MASK } from './schema.js';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
}

describe('webhook adapter', () => {
  const received: Received[] = [];
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, raw });
        if (req.url === '/fail') return res.writeHead(503).end('down');
        if (req.url === '/slow') return void setTimeout(() => res.writeHead(200).end('late'), 2000);
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"queued":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const message = { to: '+6281234567890', subject: 'Laporan SK-2026-000001: Diverifikasi', body: 'SatuKota: laporan Anda …', topic: 'report.status_changed', trackingNo: 'SK-2026-000001' };

  it('posts the message as JSON with a signature the gateway can verify', async () => {
    const config: WebhookConfig = { url: `${base}/sms`, secret: 's3cret', headers: { 'X-Api-Key': 'k' } };
    await webhookAdapter().send(message, config);
    const r = received.at(-1)!;
    expect(r.path).toBe('/sms');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['x-api-key']).toBe('k');
    const body = JSON.parse(r.raw) as Record<string, unknown>;
    expect(body).toMatchObject({ to: '+6281234567890', subject: message.subject, message: message.body, topic: 'report.status_changed', trackingNo: 'SK-2026-000001' });
    expect(new Date(body.sentAt as string).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const expected = `sha256=${createHmac('sha256', 's3cret').update(r.raw).digest('hex')}`;
    expect(r.headers['x-satukota-signature']).toBe(expected);
    expect(Number(r.headers['x-satukota-timestamp'])).toBeGreaterThan(Date.now() / 1000 - 60);
  });

  it('sends no signature without a secret', async () => {
    await webhookAdapter().send(message, { url: `${base}/sms` });
    expect(received.at(-1)!.headers['x-satukota-signature']).toBeUndefined();
  });

  it('throws on a non-2xx answer, so the job retries', async () => {
    await expect(webhookAdapter().send(message, { url: `${base}/fail` })).rejects.toThrow('webhook answered HTTP 503');
  });

  it('throws when the gateway does not answer in time', async () => {
    await expect(webhookAdapter().send(message, { url: `${base}/slow`, timeoutMs: 500 })).rejects.toThrow('did not answer within 500 ms');
  });

  it('refuses a recipient that is not a phone number', async () => {
    await expect(webhookAdapter().send({ ...message, to: 'budi@example.id' }, { url: `${base}/sms` })).rejects.toThrow('E.164');
    await expect(webhookAdapter().send({ ...message, to: null }, { url: `${base}/sms` })).rejects.toThrow('E.164');
  });
});

describe('console adapter', () => {
  it('writes one line with the recipient masked', async () => {
    const lines: string[] = [];
    const adapter = consoleAdapter((l) => lines.push(l));
    await adapter.send({ to: '+6281234567890', subject: 'Subjek', body: 'Isi\npesan', topic: 't' }, {});
    await adapter.send({ to: 'budi.santoso@example.id', subject: 'Subjek', body: 'Isi', topic: 't' }, {});
    await adapter.send({ to: null, subject: 'Subjek', body: 'Isi', topic: 't' }, {});
    expect(lines).toEqual(['[notifikasi → +6281******890] Subjek — Isi pesan', '[notifikasi → b***@example.id] Subjek — Isi', '[notifikasi → -] Subjek — Isi']);
    expect(lines.join('\n')).not.toContain('1234567');
  });

  it('masks phones and e-mails', () => {
    expect(maskRecipient('081234567890')).toBe('0812*****890');
    expect(maskRecipient('a@b.id')).toBe('a***@b.id');
  });
});

describe('config secrets', () => {
  const stored = { url: 'https://gw.example.id/send', secret: 'topsecret', headers: { Authorization: 'Bearer abc' }, timeoutMs: 5000 };

  it('presents a config without its secrets', () => {
    const shown = presentConfig('webhook', stored);
    expect(shown).toEqual({ url: 'https://gw.example.id/send', secret: SECRET_MASK, headers: { Authorization: SECRET_MASK }, timeoutMs: 5000 });
    expect(JSON.stringify(shown)).not.toMatch(/topsecret|Bearer/);
    expect(presentConfig('smtp', { host: 'smtp.example.id', port: 587, secure: false, user: 'u', password: 'pw', from: 'a@b.id' })).toMatchObject({ user: 'u', password: SECRET_MASK });
    expect(presentConfig('webhook', { url: 'https://x.id' })).toEqual({ url: 'https://x.id' });
  });

  it('keeps stored secrets when the admin sends the mask back or leaves them out', () => {
    expect(mergeConfig('webhook', stored, presentConfig('webhook', stored))).toEqual(stored);
    expect(mergeConfig('webhook', stored, { timeoutMs: 8000 })).toEqual({ ...stored, timeoutMs: 8000 });
    expect(mergeConfig('webhook', stored, { secret: 'new', headers: { Authorization: SECRET_MASK, 'X-Extra': '1' } })).toEqual({
      ...stored,
      secret: 'new',
      headers: { Authorization: 'Bearer abc', 'X-Extra': '1' },
    });
    expect(mergeConfig('webhook', stored, { secret: null })).not.toHaveProperty('secret');
    const smtp = { host: 'smtp.example.id', port: 465, secure: true, user: 'u', password: 'pw', from: 'SatuKota <noreply@example.id>' };
    expect(mergeConfig('smtp', smtp, { password: SECRET_MASK, host: 'mail.example.id' })).toEqual({ ...smtp, host: 'mail.example.id' });
  });

  it('drops a mask when creating and refuses an invalid config', () => {
    expect(mergeConfig('webhook', undefined, { url: 'https://x.id', secret: SECRET_MASK })).toEqual({ url: 'https://x.id' });
    expect(mergeConfig('smtp', undefined, { host: 'h', from: 'a@b.id' })).toEqual({ host: 'h', port: 587, secure: false, from: 'a@b.id' });
    expect(() => mergeConfig('webhook', undefined, { url: 'ftp://x.id' })).toThrow(AppError);
    expect(() => mergeConfig('smtp', undefined, { host: 'h' })).toThrow(/config\.from/);
  });
});

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

/** TLS_CERT/TLS_KEY serve HTTPS directly (a real port), and the session cookie is then Secure. */
describe('HTTPS with TLS_CERT and TLS_KEY [pglite, real port]', () => {
  let h: Harness;
  let port: number;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');

  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    h = await startHarness('pglite', { TLS_CERT: cert, TLS_KEY: key });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    port = (h.app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await h?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function request(method: string, url: string, body?: unknown): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
    return new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port, path: url, method, rejectUnauthorized: false, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      });
      req.on('error', reject);
      req.end(body ? JSON.stringify(body) : undefined);
    });
  }

  it('answers /health over HTTPS', async () => {
    const res = await request('GET', '/health');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ status: 'ok', database: 'pglite' });
  });

  it('marks the session cookie Secure, HttpOnly and SameSite', async () => {
    const res = await request('POST', '/api/v1/auth/login', { login: 'admin', password: h.accounts[0]!.password });
    expect(res.status).toBe(200);
    const cookies = res.headers['set-cookie'] as string[];
    const session = cookies.find((c) => c.startsWith('sk_session='))!;
    expect(session).toMatch(/; Secure/);
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Lax/);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy, tileSource } from '../../src/platform/security-headers.js';
import { describeEachDatabase, startHarness, type Harness } from '../support/harness.js';

/**
 * Security headers on every answer (pages, API, errors, static files): a Content-Security-Policy with no
 * inline script and no framing, nosniff, a referrer policy, and HSTS only when PUBLIC_URL is https.
 * The browser tests run the real web app under this policy and fail on any violation it logs.
 */

/** The CSP as directive → sources. */
function directives(csp: string | undefined): Map<string, string[]> {
  expect(csp, 'content-security-policy header').toBeTypeOf('string');
  return new Map(
    csp!
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

/** A build's index.html as Vite writes it: module script and stylesheet by URL, nothing inline. */
const INDEX_HTML =
  '<!doctype html><html lang="id"><head><meta charset="utf-8"><title>SatuKota</title>' +
  '<script type="module" crossorigin src="/assets/index-abc.js"></script><link rel="stylesheet" crossorigin href="/assets/index-abc.css"></head>' +
  '<body><div id="root"></div></body></html>';

describeEachDatabase('security headers', (kind) => {
  let h: Harness;
  let https: Harness;
  let webDir: string;

  beforeAll(async () => {
    webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-headers-web-'));
    fs.writeFileSync(path.join(webDir, 'index.html'), INDEX_HTML);
    fs.mkdirSync(path.join(webDir, 'assets'));
    fs.writeFileSync(path.join(webDir, 'assets', 'index-abc.js'), 'console.log(1);\n');
    h = await startHarness(kind, { WEB_DIST_DIR: webDir, MAP_TILE_URL: 'https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png' });
    https = await startHarness(kind, { PUBLIC_URL: 'https://satukota.cilegonkota.go.id' });
  });
  afterAll(async () => {
    await h?.close();
    await https?.close();
    fs.rmSync(webDir, { recursive: true, force: true });
  });

  it('serves the web app under a policy with no inline script, no framing, and the map tiles’ server allowed for images', async () => {
    const page = await h.app.inject('/lapor');
    expect(page.statusCode).toBe(200);
    const csp = directives(page.headers['content-security-policy'] as string);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('img-src')).toEqual(["'self'", 'data:', 'blob:', 'https://*.tile.openstreetmap.org']);
    expect(page.headers['x-frame-options']).toBe('DENY');
    // Every script in the page either loads from a URL or is data that never runs (the boot data).
    const scripts = [...page.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((s) => s[1]!.includes('type="application/json"'))).toContain(true);
    for (const [, attributes, body] of scripts) {
      const data = attributes!.includes('type="application/json"');
      expect(data || (/\bsrc=/.test(attributes!) && body!.trim() === ''), `an inline script: ${attributes}`).toBe(true);
    }
  });

  it('allows inline styles on the API documentation page alone (Swagger UI writes one), never inline script', async () => {
    const docs = directives((await h.app.inject('/api/docs/')).headers['content-security-policy'] as string);
    expect(docs.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(docs.get('script-src')).toEqual(["'self'"]);
    expect(directives((await h.app.inject('/api/v1/city')).headers['content-security-policy'] as string).get('style-src')).toEqual(["'self'"]);
  });

  it('answers HEAD for a page as GET does, without a body and with the same headers (uptime monitors ask so)', async () => {
    const head = await h.app.inject({ method: 'HEAD', url: '/' });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(head.headers['content-security-policy']).toBe((await h.app.inject('/')).headers['content-security-policy']);
  });

  it('sends nosniff, the referrer policy and the CSP on API answers, errors, 404s and static files too', async () => {
    for (const url of ['/health', '/api/v1/city', '/api/v1/me', '/api/v1/nothing', '/assets/index-abc.js', '/api/openapi.json']) {
      const res = await h.app.inject(url);
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['referrer-policy'], url).toBe('strict-origin-when-cross-origin');
      expect(directives(res.headers['content-security-policy'] as string).get('frame-ancestors'), url).toEqual(["'none'"]);
    }
  });

  it('asks browsers for https only (HSTS) when PUBLIC_URL is https, and not otherwise', async () => {
    expect((await https.app.inject('/health')).headers['strict-transport-security']).toBe('max-age=31536000');
    expect((await https.app.inject('/api/v1/nothing')).headers['strict-transport-security']).toBe('max-age=31536000');
    expect((await h.app.inject('/health')).headers['strict-transport-security']).toBeUndefined();
  });

  it('allows no tile server for images when MAP_TILE_URL is empty', async () => {
    expect(directives((await https.app.inject('/health')).headers['content-security-policy'] as string).get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
  });
});

describe('tileSource', () => {
  it('allows the tile server’s scheme, host and port; a {s} subdomain as a wildcard', () => {
    expect(tileSource('https://tile.openstreetmap.org/{z}/{x}/{y}.png')).toBe('https://tile.openstreetmap.org');
    expect(tileSource('https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png')).toBe('https://*.tile.openstreetmap.org');
    expect(tileSource('http://Tiles.Kota.go.id:8080/peta/{z}/{x}/{y}.png?key=1')).toBe('http://tiles.kota.go.id:8080');
    // A placeholder elsewhere in the host cannot be a CSP wildcard: the scheme is the narrowest that works.
    expect(tileSource('https://tiles-{s}.kota.go.id/{z}/{x}/{y}.png')).toBe('https:');
    expect(contentSecurityPolicy({ mapTileUrl: 'https://tiles.kota.go.id/{z}/{x}/{y}.png' })).toContain("img-src 'self' data: blob: https://tiles.kota.go.id;");
  });
});

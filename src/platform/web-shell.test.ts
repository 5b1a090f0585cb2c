import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp, type HttpApp } from './http.js';
import { createLogger } from './logger.js';
import { BOOT_ELEMENT_ID, createWebShell, jsonForScript, ROUTES } from './web-shell.js';

/** A build as Vite writes it (names shortened): an entry with a shared chunk, and lazy areas. */
const MANIFEST = {
  'index.html': { file: 'assets/index-E.js', isEntry: true, imports: ['_jsx-J.js'], css: ['assets/index-E.css'] },
  '_jsx-J.js': { file: 'assets/jsx-J.js' },
  '_leaflet-L.js': { file: 'assets/leaflet-L.js', imports: ['_jsx-J.js'], css: ['assets/leaflet-L.css'] },
  'src/citizen/CitizenArea.tsx': { file: 'assets/CitizenArea-C.js', imports: ['_jsx-J.js', 'index.html'], css: ['assets/CitizenArea-C.css'] },
  'src/officer/OfficerArea.tsx': { file: 'assets/OfficerArea-O.js', imports: ['_jsx-J.js', 'index.html', '_leaflet-L.js'] },
};
const INDEX = '<!doctype html><html><head><title>SatuKota</title><script type="module" crossorigin src="/assets/index-E.js"></script></head><body><div id="root"></div></body></html>';

/** The boot data as the page's script would read it. */
function bootOf(html: string): unknown {
  const m = new RegExp(`<script type="application/json" id="${BOOT_ELEMENT_ID}">(.*?)</script>`).exec(html);
  return m ? JSON.parse(m[1]!) : undefined;
}

describe('the web shell', () => {
  const shell = createWebShell(INDEX, MANIFEST);

  it("preloads the lazy area of the page's route, with its CSS and static imports, but not what the entry loads", () => {
    const html = shell.render('/lapor', {});
    expect(html).toContain('<link rel="modulepreload" crossorigin href="/assets/CitizenArea-C.js">');
    expect(html).toContain('<link rel="stylesheet" crossorigin href="/assets/CitizenArea-C.css">');
    expect(html).not.toContain('href="/assets/jsx-J.js"');
    expect(html).not.toContain('OfficerArea');
    // The page's first API reads, as the app's fetch asks for them: the session on every page (the
    // categories come inlined, below).
    expect(html).not.toContain('report-categories');
    expect(html).toContain('<link rel="preload" as="fetch" crossorigin href="/api/v1/me">');
    expect(shell.render('/masuk', {})).toContain('<link rel="preload" as="fetch" crossorigin href="/api/v1/me">');
    expect(shell.render('/masuk', {})).not.toContain('report-categories');
    // Deeper paths of the area too; a shared chunk comes before the module that imports it.
    const officer = shell.render('/petugas/laporan/SK-1', {});
    expect(officer.indexOf('/assets/leaflet-L.js')).toBeLessThan(officer.indexOf('/assets/OfficerArea-O.js'));
    expect(officer).toContain('<link rel="stylesheet" crossorigin href="/assets/leaflet-L.css">');
    // A page of the shell itself, or a path that only begins like an area: no hints.
    for (const p of ['/', '/masuk', '/laporan']) expect(shell.render(p, {})).not.toMatch(/modulepreload|stylesheet/);
    // Everything goes into <head>, before the page's own end of head.
    expect(html.indexOf(`id="${BOOT_ELEMENT_ID}"`)).toBeLessThan(html.indexOf('</head>'));
  });

  it("inlines the city on every page, and the rest of the boot data only on the pages that need it", () => {
    const boot = { city: { name: 'Kota Serang' }, categories: [{ code: 'jalan-rusak' }] };
    expect(bootOf(shell.render('/lapor', boot))).toEqual(boot);
    for (const p of ['/', '/masuk', '/peta', '/laporan-saya', '/petugas', '/command']) expect(bootOf(shell.render(p, boot))).toEqual({ city: { name: 'Kota Serang' } });
  });

  it('inlines the boot data as JSON that cannot end its script element', () => {
    const city = { name: 'Kota </script><script>alert(1)</script><!-- & \u2028', demo: true };
    const html = shell.render('/', { city });
    expect(bootOf(html)).toEqual({ city });
    // The only </script> after the boot data's start is its own end.
    const start = html.indexOf(`id="${BOOT_ELEMENT_ID}"`);
    expect(html.slice(start).match(/<\/script>/gi)).toHaveLength(1);
    expect(html.slice(start)).not.toContain('<!--');
    expect(jsonForScript('<>&')).toBe('"\\u003c\\u003e\\u0026"');
  });

  it('without a manifest or a <head>, still inlines the boot data', () => {
    const html = createWebShell(INDEX, null).render('/lapor', { city: { name: 'Kota Serang' } });
    expect(html).not.toContain('modulepreload');
    expect(bootOf(html)).toEqual({ city: { name: 'Kota Serang' } });
    expect(bootOf(createWebShell('<!doctype html><title>t</title>', MANIFEST).render('/lapor', { city: null }))).toEqual({ city: null });
  });
});

describe('the web app as the server sends it', () => {
  let dir: string;
  let app: HttpApp;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-web-shell-'));
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.mkdirSync(path.join(dir, '.vite'));
    fs.writeFileSync(path.join(dir, 'index.html'), INDEX);
    fs.writeFileSync(path.join(dir, '.vite', 'manifest.json'), JSON.stringify(MANIFEST));
    fs.writeFileSync(path.join(dir, 'assets', 'index-E.js'), 'console.log(1);');
    fs.writeFileSync(path.join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {});');
    fs.writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    app = await createHttpApp({
      logger: createLogger({ level: 'silent' }),
      trustProxy: false,
      webDistDir: dir,
      version: 'test',
      cityName: 'Kota Serang',
      webBoot: async () => ({ city: { name: 'Kota <Serang>', demo: true } }),
    });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("sends every page's HTML uncached, with the route's hints and the boot data", async () => {
    const res = await app.inject({ method: 'GET', url: '/lapor?kategori=jalan' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('<link rel="modulepreload" crossorigin href="/assets/CitizenArea-C.js">');
    expect(res.body).toContain('"Kota \\u003cSerang\\u003e"');
    expect(bootOf(res.body)).toEqual({ city: { name: 'Kota <Serang>', demo: true } });
    // /index.html itself (the service worker's offline copy) is the same shell, never the raw file.
    const index = await app.inject({ method: 'GET', url: '/index.html' });
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(bootOf(index.body)).toEqual({ city: { name: 'Kota <Serang>', demo: true } });
  });

  it('keeps hashed assets for good, checks the service worker on every visit, and the rest for an hour', async () => {
    expect((await app.inject({ method: 'GET', url: '/assets/index-E.js' })).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject({ method: 'GET', url: '/sw.js' })).headers['cache-control']).toBe('no-cache');
    expect((await app.inject({ method: 'GET', url: '/favicon.svg' })).headers['cache-control']).toBe('public, max-age=3600');
  });

  it('answers API paths with JSON errors, never the app', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('the route map', () => {
  it("names modules of the web app's source", () => {
    const web = path.join(import.meta.dirname, '..', '..', 'web');
    for (const { module } of ROUTES) expect(fs.existsSync(path.join(web, module)), module).toBe(true);
  });
});

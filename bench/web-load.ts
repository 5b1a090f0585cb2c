/**
 * What a citizen's phone downloads for the report page (/lapor), and how long it takes on a slow 3G
 * connection: builds the web app, starts a server (PGlite, demo city), logs a citizen in, and opens
 * /lapor in Debian's Chromium with DevTools' "Slow 3G" emulation (2 s round trip, 400 kbit/s), then picks a
 * category so that the map (Leaflet, loaded on demand) is counted too.
 * Prints the gzip size of all the JS and CSS the page loads (goal: ≤ 150 KB of JS), the request waterfall,
 * how many round trips lie in series before the categories (inlined in the page: the HTML's one) and the
 * boundaries, and the load times; then the same page again as a returning phone opens it (the hashed
 * assets in its HTTP cache, still no service worker) — goal for the categories: < 5 s.
 * Run: npx tsx bench/web-load.ts   (needs /usr/bin/chromium)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { ROOT, startServerProcess } from './support.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-web-bench-'));
const build = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--outDir', webDir, '--emptyOutDir', '--logLevel', 'warn'], {
  cwd: ROOT,
  env: { ...process.env, NODE_ENV: 'production' },
  stdio: 'inherit',
});
if (build.status !== 0) throw new Error('web build failed');
const server = await startServerProcess('', { WEB_DIST_DIR: webDir, MAP_TILE_URL: '' });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  // A first visit: no service worker yet. (It would also escape the emulation: DevTools throttles the
  // page's own requests, not those the worker makes for it.)
  const context = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const login = await context.request.post(`${server.url}/api/v1/auth/login`, { data: { login: '3672011708900001', password: 'bench-password-1' } });
  if (!login.ok()) throw new Error(`login: ${login.status()}`);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  // DevTools' "Slow 3G" preset.
  const slow3g = { offline: false, latency: 2000, downloadThroughput: (500 * 1024) / 8 * 0.8, uploadThroughput: (500 * 1024) / 8 * 0.8 };
  await cdp.send('Network.emulateNetworkConditions', slow3g);
  const assets = new Map<string, { url: string; type: string; transferred: number }>();
  cdp.on('Network.responseReceived', (e: { requestId: string; response: { url: string; mimeType: string } }) => {
    assets.set(e.requestId, { url: e.response.url, type: e.response.mimeType, transferred: 0 });
  });
  cdp.on('Network.loadingFinished', (e: { requestId: string; encodedDataLength: number }) => {
    const a = assets.get(e.requestId);
    if (a) a.transferred = e.encodedDataLength;
  });
  // The waterfall: when each request started and ended, relative to the navigation.
  const waterfall: { url: string; type: string; start: number; end: number }[] = [];
  const started = performance.now();
  const starts = new Map<object, number>();
  page.on('request', (r) => starts.set(r, performance.now() - started));
  const done = (r: import('playwright-core').Request) => {
    const start = starts.get(r);
    if (start !== undefined) waterfall.push({ url: r.url(), type: r.resourceType(), start, end: performance.now() - started });
  };
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  await page.goto(`${server.url}/lapor`, { waitUntil: 'load' });
  const loaded = performance.now() - started;
  await page.getByRole('button', { name: /Jalan rusak/ }).waitFor();
  const usable = performance.now() - started;
  // Choosing a category brings the map (Leaflet is loaded on demand): count it too.
  await page.getByRole('button', { name: /Jalan rusak/ }).tap();
  await page.locator('.leaflet-container').waitFor();
  await page.waitForLoadState('networkidle');
  const idle = performance.now() - started;

  const local = (url: string) => path.join(webDir, new URL(url).pathname);
  const rows = [...assets.values()].filter((a) => /\.(js|css)$/.test(new URL(a.url).pathname));
  let js = 0;
  let css = 0;
  for (const a of rows) {
    const file = local(a.url);
    const gz = fs.existsSync(file) ? zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length : a.transferred;
    if (a.url.endsWith('.js')) js += gz;
    else css += gz;
    console.log(`  ${path.basename(new URL(a.url).pathname).padEnd(36)} gzip ${(gz / 1024).toFixed(1).padStart(6)} KB   transferred ${(a.transferred / 1024).toFixed(1).padStart(6)} KB`);
  }
  console.log('waterfall (s after navigation start):');
  const short = (url: string) => new URL(url).pathname + new URL(url).search;
  for (const w of [...waterfall].sort((a, b) => a.start - b.start)) {
    console.log(`  ${(w.start / 1000).toFixed(2).padStart(6)} → ${(w.end / 1000).toFixed(2).padStart(6)}  ${short(w.url)}`);
  }
  /**
   * The serial chain behind a request: its predecessor is the request that ended last before it started
   * (what it waited for), back to the HTML. Each link costs at least one round trip. Icons and images
   * start nothing. (A request that waited for one of HTTP/1.1's six connections shows as starting early.)
   */
  const links = waterfall.filter((w) => !['image', 'font', 'manifest'].includes(w.type) && !/\.(svg|png|ico)$/.test(new URL(w.url).pathname));
  const chain = (match: RegExp): string[] => {
    let cur = links.find((w) => match.test(w.url));
    const out: string[] = [];
    while (cur) {
      out.unshift(path.basename(new URL(cur.url).pathname) || '/');
      const start = cur.start;
      // (some slack: the browser starts the HTML's subresources before the HTML is reported finished)
      cur = links.filter((w) => w.start < start && w.end <= start + 100).sort((a, b) => b.end - a.end)[0];
    }
    return out;
  };
  const html = await (await context.request.get(`${server.url}/lapor`)).text();
  for (const [name, re] of [['categories', /\/report-categories/], ['boundaries', /\/boundaries\.geojson/]] as const) {
    const c = chain(re);
    if (c.length === 0 && name === 'categories' && /"categories":\[/.test(html)) console.log('serial round trips to categories: 1 (inlined in the HTML of /lapor)');
    else console.log(`serial round trips to ${name}: ${c.length} (${c.join(' → ')})`);
  }
  const transferred = [...assets.values()].reduce((n, a) => n + a.transferred, 0);
  console.log(`/lapor loads ${rows.length} JS/CSS files: JS ${(js / 1024).toFixed(1)} KB gzip (goal ≤ 150 KB: ${js <= 150 * 1024 ? 'ok' : 'over'}), CSS ${(css / 1024).toFixed(1)} KB gzip`);
  console.log(
    `slow 3G: load event after ${(loaded / 1000).toFixed(1)} s, categories shown after ${(usable / 1000).toFixed(1)} s, ` +
      `map ready and network idle after ${(idle / 1000).toFixed(1)} s; ${(transferred / 1024).toFixed(0)} KB transferred in all (brotli where offered)`,
  );

  // A returning phone: the same context (its HTTP cache holds the hashed assets), a new page, the draft's
  // category taken back first (or the form would open on it rather than on the list).
  await page.getByRole('button', { name: 'Ganti' }).tap();
  await page.getByRole('button', { name: /Jalan rusak/ }).waitFor();
  await page.waitForTimeout(500); // the draft is written to IndexedDB after the render
  const again = await context.newPage();
  const cdpAgain = await context.newCDPSession(again);
  await cdpAgain.send('Network.enable');
  await cdpAgain.send('Network.emulateNetworkConditions', slow3g);
  const againStarted = performance.now();
  await again.goto(`${server.url}/lapor`, { waitUntil: 'commit' });
  await again.getByRole('button', { name: /Jalan rusak/ }).waitFor();
  const againUsable = performance.now() - againStarted;
  await again.getByRole('button', { name: /Jalan rusak/ }).tap();
  await again.locator('.leaflet-container').waitFor();
  const againMap = performance.now() - againStarted;
  console.log(
    `slow 3G, repeat visit (assets from the HTTP cache): categories shown after ${(againUsable / 1000).toFixed(1)} s (goal < 5 s: ${againUsable < 5000 ? 'ok' : 'over'}), ` +
      `map shown after ${(againMap / 1000).toFixed(1)} s; first visit's categories / goal: ${(usable / 5000).toFixed(2)}`,
  );
} finally {
  await browser.close();
  await server.stop();
  fs.rmSync(webDir, { recursive: true, force: true });
}

/**
 * What a citizen's phone downloads for the report page (/lapor), and how long it takes on a slow 3G
 * connection: builds the web app, starts a server (PGlite, demo city), logs a citizen in, and opens
 * /lapor in Debian's Chromium with DevTools' "Slow 3G" emulation (2 s round trip, 400 kbit/s), then picks a
 * category so that the map (Leaflet, loaded on demand) is counted too.
 * Prints the gzip size of all the JS and CSS the page loads (goal: ≤ 150 KB of JS) and the load times.
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
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const login = await context.request.post(`${server.url}/api/v1/auth/login`, { data: { login: '3672011708900001', password: 'bench-password-1' } });
  if (!login.ok()) throw new Error(`login: ${login.status()}`);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  // DevTools' "Slow 3G" preset.
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 2000, downloadThroughput: (500 * 1024) / 8 * 0.8, uploadThroughput: (500 * 1024) / 8 * 0.8 });
  const assets = new Map<string, { url: string; type: string; transferred: number }>();
  cdp.on('Network.responseReceived', (e: { requestId: string; response: { url: string; mimeType: string } }) => {
    assets.set(e.requestId, { url: e.response.url, type: e.response.mimeType, transferred: 0 });
  });
  cdp.on('Network.loadingFinished', (e: { requestId: string; encodedDataLength: number }) => {
    const a = assets.get(e.requestId);
    if (a) a.transferred = e.encodedDataLength;
  });
  const started = performance.now();
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
  const transferred = [...assets.values()].reduce((n, a) => n + a.transferred, 0);
  console.log(`/lapor loads ${rows.length} JS/CSS files: JS ${(js / 1024).toFixed(1)} KB gzip (goal ≤ 150 KB: ${js <= 150 * 1024 ? 'ok' : 'over'}), CSS ${(css / 1024).toFixed(1)} KB gzip`);
  console.log(
    `slow 3G: load event after ${(loaded / 1000).toFixed(1)} s, categories shown after ${(usable / 1000).toFixed(1)} s, ` +
      `map ready and network idle after ${(idle / 1000).toFixed(1)} s; ${(transferred / 1024).toFixed(0)} KB transferred in all (brotli where offered)`,
  );
} finally {
  await browser.close();
  await server.stop();
  fs.rmSync(webDir, { recursive: true, force: true });
}

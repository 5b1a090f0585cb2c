import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_PASSWORD, TEST_SECRET } from '../support/env.js';
import { browserMissingMessage, browserRequired, chromiumPath } from './chromium.js';

/**
 * Browser tests: Debian's Chromium driven by playwright-core against a real server process on a free port.
 * No browser is ever downloaded. Without Chromium the tests are skipped (global-setup.ts says so in a
 * banner), or fail when SATUKOTA_REQUIRE_BROWSER=1 (CI).
 */
export { browserMissingMessage, browserRequired, chromiumPath } from './chromium.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-output', 'screenshots');

/** `describe` when Chromium is there; otherwise skipped, or one failing test when the browser is required. */
export function describeBrowser(name: string, fn: () => void): void {
  if (chromiumPath()) describe(name, fn);
  else if (browserRequired()) {
    describe(name, () => {
      it('needs Chromium', () => {
        throw new Error(browserMissingMessage());
      });
    });
  } else describe.skip(name, fn);
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error(browserMissingMessage());
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

// --- the server ------------------------------------------------------------------------------

export interface AppServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  dataDir: string;
  /** Everything the server printed so far (stdout and stderr), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * A real `satukota serve` process, as an operator starts it: PGlite in a fresh temporary DATA_DIR, the
 * demo city seeded with every password DEMO_PASSWORD, cheap argon2, no map tiles, PORT=0 on 127.0.0.1
 * (the URL is read from its "is running at" line), and the web app that global-setup.ts built once for
 * the run. A child process keeps the server's console notifications out of the test output and its CPU
 * off the worker.
 */
export async function startAppServer(env: Record<string, string> = {}): Promise<AppServer> {
  const webDist = inject('browserWebDist');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-browser-'));
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'satukota.mjs'), 'serve'], {
    // The data dir as working directory: a developer's .env in the checkout does not leak in.
    cwd: dataDir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: dataDir,
      SATUKOTA_SECRET_KEY: TEST_SECRET,
      DEMO: 'true',
      DEMO_PASSWORD,
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      PORT: '0',
      HOST: '127.0.0.1',
      WEB_DIST_DIR: webDist,
      LOG_LEVEL: 'warn',
      // No map tiles from the internet (empty = none). A test that needs tiles serves them from a local
      // fixture: a tile URL on this server, or `context.route` in the browser.
      MAP_TILE_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Should the worker end without stopping it (a timeout, a crash), the server does not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  const running = () => child.exitCode === null && child.signalCode === null;
  const cleanup = async () => {
    if (running()) {
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
      if (!stopped) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 150_000;
  let url: string | undefined;
  while (!url) {
    url = /is running at (https?:\/\/\S+)/.exec(output)?.[1];
    if (url) break;
    if (!running() || Date.now() > deadline) {
      const why = running() ? 'did not start within 150 s' : `exited (${child.exitCode ?? child.signalCode})`;
      await cleanup();
      throw new Error(`the SatuKota server ${why}:\n${output}`);
    }
    await sleep(100);
  }
  return { url, dataDir, output: () => output, stop: cleanup };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- a test file's server and browser ---------------------------------------------------------

export interface ServerAndBrowser {
  /** The started server; throws when read before the beforeAll of useServerAndBrowser has run. */
  readonly server: AppServer;
  /** The launched Chromium; throws when read before the beforeAll of useServerAndBrowser has run. */
  readonly browser: Browser;
}

/**
 * One server (started with `env`) and one Chromium for the tests of a describe block: registers the
 * beforeAll that starts both and the afterAll that closes them. Call it in the block before its own hooks,
 * which can then use `server` and `browser` (vitest runs beforeAll hooks in order).
 */
export function useServerAndBrowser(env: Record<string, string> = {}): ServerAndBrowser {
  let server: AppServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    // Both at once; whichever started is stopped in afterAll even when the other failed.
    const [s, b] = await Promise.allSettled([startAppServer(env), launchBrowser()]);
    if (s.status === 'fulfilled') server = s.value;
    if (b.status === 'fulfilled') browser = b.value;
    for (const r of [s, b]) if (r.status === 'rejected') throw r.reason;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const notStarted = (what: string) =>
    new Error(`the ${what} is not started yet: useServerAndBrowser() starts it in beforeAll, read it in a test or a later hook`);
  return {
    get server() {
      if (!server) throw notStarted('server');
      return server;
    },
    get browser() {
      if (!browser) throw notStarted('browser');
      return browser;
    },
  };
}

// --- devices, pages, what went wrong ----------------------------------------------------------

/** A small Android phone, the most common screen among the city's residents. */
export const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
export const DESKTOP: BrowserContextOptions = { viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1 };

/** An HTTP error answer a test expects (e.g. GET /api/v1/me → 401 before logging in). */
export interface ExpectedError {
  method: string;
  path: string;
  status: number;
}

export interface Problems {
  /** console.error and the browser's own error messages */
  console: string[];
  /** uncaught exceptions in the page */
  page: string[];
  /** requests that failed (network) or answered ≥ 400, unless expected */
  requests: string[];
  /** requests to anywhere but the server under test: aborted (tests never reach the internet) */
  external: string[];
}

export interface OpenPage {
  context: BrowserContext;
  page: Page;
  problems: Problems;
}

/** The anonymous visitor's session check: the shell asks /me and gets 401 when nobody is logged in. */
export const ANONYMOUS_ME: ExpectedError = { method: 'GET', path: '/api/v1/me', status: 401 };

/**
 * A new browser context (no cookies, no storage) on `device`, in Indonesian locale and WIB, with a page
 * whose problems are recorded. Every request that does not go to the server under test is aborted and
 * recorded in `problems.external` — e.g. map tiles: when a map arrives, serve its tiles from a local
 * fixture with `context.route` instead of a tile server.
 */
export async function openPage(browser: Browser, server: AppServer, device: BrowserContextOptions, expected: ExpectedError[] = []): Promise<OpenPage> {
  const context = await browser.newContext({ ...device, locale: 'id-ID', timezoneId: 'Asia/Jakarta' });
  const origin = new URL(server.url).origin;
  const problems: Problems = { console: [], page: [], requests: [], external: [] };
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    problems.external.push(`${route.request().method()} ${url}`);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  const isExpected = (method: string | null, url: string, status: number) =>
    URL.canParse(url) && expected.some((e) => (method === null || e.method === method) && e.path === new URL(url).pathname && e.status === status);
  page.on('response', (res) => {
    if (res.status() < 400 || isExpected(res.request().method(), res.url(), res.status())) return;
    const url = new URL(res.url());
    problems.requests.push(`${res.request().method()} ${url.pathname}${url.search} → ${res.status()}`);
  });
  page.on('requestfailed', (req) => {
    if (problems.external.some((e) => e.endsWith(` ${req.url()}`))) return;
    // A page that leaves closes its live stream: that request ends aborted, by design.
    if (new URL(req.url()).pathname === '/api/v1/live' && req.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.requests.push(`${req.method()} ${req.url()} failed: ${req.failure()?.errorText ?? 'unknown'}`);
  });
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    // The browser logs every ≥ 400 answer too; the expected ones are not problems.
    const status = /^Failed to load resource: the server responded with a status of (\d+)/.exec(msg.text())?.[1];
    if (status && isExpected(null, msg.location().url, Number(status))) return;
    problems.console.push(`${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (error) => problems.page.push(String(error.stack ?? error)));
  return { context, page, problems };
}

/** Logs the page's browser context in through the API, as `login` (NIK or username) with DEMO_PASSWORD; not through the login page. */
export async function logInAs(page: Page, server: AppServer, login: string): Promise<void> {
  const res = await page.request.post(`${server.url}/api/v1/auth/login`, { data: { login, password: DEMO_PASSWORD } });
  expect(res.status()).toBe(200);
}

/**
 * Expects that nothing went wrong on the page. The one exception: the browser aborts its own favicon fetch
 * when a navigation (goto, reload, a click) starts while it is still loading; that is not the page's doing.
 */
export function expectNoProblems(problems: Problems): void {
  const requests = problems.requests.filter((r) => !/\/favicon\.svg failed: net::ERR_ABORTED$/.test(r));
  expect({ ...problems, requests }).toEqual({ console: [], page: [], requests: [], external: [] });
}

/** The page has no horizontal scrolling (nothing wider than the screen). */
export async function horizontalOverflow(page: Page): Promise<number> {
  // Strings, not functions: this project's tsconfig has no DOM types (the server must not use them).
  return page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
}

const figure = (key: string) => `Number(document.querySelector('[data-kpi="${key}"] .cc-kpi-value')?.textContent?.replace(/\\D/g, ''))`;

/** The command center's KPI figure `key` as a number. */
export async function kpi(page: Page, key: string): Promise<number> {
  return page.evaluate<number>(figure(key));
}

/**
 * Waits until the command center's KPI figure `key` is `op` `value`. The wall updates its figures a
 * while after a change (debounced): this waits for that as long as any Playwright wait here does
 * (30 s), asserting no speed (bench/live-1000.ts measures that). Polled from the test, since the
 * page's Content-Security-Policy forbids the eval that page.waitForFunction needs.
 */
export async function kpiReaches(page: Page, key: string, op: '===' | '>', value: number): Promise<void> {
  const figure = expect.poll(() => kpi(page, key), { timeout: 30_000 });
  await (op === '>' ? figure.toBeGreaterThan(value) : figure.toBe(value));
}

/** Saves a full-page PNG as test-output/screenshots/<name>.png, once the fonts are in. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.evaluate('document.fonts.ready.then(() => undefined)');
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
  return file;
}

// --- the admin pages --------------------------------------------------------------------------

/** Every admin page: its path under /admin/ and its heading. */
export const ADMIN_PAGES: readonly (readonly [section: string, heading: string])[] = [
  ['kategori', 'Kategori laporan'],
  ['libur', 'Hari libur dan cuti bersama'],
  ['pengguna', 'Akun petugas'],
  ['notifikasi', 'Saluran notifikasi'],
  ['open311', 'Kunci API Open311'],
  ['wilayah', 'Wilayah dan OPD'],
];

// --- the officers' pages ----------------------------------------------------------------------

/** In the officers' inbox (open on the page): searches for one tracking number. */
export async function searchInbox(page: Page, trackingNo: string): Promise<void> {
  await page.getByRole('searchbox', { name: 'Cari nomor laporan' }).fill(trackingNo);
  await page.getByRole('button', { name: 'Cari', exact: true }).click();
  await page.waitForURL((u) => u.searchParams.get('q') === trackingNo);
}

/** In the officers' inbox (open on the page): finds the one report with this tracking number and opens it. */
export async function openFromInbox(page: Page, trackingNo: string): Promise<void> {
  await searchInbox(page, trackingNo);
  await expect.poll(() => page.locator('.bo-table tbody tr').count()).toBe(1);
  await page.getByRole('link', { name: trackingNo }).click();
  await page.getByRole('heading', { level: 1, name: new RegExp(trackingNo) }).waitFor();
}

/** On an officer's report page: opens the form of `action` under "Tindakan", lets `fill` fill it, sends it and waits until it succeeded. */
export async function takeAction(page: Page, action: string, fill?: (form: Locator) => Promise<void>): Promise<void> {
  await page.getByRole('region', { name: 'Tindakan' }).getByRole('button', { name: action, exact: true }).click();
  const form = page.getByRole('form', { name: action });
  await fill?.(form);
  await form.getByRole('button', { name: action, exact: true }).click();
  await page.getByText(`Tindakan "${action}" berhasil.`).waitFor();
}

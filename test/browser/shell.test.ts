import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { DEMO_CITIZENS } from '../../src/modules/demo/seed.js';
import { maskNik } from '../../src/modules/identity/nik.js';
import { DEMO_PASSWORD } from '../support/env.js';
import {
  ANONYMOUS_ME,
  DESKTOP,
  describeBrowser,
  expectNoProblems,
  horizontalOverflow,
  openPage,
  PHONE,
  screenshot,
  useServerAndBrowser,
} from './support.js';

/** The shell as a resident and an officer see it: landing, language switch, login, account. */
describeBrowser('the web shell in Chromium', () => {
  const app = useServerAndBrowser();

  /** Waits until the shell has loaded the city (the header shows its name). */
  async function shellReady(page: Page) {
    await page.locator('.brand-city', { hasText: 'Cilegon' }).waitFor();
  }

  it('the landing page on a phone is in Indonesian, fits the screen, with no errors', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, PHONE, [ANONYMOUS_ME]);
    const apiCalls: string[] = [];
    page.on('request', (r) => {
      const { pathname } = new URL(r.url());
      if (pathname.startsWith('/api/')) apiCalls.push(`${r.method()} ${pathname}`);
    });
    try {
      await page.goto(`${app.server.url}/`, { waitUntil: 'networkidle' });
      await shellReady(page);
      await page.getByRole('heading', { level: 1, name: 'Satu pintu untuk warga' }).waitFor();
      // One look at the session; the city comes inlined in the page: on a slow phone connection every
      // request counts.
      expect(apiCalls).toEqual(['GET /api/v1/me']);
      expect(await page.getAttribute('html', 'lang')).toBe('id');
      expect(await page.title()).toBe('Kota Cilegon · SatuKota');
      await page.getByText('Mode demo — data di sini bukan data asli.').waitFor();
      await page.getByRole('link', { name: 'Daftar dengan NIK' }).waitFor();
      expect(await page.getByRole('heading', { level: 2 }).allTextContents()).toEqual(['Lapor', 'Pantau', 'Layanan daring Segera']);
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, 'landing-phone');
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  it('the language switch turns the shell English, sends Accept-Language: en, and is remembered', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, PHONE, [ANONYMOUS_ME]);
    try {
      await page.goto(`${app.server.url}/`, { waitUntil: 'networkidle' });
      await shellReady(page);
      await page.getByRole('button', { name: 'Switch to English' }).tap();
      await page.getByRole('heading', { level: 1, name: 'One door for citizens' }).waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      await page.getByRole('link', { name: 'Register with your NIK' }).waitFor();
      await page.getByText('Demo mode — the data here is not real.').waitFor();
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, 'landing-phone-en');

      // After a reload the choice holds, and the API is asked in English (the privacy notice of the
      // register page; the session check is preloaded by the page, with the browser's language).
      await page.reload({ waitUntil: 'networkidle' });
      await page.getByRole('heading', { level: 1, name: 'One door for citizens' }).waitFor();
      const noticeRequest = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/v1/privacy-notice');
      await page.getByRole('link', { name: 'Register with your NIK' }).tap();
      expect((await noticeRequest).headers()['accept-language']).toBe('en');
      await page.goBack();
      await page.getByRole('heading', { level: 1, name: 'One door for citizens' }).waitFor();

      await page.getByRole('button', { name: 'Ganti ke Bahasa Indonesia' }).tap();
      await page.getByRole('heading', { level: 1, name: 'Satu pintu untuk warga' }).waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('id');
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  it('a demo citizen logs in with the NIK on a phone and sees the account page', async () => {
    const citizen = DEMO_CITIZENS[0]!;
    const { context, page, problems } = await openPage(app.browser, app.server, PHONE, [ANONYMOUS_ME]);
    try {
      await page.goto(`${app.server.url}/`, { waitUntil: 'networkidle' });
      await shellReady(page);
      await page.getByRole('link', { name: 'Masuk', exact: true }).first().tap();
      await page.getByRole('heading', { level: 1, name: 'Masuk' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/masuk');
      expect(await page.getByRole('tab', { name: 'Warga' }).getAttribute('aria-selected')).toBe('true');
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, 'login-phone');

      await page.getByLabel('NIK', { exact: true }).fill(citizen.nik);
      await page.getByLabel('Kata sandi', { exact: true }).fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Masuk', exact: true }).tap();

      await page.getByRole('heading', { level: 1, name: 'Akun saya' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/akun');
      await page.getByText(citizen.name, { exact: true }).waitFor();
      await page.getByText(maskNik(citizen.nik), { exact: true }).waitFor();
      expect(await page.locator('.profile-role').textContent()).toBe('Warga');
      // Personal data is masked on screen: the full NIK and phone number appear nowhere.
      const text = await page.locator('body').innerText();
      expect(text).not.toContain(citizen.nik);
      expect(text).not.toContain(citizen.phone.slice(1));
      await page.getByRole('link', { name: 'Akun saya' }).waitFor();
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, 'account-phone');
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  it('an officer (lurah.ramanuju) logs in with the username and sees the role and scope', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, PHONE, [ANONYMOUS_ME]);
    try {
      await page.goto(`${app.server.url}/masuk`, { waitUntil: 'networkidle' });
      await page.getByRole('tab', { name: 'Petugas' }).tap();
      await page.getByLabel('Nama pengguna', { exact: true }).fill('lurah.ramanuju');
      await page.getByLabel('Kata sandi', { exact: true }).fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Masuk', exact: true }).tap();

      await page.getByRole('heading', { level: 1, name: 'Akun saya' }).waitFor();
      expect(await page.locator('.profile-role').textContent()).toBe('Lurah — Kelurahan Ramanuju');
      await page.getByText('lurah.ramanuju', { exact: true }).waitFor();
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, 'account-officer-phone');
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  it('the landing page on a desktop', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, DESKTOP, [ANONYMOUS_ME]);
    try {
      await page.goto(`${app.server.url}/`, { waitUntil: 'networkidle' });
      await shellReady(page);
      await page.getByRole('heading', { level: 1, name: 'Satu pintu untuk warga' }).waitFor();
      expect(await horizontalOverflow(page)).toBe(0);
      // The content column is centred, and the demo banner's text lines up with it.
      const left = async (selector: string) => (await page.locator(selector).first().boundingBox())!.x;
      expect(await left('.brand')).toBeGreaterThan(400);
      expect(await left('.demo-banner p')).toBe(await left('.site-header .wrap'));
      expect(await left('main')).toBe(await left('.site-header .wrap'));
      await screenshot(page, 'landing-desktop');
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  it('the API documentation (Swagger UI) renders under its Content-Security-Policy without errors', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, DESKTOP);
    try {
      await page.goto(`${app.server.url}/api/docs`, { waitUntil: 'networkidle' });
      await page.locator('.swagger-ui .opblock').first().waitFor();
      expect(await page.locator('.swagger-ui .opblock').count()).toBeGreaterThan(50);
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });
});

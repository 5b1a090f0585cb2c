import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { expect, it } from 'vitest';
import { DEMO_CITIZENS } from '../../src/modules/demo/seed.js';
import { DEMO_PASSWORD } from '../support/env.js';
import {
  ANONYMOUS_ME,
  DESKTOP,
  describeBrowser,
  expectNoProblems,
  horizontalOverflow,
  kpi,
  kpiReaches,
  logInAs,
  openFromInbox,
  openPage,
  PHONE,
  screenshot,
  takeAction,
  useServerAndBrowser,
} from './support.js';

const RAMANUJU = '36.72.07.1001';
/** A new resident of Kecamatan Purwakarta (36.72.07), a man born 15-08-1995, serial 0004. */
const NEW_CITIZEN = { nik: '3672071508950004', name: 'Budi Santoso', birthDate: '1995-08-15', phone: '081234569004' };

/**
 * The whole life of one report, across four people and two devices: a new resident registers on a phone
 * and files a report; the command center sees it arrive live; the lurah verifies and dispatches it; DPUPR
 * resolves it; the resident rates it and it is closed.
 */
describeBrowser('end to end: from a new resident’s report to its closing, in Chromium', () => {
  const app = useServerAndBrowser();

  /** The last one-time code the console SMS sender printed for this phone number (…last 3 digits). */
  function smsCode(phone: string): string | undefined {
    const lines = app.server.output().split('\n').filter((l) => l.startsWith('[sms → ') && l.includes(`****${phone.slice(-3)}]`));
    return /\b(\d{6})\b/.exec(lines.at(-1) ?? '')?.[1];
  }

  async function inboxOpen(page: Page, trackingNo: string, query = '') {
    await page.goto(`${app.server.url}/petugas${query}`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 1, name: 'Kotak masuk laporan' }).waitFor();
    await openFromInbox(page, trackingNo);
  }

  const officerStatus = (page: Page) => page.locator('.of-detail-head .of-status').textContent();

  it('a new resident registers, reports a broken road, the wall sees it live, the lurah dispatches, DPUPR resolves, the resident rates it', async () => {
    // 1. The command center is on the wall first.
    const wall = await openPage(app.browser, app.server, DESKTOP, [ANONYMOUS_ME]);
    const phone = await openPage(app.browser, app.server, PHONE, [ANONYMOUS_ME]);
    try {
      await logInAs(wall.page, app.server, 'command');
      await wall.page.goto(`${app.server.url}/command`, { waitUntil: 'networkidle' });
      await wall.page.getByRole('heading', { level: 1, name: /Pusat Komando/ }).waitFor();
      await wall.page.locator('[data-kpi="open"] .cc-kpi-value', { hasText: /^\d/ }).waitFor();
      await wall.page.locator('.cc-status-on').waitFor();
      const openBefore = await kpi(wall.page, 'open');
      const newBefore = await kpi(wall.page, 'new');
      expect(openBefore).toBeGreaterThan(0);

      // 2. A new resident registers on a phone: privacy notice, form, SMS code.
      const { page } = phone;
      await page.goto(`${app.server.url}/daftar`, { waitUntil: 'networkidle' });
      await page.getByRole('heading', { level: 1, name: 'Daftar akun warga' }).waitFor();
      await page.getByLabel(/Saya telah membaca pemberitahuan privasi/).check();
      await page.getByRole('button', { name: 'Lanjut', exact: true }).tap();
      await page.getByLabel('NIK', { exact: true }).fill(NEW_CITIZEN.nik);
      await page.getByLabel('Nama lengkap', { exact: true }).fill(NEW_CITIZEN.name);
      await page.getByLabel('Tanggal lahir', { exact: true }).fill(NEW_CITIZEN.birthDate);
      await page.getByLabel('Nomor HP', { exact: true }).fill(NEW_CITIZEN.phone);
      await page.getByLabel('Kata sandi', { exact: true }).fill(DEMO_PASSWORD);
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, 'e2e-01-register-phone');
      await page.getByRole('button', { name: 'Daftar', exact: true }).tap();
      await page.waitForURL((u) => u.pathname === '/verifikasi');
      await page.getByLabel('Kode verifikasi', { exact: true }).waitFor();
      await expect.poll(() => smsCode(NEW_CITIZEN.phone), { timeout: 10_000 }).toMatch(/^\d{6}$/);
      await page.getByLabel('Kode verifikasi', { exact: true }).fill(smsCode(NEW_CITIZEN.phone)!);
      await page.getByRole('button', { name: 'Verifikasi', exact: true }).tap();
      await page.waitForURL((u) => u.pathname === '/akun');
      await page.getByRole('heading', { level: 1, name: 'Akun saya' }).waitFor();

      // 3. The report: a broken road in Kelurahan Ramanuju, with a photo.
      await page.goto(`${app.server.url}/lapor`, { waitUntil: 'networkidle' });
      await page.getByRole('heading', { level: 1, name: 'Buat laporan' }).waitFor();
      await page.getByRole('button', { name: /Jalan rusak/ }).tap();
      await page.getByLabel('Ceritakan masalahnya').fill('Jalan berlubang dalam di depan pasar Ramanuju, motor sering terjatuh saat hujan.');
      await page.getByLabel('Berat', { exact: true }).check();
      await page.getByLabel('Atau pilih kelurahan').selectOption(RAMANUJU);
      await page.locator('.ct-located strong', { hasText: 'Ramanuju' }).waitFor();
      await page.getByLabel('Alamat / patokan').fill('Jl. Ramanuju Baru depan pasar');
      const photo = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#5d554c' } }).jpeg().toBuffer();
      await page.locator('input[type=file]').setInputFiles({ name: 'lubang.jpg', mimeType: 'image/jpeg', buffer: photo });
      await page.getByRole('img', { name: 'Foto laporan 1' }).waitFor();
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, 'e2e-02-report-phone');
      await page.getByRole('button', { name: 'Kirim laporan' }).tap();
      await page.getByRole('heading', { level: 1, name: /Laporan terkirim/ }).waitFor();
      const trackingNo = (await page.getByTestId('tracking-no').textContent())!.trim();
      expect(trackingNo.length).toBeGreaterThan(5);

      // 4. The wall shows it, without a reload, and the KPIs go up.
      await wall.page.locator(`.cc-live-item[data-tracking="${trackingNo}"]`).waitFor();
      await kpiReaches(wall.page, 'new', '>', newBefore);
      await kpiReaches(wall.page, 'open', '>', openBefore);
      await screenshot(wall.page, 'e2e-03-wall-new-report-desktop');

      // 5. The lurah verifies and dispatches it to DPUPR with an instruction.
      const lurah = await openPage(app.browser, app.server, DESKTOP, [ANONYMOUS_ME]);
      try {
        await logInAs(lurah.page, app.server, 'lurah.ramanuju');
        await inboxOpen(lurah.page, trackingNo);
        expect(await officerStatus(lurah.page)).toBe('Diajukan');
        await takeAction(lurah.page, 'Verifikasi');
        expect(await officerStatus(lurah.page)).toBe('Diverifikasi');
        await takeAction(lurah.page, 'Disposisi', async (form) => {
          await form.getByLabel('Jenis unit', { exact: true }).selectOption('opd');
          await form.getByLabel('Unit tujuan', { exact: true }).selectOption('dpupr');
          await form.getByLabel('Instruksi untuk unit tujuan').fill('Mohon segera ditambal, pasang rambu peringatan sementara di depan pasar.');
          await screenshot(lurah.page, 'e2e-04-lurah-dispatch-desktop');
        });
        expect(await officerStatus(lurah.page)).toBe('Didisposisikan');
        expectNoProblems(lurah.problems);
      } finally {
        await lurah.context.close();
      }

      // 6. DPUPR starts and resolves it.
      const opd = await openPage(app.browser, app.server, DESKTOP, [ANONYMOUS_ME]);
      try {
        await logInAs(opd.page, app.server, 'petugas.dpupr');
        await inboxOpen(opd.page, trackingNo, '?mine=true');
        await takeAction(opd.page, 'Mulai tangani');
        expect(await officerStatus(opd.page)).toBe('Sedang ditangani');
        await takeAction(opd.page, 'Selesaikan', async (form) => {
          await form.getByLabel('Apa yang telah dilakukan?').fill('Lubang sudah ditambal dengan hotmix dan rambu sementara dipasang.');
        });
        expect(await officerStatus(opd.page)).toBe('Selesai ditangani');
        await screenshot(opd.page, 'e2e-05-opd-resolve-desktop');
        expectNoProblems(opd.problems);
      } finally {
        await opd.context.close();
      }

      // 7. The resident sees it resolved, with the timeline, and rates it: closed.
      await page.goto(`${app.server.url}/laporan-saya/${trackingNo}`, { waitUntil: 'networkidle' });
      await page.getByRole('heading', { level: 1, name: trackingNo }).waitFor();
      await page.locator('.ct-detail-top .ct-badge', { hasText: 'Selesai ditangani' }).waitFor();
      await page.getByRole('heading', { name: 'Riwayat' }).waitFor();
      expect(await page.locator('.ct-tl').count()).toBeGreaterThanOrEqual(4);
      await page.getByText('Lubang sudah ditambal dengan hotmix').first().waitFor();
      await page.getByRole('radio', { name: '5 bintang' }).tap();
      await screenshot(page, 'e2e-06-citizen-rate-phone');
      await page.getByRole('button', { name: 'Tutup laporan' }).tap();
      await page.locator('.ct-detail-top .ct-badge', { hasText: 'Ditutup' }).waitFor();
      await page.getByLabel('5 bintang').waitFor();
      expect(await horizontalOverflow(page)).toBe(0);

      // The server agrees: closed, rated 5.
      const detail = await page.request.get(`${app.server.url}/api/v1/reports/${trackingNo}`);
      expect(detail.status()).toBe(200);
      expect(((await detail.json()) as { report: { status: string } }).report.status).toBe('closed');

      // 8. The wall after all of it.
      await wall.page.waitForTimeout(500);
      await screenshot(wall.page, 'e2e-07-wall-after-desktop');
      expectNoProblems(phone.problems);
      expectNoProblems(wall.problems);
    } finally {
      await phone.context.close();
      await wall.context.close();
    }
  }, 240_000);

  it('/masuk?next= returns the user to the page asked for, and never to another site', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, PHONE, [ANONYMOUS_ME]);
    try {
      await page.goto(`${app.server.url}/masuk?next=/lapor`, { waitUntil: 'networkidle' });
      await page.getByLabel('NIK', { exact: true }).fill(DEMO_CITIZENS[0]!.nik);
      await page.getByLabel('Kata sandi', { exact: true }).fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Masuk', exact: true }).tap();
      await page.waitForURL((u) => u.pathname === '/lapor');
      await page.getByRole('heading', { level: 1, name: 'Buat laporan' }).waitFor();

      // Logged in already: /masuk?next= goes straight there.
      await page.goto(`${app.server.url}/masuk?next=${encodeURIComponent('/laporan-saya?x=1')}`, { waitUntil: 'networkidle' });
      await page.waitForURL((u) => u.pathname === '/laporan-saya' && u.search === '?x=1');
      // Another origin is refused: the account page instead.
      for (const evil of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
        await page.goto(`${app.server.url}/masuk?next=${encodeURIComponent(evil)}`, { waitUntil: 'networkidle' });
        await page.waitForURL((u) => u.pathname === '/akun');
        expect(new URL(page.url()).origin).toBe(new URL(app.server.url).origin);
      }
      expectNoProblems(problems);
    } finally {
      await context.close();
    }

    const officer = await openPage(app.browser, app.server, DESKTOP, [ANONYMOUS_ME]);
    try {
      const { page } = officer;
      // Back to an officers' page: the officer tab is already chosen.
      await page.goto(`${app.server.url}/masuk?next=/petugas`, { waitUntil: 'networkidle' });
      expect(await page.getByRole('tab', { name: 'Petugas' }).getAttribute('aria-selected')).toBe('true');
      await page.getByLabel('Nama pengguna', { exact: true }).fill('lurah.ramanuju');
      await page.getByLabel('Kata sandi', { exact: true }).fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Masuk', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Kotak masuk laporan' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/petugas');
      expectNoProblems(officer.problems);
    } finally {
      await officer.context.close();
    }
  });

  it('is an installable app: the manifest and icons are served and linked, the service worker caches the shell but never the API', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, PHONE, [ANONYMOUS_ME]);
    try {
      await page.goto(`${app.server.url}/`, { waitUntil: 'networkidle' });
      const href = await page.locator('link[rel="manifest"]').getAttribute('href');
      expect(href).toBe('/manifest.webmanifest');
      expect(await page.locator('meta[name="theme-color"]').getAttribute('content')).toMatch(/^#[0-9a-f]{6}$/);
      expect(await page.locator('link[rel="apple-touch-icon"]').getAttribute('href')).toBe('/apple-touch-icon.png');
      const res = await page.request.get(`${app.server.url}${href}`);
      expect(res.status()).toBe(200);
      const manifest = (await res.json()) as { name: string; short_name: string; start_url: string; display: string; theme_color: string; background_color: string; icons: { src: string; sizes: string; purpose?: string }[] };
      expect(manifest).toMatchObject({ name: 'SatuKota', start_url: '/', display: 'standalone' });
      expect(manifest.short_name).toBeTruthy();
      expect(manifest.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
      expect(manifest.icons.some((i) => i.purpose === 'maskable')).toBe(true);
      for (const icon of [...manifest.icons.map((i) => i.src), '/apple-touch-icon.png']) {
        const r = await page.request.get(`${app.server.url}${icon}`);
        expect(r.status(), icon).toBe(200);
        expect(r.headers()['content-type']).toBe('image/png');
      }

      // The service worker registers (production build) and takes control.
      const scope = await page.evaluate<string>('navigator.serviceWorker.ready.then((r) => r.scope)');
      expect(scope).toBe(`${new URL(app.server.url).origin}/`);
      await page.reload({ waitUntil: 'networkidle' });
      await expect.poll(() => page.evaluate<boolean>('!!navigator.serviceWorker.controller')).toBe(true);
      // Some API traffic under control of the worker, then: the shell and assets are cached, no API answer is.
      await page.goto(`${app.server.url}/peta`, { waitUntil: 'networkidle' });
      await page.getByRole('heading', { level: 1, name: 'Peta laporan' }).waitFor();
      const cached = await page.evaluate<string[]>(
        'caches.keys().then((ks) => Promise.all(ks.map((k) => caches.open(k).then((c) => c.keys())))).then((all) => all.flat().map((r) => new URL(r.url).pathname))',
      );
      expect(cached).toContain('/index.html');
      expect(cached.some((p) => p.startsWith('/assets/'))).toBe(true);
      expect(cached.filter((p) => p.startsWith('/api/'))).toEqual([]);

      // Offline, a navigation still opens the app shell from the cache.
      await context.setOffline(true);
      await page.goto(`${app.server.url}/lapor`).catch(() => undefined);
      await page.locator('.site-header').waitFor();
      await context.setOffline(false);
      expect(problems.page).toEqual([]);
      expect(problems.external).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

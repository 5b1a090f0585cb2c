import { request as apiRequest, type APIRequestContext, type BrowserContextOptions, type Page } from 'playwright-core';
import sharp from 'sharp';
import { beforeAll, expect, it } from 'vitest';
import { DEMO_CITIZENS } from '../../src/modules/demo/seed.js';
import { DEMO_PASSWORD } from '../support/env.js';
import {
  ANONYMOUS_ME,
  DESKTOP,
  describeBrowser,
  expectNoProblems,
  horizontalOverflow,
  openFromInbox,
  openPage,
  PHONE,
  screenshot,
  searchInbox,
  takeAction,
  useServerAndBrowser,
} from './support.js';

const TABLET: BrowserContextOptions = { viewport: { width: 768, height: 1024 }, deviceScaleFactor: 1, hasTouch: true };
const RAMANUJU = '36.72.07.1001';
const photo = (background: string) => sharp({ create: { width: 800, height: 600, channels: 3, background } }).jpeg().toBuffer();

/** The officers' area: the lurah verifies and dispatches a new report, the OPD starts and resolves it. */
describeBrowser('the officers’ inbox and report page in Chromium', () => {
  const app = useServerAndBrowser();
  let trackingNo: string;

  beforeAll(async () => {
    trackingNo = await fileReport('Uji peramban: lubang besar di depan SD Ramanuju, membahayakan anak sekolah.');
  });

  /** A fresh report from a demo citizen in Kelurahan Ramanuju, with a photo: the lurah holds it and can verify it. */
  async function fileReport(description: string): Promise<string> {
    const api = await apiRequest.newContext({ baseURL: app.server.url });
    try {
      const csrfToken = await apiLogin(api, DEMO_CITIZENS[0]!.nik);
      const geo = (await (await api.get('/api/v1/regions/boundaries.geojson')).json()) as {
        features: { properties: { code: string }; geometry: { type: string; coordinates: unknown } }[];
      };
      const feature = geo.features.find((f) => f.properties.code === RAMANUJU)!;
      const points = (JSON.stringify(feature.geometry.coordinates).match(/-?\d+\.\d+,-?\d+\.\d+/g) ?? []).map((p) => p.split(',').map(Number) as [number, number]);
      const lng = points.reduce((a, p) => a + p[0], 0) / points.length;
      const lat = points.reduce((a, p) => a + p[1], 0) / points.length;
      const created = await api.post('/api/v1/reports', {
        headers: { 'X-CSRF-Token': csrfToken },
        multipart: {
          categoryCode: 'jalan-rusak',
          description,
          kelurahanCode: RAMANUJU,
          lat: String(lat),
          lng: String(lng),
          answers: JSON.stringify({ tingkat: 'berat' }),
          privacy: 'public',
          photos: { name: 'lubang.jpg', mimeType: 'image/jpeg', buffer: await photo('#6b6259') },
        },
      });
      expect(created.status(), await created.text()).toBe(201);
      return ((await created.json()) as { report: { trackingNo: string } }).report.trackingNo;
    } finally {
      await api.dispose();
    }
  }

  /** Logs the API context in; returns the CSRF token its state-changing requests need. */
  async function apiLogin(api: APIRequestContext, login: string): Promise<string> {
    const res = await api.post('/api/v1/auth/login', { data: { login, password: DEMO_PASSWORD } });
    expect(res.status()).toBe(200);
    return ((await res.json()) as { csrfToken: string }).csrfToken;
  }

  async function logIn(page: Page, username: string) {
    await page.goto(`${app.server.url}/masuk`, { waitUntil: 'networkidle' });
    await page.getByRole('tab', { name: 'Petugas' }).click();
    await page.getByLabel('Nama pengguna', { exact: true }).fill(username);
    await page.getByLabel('Kata sandi', { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Akun saya' }).waitFor();
    await page.waitForLoadState('networkidle');
  }

  async function openInbox(page: Page, query = '') {
    await page.goto(`${app.server.url}/petugas${query}`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 1, name: 'Kotak masuk laporan' }).waitFor();
    await page.locator('.bo-table tbody tr').first().waitFor();
  }

  const status = (page: Page) => page.locator('.of-detail-head .of-status').textContent();

  it('the lurah sees the inbox, verifies the new report and dispatches it to DPUPR; DPUPR starts and resolves it', async () => {
    const lurah = await openPage(app.browser, app.server, DESKTOP, [ANONYMOUS_ME, { method: 'POST', path: `/api/v1/reports/${trackingNo}/actions/dispatch`, status: 400 }]);
    try {
      const { page } = lurah;
      await logIn(page, 'lurah.ramanuju');
      await openInbox(page);
      // The demo city's sample reports are there, by deadline, with the new one among them.
      expect(await page.locator('.bo-table tbody tr').count()).toBeGreaterThan(1);
      await page.getByRole('link', { name: trackingNo }).waitFor();
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, 'officer-inbox-desktop');

      // Only my unit: everything listed is held by Kelurahan Ramanuju.
      await page.getByLabel('Hanya unit saya').check();
      await page.waitForURL((u) => u.searchParams.get('mine') === 'true');
      await expect.poll(async () => [...new Set(await page.locator('.bo-table tbody td.of-col-handler').allTextContents())]).toEqual(['Kelurahan Ramanuju']);

      await openFromInbox(page, trackingNo);
      expect(await status(page)).toBe('Diajukan');
      await page.getByText('Jalan rusak / berlubang').first().waitFor();
      await page.getByText('Tingkat kerusakan').waitFor();
      await page.locator('.of-map .of-boundary--own').waitFor();
      // Exactly the actions the server allows the lurah now.
      const buttons = await page.getByRole('region', { name: 'Tindakan' }).getByRole('button').allTextContents();
      expect(buttons).toEqual(['Verifikasi', 'Tolak', 'Gabungkan']);
      // The photo waits for moderation; the lurah approves it for the public.
      const photos = page.getByRole('region', { name: 'Foto' });
      await photos.getByText('Menunggu moderasi').waitFor();
      await screenshot(page, 'officer-detail-desktop');
      await photos.getByRole('button', { name: 'Setujui untuk publik' }).click();
      await photos.getByText('Tampil di publik').waitFor();

      await takeAction(page, 'Verifikasi');
      expect(await status(page)).toBe('Diverifikasi');

      // Disposisi to DPUPR: without an instruction the server refuses, and says why.
      await page.getByRole('region', { name: 'Tindakan' }).getByRole('button', { name: 'Disposisi', exact: true }).click();
      const form = page.getByRole('form', { name: 'Disposisi' });
      await form.getByLabel('Jenis unit', { exact: true }).selectOption('opd');
      await form.getByLabel('Unit tujuan', { exact: true }).selectOption('dpupr');
      await form.getByRole('button', { name: 'Disposisi', exact: true }).click();
      await form.getByRole('alert').getByText('Tulis instruksi disposisi untuk unit tujuan.').waitFor();
      await form.getByLabel('Instruksi untuk unit tujuan').fill('Mohon tambal lubang sebelum jam sekolah, pasang rambu sementara.');
      await screenshot(page, 'officer-dispatch-desktop');
      await form.getByRole('button', { name: 'Disposisi', exact: true }).click();
      await page.getByText('Tindakan "Disposisi" berhasil.').waitFor();
      expect(await status(page)).toBe('Didisposisikan');
      await page.getByText('Mohon tambal lubang sebelum jam sekolah, pasang rambu sementara.').first().waitFor();
      // The lurah no longer holds it: nothing left to do here.
      await page.getByText('Tidak ada tindakan yang dapat Anda lakukan pada laporan ini saat ini.').waitFor();
      expectNoProblems(lurah.problems);
    } finally {
      await lurah.context.close();
    }

    const dpupr = await openPage(app.browser, app.server, DESKTOP, [ANONYMOUS_ME]);
    try {
      const { page } = dpupr;
      await logIn(page, 'petugas.dpupr');
      await openInbox(page, '?mine=true');
      await openFromInbox(page, trackingNo);
      expect(await status(page)).toBe('Didisposisikan');
      await takeAction(page, 'Mulai tangani');
      expect(await status(page)).toBe('Sedang ditangani');
      await takeAction(page, 'Selesaikan', async (form) => {
        await form.getByLabel('Apa yang telah dilakukan?').fill('Lubang sudah ditambal dengan aspal dingin dan rambu dipasang.');
        await form.getByLabel('Foto hasil (opsional)').setInputFiles({ name: 'hasil.jpg', mimeType: 'image/jpeg', buffer: await photo('#3a3a3a') });
      });
      expect(await status(page)).toBe('Selesai ditangani');
      await page.getByText('Lubang sudah ditambal dengan aspal dingin dan rambu dipasang.').first().waitFor();
      await page.getByRole('region', { name: 'Foto' }).getByText('Foto penyelesaian').first().waitFor();
      await expect.poll(() => page.locator('.of-photo img').evaluateAll((imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0))).toEqual([true, true]);

      // An internal note: officers only, marked in the timeline.
      await page.getByLabel('Catatan internal', { exact: true }).fill('Material aspal diambil dari gudang UPT wilayah barat.');
      await page.locator('.of-comment.is-internal').getByRole('button', { name: 'Kirim' }).click();
      const note = page.locator('.of-tl.is-internal', { hasText: 'Material aspal diambil dari gudang UPT wilayah barat.' });
      await note.waitFor();
      expect(await note.locator('.of-badge--internal').textContent()).toBe('Catatan internal');
      await screenshot(page, 'officer-resolved-desktop');

      // The export link of the current filter answers a CSV with the report in it.
      await page.getByRole('link', { name: /Kembali ke kotak masuk/ }).click();
      await page.getByRole('heading', { level: 1, name: 'Kotak masuk laporan' }).waitFor();
      await searchInbox(page, trackingNo);
      const href = await page.getByRole('link', { name: 'Ekspor CSV' }).getAttribute('href');
      expect(href).toContain(`q=${encodeURIComponent(trackingNo)}`);
      const csv = await page.request.get(new URL(href!, app.server.url).toString());
      expect(csv.status()).toBe(200);
      expect(csv.headers()['content-type']).toContain('text/csv');
      const text = await csv.text();
      expect(text).toContain('Nomor laporan');
      expect(text).toContain(trackingNo);
      expect(await page.getByRole('link', { name: 'Ekspor XLSX' }).getAttribute('href')).toContain('/api/v1/reports/export.xlsx?');
      expectNoProblems(dpupr.problems);
    } finally {
      await dpupr.context.close();
    }
  });

  it.each([
    ['tablet', TABLET],
    ['phone', PHONE],
  ] as const)('the inbox and a report fit a %s', async (name, device) => {
    const { context, page, problems } = await openPage(app.browser, app.server, device, [ANONYMOUS_ME]);
    try {
      await logIn(page, 'koordinator');
      await openInbox(page);
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, `officer-inbox-${name}`);
      // On a phone each report is a card whose values are labelled (the header row is hidden).
      if (name === 'phone') expect(await page.locator('.bo-table tbody tr').first().locator('td[data-label]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-label')))).toEqual(['Lokasi', 'Status', 'Ditangani oleh', 'Tenggat']);
      // Cursor pagination: the next page is appended.
      expect(await page.locator('.bo-table tbody tr').count()).toBe(25);
      await page.getByRole('button', { name: 'Muat lagi' }).click();
      await expect.poll(() => page.locator('.bo-table tbody tr').count()).toBeGreaterThan(25);
      await page.goto(`${app.server.url}/petugas/laporan/${trackingNo}`, { waitUntil: 'networkidle' });
      await page.getByRole('heading', { level: 1, name: new RegExp(trackingNo) }).waitFor();
      await page.locator('.of-map .of-boundary--own').waitFor();
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, `officer-detail-${name}`);
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  it('the coordinator dispatches several verified reports at once and sees each result', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, DESKTOP, [ANONYMOUS_ME]);
    try {
      await logIn(page, 'koordinator');
      await openInbox(page, '?status=verified');
      const boxes = page.locator('.bo-table tbody input[type=checkbox]');
      expect(await boxes.count()).toBeGreaterThanOrEqual(2);
      const picked = await page.locator('.bo-table tbody tr').evaluateAll((rows) =>
        rows.slice(0, 2).map((r) => (r as unknown as { querySelector(s: string): { textContent: string } }).querySelector('.of-tracking').textContent),
      );
      for (const no of picked) await page.getByRole('checkbox', { name: `Pilih laporan ${no}` }).check();
      const bulk = page.getByRole('region', { name: 'Disposisi 2 laporan sekaligus' });
      await bulk.getByLabel('OPD', { exact: true }).selectOption('dpupr');
      await bulk.getByLabel('Instruksi untuk unit tujuan').fill('Mohon segera ditinjau ke lapangan.');
      await screenshot(page, 'officer-bulk-desktop');
      await bulk.getByRole('button', { name: 'Kirim disposisi (2)' }).click();
      await bulk.getByText('2 dari 2 laporan berhasil didisposisikan.').waitFor();
      for (const no of picked) await bulk.getByText(`${no}: Berhasil`).waitFor();
      // The list is reloaded: the dispatched reports are no longer "verified".
      await expect.poll(() => page.locator('.of-tracking').allTextContents()).not.toContain(picked[0]);
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  it('the coordinator rejects one NIK claim with a reason and approves another, from the inbox, on a phone', async () => {
    // Two claims no officer could settle alone: a Purwakarta NIK filed in Cibeber (a demo citizen holds
    // it), and a Jakarta NIK nobody holds yet, filed in Ramanuju.
    const api = await apiRequest.newContext({ baseURL: app.server.url });
    try {
      for (const [officer, claim] of [
        ['lurah.cibeber', { nik: DEMO_CITIZENS[1]!.nik, name: 'Orang Lain', birthDate: DEMO_CITIZENS[1]!.birthDate, phone: '081377770001', note: 'KTP diperiksa di loket' }],
        ['lurah.ramanuju', { nik: '3171015203920007', name: 'Dewi Pendatang', birthDate: '1992-03-12', phone: '081377770002' }],
      ] as const) {
        const csrfToken = await apiLogin(api, officer);
        const res = await api.post('/api/v1/identity/nik-claims', { headers: { 'X-CSRF-Token': csrfToken }, data: claim });
        expect(res.status(), await res.text()).toBe(202);
      }
    } finally {
      await api.dispose();
    }
    const { context, page, problems } = await openPage(app.browser, app.server, PHONE, [ANONYMOUS_ME]);
    try {
      page.on('dialog', (dialog) => void dialog.accept());
      await logIn(page, 'koordinator');
      await openInbox(page);
      await page.getByRole('link', { name: 'Klaim NIK menunggu keputusan' }).click();
      await page.getByRole('heading', { level: 1, name: 'Klaim NIK menunggu keputusan' }).waitFor();
      const held = page.getByRole('listitem').filter({ hasText: '3672**********02' });
      const free = page.getByRole('listitem').filter({ hasText: '3171**********07' });
      await held.getByText('Ada akun yang memegang NIK ini').waitFor();
      await free.getByText('Belum ada akun dengan NIK ini.').waitFor();
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, 'officer-nik-claims-phone');

      await held.getByRole('button', { name: 'Tolak klaim' }).click();
      await held.getByText('Tulis alasan penolakan.').waitFor();
      await held.getByLabel('Catatan keputusan', { exact: true }).fill('Pemegang akun menunjukkan KTP asli.');
      await held.getByRole('button', { name: 'Tolak klaim' }).click();
      await page.getByRole('status').filter({ hasText: 'Klaim atas NIK 3672**********02 ditolak.' }).waitFor();
      await free.getByRole('button', { name: 'Setujui klaim' }).click();
      await page.getByRole('status').filter({ hasText: 'disetujui' }).waitFor();
      await page.getByText('Tidak ada klaim NIK yang menunggu.').waitFor();
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  it('the open inbox offers a report that arrives and shows a change to a listed one without a reload', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, DESKTOP, [ANONYMOUS_ME]);
    try {
      await logIn(page, 'lurah.ramanuju');
      // A short list (new reports the kelurahan holds), so that the new one is on its first page.
      await page.goto(`${app.server.url}/petugas?mine=true&status=submitted`, { waitUntil: 'networkidle' });
      await page.getByText('Langsung', { exact: true }).waitFor();
      // A citizen reports meanwhile: the list does not jump, it offers the news.
      const arrived = await fileReport('Uji peramban: laporan yang datang saat kotak masuk terbuka.');
      const banner = page.getByRole('status').filter({ hasText: '1 laporan baru atau berubah' });
      await banner.waitFor();
      expect(await page.getByRole('link', { name: arrived }).count()).toBe(0);
      await banner.getByRole('button', { name: 'Perbarui daftar' }).click();
      const row = page.locator('.bo-table tbody tr').filter({ has: page.getByRole('link', { name: arrived }) });
      await row.waitFor();
      expect(await row.locator('.of-status').textContent()).toBe('Diajukan');

      // Another officer of the kelurahan verifies it: the row changes in place.
      const api = await apiRequest.newContext({ baseURL: app.server.url });
      try {
        const csrf = await apiLogin(api, 'lurah.ramanuju');
        const verified = await api.post(`/api/v1/reports/${arrived}/actions/verify`, { headers: { 'X-CSRF-Token': csrf }, data: {} });
        expect(verified.status(), await verified.text()).toBe(200);
      } finally {
        await api.dispose();
      }
      await expect.poll(() => row.locator('.of-status').textContent()).toBe('Diverifikasi');
      expect(await page.getByRole('status').filter({ hasText: 'laporan baru atau berubah' }).count()).toBe(0);
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  it('a visitor who is not logged in is sent to the login page', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, DESKTOP, [ANONYMOUS_ME]);
    try {
      await page.goto(`${app.server.url}/petugas`, { waitUntil: 'networkidle' });
      await page.getByRole('link', { name: 'Masuk sebagai petugas' }).click();
      await page.getByRole('heading', { level: 1, name: 'Masuk' }).waitFor();
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });
});

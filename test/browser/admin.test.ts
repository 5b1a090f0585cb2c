import { request as apiRequest, type Page } from 'playwright-core';
import { expect, it } from 'vitest';
import {
  ADMIN_PAGES,
  DESKTOP,
  describeBrowser,
  expectNoProblems,
  horizontalOverflow,
  logInAs,
  openPage,
  PHONE,
  screenshot,
  useServerAndBrowser,
  type ExpectedError,
} from './support.js';

const RAMANUJU = '36.72.07.1001';

/** The admin pages on a desktop: categories, holidays, officer accounts, notifications, Open311 keys. */
describeBrowser('the admin pages in Chromium', () => {
  const app = useServerAndBrowser();

  async function open(page: Page, section: string, heading: string) {
    await page.goto(`${app.server.url}/admin/${section}`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  }

  it('an admin edits a category deadline and sees the server refuse a fraction of a working day', async () => {
    const expected: ExpectedError[] = [];
    const { context, page, problems } = await openPage(app.browser, app.server, DESKTOP, expected);
    try {
      await logInAs(page, app.server, 'admin');
      await open(page, 'kategori', 'Kategori laporan');
      const rows = page.locator('.bo-table tbody tr');
      expect(await rows.count()).toBeGreaterThan(3);
      await screenshot(page, 'admin-categories-desktop');

      // The first category that is not an emergency one (deadlines in working days).
      const row = rows.filter({ hasNot: page.locator('.ad-badge--emergency') }).first();
      const code = (await row.locator('.ad-sub').textContent())!.trim();
      expected.push({ method: 'PATCH', path: `/api/v1/report-categories/${code}`, status: 400 });
      await row.getByRole('link', { name: /^Ubah kategori/ }).click();
      await page.getByRole('heading', { level: 1, name: /^Ubah kategori/ }).waitFor();
      const resolve = page.getByLabel('Penyelesaian', { exact: true });

      await resolve.fill('2.5');
      await page.getByRole('button', { name: 'Simpan', exact: true }).click();
      const refusal = page.getByRole('alert');
      await refusal.waitFor();
      expect((await refusal.textContent())!.length).toBeGreaterThan(5);

      await resolve.fill('9');
      await page.getByRole('button', { name: 'Simpan', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Kategori tersimpan.' }).waitFor();
      await screenshot(page, 'admin-category-edit-desktop');

      await open(page, 'kategori', 'Kategori laporan');
      const saved = page.locator('.bo-table tbody tr').filter({ hasText: code }).first();
      expect(await saved.locator('td').nth(3).textContent()).toMatch(/\/ 9 hari kerja$/);
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  it('an admin adds a cuti bersama day and removes it again', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, DESKTOP);
    page.on('dialog', (d) => void d.accept());
    try {
      await logInAs(page, app.server, 'admin');
      await open(page, 'libur', 'Hari libur dan cuti bersama');
      const year = new Date().getFullYear();
      const date = `${year}-10-14`;
      await page.getByLabel('Tanggal', { exact: true }).fill(date);
      await page.getByLabel('Nama', { exact: true }).fill('Cuti bersama uji');
      await page.getByLabel('Jenis', { exact: true }).selectOption('cuti_bersama');
      await page.getByRole('button', { name: 'Simpan', exact: true }).click();
      const row = page.locator('.bo-table tbody tr').filter({ hasText: 'Cuti bersama uji' });
      await row.waitFor();
      expect(await row.textContent()).toContain('Cuti bersama');
      await screenshot(page, 'admin-holidays-desktop');

      await row.getByRole('button', { name: `Hapus ${date}` }).click();
      await page.getByRole('status').filter({ hasText: 'dihapus' }).waitFor();
      await row.waitFor({ state: 'detached' });
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  it('an admin creates an officer who can then log in', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, DESKTOP);
    try {
      await logInAs(page, app.server, 'admin');
      await open(page, 'pengguna', 'Akun petugas');
      await page.locator('.bo-table tbody tr').first().waitFor();
      await page.getByLabel('Nama pengguna', { exact: true }).fill('petugas.uji');
      await page.getByLabel('Nama lengkap', { exact: true }).fill('Petugas Uji Coba');
      await page.getByLabel('Peran', { exact: true }).selectOption('officer');
      await page.getByLabel('Jenis wilayah kerja', { exact: true }).selectOption('kelurahan');
      await page.getByLabel('Unit', { exact: true }).selectOption(RAMANUJU);
      await page.getByLabel('Kata sandi awal', { exact: true }).fill('sandi-uji-coba-123');
      await page.getByRole('button', { name: 'Buat akun petugas', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Akun petugas.uji dibuat.' }).waitFor();
      await screenshot(page, 'admin-users-desktop');
      await page.getByLabel('Cari nama, nama pengguna atau unit', { exact: true }).fill('petugas.uji');
      const created = page.locator('.bo-table tbody tr').filter({ hasText: 'petugas.uji' });
      await created.waitFor();
      expect(await created.textContent()).toContain('Ramanuju');

      const api = await apiRequest.newContext({ baseURL: app.server.url });
      try {
        const login = await api.post('/api/v1/auth/login', { data: { login: 'petugas.uji', password: 'sandi-uji-coba-123' } });
        expect(login.status()).toBe(200);
        const body = (await login.json()) as { user: { role: string; scope: { kind: string; code: string } } };
        expect(body.user.role).toBe('officer');
        expect(body.user.scope).toMatchObject({ kind: 'kelurahan', code: RAMANUJU });
      } finally {
        await api.dispose();
      }
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  it('an admin sees the notification channels and makes an Open311 key that is shown once', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, DESKTOP);
    try {
      await logInAs(page, app.server, 'admin');
      await open(page, 'notifikasi', 'Saluran notifikasi');
      await page.getByRole('heading', { level: 2, name: 'Pengiriman gagal' }).waitFor();
      await page.waitForLoadState('networkidle');
      const channel = page.locator('.bo-table tbody tr').first();
      const channelName = (await channel.locator('strong').textContent())!.trim();
      await channel.getByRole('button', { name: `Uji: ${channelName}` }).click();
      await page.getByRole('status').filter({ hasText: `Pesan uji melalui ${channelName} terkirim.` }).waitFor();
      await screenshot(page, 'admin-notifications-desktop');

      await open(page, 'wilayah', 'Wilayah dan OPD');
      await page.locator('.bo-table tbody tr').filter({ hasText: 'DPUPR' }).first().waitFor();
      await screenshot(page, 'admin-regions-desktop');

      await open(page, 'open311', 'Kunci API Open311');
      await page.getByLabel('Nama aplikasi', { exact: true }).fill('Aplikasi Mitra Uji');
      await page.getByRole('button', { name: 'Buat kunci', exact: true }).click();
      const key = page.locator('#ad-fresh-key');
      await key.waitFor();
      const secret = (await key.textContent())!.trim();
      expect(secret.length).toBeGreaterThan(16);
      await page.locator('.bo-table tbody tr').filter({ hasText: 'Aplikasi Mitra Uji' }).waitFor();
      await screenshot(page, 'admin-open311-desktop');

      await open(page, 'open311', 'Kunci API Open311');
      await page.locator('.bo-table tbody tr').filter({ hasText: 'Aplikasi Mitra Uji' }).waitFor();
      expect(await page.locator('#ad-fresh-key').count()).toBe(0);
      expect(await page.content()).not.toContain(secret);
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  it('on a phone every admin page fits the screen: tables become one card per row, each value labelled', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, PHONE);
    try {
      await logInAs(page, app.server, 'admin');
      for (const [section, heading] of ADMIN_PAGES) {
        await open(page, section, heading);
        expect(await horizontalOverflow(page), section).toBe(0);
      }
      await open(page, 'pengguna', 'Akun petugas');
      const card = page.locator('.bo-table tbody tr').first();
      expect(await card.evaluate((tr) => (globalThis as unknown as { getComputedStyle(el: unknown): { display: string } }).getComputedStyle(tr).display)).toBe('block');
      expect(await card.locator('td[data-label]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-label')))).toEqual(['Peran', 'Wilayah kerja', 'Status']);
      // Still a table to a screen reader.
      expect(await page.getByRole('row').count()).toBeGreaterThan(1);
      expect(await page.getByRole('columnheader', { name: 'Peran' }).count()).toBe(1);
      await screenshot(page, 'admin-users-phone');
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  it('an officer who is not an admin is refused', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, DESKTOP);
    try {
      await logInAs(page, app.server, 'petugas.dpupr');
      await page.goto(`${app.server.url}/admin/kategori`, { waitUntil: 'networkidle' });
      await page.getByRole('heading', { level: 1, name: 'Administrasi' }).waitFor();
      await page.getByText('Akun Anda bukan akun administrator').waitFor();
      expect(await page.locator('.bo-table').count()).toBe(0);
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });
});

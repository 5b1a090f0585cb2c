import zlib from 'node:zlib';
import { request as apiRequest, type Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { DEMO_CITIZENS } from '../../src/modules/demo/seed.js';
import { DEMO_PASSWORD } from '../support/env.js';
import {
  ANONYMOUS_ME,
  describeBrowser,
  expectNoProblems,
  horizontalOverflow,
  openPage,
  PHONE,
  screenshot,
  useServerAndBrowser,
} from './support.js';

/** A small real PNG (an orange-and-blue 64×48 picture), as a phone camera would hand over a file. */
function samplePng(): Buffer {
  const w = 64;
  const h = 48;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      const top = y < h / 2;
      raw[o] = top ? 240 : 30;
      raw[o + 1] = top ? 140 : 90;
      raw[o + 2] = top ? 40 : 200;
    }
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** The citizen pages on a phone: file a report (draft survives a reload), see it in /laporan-saya, the public map. */
describeBrowser('the citizen pages in Chromium', () => {
  const app = useServerAndBrowser();

  async function login(page: Page) {
    await page.goto(`${app.server.url}/masuk`, { waitUntil: 'networkidle' });
    await page.getByLabel('NIK', { exact: true }).fill(DEMO_CITIZENS[0]!.nik);
    await page.getByLabel('Kata sandi', { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Masuk', exact: true }).tap();
    await page.getByRole('heading', { level: 1, name: 'Akun saya' }).waitFor();
  }

  it('a citizen files a report with a photo and a pin, the draft survives a reload, and it shows in /laporan-saya', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, PHONE, [ANONYMOUS_ME]);
    try {
      await login(page);
      const reads: string[] = [];
      page.on('request', (r) => {
        const { pathname } = new URL(r.url());
        if (pathname.startsWith('/api/')) reads.push(pathname);
      });
      await page.goto(`${app.server.url}/lapor`, { waitUntil: 'networkidle' });
      await page.getByRole('heading', { level: 1, name: 'Buat laporan' }).waitFor();
      await page.getByRole('button', { name: /Jalan rusak/ }).waitFor();
      // Each read once: what the page preloads (the session) is used, not asked again; the map's
      // boundaries come before a category is chosen; the city and the categories are in the page.
      expect([...reads].sort()).toEqual(['/api/v1/me', '/api/v1/regions', '/api/v1/regions/boundaries.geojson']);
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, 'citizen-lapor-phone');

      // An emergency category first offers the 112 call.
      await page.getByRole('button', { name: /Kebakaran/ }).tap();
      await page.getByText('Darurat? Hubungi 112').waitFor();
      await page.locator('.ct-map .leaflet-overlay-pane path').first().waitFor();
      expect(await page.getByRole('link', { name: /Telepon 112/ }).getAttribute('href')).toBe('tel:112');
      await screenshot(page, 'citizen-lapor-emergency-phone');
      await page.getByRole('button', { name: 'Ganti' }).tap();

      await page.getByRole('button', { name: /Jalan rusak/ }).tap();
      await page.getByLabel('Ceritakan masalahnya').fill('Lubang besar di tengah jalan, sudah seminggu, berbahaya untuk motor.');
      await page.getByLabel('Sedang').check();

      // The pin: a tap in the middle of a kelurahan drawn on the map names it under the map, found on the
      // phone from the boundaries it already has (no request per move of the pin).
      const kelurahan = await tapKelurahan(page, 3);
      expect(kelurahan).toBeTruthy();
      await page.locator('.ct-pin').waitFor();
      expect(reads.filter((r) => r.startsWith('/api/v1/regions/locate'))).toEqual([]);

      // A reload in the middle keeps the draft: category, description, answer, pin.
      await page.waitForTimeout(300);
      await page.reload({ waitUntil: 'networkidle' });
      await page.getByText('Jalan rusak / berlubang').waitFor();
      expect(await page.getByLabel('Ceritakan masalahnya').inputValue()).toContain('Lubang besar');
      expect(await page.getByLabel('Sedang').isChecked()).toBe(true);
      await page.locator('.ct-pin').waitFor();
      expect(await page.locator('.ct-located strong').textContent()).toBe(kelurahan);

      await page.getByLabel('Alamat / patokan').fill('Jl. Ahmad Yani depan masjid');
      await page.locator('input[type=file]').setInputFiles({ name: 'jalan.png', mimeType: 'image/png', buffer: samplePng() });
      await page.getByRole('img', { name: 'Foto laporan 1' }).waitFor();
      expect(await horizontalOverflow(page)).toBe(0);

      const post = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/reports');
      await page.getByRole('button', { name: 'Kirim laporan' }).tap();
      expect((await post).headers()['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
      await page.getByRole('heading', { level: 1, name: /Laporan terkirim/ }).waitFor();
      const trackingNo = (await page.getByTestId('tracking-no').textContent())!.trim();
      expect(trackingNo.length).toBeGreaterThan(5);
      await page.getByText('Target tanggapan').waitFor();
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, 'citizen-sent-phone');

      // The detail: photo, timeline.
      await page.getByRole('link', { name: 'Lihat laporan' }).tap();
      await page.getByRole('heading', { level: 1, name: trackingNo }).waitFor();
      await page.getByRole('heading', { name: 'Riwayat' }).waitFor();
      await page.locator('.ct-tl').first().waitFor();
      await page.getByRole('img', { name: 'Foto laporan 1' }).waitFor();
      await page.locator('.ct-pin').waitFor();
      await page.getByLabel('Tulis komentar untuk petugas').fill('Lubangnya makin besar setelah hujan.');
      await page.getByRole('button', { name: 'Kirim komentar' }).tap();
      await page.locator('.ct-tl-note', { hasText: 'makin besar' }).waitFor();
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, 'citizen-detail-phone');

      // The list, newest first.
      await page.getByRole('link', { name: /Kembali ke laporan saya/ }).tap();
      await page.getByRole('heading', { level: 1, name: 'Laporan saya' }).waitFor();
      const first = page.locator('.ct-item').first();
      await first.waitFor();
      expect(await first.locator('.ct-item-no').textContent()).toBe(trackingNo);
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, 'citizen-laporan-saya-phone');

      // The draft was cleared after sending.
      await page.goto(`${app.server.url}/lapor`, { waitUntil: 'networkidle' });
      await page.getByRole('button', { name: /Jalan rusak/ }).waitFor();
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  it('offline, “Kirim” queues the report and it is sent once, with the same Idempotency-Key, when the phone is back online', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, PHONE, [ANONYMOUS_ME]);
    try {
      await login(page);
      await page.goto(`${app.server.url}/lapor`, { waitUntil: 'networkidle' });
      await page.getByRole('button', { name: /Lampu jalan/ }).tap();
      await page.getByLabel('Ceritakan masalahnya').fill('Lampu jalan mati tiga tiang berturut-turut, gelap sekali malam hari.');
      await page.getByLabel('Atau pilih kelurahan').selectOption({ index: 1 });
      await page.locator('.ct-map .leaflet-overlay-pane path').first().waitFor();
      const posts = reportPosts(page);

      await context.setOffline(true);
      await page.getByRole('button', { name: 'Kirim laporan' }).tap();
      await page.getByText('Anda sedang offline. Laporan disimpan').waitFor();
      expect(posts).toEqual([]);

      await context.setOffline(false);
      await page.getByRole('heading', { level: 1, name: /Laporan terkirim/ }).waitFor();
      expect(posts).toHaveLength(1);
      expect(posts[0]).toMatch(/^[0-9a-f-]{36}$/);
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  it('a citizen who opens /lapor with no connection still writes the report, and it is sent once when the connection returns', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, PHONE, [ANONYMOUS_ME]);
    try {
      await login(page);
      // One visit online: the service worker keeps the app, the form's public reads are kept on the phone.
      await page.goto(`${app.server.url}/lapor`, { waitUntil: 'networkidle' });
      await page.getByRole('button', { name: /Lampu jalan/ }).waitFor();
      await expect.poll(() => page.evaluate<boolean>('!!navigator.serviceWorker.controller')).toBe(true);
      await expect.poll(() => keptOnPhone(page)).toEqual(['satukota:offline:boundaries', 'satukota:offline:categories', 'satukota:offline:regions']);

      await context.setOffline(true);
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Buat laporan' }).waitFor();
      await page.getByText('Anda sedang offline. Tetap isi laporannya').waitFor();
      await page.getByRole('button', { name: /Lampu jalan/ }).tap();
      await page.getByLabel('Ceritakan masalahnya').fill('Dua lampu jalan mati di depan sekolah, anak-anak pulang mengaji dalam gelap.');
      // The kelurahan under the pin is named with no connection, from the boundaries on the phone.
      expect(await tapKelurahan(page, 5)).toBeTruthy();
      // …and the list of kelurahan is there too.
      expect(await page.getByLabel('Atau pilih kelurahan').locator('option').count()).toBeGreaterThan(40);
      await screenshot(page, 'citizen-lapor-offline-phone');

      const posts = reportPosts(page);
      await page.getByRole('button', { name: 'Kirim laporan' }).tap();
      await page.getByText('Anda sedang offline. Laporan disimpan').waitFor();
      expect(posts).toEqual([]);

      await context.setOffline(false);
      await page.getByRole('heading', { level: 1, name: /Laporan terkirim/ }).waitFor();
      expect(posts).toHaveLength(1);
      // The session is checked again once the connection is back: the account is in the header.
      await page.getByRole('link', { name: 'Akun saya' }).waitFor();
      // What failed while offline failed for that reason alone.
      const offline = (lines: string[]) => lines.filter((l) => !l.includes('net::ERR_INTERNET_DISCONNECTED'));
      expectNoProblems({ ...problems, requests: offline(problems.requests), console: offline(problems.console) });
    } finally {
      await context.close();
    }
  });

  it('a resolved report is closed with a star rating', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, PHONE, [ANONYMOUS_ME]);
    try {
      await login(page);
      await page.goto(`${app.server.url}/laporan-saya`, { waitUntil: 'networkidle' });
      await page.locator('.ct-item', { hasText: 'Selesai ditangani' }).first().tap();
      await page.getByRole('heading', { name: 'Masalah sudah selesai?' }).waitFor();
      await page.getByRole('heading', { name: 'Belum selesai?' }).waitFor();
      await page.getByRole('radio', { name: '4 bintang' }).tap();
      await page.getByRole('button', { name: 'Tutup laporan' }).tap();
      await page.locator('.ct-detail-top .ct-badge', { hasText: 'Ditutup' }).waitFor();
      await page.getByLabel('4 bintang').waitFor();
      expect(await page.getByRole('heading', { name: 'Masalah sudah selesai?' }).count()).toBe(0);
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  it('a citizen whose NIK someone claims at another kelurahan sees it on /akun and objects there', async () => {
    const citizen = DEMO_CITIZENS[0]!;
    // The lurah of Ramanuju (Kecamatan Purwakarta) cannot settle a claim on a NIK issued in Cibeber: it waits.
    const api = await apiRequest.newContext({ baseURL: app.server.url });
    try {
      const token = ((await (await api.post('/api/v1/auth/token', { data: { login: 'lurah.ramanuju', password: DEMO_PASSWORD } })).json()) as { token: string }).token;
      const claim = await api.post('/api/v1/identity/nik-claims', {
        headers: { authorization: `Bearer ${token}` },
        data: { nik: citizen.nik, name: 'Orang Lain', birthDate: citizen.birthDate, phone: '081377778888' },
      });
      expect(claim.status()).toBe(202);
    } finally {
      await api.dispose();
    }
    const { context, page, problems } = await openPage(app.browser, app.server, PHONE, [ANONYMOUS_ME]);
    try {
      await login(page);
      await page.getByRole('heading', { name: 'Ada yang mengklaim NIK Anda' }).waitFor();
      expect(await page.locator('.claim-notice').textContent()).toContain('Kelurahan Ramanuju');
      await page.getByRole('button', { name: 'Kirim keberatan' }).tap();
      await page.getByText('Tulis keberatan minimal 10 karakter.').waitFor();
      await page.getByLabel('Keberatan Anda', { exact: true }).fill('NIK ini milik saya, KTP asli ada pada saya.');
      await page.getByRole('button', { name: 'Kirim keberatan' }).tap();
      await page.getByRole('status').filter({ hasText: 'Keberatan Anda telah diterima' }).waitFor();
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, 'account-claim-phone');
      // The coordinator reads it before deciding.
      await page.reload({ waitUntil: 'networkidle' });
      await page.getByRole('status').filter({ hasText: 'Keberatan Anda telah diterima' }).waitFor();
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  it('the public map and feed need no login', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, PHONE, [ANONYMOUS_ME]);
    try {
      await page.goto(`${app.server.url}/peta`, { waitUntil: 'networkidle' });
      await page.getByRole('heading', { level: 1, name: 'Peta laporan' }).waitFor();
      await page.locator('.ct-item').first().waitFor();
      await page.locator('.ct-map .leaflet-overlay-pane path').first().waitFor();
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, 'citizen-peta-phone');
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });
});

/** The keys of what the citizen pages keep on the phone for offline use (idb-keyval's store). */
function keptOnPhone(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`new Promise((resolve, reject) => {
    const open = indexedDB.open('keyval-store');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const keys = open.result.transaction('keyval').objectStore('keyval').getAllKeys();
      keys.onsuccess = () => resolve(keys.result.map(String).filter((k) => k.startsWith('satukota:offline:')).sort());
      keys.onerror = () => reject(keys.error);
    };
  })`);
}

/** Taps the middle of the n-th kelurahan drawn on the report form's map; returns the name shown under it. */
async function tapKelurahan(page: Page, n: number): Promise<string | null> {
  const shape = page.locator('.ct-map .leaflet-overlay-pane path').nth(n);
  await shape.waitFor();
  await page.locator('.ct-map').scrollIntoViewIfNeeded();
  await page.waitForTimeout(300);
  const box = (await shape.boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.locator('.ct-located strong').waitFor();
  return page.locator('.ct-located strong').textContent();
}

/** The Idempotency-Key of every report the page sends from now on. */
function reportPosts(page: Page): string[] {
  const keys: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/reports') keys.push(r.headers()['idempotency-key'] ?? '');
  });
  return keys;
}

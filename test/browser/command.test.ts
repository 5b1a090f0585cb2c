import { expect, it } from 'vitest';
import { DEMO_CITIZENS } from '../../src/modules/demo/seed.js';
import { DEMO_PASSWORD } from '../support/env.js';
import { RAMANUJU } from '../support/places.js';
import {
  ANONYMOUS_ME,
  DESKTOP,
  describeBrowser,
  expectNoProblems,
  horizontalOverflow,
  kpi,
  kpiReaches,
  logInAs,
  openPage,
  screenshot,
  useServerAndBrowser,
} from './support.js';

/** The command center on the video wall (1920×1080): KPIs, tables, live map, live list, trend. */
describeBrowser('the command center in Chromium', () => {
  const app = useServerAndBrowser();

  /** A citizen files a report through the API, as the mobile app would (bearer token). */
  async function fileReport(description: string): Promise<string> {
    const tok = await fetch(`${app.server.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: DEMO_CITIZENS[0]!.nik, password: DEMO_PASSWORD }),
    });
    expect(tok.status).toBe(200);
    const { token } = (await tok.json()) as { token: string };
    const res = await fetch(`${app.server.url}/api/v1/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ categoryCode: 'sampah', description, lat: RAMANUJU.lat, lng: RAMANUJU.lng }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { report: { trackingNo: string } }).report.trackingNo;
  }

  it('asks anyone who is not an officer to log in', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, DESKTOP, [ANONYMOUS_ME]);
    try {
      await page.goto(`${app.server.url}/command`, { waitUntil: 'networkidle' });
      await page.getByRole('heading', { level: 1, name: 'Pusat Komando' }).waitFor();
      const link = page.getByRole('link', { name: 'Masuk sebagai petugas' });
      expect(await link.getAttribute('href')).toBe('/masuk?next=/command');
      expect(await page.locator('.site-header').count()).toBe(0);
      await screenshot(page, 'command-center-login-desktop');
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  it('shows the KPIs, tables, map and trend, and a new report arrives live without a reload', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, DESKTOP, [ANONYMOUS_ME]);
    try {
      await logInAs(page, app.server, 'command');
      const mapZooms: number[] = [];
      page.on('request', (r) => {
        const url = new URL(r.url());
        if (url.pathname === '/api/v1/stats/map') mapZooms.push(Number(url.searchParams.get('zoom')));
      });
      await page.goto(`${app.server.url}/command`, { waitUntil: 'networkidle' });
      await page.getByRole('heading', { level: 1, name: /Pusat Komando/ }).waitFor();
      // No shell header or footer: the wall shows the command center alone.
      expect(await page.locator('.site-header, .site-footer').count()).toBe(0);

      // The KPI tiles show numbers (the demo city is seeded with sample reports).
      await page.locator('[data-kpi="open"] .cc-kpi-value', { hasText: /^\d/ }).waitFor();
      const open = await kpi(page, 'open');
      const newToday = await kpi(page, 'new');
      expect(open).toBeGreaterThan(0);
      expect(Number.isFinite(newToday)).toBe(true);

      // The league table and the kecamatan table have rows; the map has markers; the chart drew.
      expect(await page.locator('.cc-agencies tbody tr').count()).toBeGreaterThan(0);
      expect(await page.locator('.cc-kecamatan tbody tr').count()).toBeGreaterThan(0);
      await page.locator('.cc-map .cc-cluster').first().waitFor();
      await page.locator('.cc-map path.leaflet-interactive').first().waitFor();
      // The seeded open emergencies pulse on the map.
      await page.locator('.cc-map .cc-pulse').first().waitFor();
      await page.locator('.cc-chart canvas').waitFor();
      await page.locator('.cc-live-item').first().waitFor();
      await page.locator('.cc-status-on').waitFor();

      // One screen: nothing scrolls on the wall.
      expect(await horizontalOverflow(page)).toBe(0);
      expect(await page.evaluate<number>('document.documentElement.scrollHeight - document.documentElement.clientHeight')).toBe(0);
      await page.getByRole('button', { name: 'Layar penuh' }).waitFor();

      // Zooming the map asks the server again for the clusters at the new zoom.
      const zooms = mapZooms.slice();
      expect(zooms.length).toBeGreaterThan(0);
      await page.getByRole('button', { name: 'Zoom in' }).click();
      await expect.poll(() => Math.max(...mapZooms)).toBeGreaterThan(Math.max(...zooms));
      await page.getByRole('button', { name: 'Zoom out' }).click();
      await page.waitForLoadState('networkidle');
      await screenshot(page, 'command-center-desktop');

      // The layer switcher turns on the optional heat layer (and off again).
      await page.locator('.cc-map .leaflet-control-layers').hover();
      const heat = page.getByRole('checkbox', { name: 'Kepadatan laporan terbuka' });
      await heat.check();
      await page.locator('.cc-heat-pane path').first().waitFor();
      await screenshot(page, 'command-center-heat-desktop');
      await heat.uncheck();
      await page.mouse.move(1900, 1000);
      expect(await page.locator('.cc-heat-pane path').count()).toBe(0);

      // A citizen files a report: it comes on top of the live list, without a reload.
      const trackingNo = await fileReport('Sampah menumpuk di depan pasar, sudah tiga hari.');
      await page.locator('.cc-live-item').first().locator('.cc-live-no', { hasText: trackingNo }).waitFor();
      await page.locator('.cc-live-item').first().getByText('BARU').waitFor();
      // …and is marked where it happened on the map.
      await page.locator('.cc-map .cc-ping').waitFor();
      await page.locator('.cc-map .leaflet-tooltip', { hasText: trackingNo }).waitFor();

      // The figures follow (debounced by a second).
      await kpiReaches(page, 'new', '===', newToday + 1);
      expect(await kpi(page, 'open')).toBe(open + 1);
      await page.locator('.cc-live-item').first().hover();
      await screenshot(page, 'command-center-new-report-desktop');

      // The wall speaks English too.
      await page.getByRole('button', { name: 'Switch to English' }).click();
      await page.getByRole('heading', { level: 1, name: /Command Center/ }).waitFor();
      await page.getByText('New reports today').waitFor();
      await page.locator('.cc-map .cc-cluster').first().waitFor();
      await page.waitForLoadState('networkidle');
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });
});

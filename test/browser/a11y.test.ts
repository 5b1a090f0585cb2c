import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { DEMO_CITIZENS } from '../../src/modules/demo/seed.js';
import {
  ADMIN_PAGES,
  ANONYMOUS_ME,
  DESKTOP,
  describeBrowser,
  expectNoProblems,
  horizontalOverflow,
  logInAs,
  openPage,
  PHONE,
  screenshot,
  useServerAndBrowser,
  type OpenPage,
} from './support.js';

/** An office PC's screen, as most officers have. */
const OFFICE: BrowserContextOptions = { viewport: { width: 1366, height: 768 }, deviceScaleFactor: 1 };
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** WCAG 2.1 level A and AA: what Indonesian and international accessibility rules ask of a public service. */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

interface AxeNode {
  target: string[];
  summary: string;
}
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: AxeNode[];
}

/**
 * Runs axe-core on the page as it is now and returns one readable line per failing element:
 * `rule (impact) selector — help`, then axe's own "fix any of" summary, indented. `exclude` takes
 * selectors of third-party markup the app cannot change; each caller says why.
 */
async function axe(page: Page, exclude: string[] = []): Promise<string[]> {
  // Evaluated through DevTools, not added as a <script>: the app's Content-Security-Policy refuses
  // inline script, and the pages are checked under that policy.
  await page.evaluate(AXE_SOURCE);
  // A string, not a function: this project's tsconfig has no DOM types (the server must not use them).
  const violations = await page.evaluate<AxeViolation[]>(`
    axe.run({ include: [document], exclude: ${JSON.stringify(exclude.map((s) => [s]))} }, { runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_TAGS)} } })
      .then((r) => r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.map(String), summary: n.failureSummary || '' })),
      })))`);
  return violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact ?? 'unknown'}) ${n.target.join(' ')} — ${v.help}\n      ${n.summary.replace(/\n\s*/g, '\n      ')}`),
  );
}

/**
 * Fails the test listing every violation on the page, under the screen's name. Soft: the test goes on to
 * its other screens, so one run reports all of them.
 */
async function expectAccessible(page: Page, screen: string, exclude: string[] = []) {
  const found = await axe(page, exclude);
  // Reflow (WCAG 1.4.10), which axe does not check: on a phone nothing but a table's own scroller is wider than the screen.
  if (page.viewportSize()!.width <= 400) expect.soft(await horizontalOverflow(page), `${screen}: the page scrolls sideways by (px)`).toBe(0);
  expect.soft(found, `${screen}: ${found.length} accessibility violation(s):\n\n${found.join('\n\n')}\n`).toEqual([]);
}

/**
 * Focus is visible: the focused element (or, for an input inside its label — the chips, the radio cards,
 * the photo picker — that label) draws an outline or a box-shadow. Returns a description of what is focused.
 * Checked with a screenshot once: Chromium's ring on a date field's calendar button is visible (see below).
 */
async function focusIndicator(page: Page): Promise<{ what: string; visible: boolean }> {
  return page.evaluate<{ what: string; visible: boolean }>(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { what: 'body', visible: false };
    const drawn = (e) => {
      const cs = getComputedStyle(e);
      const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0;
      return outline || (cs.boxShadow && cs.boxShadow !== 'none');
    };
    const label = el.closest('label');
    const name = (el.getAttribute('aria-label') || el.textContent || el.getAttribute('name') || '').trim().slice(0, 40);
    const what = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + (name ? ' "' + name + '"' : '');
    // Focus inside the browser's own controls of an input (a date field's calendar button): Chromium rings
    // that button itself, and the input does not match :focus meanwhile.
    if (el.tagName === 'INPUT' && !el.matches(':focus')) return { what: what + ' (its picker button)', visible: true };
    return { what, visible: Boolean(drawn(el) || (label && drawn(label))) };
  })()`);
}

/**
 * Tabs through the page from where focus is now (a fresh page: its top) until focus comes round again or
 * leaves the page, and fails softly listing every focus stop that shows no focus indicator (WCAG 2.4.7).
 */
async function expectFocusVisible(page: Page, screen: string, limit = 150) {
  const invisible: string[] = [];
  let first: string | undefined;
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const { what, visible } = await focusIndicator(page);
    if (what === 'body' || what === first) break;
    first ??= what;
    if (!visible) invisible.push(what);
  }
  expect.soft(invisible, `${screen}: focus stops without a visible focus indicator`).toEqual([]);
}

describeBrowser('accessibility (axe-core, WCAG 2.1 A/AA) and keyboard use in Chromium', () => {
  const app = useServerAndBrowser();

  async function visit(page: Page, path: string, heading: string | RegExp) {
    await page.goto(`${app.server.url}${path}`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  }

  async function withPage(device: BrowserContextOptions, fn: (p: OpenPage) => Promise<void>) {
    const opened = await openPage(app.browser, app.server, device, [ANONYMOUS_ME]);
    try {
      await fn(opened);
      expectNoProblems(opened.problems);
    } finally {
      await opened.context.close();
    }
  }

  it('landing, login and register on a phone', async () => {
    await withPage(PHONE, async ({ page }) => {
      await visit(page, '/', 'Satu pintu untuk warga');
      await page.locator('.brand-city', { hasText: 'Cilegon' }).waitFor();
      await expectAccessible(page, 'landing (phone)');
      await expectFocusVisible(page, 'landing (phone)');

      await visit(page, '/masuk', 'Masuk');
      await expectAccessible(page, 'login, citizen tab (phone)');
      await expectFocusVisible(page, 'login (phone)');
      await page.getByRole('tab', { name: 'Petugas' }).tap();
      await page.getByLabel('Nama pengguna', { exact: true }).waitFor();
      await expectAccessible(page, 'login, officer tab (phone)');
      // An error shown on the form is announced and still passes.
      await page.getByRole('button', { name: 'Masuk', exact: true }).tap();
      await page.locator('.field-error').first().waitFor();
      await expectAccessible(page, 'login with errors (phone)');

      await visit(page, '/daftar', /Daftar/);
      await expectAccessible(page, 'register, privacy notice (phone)');
      await expectFocusVisible(page, 'register, privacy notice (phone)');
      await page.getByRole('button', { name: 'Lanjut' }).tap();
      await page.locator('#consent-err').waitFor();
      await expectAccessible(page, 'register, consent missing (phone)');
      await page.getByRole('checkbox').check();
      await page.getByRole('button', { name: 'Lanjut' }).tap();
      await page.getByRole('button', { name: 'Daftar', exact: true }).tap();
      await page.locator('.field-error').first().waitFor();
      await expectAccessible(page, 'register, form with errors (phone)');
    });
  });

  it('a citizen’s /lapor with a category chosen, /laporan-saya, a report, the account and the public map on a phone', async () => {
    await withPage(PHONE, async ({ page }) => {
      await logInAs(page, app.server, DEMO_CITIZENS[0]!.nik);
      await visit(page, '/lapor', 'Buat laporan');
      await page.getByRole('button', { name: /Jalan rusak/ }).tap();
      await page.getByLabel('Ceritakan masalahnya').waitFor();
      await page.locator('.ct-map .leaflet-overlay-pane path').first().waitFor();
      await expectAccessible(page, '/lapor with a category (phone)');
      await page.getByRole('button', { name: 'Ganti' }).tap();
      await page.getByRole('button', { name: /Kebakaran/ }).tap();
      await page.getByText('Darurat? Hubungi 112').waitFor();
      await expectAccessible(page, '/lapor with an emergency category (phone)');

      await visit(page, '/laporan-saya', 'Laporan saya');
      await page.locator('.ct-item').first().waitFor();
      await expectAccessible(page, '/laporan-saya (phone)');
      await expectFocusVisible(page, '/laporan-saya (phone)');

      await page.locator('.ct-item', { hasText: 'Selesai ditangani' }).first().tap();
      await page.getByRole('heading', { name: 'Masalah sudah selesai?' }).waitFor();
      await page.getByRole('heading', { name: 'Riwayat' }).waitFor();
      await page.locator('.ct-pin').waitFor();
      await expectAccessible(page, 'a resolved report of the citizen (phone)');
      await expectFocusVisible(page, 'a resolved report of the citizen (phone)');

      await visit(page, '/akun', 'Akun saya');
      await expectAccessible(page, '/akun (phone)');

      await visit(page, '/peta', 'Peta laporan');
      await page.locator('.ct-item').first().waitFor();
      await page.locator('.ct-map .leaflet-overlay-pane path').first().waitFor();
      await expectAccessible(page, '/peta (phone)');
      await expectFocusVisible(page, '/peta (phone)');
    });
  });

  it('the officers’ inbox and a report on an office screen (1366×768)', async () => {
    await withPage(OFFICE, async ({ page }) => {
      // The coordinator: the whole city's reports, with the bulk dispatch controls.
      await logInAs(page, app.server, 'koordinator');
      await visit(page, '/petugas', 'Kotak masuk laporan');
      const reports = page.getByRole('table').getByRole('link');
      await reports.first().waitFor();
      await expectAccessible(page, '/petugas inbox (office screen)');
      await expectFocusVisible(page, '/petugas inbox (office screen)');

      await reports.first().click();
      await page.getByRole('region', { name: 'Tindakan' }).waitFor();
      await page.waitForLoadState('networkidle');
      await expectAccessible(page, '/petugas report detail (office screen)');
      await expectFocusVisible(page, '/petugas report detail (office screen)');
    });
  });

  it('the command center on the wall (1920×1080, dark)', async () => {
    await withPage(DESKTOP, async ({ page }) => {
      await visit(page, '/command', 'Pusat Komando');
      await expectAccessible(page, '/command login gate (wall)');

      await logInAs(page, app.server, 'command');
      await visit(page, '/command', /Pusat Komando/);
      await page.locator('[data-kpi="open"] .cc-kpi-value', { hasText: /^\d/ }).waitFor();
      await page.locator('.cc-map .cc-cluster').first().waitFor();
      await page.locator('.cc-chart canvas').waitFor();
      await page.locator('.cc-live-item').first().waitFor();
      await page.waitForLoadState('networkidle');
      await expectAccessible(page, '/command (wall)');
      await expectFocusVisible(page, '/command (wall)');
    });
  });

  for (const [section, heading] of ADMIN_PAGES) {
    it(`/admin/${section} on a desktop and on a phone`, async () => {
      for (const [device, name] of [
        [DESKTOP, 'desktop'],
        [PHONE, 'phone'],
      ] as const) {
        await withPage(device, async ({ page }) => {
          await logInAs(page, app.server, 'admin');
          await page.goto(`${app.server.url}/admin/${section}`, { waitUntil: 'networkidle' });
          await page.getByRole('heading', { level: 1, name: heading }).waitFor();
          if (name === 'phone') await screenshot(page, `admin-${section}-phone`);
          await expectAccessible(page, `/admin/${section} (${name})`);
          if (name === 'desktop') await expectFocusVisible(page, `/admin/${section} (desktop)`);
        });
      }
    });
  }

  it('on a phone, a citizen chooses a category, writes the description and reaches “Kirim” with the keyboard alone, focus always visible', async () => {
    await withPage(PHONE, async ({ page }) => {
      await logInAs(page, app.server, DEMO_CITIZENS[0]!.nik);
      await visit(page, '/lapor', 'Buat laporan');
      await page.getByRole('button', { name: /Jalan rusak/ }).waitFor();

      const invisible: string[] = [];
      /** Tabs (forwards or back) until `target` holds: at most `limit` presses, each focus stop checked. */
      async function tabTo(target: (what: string) => boolean, { back = false, limit = 60 } = {}) {
        const stops: string[] = [];
        for (let i = 0; i < limit; i++) {
          await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
          const { what, visible } = await focusIndicator(page);
          stops.push(what);
          if (!visible) invisible.push(what);
          if (target(what)) return what;
        }
        throw new Error(`not reached in ${limit} ${back ? 'Shift+Tab' : 'Tab'} presses; focus went through:\n${stops.join('\n')}`);
      }

      // The first Tab shows the skip link; it leads into the page.
      const skip = await tabTo((w) => w.startsWith('a.skip-link'), { limit: 1 });
      expect(skip).toContain('skip-link');
      await tabTo((w) => /^button\.ct-cat\b.*Jalan rusak/.test(w));
      // Past it and back again with Shift+Tab, then chosen with Enter.
      await tabTo((w) => /^button\.ct-cat\b/.test(w) && !w.includes('Jalan rusak'));
      await tabTo((w) => w.includes('Jalan rusak'), { back: true, limit: 1 });
      await page.keyboard.press('Enter');
      await page.locator('.ct-chosen-name', { hasText: 'Jalan rusak' }).waitFor();
      // The category buttons give way to the chosen one: focus follows to its "Ganti" button rather than
      // falling back to the top of the page, and "Ganti" brings it back to the list.
      const afterChoice = await focusIndicator(page);
      expect(afterChoice).toEqual({ what: expect.stringMatching(/^button\.btn.*"Ganti"$/), visible: true });
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: /Jalan rusak/ }).waitFor();
      const backInList = await focusIndicator(page);
      expect(backInList).toEqual({ what: expect.stringMatching(/^button\.ct-cat\b/), visible: true });
      if (!backInList.what.includes('Jalan rusak')) await tabTo((w) => w.includes('Jalan rusak'));
      await page.keyboard.press('Space');
      await page.locator('.ct-chosen-name', { hasText: 'Jalan rusak' }).waitFor();

      await tabTo((w) => w.startsWith('textarea#ct-description'));
      await page.keyboard.type('Lubang besar di tengah jalan, berbahaya untuk motor.');
      expect(await page.getByLabel('Ceritakan masalahnya').inputValue()).toContain('Lubang besar');
      // The category's first question, a radio group, answered with Space.
      await tabTo((w) => w.startsWith('input') && w.includes('ct-q-'));
      await page.keyboard.press('Space');
      expect(await page.evaluate<boolean>('document.activeElement.checked')).toBe(true);

      await tabTo((w) => /^button\.btn.*ct-send/.test(w));
      expect(invisible, 'focus stops without a visible focus indicator').toEqual([]);
      const sendFocused = await page.evaluate<boolean>(`document.activeElement === document.querySelector('button.ct-send')`);
      expect(sendFocused).toBe(true);
    });
  });

  it('the star rating is one tab stop, chosen with the arrow keys', async () => {
    await withPage(PHONE, async ({ page }) => {
      await logInAs(page, app.server, DEMO_CITIZENS[0]!.nik);
      await visit(page, '/laporan-saya', 'Laporan saya');
      await page.locator('.ct-item', { hasText: 'Selesai ditangani' }).first().click();
      const stars = page.getByRole('radiogroup', { name: 'Nilai Anda' });
      await stars.waitFor();
      // Back from the dispute form below: the disabled close button is skipped, the group is one stop.
      await page.locator('.ct-rate ~ form textarea').first().focus();
      await page.keyboard.press('Shift+Tab');
      expect(await focusIndicator(page)).toEqual({ what: expect.stringContaining('"1 bintang"'), visible: true });
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      expect(await stars.getByRole('radio', { checked: true }).getAttribute('aria-label')).toBe('4 bintang');
      expect(await focusIndicator(page)).toEqual({ what: expect.stringContaining('"4 bintang"'), visible: true });
      // The next Tab leaves the group for the button that closes the report.
      await page.keyboard.press('Tab');
      expect((await focusIndicator(page)).what).toContain('Tutup laporan');
    });
  });

  it('after a client-side navigation focus moves to the new page’s h1', async () => {
    await withPage(PHONE, async ({ page }) => {
      await logInAs(page, app.server, DEMO_CITIZENS[0]!.nik);
      await visit(page, '/laporan-saya', 'Laporan saya');
      const first = page.locator('.ct-item').first();
      await first.waitFor();
      const trackingNo = (await first.locator('.ct-item-no').textContent())!.trim();
      // Enter on the link, as a keyboard user follows it.
      await first.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: trackingNo }).waitFor();
      await expect.poll(() => page.evaluate<string>(`document.activeElement.tagName + ' ' + document.activeElement.textContent.trim()`)).toBe(`H1 ${trackingNo}`);

      await page.getByRole('link', { name: /Kembali ke laporan saya/ }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Laporan saya' }).waitFor();
      await expect.poll(() => page.evaluate<string>(`document.activeElement.tagName + ' ' + document.activeElement.textContent.trim()`)).toBe('H1 Laporan saya');
    });
  });
});

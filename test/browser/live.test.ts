import { expect, it } from 'vitest';
import { ANONYMOUS_ME, DESKTOP, describeBrowser, expectNoProblems, logInAs, openPage, useServerAndBrowser } from './support.js';

/** The one client of the live stream (web/src/live.ts), as the officers' inbox uses it. */
describeBrowser('the live stream client in Chromium', () => {
  const app = useServerAndBrowser();

  it('comes back after the stream ends and a proxy refuses it meanwhile, and the inbox catches up', async () => {
    const { context, page, problems } = await openPage(app.browser, app.server, DESKTOP, [ANONYMOUS_ME, { method: 'GET', path: '/api/v1/live', status: 502 }]);
    try {
      await logInAs(page, app.server, 'lurah.ramanuju');
      // 1st stream: a greeting, then the stream ends (EventSource reconnects by itself, after `retry`);
      // 2nd: a proxy's 502, on which EventSource gives up for good; 3rd and later: the server's own.
      const answers: string[] = [];
      await page.route('**/api/v1/live', (route) => {
        answers.push(answers.length === 0 ? 'ended' : answers.length === 1 ? '502' : 'server');
        if (answers.length === 1) return route.fulfill({ status: 200, contentType: 'text/event-stream', body: 'retry: 200\nevent: hello\ndata: {"viewer":"officer"}\n\n' });
        if (answers.length === 2) return route.fulfill({ status: 502, contentType: 'text/plain', body: 'Bad Gateway' });
        return route.continue();
      });
      const listReads: string[] = [];
      page.on('request', (r) => {
        if (new URL(r.url()).pathname === '/api/v1/reports') listReads.push(r.url());
      });
      await page.goto(`${app.server.url}/petugas`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      // Reopened after the back-off, and connected to the server's stream.
      await expect.poll(() => answers, { timeout: 15_000 }).toEqual(['ended', '502', 'server']);
      await page.getByText('Langsung', { exact: true }).waitFor();
      // Its greeting is a reconnection: the list is read again, for what happened while the stream was down.
      await expect.poll(() => listReads.length).toBe(2);
      // What the refused stream made the browser say is the test's doing.
      const ours = (lines: string[]) => lines.filter((l) => !l.includes('/api/v1/live') && !l.includes('EventSource'));
      expectNoProblems({ ...problems, console: ours(problems.console), requests: ours(problems.requests) });
    } finally {
      await context.close();
    }
  });
});

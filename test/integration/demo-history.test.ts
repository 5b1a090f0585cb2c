import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDemoHistory, seedDemoReports, type DemoHistory } from '../../src/modules/demo/reports.js';
import { describeEachDatabase, startHarness, type Harness } from '../support/harness.js';

/**
 * The demo city's reports have a plausible past — every step at its own moment, a closure after its
 * resolution (the citizen's confirmation within the dispute window, or the automatic one after it) —
 * and leave nothing for the first start to send: no flood of notifications about that past.
 * (The test template is seeded without reports; this seeds them as a first start does.)
 */
interface Row {
  tracking_no: string;
  status: string;
  rating: number | null;
  submitted_at: Date;
  verified_at: Date | null;
  dispatched_at: Date | null;
  started_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  updated_at: Date;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describeEachDatabase('demo history', (kind) => {
  let h: Harness;
  let history: DemoHistory;
  let seededAt: Date;
  let rows: Row[];
  beforeAll(async () => {
    h = await startHarness(kind);
    history = await seedDemoReports(h.ctx);
    seededAt = new Date();
    rows = await h.db.query<Row>(
      'select tracking_no, status, rating, submitted_at, verified_at, dispatched_at, started_at, resolved_at, closed_at, updated_at from reports order by tracking_no',
    );
  });
  afterAll(async () => h?.close());

  it('takes each report through its steps in order, none in the future', () => {
    expect(rows).toHaveLength(50);
    for (const r of rows) {
      const steps = [r.submitted_at, r.verified_at, r.dispatched_at, r.started_at, r.resolved_at, r.closed_at].filter((d): d is Date => d !== null);
      for (let i = 1; i < steps.length; i++) expect(steps[i]!.getTime(), `${r.tracking_no} step ${i}`).toBeGreaterThan(steps[i - 1]!.getTime());
      expect(steps.at(-1)!.getTime(), r.tracking_no).toBeLessThanOrEqual(seededAt.getTime());
      expect(r.updated_at.getTime(), r.tracking_no).toBeGreaterThanOrEqual(steps.at(-1)!.getTime());
    }
    // Spread over three weeks, not all from the seeding minute.
    expect(Math.min(...rows.map((r) => r.submitted_at.getTime()))).toBeLessThan(seededAt.getTime() - 14 * DAY);
  });

  it('closes a report after its resolution: confirmed by the citizen within the dispute window, or by itself after it', () => {
    const window = h.config.reports.autoCloseDays * DAY;
    const closed = rows.filter((r) => r.status === 'closed');
    const confirmed = closed.filter((r) => r.rating !== null);
    const automatic = closed.filter((r) => r.rating === null);
    expect(confirmed.length).toBeGreaterThan(5);
    expect(automatic.length).toBeGreaterThan(0);
    for (const r of confirmed) {
      const after = r.closed_at!.getTime() - r.resolved_at!.getTime();
      expect(after, r.tracking_no).toBeGreaterThan(0);
      expect(after, r.tracking_no).toBeLessThan(window);
    }
    // The job replayed the past as it runs, every minute: it closed each one within a minute of the window’s end.
    for (const r of automatic) {
      const after = r.closed_at!.getTime() - r.resolved_at!.getTime();
      expect(after, r.tracking_no).toBeGreaterThanOrEqual(window);
      expect(after, r.tracking_no).toBeLessThanOrEqual(window + MINUTE);
    }
    expect(automatic.length).toBe(history.closed);
    // What is still resolved is within its dispute window.
    for (const r of rows.filter((x) => x.status === 'resolved')) expect(seededAt.getTime() - r.resolved_at!.getTime(), r.tracking_no).toBeLessThan(window);
  });

  it('shows the same moments in each timeline as on the report', async () => {
    for (const r of rows.filter((x) => x.closed_at)) {
      const events = await h.db.query<{ to_status: string | null; created_at: Date }>(
        'select e.to_status, e.created_at from report_events e join reports r on r.id = e.report_id where r.tracking_no = $1 order by e.id',
        [r.tracking_no],
      );
      expect(events.find((e) => e.to_status === 'resolved')!.created_at).toEqual(r.resolved_at);
      expect(events.find((e) => e.to_status === 'closed')!.created_at).toEqual(r.closed_at);
      const times = events.map((e) => e.created_at.getTime());
      expect(times, r.tracking_no).toEqual([...times].sort((a, b) => a - b));
    }
  });

  it('leaves nothing for the first start to send, and says what the past held in one line', async () => {
    // The deadline job's past is part of the history: the warnings and escalations are in the timelines…
    expect(history.warned).toBeGreaterThan(0);
    expect(history.escalated).toBeGreaterThan(0);
    const logged = await h.db.one<{ warnings: number; escalations: number }>(
      `select count(*) filter (where kind = 'warning')::int as warnings, count(*) filter (where kind = 'escalation')::int as escalations from report_events`,
    );
    expect(logged).toEqual({ warnings: history.warned, escalations: history.escalated });
    // …and its first run at start-up finds nothing due, with no event waiting to become a notification.
    expect(await h.ctx.deadlines.run()).toEqual({ warned: 0, escalated: 0, closed: 0 });
    expect(await h.db.one(`select count(*)::int as n from outbox where dispatched_at is null and topic like 'report.%'`)).toEqual({ n: 0 });
    expect(describeDemoHistory(history)).toBe(
      `Demo reports: 50 from the last three weeks, with ${history.warned} deadline warnings, ${history.escalated} escalations and ${history.closed} automatic closures ` +
        'in their timelines; none of that past was sent as a notification, only what happens from now on is.',
    );
  });
});

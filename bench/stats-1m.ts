/**
 * Command-center statistics at 1,000,000 reports (two years, every kelurahan and category) on
 * PostgreSQL: p50 and p95 of the summary, the per-OPD and per-kecamatan tables and map bounding-box
 * queries (clustered on the server), each read as the service reads them (from the rollups of
 * migration 0007 where they apply) and, in the same run, straight from the reports as before the
 * rollups (the ratio is the speed-up). Goal: p95 < 100 ms. Run: npx tsx bench/stats-1m.ts
 * (N to change, e.g. N=10000000; RUNS, RAW_RUNS; BENCH_TEMPLATE=1 keeps the generated city)
 */
import os from 'node:os';
import type { Principal } from '../src/modules/identity/index.js';
import { ReportStats } from '../src/modules/reports/stats.js';
import { cityWithReports } from './generate.js';
import { percentile } from './support.js';

const N = Number(process.env.N ?? 1_000_000);
const RUNS = Number(process.env.RUNS ?? 40);
const RAW_RUNS = Number(process.env.RAW_RUNS ?? 10);
const city = await cityWithReports('satukota_bench_stats', N);
try {
  const { ctx } = city;
  const coordinator = await ctx.db.one<{ id: string }>(`select id from users where role = 'coordinator' limit 1`);
  const viewer: Principal = { userId: coordinator.id, kind: 'officer', role: 'coordinator', scope: { kind: 'city', code: '36.72' }, isHead: false, sessionId: 'bench', via: 'bearer', csrfToken: null };
  const stats = new ReportStats(ctx.db, ctx.reports.names);
  const raw = new ReportStats(ctx.db, ctx.reports.names, { rollups: false });
  const window = () => ({ from: new Date(Date.now() - 30 * 86400_000), to: new Date() });
  const counts = await ctx.db.one<{ total: number; open: number; window: number; rollup: number; map: number }>(
    `select count(*)::int as total, count(*) filter (where status in ('submitted','verified','dispatched','in_progress'))::int as open,
            count(*) filter (where submitted_at > now() - interval '30 days')::int as window,
            (select count(*)::int from report_rollup) as rollup, (select count(*)::int from report_map_rollup) as map from reports`,
  );
  const load = () => os.loadavg()[0]!.toFixed(1);
  console.log(
    `${counts.total.toLocaleString('en')} reports, ${counts.open.toLocaleString('en')} open, ${counts.window.toLocaleString('en')} in the last 30 days; ` +
      `rollup rows ${counts.rollup.toLocaleString('en')} + map ${counts.map.toLocaleString('en')}; PostgreSQL; ${RUNS} runs (${RAW_RUNS} from reports); load ${load()}`,
  );

  const time = async (runs: number, fn: () => Promise<unknown>) => {
    for (let i = 0; i < 3; i++) await fn();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await fn();
      times.push(performance.now() - t);
    }
    return times.sort((a, b) => a - b);
  };
  const measure = async (label: string, fn: (s: ReportStats) => Promise<unknown>) => {
    const fast = await time(RUNS, () => fn(stats));
    const slow = RAW_RUNS > 0 ? await time(RAW_RUNS, () => fn(raw)) : [];
    const p95 = percentile(fast, 0.95);
    const rawP95 = percentile(slow, 0.95);
    console.log(
      `${label.padEnd(44)} p50 ${percentile(fast, 0.5).toFixed(1).padStart(6)} ms  p95 ${p95.toFixed(1).padStart(6)} ms  ${p95 < 100 ? 'ok  ' : 'over'} (goal p95 < 100 ms)` +
        (slow.length ? `   from reports p95 ${rawP95.toFixed(1).padStart(7)} ms, ratio ${(rawP95 / p95).toFixed(1)}×` : ''),
    );
  };
  const cityBox: [number, number, number, number] = [105.94, -6.1, 106.1, -5.88];
  await measure('summary (30 days + all open)', (s) => s.summary(viewer, window()));
  await measure('per-OPD table', (s) => s.byAgency(viewer, window()));
  await measure('per-kecamatan table', (s) => s.byKecamatan(viewer, window()));
  const clusters = await stats.map(viewer, window(), cityBox, 13);
  console.log(`map: ${clusters.length} clusters for ${clusters.reduce((a, c) => a + c.count, 0).toLocaleString('en')} reports in the city bbox at zoom 13`);
  await measure('map bbox, whole city, zoom 13 (clustered)', (s) => s.map(viewer, window(), cityBox, 13));
  await measure('map bbox, one kecamatan, zoom 15', (s) => s.map(viewer, window(), [106.0, -6.01, 106.03, -5.98], 15));
  await measure('map bbox, half the city, zoom 14', (s) => s.map(viewer, window(), [105.98, -6.06, 106.08, -5.96], 14));
  await measure('summary, last 365 days', (s) => s.summary(viewer, { from: new Date(Date.now() - 365 * 86400_000), to: new Date() }));
  const dpupr = await ctx.db.one<{ id: string }>(`select id from users where username = 'petugas.dpupr'`);
  const officer: Principal = { ...viewer, userId: dpupr.id, role: 'officer', scope: { kind: 'opd', code: 'dpupr' } };
  await measure('summary as an OPD officer (scoped)', (s) => s.summary(officer, window()));
  console.log(`load average ${load()} (2 cores shared)`);
} finally {
  await city.drop();
}

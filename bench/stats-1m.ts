/**
 * Command-center statistics at 1,000,000 reports (two years, every kelurahan and category) on
 * PostgreSQL: p50 and p95 of the summary, the per-OPD table and a map bounding-box query
 * (clustered on the server). Goal: p95 < 100 ms. Run: npx tsx bench/stats-1m.ts  (N to change)
 */
import type { Principal } from '../src/modules/identity/index.js';
import { ReportStats } from '../src/modules/reports/stats.js';
import { cityWithReports } from './generate.js';
import { percentile } from './support.js';

const N = Number(process.env.N ?? 1_000_000);
const RUNS = Number(process.env.RUNS ?? 40);
const city = await cityWithReports('satukota_bench_stats', N);
try {
  const { ctx } = city;
  const coordinator = await ctx.db.one<{ id: string }>(`select id from users where role = 'coordinator' limit 1`);
  const viewer: Principal = { userId: coordinator.id, kind: 'officer', role: 'coordinator', scope: { kind: 'city', code: '36.72' }, isHead: false, sessionId: 'bench', via: 'bearer', csrfToken: null };
  const stats = new ReportStats(ctx.db, ctx.reports.names);
  const window = () => ({ from: new Date(Date.now() - 30 * 86400_000), to: new Date() });
  const counts = await ctx.db.one<{ total: number; open: number; window: number }>(
    `select count(*)::int as total, count(*) filter (where status in ('submitted','verified','dispatched','in_progress'))::int as open,
            count(*) filter (where submitted_at > now() - interval '30 days')::int as window from reports`,
  );
  console.log(`${counts.total.toLocaleString('en')} reports, ${counts.open.toLocaleString('en')} open, ${counts.window.toLocaleString('en')} in the last 30 days; PostgreSQL; ${RUNS} runs each`);

  const measure = async (label: string, fn: () => Promise<unknown>) => {
    for (let i = 0; i < 3; i++) await fn();
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await fn();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const p95 = percentile(times, 0.95);
    console.log(`${label.padEnd(46)} p50 ${percentile(times, 0.5).toFixed(1).padStart(6)} ms   p95 ${p95.toFixed(1).padStart(6)} ms   ${p95 < 100 ? 'ok' : 'over'} (goal p95 < 100 ms)`);
  };
  await measure('summary (30 days + all open)', () => stats.summary(viewer, window()));
  await measure('per-OPD table', () => stats.byAgency(viewer, window()));
  await measure('per-kecamatan table', () => stats.byKecamatan(viewer, window()));
  const clusters = await stats.map(viewer, window(), [105.94, -6.1, 106.1, -5.88], 13);
  console.log(`map: ${clusters.length} clusters for ${clusters.reduce((a, c) => a + c.count, 0).toLocaleString('en')} reports in the city bbox at zoom 13`);
  await measure('map bbox, whole city, zoom 13 (clustered)', () => stats.map(viewer, window(), [105.94, -6.1, 106.1, -5.88], 13));
  await measure('map bbox, one kecamatan, zoom 15', () => stats.map(viewer, window(), [106.0, -6.01, 106.03, -5.98], 15));
  const dpupr = await ctx.db.one<{ id: string }>(`select id from users where username = 'petugas.dpupr'`);
  const officer: Principal = { ...viewer, userId: dpupr.id, role: 'officer', scope: { kind: 'opd', code: 'dpupr' } };
  await measure('summary as an OPD officer (scoped)', () => stats.summary(officer, window()));
} finally {
  await city.drop();
}

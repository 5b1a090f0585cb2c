/**
 * Exporting 1,000,000 reports as CSV (and XLSX) through the export route's code: keyset batches from
 * PostgreSQL into the streaming writers, consumed by a sink. Prints rows/s and the process's peak
 * RSS. Goal: RSS < 200 MB. Run: npx tsx bench/export-1m.ts  (N to change; XLSX=0 to skip XLSX)
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Principal } from '../src/modules/identity/policy.js';
import { EXPORT_COLUMNS } from '../src/modules/reports/export.js';
import { allReports, listWhere } from '../src/modules/reports/queries.js';
import { csvStream, xlsxStream, type Cell } from '../src/platform/tabular.js';
import { cityWithReports } from './generate.js';

const N = Number(process.env.N ?? 1_000_000);
const city = await cityWithReports('satukota_bench_export', N);
try {
  const { ctx } = city;
  const coordinator = await ctx.db.one<{ id: string }>(`select id from users where role = 'coordinator' limit 1`);
  const viewer: Principal = { userId: coordinator.id, kind: 'officer', role: 'coordinator', scope: { kind: 'city', code: '36.72' }, isHead: false, sessionId: 'bench', via: 'bearer', csrfToken: null };
  const names = await ctx.reports.names.get();
  const m = process.memoryUsage();
  console.log(`${N.toLocaleString('en')} reports on PostgreSQL; before exporting: RSS ${(m.rss / 1024 / 1024).toFixed(0)} MB, JS heap ${(m.heapUsed / 1024 / 1024).toFixed(0)} MB`);

  for (const format of process.env.XLSX === '0' ? ['csv'] : ['csv', 'xlsx']) {
    let rows = 0;
    async function* cells(): AsyncGenerator<Cell[]> {
      const now = new Date();
      for await (const r of allReports(ctx.db, () => listWhere(viewer, {}, ctx.config.cityTimezone))) {
        rows++;
        yield EXPORT_COLUMNS.map((c) => c.value(r, names, now));
      }
    }
    let bytes = 0;
    let peakRss = 0;
    let peakHeap = 0;
    let writes = 0;
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        // Sampled: memoryUsage() walks the heap's spaces and is not free.
        if (writes++ % 50 === 0) {
          const m = process.memoryUsage();
          peakRss = Math.max(peakRss, m.rss);
          peakHeap = Math.max(peakHeap, m.heapUsed);
        }
        done();
      },
    });
    const started = performance.now();
    await pipeline(format === 'csv' ? csvStream(EXPORT_COLUMNS, cells()) : xlsxStream(EXPORT_COLUMNS, cells()), sink);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `${format.toUpperCase().padEnd(5)} ${rows.toLocaleString('en')} rows in ${seconds.toFixed(1)} s = ${(rows / seconds).toFixed(0)} rows/s, ${(bytes / 1024 / 1024).toFixed(0)} MB written, ` +
        `peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MB (goal < 200 MB), peak JS heap ${(peakHeap / 1024 / 1024).toFixed(0)} MB`,
    );
  }
} finally {
  await city.drop();
}

import { z } from 'zod';
import { errors } from '../../platform/errors.js';
import { errorSchema, type HttpApp } from '../../platform/http.js';
import { instant } from '../../platform/input.js';
import {
  agencyFiguresSchema,
  figuresSchema,
  kecamatanFiguresSchema,
  reportClusterSchema,
  statsWindowSchema,
  trendDaySchema,
  type ReportStats,
  type StatsWindow,
} from '../reports/index.js';
import { commandPolicy } from './policy.js';

const windowQuery = z.object({
  from: instant().optional(),
  to: instant().optional(),
  days: z.coerce.number().int().min(1).max(3660).optional(),
});

function windowOf(q: z.infer<typeof windowQuery>): StatsWindow {
  const to = q.to ? new Date(q.to) : new Date();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - (q.days ?? 30) * 86400_000);
  if (from > to) throw errors.badRequest('window_invalid', { id: 'Tanggal awal harus sebelum tanggal akhir.', en: 'The start must be before the end.' }, { field: 'from' });
  return { from, to };
}

/** GET /api/v1/stats/*: the command center's figures, league tables, trend and map (ReportStats computes them). */
export function statsRoutes(app: HttpApp, stats: ReportStats, timezone: string): void {
  const tags = ['stats'];
  const errs = { 400: errorSchema, 401: errorSchema, 403: errorSchema };
  const present = (w: StatsWindow) => ({ from: w.from.toISOString(), to: w.to.toISOString() });

  app.get(
    '/api/v1/stats/summary',
    { schema: { tags, summary: 'KPIs over a window (default: the last 30 days plus everything still open)', querystring: windowQuery, response: { 200: z.object({ window: statsWindowSchema, figures: figuresSchema }), ...errs } } },
    async (request) => {
      const p = commandPolicy.authorize(request.principal, 'stats.read');
      const w = windowOf(request.query);
      return { window: present(w), figures: await stats.summary(p, w) };
    },
  );
  app.get(
    '/api/v1/stats/agencies',
    { schema: { tags, summary: 'The same figures per OPD (league table)', querystring: windowQuery, response: { 200: z.object({ window: statsWindowSchema, rows: z.array(agencyFiguresSchema) }), ...errs } } },
    async (request) => {
      const p = commandPolicy.authorize(request.principal, 'stats.read');
      const w = windowOf(request.query);
      return { window: present(w), rows: await stats.byAgency(p, w) };
    },
  );
  app.get(
    '/api/v1/stats/kecamatan',
    { schema: { tags, summary: 'The same figures per kecamatan', querystring: windowQuery, response: { 200: z.object({ window: statsWindowSchema, rows: z.array(kecamatanFiguresSchema) }), ...errs } } },
    async (request) => {
      const p = commandPolicy.authorize(request.principal, 'stats.read');
      const w = windowOf(request.query);
      return { window: present(w), rows: await stats.byKecamatan(p, w) };
    },
  );
  app.get(
    '/api/v1/stats/trend',
    {
      schema: {
        tags,
        summary: 'Reports submitted, resolved and (of those submitted) escalated per day of the city’s calendar',
        querystring: windowQuery,
        response: { 200: z.object({ window: statsWindowSchema, days: z.array(trendDaySchema) }), ...errs },
      },
    },
    async (request) => {
      const p = commandPolicy.authorize(request.principal, 'stats.read');
      const w = windowOf(request.query);
      return { window: present(w), days: await stats.trend(p, w, timezone) };
    },
  );
  app.get(
    '/api/v1/stats/map',
    {
      schema: {
        tags,
        summary: 'Reports in a bounding box, clustered on the server by zoom level',
        querystring: windowQuery.extend({
          bbox: z
            .string()
            .regex(/^-?[\d.]+,-?[\d.]+,-?[\d.]+,-?[\d.]+$/, 'west,south,east,north')
            .transform((s) => s.split(',').map(Number) as [number, number, number, number]),
          zoom: z.coerce.number().int().min(0).max(22).default(13),
        }),
        response: {
          200: z.object({
            window: statsWindowSchema,
            clusters: z.array(reportClusterSchema),
          }),
          ...errs,
        },
      },
    },
    async (request) => {
      const p = commandPolicy.authorize(request.principal, 'stats.read');
      const w = windowOf(request.query);
      return { window: present(w), clusters: await stats.map(p, w, request.query.bbox, request.query.zoom) };
    },
  );
}

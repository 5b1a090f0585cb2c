import { z } from 'zod';
import { errorSchema, type HttpApp } from '../../platform/http.js';
import { calendarDate } from '../../platform/input.js';
import { reportsPolicy } from './policy.js';
import { categoryInputSchema } from './categories.js';
import { categoryViewSchema, holidaySchema } from './schema.js';
import type { ReportsService } from './service.js';

/** What the admin configures for reports: the categories (read by everyone filing) and the holidays that deadlines skip. */
export function reportAdminRoutes(app: HttpApp, reports: ReportsService): void {
  const tags = ['reports'];
  const errs = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 413: errorSchema, 415: errorSchema, 422: errorSchema };

  app.get(
    '/api/v1/report-categories',
    { schema: { tags, summary: 'Report categories (active ones; admins may ask for all)', querystring: z.object({ all: z.enum(['true', 'false']).optional() }), response: { 200: z.object({ categories: z.array(categoryViewSchema) }), 400: errorSchema } } },
    async (request) => {
      const all = request.query.all === 'true' && request.principal?.role === 'admin';
      return { categories: await reports.categories.list({ includeInactive: all }) };
    },
  );
  app.post(
    '/api/v1/report-categories',
    { schema: { tags, summary: 'Add a category (admin)', body: categoryInputSchema, response: { 201: z.object({ category: categoryViewSchema }), ...errs } } },
    async (request, reply) => {
      const p = reportsPolicy.authorize(request.principal, 'categories.write');
      const category = await reports.categories.create(request.body, { id: p.userId, label: p.role });
      reports.names.invalidate();
      return reply.status(201).send({ category });
    },
  );
  app.patch(
    '/api/v1/report-categories/:code',
    {
      schema: { tags, summary: 'Change a category (admin)', params: z.object({ code: z.string().max(40) }), body: categoryInputSchema.omit({ code: true }).partial(), response: { 200: z.object({ category: categoryViewSchema }), ...errs } },
    },
    async (request) => {
      const p = reportsPolicy.authorize(request.principal, 'categories.write');
      const category = await reports.categories.update(request.params.code, request.body, { id: p.userId, label: p.role });
      reports.names.invalidate();
      return { category };
    },
  );

  app.get(
    '/api/v1/holidays',
    { schema: { tags, summary: 'Holidays and cuti bersama that deadlines skip', querystring: z.object({ year: z.coerce.number().int().min(2000).max(2100).optional() }), response: { 200: z.object({ holidays: z.array(holidaySchema) }), 400: errorSchema } } },
    async (request) => ({ holidays: await reports.holidays.list(request.query.year) }),
  );
  app.put(
    '/api/v1/holidays/:date',
    {
      schema: {
        tags,
        summary: 'Set or correct a holiday or cuti bersama day (admin)',
        params: z.object({ date: calendarDate() }),
        body: z.object({ name: z.string().trim().min(2).max(200), kind: z.enum(['public', 'cuti_bersama']) }),
        response: { 200: z.object({ holiday: holidaySchema }), ...errs },
      },
    },
    async (request) => {
      const p = reportsPolicy.authorize(request.principal, 'holidays.write');
      return { holiday: await reports.holidays.set({ date: request.params.date, ...request.body }, { id: p.userId, label: p.role }) };
    },
  );
  app.delete(
    '/api/v1/holidays/:date',
    { schema: { tags, summary: 'Remove a holiday (admin)', params: z.object({ date: calendarDate() }), response: { 204: z.null(), ...errs } } },
    async (request, reply) => {
      const p = reportsPolicy.authorize(request.principal, 'holidays.write');
      await reports.holidays.remove(request.params.date, { id: p.userId, label: p.role });
      return reply.status(204).send(null);
    },
  );
}

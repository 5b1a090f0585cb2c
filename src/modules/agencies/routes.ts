import { z } from 'zod';
import { errors } from '../../platform/errors.js';
import { errorSchema, requestMeta, type HttpApp } from '../../platform/http.js';
import { agenciesPolicy } from './policy.js';
import { agencySchema } from './schema.js';
import { agencyInputSchema, type AgenciesService } from './service.js';

export function agencyRoutes(app: HttpApp, agencies: AgenciesService): void {
  const tags = ['agencies'];
  const errs = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };
  app.get('/api/v1/agencies', { schema: { tags, summary: 'OPDs and external agencies', response: { 200: z.object({ agencies: z.array(agencySchema) }) } } }, async () => ({
    agencies: await agencies.list(),
  }));
  app.get(
    '/api/v1/agencies/:code',
    { schema: { tags, summary: 'One agency', params: z.object({ code: z.string().max(40) }), response: { 200: z.object({ agency: agencySchema }), ...errs } } },
    async (request) => {
      const agency = await agencies.get(request.params.code);
      if (!agency) throw errors.notFound({ id: 'Instansi', en: 'Agency' });
      return { agency };
    },
  );
  app.post('/api/v1/agencies', { schema: { tags, summary: 'Add an agency (admin)', body: agencyInputSchema, response: { 201: z.object({ agency: agencySchema }), ...errs } } }, async (request, reply) => {
    const principal = agenciesPolicy.authorize(request.principal, 'agencies.write');
    await agencies.create(request.body, { id: principal.userId, label: principal.role });
    return reply.status(201).send({ agency: (await agencies.get(request.body.code))! });
  });
  app.patch(
    '/api/v1/agencies/:code',
    {
      schema: { tags, summary: 'Change an agency (admin)', params: z.object({ code: z.string().max(40) }), body: agencyInputSchema.omit({ code: true }).partial(), response: { 200: z.object({ agency: agencySchema }), ...errs } },
    },
    async (request) => {
      const principal = agenciesPolicy.authorize(request.principal, 'agencies.write');
      return { agency: await agencies.update(request.params.code, request.body, { id: principal.userId, label: principal.role }, requestMeta(request).ip) };
    },
  );
}

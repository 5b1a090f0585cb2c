import { z } from 'zod';
import { sendEncoded } from '../../platform/encoded.js';
import { errors } from '../../platform/errors.js';
import type { HttpApp } from '../../platform/http.js';
import { authorize } from '../identity/policy.js';
import { errorSchema } from '../identity/schema.js';
import { boundaryImportResultSchema, regionNodeSchema } from './schema.js';
import type { RegionsService } from './service.js';

export function regionRoutes(app: HttpApp, regions: RegionsService): void {
  const tags = ['regions'];
  const errs = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 422: errorSchema };

  app.get('/api/v1/regions', { schema: { tags, summary: "The city's kecamatan and kelurahan/desa as a tree (Kemendagri codes)", response: { 200: z.object({ region: regionNodeSchema }), ...errs } } }, async () => {
    const region = await regions.tree();
    if (!region) throw errors.notFound({ id: 'Wilayah kota', en: 'The city region' });
    return { region };
  });

  app.get(
    '/api/v1/regions/boundaries.geojson',
    {
      schema: {
        tags,
        summary: 'Kelurahan boundaries as a GeoJSON FeatureCollection; `approximate` marks generated (non-official) shapes',
        description: 'Sent brotli- or gzip-compressed when the client accepts it, with an ETag (If-None-Match gives 304).',
      },
    },
    async (request, reply) => sendEncoded(request, reply, await regions.boundariesDocument()),
  );

  app.get(
    '/api/v1/regions/locate',
    {
      schema: {
        tags,
        summary: 'The kelurahan/desa containing a point',
        querystring: z.object({ lat: z.coerce.number().min(-90).max(90), lng: z.coerce.number().min(-180).max(180) }),
        response: { 200: z.object({ code: z.string(), name: z.string(), districtCode: z.string(), approximate: z.boolean() }), ...errs },
      },
    },
    async (request) => {
      const hit = await regions.locate(request.query.lat, request.query.lng);
      if (!hit) {
        throw errors.notFound({ id: 'Kelurahan pada titik ini', en: 'A kelurahan at this point' });
      }
      return hit;
    },
  );

  app.post(
    '/api/v1/regions/boundaries',
    {
      // Official boundary files are large; only an admin's upload is read at all.
      bodyLimit: 64 * 1024 * 1024,
      config: { authorizeBeforeBody: 'regions.import' },
      schema: {
        tags,
        summary: 'Import kelurahan boundaries from a GeoJSON FeatureCollection (admin); all or nothing',
        querystring: z.object({ codeProperty: z.string().max(40).optional() }),
        body: z.object({ type: z.literal('FeatureCollection'), features: z.array(z.unknown()) }).passthrough(),
        response: {
          200: boundaryImportResultSchema,
          ...errs,
        },
      },
    },
    async (request) => {
      authorize(request.principal, 'regions.import');
      return regions.importBoundaries({ geojson: request.body }, { codeProperty: request.query.codeProperty, source: 'api upload' });
    },
  );
}

import type { Readable } from 'node:stream';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sendEncoded } from '../../platform/encoded.js';
import { errors } from '../../platform/errors.js';
import { bodyTooLarge } from './geojson-stream.js';
import { errorSchema, type HttpApp } from '../../platform/http.js';
import { regionsPolicy } from './policy.js';
import { boundaryImportResultSchema, regionNodeSchema } from './schema.js';
import type { RegionsService } from './service.js';

const BOUNDARY_UPLOAD_MAX_BYTES = 64 * 1024 * 1024;

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

  // Official boundary files are large: only an admin's upload is read at all, and it is read as a
  // stream, feature by feature (geojson-stream.ts), never held whole.
  void app.register(async (upload) => {
    upload.removeAllContentTypeParsers();
    upload.addContentTypeParser(['application/json', 'application/geo+json'], (_request, payload, done) => done(null, payload));
    upload.post(
      '/api/v1/regions/boundaries',
      {
        config: { authorizeBeforeBody: (principal) => regionsPolicy.authorize(principal, 'regions.import') },
        // The body is a stream here; its schema is for the OpenAPI document (the import checks it).
        validatorCompiler: (route) => (route.httpPart === 'body' ? (value: unknown) => ({ value }) : validatorCompiler(route as never)),
        schema: {
          tags,
          summary: 'Import kelurahan boundaries from a GeoJSON FeatureCollection (admin); all or nothing',
          description: `Read as a stream, feature by feature; at most ${BOUNDARY_UPLOAD_MAX_BYTES / 1024 / 1024} MB.`,
          querystring: z.object({ codeProperty: z.string().max(40).optional() }),
          body: z.object({ type: z.literal('FeatureCollection'), features: z.array(z.unknown()) }).passthrough(),
          response: {
            200: boundaryImportResultSchema,
            ...errs,
            413: errorSchema,
          },
        },
      },
      async (request) => {
        // A declared length over the limit is refused before reading; an undeclared one is counted as it streams.
        if (Number(request.headers['content-length'] ?? 0) > BOUNDARY_UPLOAD_MAX_BYTES) throw bodyTooLarge();
        return regions.importBoundaries(
          { stream: request.body as unknown as Readable, maxBytes: BOUNDARY_UPLOAD_MAX_BYTES },
          { codeProperty: (request.query as { codeProperty?: string }).codeProperty, source: 'api upload' },
        );
      },
    );
  });
}

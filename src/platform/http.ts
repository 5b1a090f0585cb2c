import fs from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, languageOf, type Language, type LocalisedText } from './errors.js';
import { rejectUnstorableInput } from './input.js';
import { formBodyTransform, formBodyTransformObject } from './multipart.js';
import type { Logger } from './logger.js';
import { securityHeaders } from './security-headers.js';
import { webShellLoader } from './web-shell.js';

declare module 'fastify' {
  interface FastifyRequest {
    lang: Language;
  }
}

export type HttpApp = FastifyInstance<any, any, any, Logger, ZodTypeProvider>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The body of every error answer (see AppError): a stable code, a message for people, details for programs. */
export const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
});
export type ApiErrorBody = z.infer<typeof errorSchema>;

/** Who sent a request, as far as the audit trail and the attempt counters need to know. */
export interface RequestMeta {
  ip?: string | undefined;
  userAgent?: string | undefined;
  /** The client's `sk_device` cookie: a random id naming the browser or app, not the person. */
  device?: string | undefined;
}

/** The request's address and user agent (the device is added where a login reads its cookie). */
export function requestMeta(request: FastifyRequest): RequestMeta {
  return { ip: request.ip, userAgent: request.headers['user-agent'] };
}

export interface HttpOptions {
  logger: Logger;
  trustProxy: boolean | string | number;
  tls?: { cert: string; key: string } | undefined;
  webDistDir?: string | undefined;
  version: string;
  cityName: string;
  /** Public data the web app would otherwise ask the API for first (the city), inlined in its HTML. */
  webBoot?: (() => Promise<Record<string, unknown>>) | undefined;
  /** For the security headers: HSTS when it is https. */
  publicUrl?: string | undefined;
  /** For the Content-Security-Policy: the map tiles' server. */
  mapTileUrl?: string | undefined;
}

/** Fastify's own refusals of a request, worded for people. */
export const FRAMEWORK_ERRORS: Record<string, { code: string; text: LocalisedText }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'body_too_large', text: { id: 'Data yang dikirim terlalu besar.', en: 'The request body is too large.' } },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid_json', text: { id: 'Data yang dikirim bukan JSON yang valid.', en: 'The request body is not valid JSON.' } },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'invalid_json', text: { id: 'Data JSON yang dikirim kosong.', en: 'The JSON request body is empty.' } },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported_media_type', text: { id: 'Jenis data yang dikirim tidak didukung.', en: 'This content type is not supported.' } },
};

const API_DOCS_PREFIX = '/api/docs';

/** Paths that belong to APIs: they answer JSON errors, never the web app. */
const API_PREFIXES = ['/api/', '/open311/', '/health'];

export async function createHttpApp(options: HttpOptions): Promise<HttpApp> {
  const app = Fastify({
    loggerInstance: options.logger,
    // Fastify accepts a hop count too, though its types do not say so.
    trustProxy: options.trustProxy as boolean | string,
    ...(options.tls ? { https: { cert: fs.readFileSync(options.tls.cert), key: fs.readFileSync(options.tls.key) } } : {}),
    routerOptions: { ignoreTrailingSlash: true },
    // JSON bodies of this API are small; a route that takes more says so (boundaries, photos).
    bodyLimit: 256 * 1024,
    // Refusals before a route is chosen (a malformed or overlong path) in the API's error shape too.
    frameworkErrors: (error, request, reply) => {
      const lang = languageOf(request.headers['accept-language']);
      const tooLong = error.statusCode === 414;
      const text = tooLong ? { id: 'Alamat terlalu panjang.', en: 'The address is too long.' } : { id: 'Alamat tidak valid.', en: 'The address is not valid.' };
      void (reply as FastifyReply).status(error.statusCode ?? 400).send({ error: { code: tooLong ? 'url_too_long' : 'url_invalid', message: text[lang] } });
    },
  }).withTypeProvider<ZodTypeProvider>() as unknown as HttpApp;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('lang', 'id');
  app.addHook('onRequest', async (request) => {
    request.lang = languageOf(request.headers['accept-language']);
  });
  // NUL and broken Unicode in any parameter or body field: a 400 here, not a database error later.
  app.addHook('preValidation', rejectUnstorableInput);
  const headerOptions = { publicUrl: options.publicUrl, mapTileUrl: options.mapTileUrl };
  const headers = securityHeaders(headerOptions);
  // onSend runs for every answer, errors and 404s included (not for the hijacked live stream, which is no page).
  const docsHeaders = securityHeaders(headerOptions, true);
  app.addHook('onSend', async (request, reply) => {
    reply.headers(request.url.startsWith(API_DOCS_PREFIX) ? docsHeaders : headers);
  });

  app.setErrorHandler((error, request, reply) => {
    const lang = request.lang ?? 'id';
    if (error instanceof AppError) {
      if (error.headers) reply.headers(error.headers);
      return reply.status(error.status).send({ error: { code: error.code, message: error.text[lang], ...(error.details ? { details: error.details } : {}) } });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation.map((v) => ({
        field: [v.instancePath.replace(/^\//, '').replace(/\//g, '.'), (v.params as { missingProperty?: string })?.missingProperty].filter(Boolean).join('.') || error.validationContext,
        message: v.message ?? 'invalid',
      }));
      const first = issues[0];
      return reply.status(400).send({
        error: {
          code: 'validation_failed',
          message:
            lang === 'id'
              ? `Data yang dikirim tidak valid${first ? ` (${first.field}: ${first.message})` : ''}.`
              : `The request is not valid${first ? ` (${first.field}: ${first.message})` : ''}.`,
          details: { issues, ...(first ? { field: first.field } : {}) },
        },
      });
    }
    const e = error as { statusCode?: number; code?: string; message?: string };
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      const known = e.code ? FRAMEWORK_ERRORS[e.code] : undefined;
      return reply.status(e.statusCode).send({
        error: known ? { code: known.code, message: known.text[lang] } : { code: (e.code ?? 'bad_request').replace(/^FST_ERR_/, '').toLowerCase(), message: e.message ?? 'Bad request' },
      });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send({
      error: {
        code: 'internal',
        message: lang === 'id' ? 'Terjadi kesalahan pada server. Silakan coba lagi.' : 'Something went wrong on the server. Please try again.',
      },
    });
  });

  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: `SatuKota API — ${options.cityName}`,
        version: options.version,
        description:
          'The JSON API of SatuKota. Errors are `{"error":{"code","message","details"}}`; messages follow Accept-Language (id default, en). ' +
          'Browser sessions use the `sk_session` cookie and need the `X-CSRF-Token` header on writes; API clients use `Authorization: Bearer <token>` from POST /api/v1/auth/token.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'sk_session' },
        },
      },
    },
    transform: formBodyTransform,
    transformObject: formBodyTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: API_DOCS_PREFIX });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const web = options.webDistDir;
  const webShell = web ? webShellLoader(web) : () => null;
  if (web && webShell()) {
    await app.register(fastifyStatic, {
      root: web,
      wildcard: false,
      index: false,
      // preCompressed: the build writes .br/.gz beside each asset (web/vite.config.ts).
      preCompressed: true,
      // index.html is only ever sent as the shell below (with its hints and boot data).
      allowedPath: (p) => p !== '/index.html',
      maxAge: '1h',
      setHeaders: (reply, file) => {
        // Hashed names never change content: a phone keeps them for good. The service worker script is
        // checked on every visit so that a new release reaches installed apps.
        if (path.relative(web, file).startsWith(`assets${path.sep}`)) reply.header('cache-control', 'public, max-age=31536000, immutable');
        else if (path.basename(file) === 'sw.js') reply.header('cache-control', 'no-cache');
      },
    });
  }
  app.setNotFoundHandler(async (request, reply) => {
    const url = request.url.split('?')[0] ?? '/';
    const isApi = API_PREFIXES.some((p) => url.startsWith(p) || url === p.replace(/\/$/, ''));
    const shell = !isApi && (request.method === 'GET' || request.method === 'HEAD') ? webShell() : null;
    if (shell) {
      // Client-side routes (/masuk, /akun …) are all served by the single-page app. Never cached: it names
      // the current release's assets.
      // Without it (database down) the app asks the API itself, as in development.
      const boot = (await options.webBoot?.().catch((err: unknown) => void request.log.warn({ err }, 'web boot data'))) ?? {};
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(shell.render(url === '/index.html' ? '/' : url, boot));
    }
    return reply.status(404).send({
      error: {
        code: 'not_found',
        message: request.lang === 'en' ? `No route ${request.method} ${url}.` : `Alamat ${request.method} ${url} tidak ditemukan.`,
      },
    });
  });
  return app;
}

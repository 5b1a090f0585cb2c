import fastifyMultipart from '@fastify/multipart';
import type { SwaggerTransformObject } from '@fastify/swagger';
import type { FastifyRequest } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from './errors.js';
import type { HttpApp } from './http.js';
import { assertStorableText } from './input.js';

export interface FormFile {
  field: string;
  filename: string;
  data: Buffer;
}

export interface FormLimits {
  maxFiles: number;
  maxFileBytes: number;
}

export async function registerMultipart(app: HttpApp): Promise<void> {
  // Limits are set per request by readForm; these are only the outer bounds.
  await app.register(fastifyMultipart, { limits: { fields: 100, fieldSize: 100_000, parts: 120 } });
}

/**
 * Reads a multipart form into fields and file buffers, within the limits. Fields given more than
 * once become arrays. Errors become 4xx a person understands, never a 500.
 */
export async function readForm(request: FastifyRequest, limits: FormLimits): Promise<{ fields: Record<string, string | string[]>; files: FormFile[] }> {
  const fields: Record<string, string | string[]> = {};
  const files: FormFile[] = [];
  try {
    for await (const part of request.parts({ limits: { files: limits.maxFiles, fileSize: limits.maxFileBytes } })) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        if (data.length > 0) files.push({ field: part.fieldname, filename: part.filename, data });
      } else {
        const value = String(part.value);
        assertStorableText({ [part.fieldname]: value }, part.fieldname);
        const prev = fields[part.fieldname];
        fields[part.fieldname] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
      }
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') {
      const mb = Math.round(limits.maxFileBytes / 1024 / 1024);
      throw new AppError(413, 'photo_too_large', { id: `Ukuran foto maksimal ${mb} MB.`, en: `A photo may be at most ${mb} MB.` });
    }
    if (code === 'FST_FILES_LIMIT') {
      throw new AppError(413, 'too_many_photos', { id: `Maksimal ${limits.maxFiles} foto.`, en: `At most ${limits.maxFiles} photos.` });
    }
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
      throw new AppError(413, 'form_too_large', { id: 'Isian formulir terlalu banyak.', en: 'The form has too many fields.' });
    }
    if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE' || code === 'FST_PROTO_VIOLATION') throw error;
    throw new AppError(400, 'form_unreadable', { id: 'Formulir yang dikirim tidak dapat dibaca. Coba kirim ulang.', en: 'The form could not be read. Try sending it again.' });
  }
  return { fields, files };
}

/** A zod failure outside Fastify's own validation, in the same 400 shape. */
export function validationFailed(error: z.ZodError): AppError {
  const issues = error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
  const first = issues[0];
  const where = first ? ` (${first.field}: ${first.message})` : '';
  return new AppError(400, 'validation_failed', { id: `Data yang dikirim tidak valid${where}.`, en: `The request is not valid${where}.` }, { issues, ...(first ? { field: first.field } : {}) });
}

export function parseWith<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationFailed(result.error);
  return result.data;
}

// --- bodies that come as JSON or as a form with files ---------------------------------------------

/** The files a form takes: one field, with the limits and types that are enforced and documented. */
export interface FormFiles {
  field: string;
  maxFiles: number;
  maxFileBytes: number;
  types: readonly string[];
}

/**
 * A body that comes as JSON, or as multipart/form-data with the same fields as text plus files. Its one
 * zod schema validates both (readFormBody) and documents both (`schema.formBody` on the route, turned
 * into the OpenAPI requestBody by formBodyTransform). The body is optional when `{}` is valid.
 */
export interface FormBody<T extends z.ZodType = z.ZodType> {
  fields: T;
  files: FormFiles;
}

/** An object field: a JSON body holds the object, a form its JSON text. */
export const formObject = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value; // refused by the schema as text where an object belongs
    }
  }, schema);

declare module 'fastify' {
  interface FastifySchema {
    /** A JSON-or-multipart body the handler reads with readFormBody (Fastify does not validate it). */
    formBody?: FormBody;
  }
}

function isMultipart(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
}

export async function readFormBody<T extends z.ZodType>(request: FastifyRequest, spec: FormBody<T>): Promise<{ fields: z.infer<T>; files: Buffer[] }> {
  if (!isMultipart(request)) return { fields: parseWith(spec.fields, request.body ?? {}), files: [] };
  const form = await readForm(request, { maxFiles: spec.files.maxFiles, maxFileBytes: spec.files.maxFileBytes });
  // A file under another name would otherwise be dropped without a word.
  const stray = form.files.find((f) => f.field !== spec.files.field);
  if (stray) {
    throw new AppError(
      400,
      'form_unexpected_file',
      { id: `Berkas dikirim dalam isian "${stray.field}"; gunakan "${spec.files.field}".`, en: `A file was sent as "${stray.field}"; use "${spec.files.field}".` },
      { field: stray.field },
    );
  }
  return { fields: parseWith(spec.fields, form.fields), files: form.files.map((f) => f.data) };
}

type SwaggerTransform = typeof jsonSchemaTransform;
const OPTIONAL_BODY = 'x-satukota-optional-body';

/** The OpenAPI transform: zod schemas as usual, and a route's formBody as a JSON and a multipart requestBody. */
export const formBodyTransform: SwaggerTransform = (document) => {
  const out = jsonSchemaTransform(document);
  const spec = (out.schema as { formBody?: FormBody } | undefined)?.formBody;
  if (!spec) return out;
  const { formBody: _spec, ...schema } = out.schema as Record<string, unknown>;
  const fields = (jsonSchemaTransform({ ...document, schema: { body: spec.fields } }).schema as { body: Record<string, unknown> }).body;
  const { field, maxFiles, maxFileBytes, types } = spec.files;
  const file = { type: 'string', format: 'binary', description: `${types.join(', ')}; at most ${Math.round(maxFileBytes / 1024 / 1024)} MB` };
  const form = {
    ...fields,
    description: 'The same fields as text (an object as its JSON text), and the files.',
    properties: { ...(fields.properties as object), [field]: maxFiles > 1 ? { type: 'array', items: file, maxItems: maxFiles } : file },
  };
  return {
    url: out.url,
    schema: {
      ...schema,
      body: { content: { 'application/json': { schema: fields }, 'multipart/form-data': { schema: form } } },
      ...(spec.fields.safeParse({}).success ? { [OPTIONAL_BODY]: true } : {}),
    },
  };
};

/**
 * The named zod schemas (`.meta({ id })`, such as the recursive region tree) as components, which the
 * operations refer to; and, as @fastify/swagger marks every body required, a formBody whose fields may
 * all be left out marked optional.
 */
export const formBodyTransformObject: SwaggerTransformObject = (document) => {
  if (!('openapiObject' in document)) return document.swaggerObject;
  const openapiObject = jsonSchemaTransformObject(document) as typeof document.openapiObject;
  for (const operations of Object.values(openapiObject.paths ?? {})) {
    for (const operation of Object.values(operations ?? {}) as Record<string, unknown>[]) {
      if (!operation?.[OPTIONAL_BODY]) continue;
      delete operation[OPTIONAL_BODY];
      (operation.requestBody as { required: boolean }).required = false;
    }
  }
  return openapiObject;
};

/**
 * A response that is a file (a photo, a CSV), documented by its media types. Fastify sends a stream or
 * buffer as it is; the schema only describes it.
 */
export const fileResponse = (description: string, types: readonly string[]) => ({
  description,
  content: Object.fromEntries(types.map((type) => [type, { schema: z.any() }])),
});

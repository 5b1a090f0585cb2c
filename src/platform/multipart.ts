import fastifyMultipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from './errors.js';
import type { HttpApp } from './http.js';

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
        const prev = fields[part.fieldname];
        fields[part.fieldname] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
      }
    }
  } catch (error) {
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

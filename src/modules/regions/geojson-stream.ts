import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { JSONParser } from '@streamparser/json-node';
import { AppError, errors } from '../../platform/errors.js';
import { FRAMEWORK_ERRORS } from '../../platform/http.js';

/**
 * Reads a GeoJSON FeatureCollection from a stream one feature at a time: a national boundary file
 * of 64 MB is never held whole, only the features the caller keeps (a city's few dozen kelurahan).
 */
export interface CollectionHeader {
  type: unknown;
  approximate: unknown;
}

/** The same refusal as Fastify's own body limit, for a body this route reads itself. */
export const bodyTooLarge = () => new AppError(413, 'body_too_large', FRAMEWORK_ERRORS.FST_ERR_CTP_BODY_TOO_LARGE!.text);

export async function readFeatureCollection(source: Readable, onFeature: (feature: unknown, index: number) => void, options: { maxBytes?: number; name?: string } = {}): Promise<CollectionHeader> {
  const header: CollectionHeader = { type: undefined, approximate: undefined };
  let index = 0;
  const parser = new JSONParser({ paths: ['$.type', '$.approximate', '$.features.*'], keepStack: false });
  parser.on('data', ({ value, key, stack }: { value: unknown; key: string | number | undefined; stack: unknown[] }) => {
    // The top-level members come with an empty stack; features with [root, features array].
    if (stack.length === 1 && key === 'type') header.type = value;
    else if (stack.length === 1 && key === 'approximate') header.approximate = value;
    else onFeature(value, index++);
  });
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (options.maxBytes !== undefined && bytes > options.maxBytes) done(bodyTooLarge());
      else done(null, chunk);
    },
  });
  try {
    await pipeline(source, limit, parser);
  } catch (error) {
    if (error instanceof AppError) throw error;
    const what = options.name ? `Berkas ${options.name}` : 'Data yang dikirim';
    const whatEn = options.name ? `The file ${options.name}` : 'The upload';
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EACCES') {
      throw errors.badRequest('file_unreadable', { id: `${what} tidak dapat dibaca.`, en: `${whatEn} cannot be read.` });
    }
    throw errors.badRequest('geojson_invalid', { id: `${what} bukan JSON yang valid.`, en: `${whatEn} is not valid JSON.` });
  }
  return header;
}

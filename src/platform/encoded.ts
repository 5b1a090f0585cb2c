// A large, rarely changing API document (the boundaries GeoJSON) serialised and compressed once, then
// served with the encoding the client accepts and an ETag, so that a phone on a slow connection downloads
// it compressed, and only when it changed.
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

export interface EncodedDocument {
  type: string;
  etag: string;
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
}

/** Serialises `body` as JSON and compresses it; `previous` is reused when the content is the same. */
export async function encodeJson(body: unknown, type: string, previous?: EncodedDocument): Promise<EncodedDocument> {
  const identity = Buffer.from(JSON.stringify(body));
  const etag = `"${createHash('sha256').update(identity).digest('base64url').slice(0, 32)}"`;
  if (previous?.etag === etag && previous.type === type) return previous;
  const [gz, br] = await Promise.all([
    gzip(identity, { level: 9 }),
    brotli(identity, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
  ]);
  return { type, etag, identity, gzip: gz, br };
}

/** The best encoding the Accept-Encoding header allows (br, then gzip), honouring q=0. */
export function acceptedEncoding(header: string | undefined): 'br' | 'gzip' | null {
  const allowed = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) allowed.add(name);
  }
  if (allowed.has('br')) return 'br';
  if (allowed.has('gzip')) return 'gzip';
  return null;
}

/** Sends the document: 304 when the client has it, otherwise the best encoding it accepts. */
export function sendEncoded(request: FastifyRequest, reply: FastifyReply, doc: EncodedDocument): FastifyReply {
  reply.header('etag', doc.etag).header('vary', 'accept-encoding').header('cache-control', 'no-cache');
  const known = request.headers['if-none-match'];
  if (known && known.split(',').some((tag) => tag.trim().replace(/^W\//, '') === doc.etag)) return reply.code(304).send();
  const encoding = acceptedEncoding(request.headers['accept-encoding']);
  reply.type(doc.type);
  if (encoding) reply.header('content-encoding', encoding);
  return reply.send(encoding ? doc[encoding] : doc.identity);
}

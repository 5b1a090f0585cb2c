import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { acceptedEncoding, encodeJson } from './encoded.js';

describe('acceptedEncoding', () => {
  it.each([
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip', 'gzip'],
    ['GZIP;q=0.5, identity', 'gzip'],
    ['br;q=0, gzip;q=0.8', 'gzip'],
    ['br;q=0.0, gzip;q=0', null],
    ['identity', null],
    ['', null],
    [undefined, null],
  ] as const)('%s → %s', (header, expected) => {
    expect(acceptedEncoding(header)).toBe(expected);
  });
});

describe('encodeJson', () => {
  it('compresses both ways to the same JSON and reuses the previous encoding when nothing changed', async () => {
    const body = { features: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `Kelurahan ${i}`, coordinates: [106.05 + i / 1000, -6.01] })) };
    const doc = await encodeJson(body, 'application/json');
    expect(JSON.parse(zlib.gunzipSync(doc.gzip).toString())).toEqual(body);
    expect(JSON.parse(zlib.brotliDecompressSync(doc.br).toString())).toEqual(body);
    expect(doc.br.length).toBeLessThan(doc.identity.length / 3);
    expect(await encodeJson(structuredClone(body), 'application/json', doc)).toBe(doc);
    const changed = await encodeJson({ ...body, note: 'baru' }, 'application/json', doc);
    expect(changed.etag).not.toBe(doc.etag);
  });
});

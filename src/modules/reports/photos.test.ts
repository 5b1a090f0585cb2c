import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.js';
import { PHOTO_MAX_BYTES, processPhoto, sniffImageType } from './photos.js';

const canvas = (width: number, height: number, channels: 3 | 4 = 3) =>
  sharp({ create: { width, height, channels, background: { r: 200, g: 60, b: 40, alpha: 1 } } });

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('sniffImageType', () => {
  it('goes by magic bytes only', async () => {
    expect(sniffImageType(await canvas(2, 2).jpeg().toBuffer())).toBe('image/jpeg');
    expect(sniffImageType(await canvas(2, 2).png().toBuffer())).toBe('image/png');
    expect(sniffImageType(await canvas(2, 2).webp().toBuffer())).toBe('image/webp');
    expect(sniffImageType(await canvas(2, 2).gif().toBuffer())).toBeUndefined();
    expect(sniffImageType(Buffer.from('%PDF-1.7\n'))).toBeUndefined();
    expect(sniffImageType(Buffer.from('RIFF\0\0\0\0WAVEfmt '))).toBeUndefined();
    expect(sniffImageType(Buffer.from([0xff, 0xd8]))).toBeUndefined();
    expect(sniffImageType(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('processPhoto', () => {
  it('strips EXIF (including GPS) and XMP from a JPEG', async () => {
    const input = await canvas(640, 480)
      .jpeg()
      .withExif({
        IFD0: { Make: 'Samsung', Model: 'Galaxy A14', Artist: 'Siti Rahmawati' },
        IFD3: {
          GPSLatitudeRef: 'S',
          GPSLatitude: '6/1 10/1 2500/100',
          GPSLongitudeRef: 'E',
          GPSLongitude: '106/1 49/1 3000/100',
        },
      })
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>')
      .toBuffer();
    const before = await sharp(input).metadata();
    expect(before.exif?.includes('Siti Rahmawati')).toBe(true);
    expect(before.xmp).toBeDefined();

    const photo = await processPhoto(input);
    expect(photo).toMatchObject({ contentType: 'image/jpeg', extension: 'jpg', width: 640, height: 480 });
    expect(photo.sha256).toBe(createHash('sha256').update(photo.data).digest('hex'));
    const after = await sharp(photo.data).metadata();
    expect(after.format).toBe('jpeg');
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.iptc).toBeUndefined();
    expect(photo.data.includes('Siti Rahmawati')).toBe(false);
  });

  it('applies the EXIF orientation before dropping it', async () => {
    const input = await canvas(400, 300).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect((await sharp(input).metadata()).orientation).toBe(6);
    const photo = await processPhoto(input);
    expect([photo.width, photo.height]).toEqual([300, 400]);
    const after = await sharp(photo.data).metadata();
    expect([after.width, after.height, after.orientation]).toEqual([300, 400, undefined]);
  });

  it('scales the longest side down to 2048 px and makes a WebP thumbnail within 320×320', async () => {
    const photo = await processPhoto(await canvas(4000, 3000).jpeg().toBuffer());
    expect([photo.width, photo.height]).toEqual([2048, 1536]);
    const thumbnail = await sharp(photo.thumbnail).metadata();
    expect(thumbnail.format).toBe('webp');
    expect([thumbnail.width, thumbnail.height]).toEqual([320, 240]);
    expect(thumbnail.exif).toBeUndefined();
  });

  it('never enlarges a small photo or its thumbnail', async () => {
    const photo = await processPhoto(await canvas(200, 100).jpeg().toBuffer());
    expect([photo.width, photo.height]).toEqual([200, 100]);
    const thumbnail = await sharp(photo.thumbnail).metadata();
    expect([thumbnail.width, thumbnail.height]).toEqual([200, 100]);
  });

  it('accepts PNG (keeping transparency) and WebP in their own format', async () => {
    const png = await processPhoto(await canvas(300, 500, 4).png().toBuffer());
    expect(png).toMatchObject({ contentType: 'image/png', extension: 'png', width: 300, height: 500 });
    expect(await sharp(png.data).metadata()).toMatchObject({ format: 'png', hasAlpha: true });

    const webp = await processPhoto(await canvas(3000, 1000).webp().toBuffer());
    expect(webp).toMatchObject({ contentType: 'image/webp', extension: 'webp', width: 2048, height: 683 });
    expect((await sharp(webp.data).metadata()).format).toBe('webp');
    expect((await sharp(webp.thumbnail).metadata()).width).toBe(320);
  });

  it('rejects GIF and anything else that is not JPEG, PNG or WebP with 415', async () => {
    const inputs = [
      await canvas(10, 10).gif().toBuffer(),
      Buffer.from('<!doctype html><html><body>bukan foto</body></html>'), // e.g. uploaded as "jalan.jpg"
      Buffer.from('%PDF-1.7\n%âãÏÓ\n'),
      Buffer.alloc(0),
    ];
    for (const input of inputs) {
      const error = await rejection(processPhoto(input));
      expect(error).toMatchObject({ status: 415, code: 'photo_type_unsupported' });
      expect(error.text.id).toBe('Foto harus berformat JPEG, PNG, atau WebP.');
    }
  });

  it('rejects a truncated JPEG and a corrupt PNG with 422', async () => {
    const jpeg = await canvas(400, 300).jpeg().toBuffer();
    const png = await canvas(400, 300).png().toBuffer();
    for (const input of [jpeg.subarray(0, jpeg.length / 2), png.subarray(0, png.length - 20), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])]) {
      expect(await rejection(processPhoto(input))).toMatchObject({ status: 422, code: 'photo_unreadable' });
    }
  });

  it('rejects a photo larger than the limit with 413, stating the limit', async () => {
    const input = Buffer.alloc(PHOTO_MAX_BYTES + 1);
    input.set([0xff, 0xd8, 0xff, 0xe0]);
    const error = await rejection(processPhoto(input));
    expect(error).toMatchObject({ status: 413, code: 'photo_too_large' });
    expect(error.text.id).toContain('10 MB');
  });

  it('refuses to decode a decompression bomb', async () => {
    // A small JPEG whose header claims 20000×20000 pixels: rejected from the header, before decoding.
    const input = Buffer.from(await canvas(16, 16).jpeg().toBuffer());
    const sof = input.indexOf(Buffer.from([0xff, 0xc0]));
    expect(sof).toBeGreaterThan(0);
    input.writeUInt16BE(20_000, sof + 5);
    input.writeUInt16BE(20_000, sof + 7);
    expect(await rejection(processPhoto(input))).toMatchObject({ status: 422, code: 'photo_too_large_dimensions' });
  });
});

import { createHash, randomUUID } from 'node:crypto';
import { localDate } from '../../platform/calendar/calendar.js';
import type { Database, Queryable } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { FileStore } from '../../platform/files.js';
import { beginUpload, completeUpload, discardUpload } from '../../platform/uploads.js';
import type { PhotoRow } from './repository.js';

/**
 * One photo attached to a citizen report: checked by content, cleaned of all metadata (EXIF GPS
 * would reveal where the citizen lives), kept upright, scaled down and re-encoded, plus a thumbnail;
 * then stored in the file store (PhotoStore).
 */

export const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
/** Longest side of the stored photo. */
export const PHOTO_MAX_SIDE = 2048;
export const THUMBNAIL_MAX_SIDE = 320;
/** Refuse to decode more pixels than this (decompression bombs); phone cameras stay well below. */
export const PHOTO_MAX_PIXELS = 50_000_000;

export type PhotoContentType = 'image/jpeg' | 'image/png' | 'image/webp';

export interface ProcessedPhoto {
  contentType: PhotoContentType;
  extension: 'jpg' | 'png' | 'webp';
  data: Buffer;
  width: number;
  height: number;
  /** image/webp, fits within 320×320. */
  thumbnail: Buffer;
  /** Hex SHA-256 of `data`. */
  sha256: string;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The image type by magic bytes only; the filename and the declared type are never trusted. */
export function sniffImageType(head: Buffer): PhotoContentType | undefined {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 8 && head.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png';
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') {
    return 'image/webp';
  }
  return undefined;
}

const FORMATS = {
  'image/jpeg': { extension: 'jpg', sharpFormat: 'jpeg' },
  'image/png': { extension: 'png', sharpFormat: 'png' },
  'image/webp': { extension: 'webp', sharpFormat: 'webp' },
} as const;

/** The photo types a form takes (checked by their bytes, not by what the client says). */
export const PHOTO_TYPES = Object.keys(FORMATS) as PhotoContentType[];

const maxMegabytes = PHOTO_MAX_BYTES / (1024 * 1024);

export async function processPhoto(input: Buffer): Promise<ProcessedPhoto> {
  if (input.length > PHOTO_MAX_BYTES) {
    throw new AppError(
      413,
      'photo_too_large',
      { id: `Ukuran foto maksimal ${maxMegabytes} MB.`, en: `A photo may be at most ${maxMegabytes} MB.` },
      { maxBytes: PHOTO_MAX_BYTES },
    );
  }
  const contentType = sniffImageType(input);
  if (!contentType) {
    throw new AppError(415, 'photo_type_unsupported', {
      id: 'Foto harus berformat JPEG, PNG, atau WebP.',
      en: 'The photo must be a JPEG, PNG or WebP image.',
    });
  }
  const { extension, sharpFormat } = FORMATS[contentType];
  // Loaded on the first photo: libvips is large, and many nodes never process one.
  const { default: sharp } = await import('sharp');

  try {
    // failOn 'error' rejects truncated and corrupt data but tolerates the harmless decoder warnings
    // that many phone cameras produce (the default, 'warning', would turn those citizens away).
    // No withMetadata/keep*: sharp then writes no EXIF, XMP or IPTC and converts to sRGB without
    // embedding a profile. rotate() first applies the EXIF orientation that is about to be dropped.
    const pipeline = sharp(input, { limitInputPixels: PHOTO_MAX_PIXELS, failOn: 'error' })
      .rotate()
      .resize({ width: PHOTO_MAX_SIDE, height: PHOTO_MAX_SIDE, fit: 'inside', withoutEnlargement: true });
    // libjpeg-turbo, not mozjpeg: mozjpeg saves ~10 % of bytes at several times the CPU per photo.
    if (sharpFormat === 'jpeg') pipeline.jpeg({ quality: 82 });
    else if (sharpFormat === 'png') pipeline.png({ compressionLevel: 6 });
    else pipeline.webp({ quality: 80 });
    const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });

    const thumbnail = await sharp(data)
      .resize({ width: THUMBNAIL_MAX_SIDE, height: THUMBNAIL_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 75 })
      .toBuffer();

    return {
      contentType,
      extension,
      data,
      width: info.width,
      height: info.height,
      thumbnail,
      sha256: createHash('sha256').update(data).digest('hex'),
    };
  } catch (error) {
    if (error instanceof Error && /exceeds pixel limit/i.test(error.message)) {
      throw new AppError(
        422,
        'photo_too_large_dimensions',
        {
          id: `Resolusi foto terlalu besar (maksimal ${PHOTO_MAX_PIXELS / 1_000_000} megapiksel).`,
          en: `The photo's resolution is too large (at most ${PHOTO_MAX_PIXELS / 1_000_000} megapixels).`,
        },
        { maxPixels: PHOTO_MAX_PIXELS },
      );
    }
    throw new AppError(422, 'photo_unreadable', {
      id: 'Foto tidak dapat dibaca; berkasnya mungkin rusak atau tidak lengkap. Silakan unggah ulang.',
      en: 'The photo cannot be read; the file may be damaged or incomplete. Please upload it again.',
    });
  }
}

/** A processed photo and where its files are kept. */
export interface StoredPhoto {
  id: string;
  fileKey: string;
  thumbKey: string;
  photo: ProcessedPhoto;
}

/** Every file a set of stored photos wrote. */
const photoKeys = (stored: { fileKey: string; thumbKey: string }[]) => stored.flatMap((s) => [s.fileKey, s.thumbKey]);

/**
 * Reports' photos in the file store. They are written before the report's transaction, under upload
 * intents that the transaction completes (src/platform/uploads.ts): the transaction stays short, and a
 * crash in between leaves no orphan file for good.
 */
export class PhotoStore {
  constructor(
    private readonly db: Database,
    private readonly files: FileStore,
    private readonly timezone: string,
  ) {}

  async store(reportId: string, photos: ProcessedPhoto[]): Promise<StoredPhoto[]> {
    const month = localDate(new Date(), this.timezone).slice(0, 7).replace('-', '/');
    const stored = photos.map((photo) => {
      const id = randomUUID();
      return { id, fileKey: `reports/${month}/${reportId}/${id}.${photo.extension}`, thumbKey: `reports/${month}/${reportId}/${id}.thumb.webp`, photo };
    });
    await beginUpload(this.db, photoKeys(stored));
    try {
      for (const entry of stored) {
        await this.files.put(entry.fileKey, entry.photo.data, entry.photo.contentType);
        await this.files.put(entry.thumbKey, entry.photo.thumbnail, 'image/webp');
      }
    } catch (error) {
      await this.discard(stored);
      throw error;
    }
    return stored;
  }

  /** Inside the transaction that stores the rows referring to them: once it commits, the files are kept. */
  async keep(tx: Queryable, stored: StoredPhoto[]): Promise<void> {
    await completeUpload(tx, photoKeys(stored));
  }

  /** The transaction failed: the files go now; what this leaves behind, the sweep removes. */
  async discard(stored: { fileKey: string; thumbKey: string }[]): Promise<void> {
    await discardUpload(this.db, this.files, photoKeys(stored)).catch(() => undefined);
  }

  async read(photo: Pick<PhotoRow, 'file_key' | 'thumb_key'>, size: 'full' | 'thumb') {
    return this.files.get(size === 'thumb' ? photo.thumb_key : photo.file_key);
  }
}

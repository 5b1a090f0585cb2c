// The report being written, kept in IndexedDB (photos as Blobs) so that a reload, a closed tab or a
// lost connection loses nothing; `queued` marks a report the citizen sent while offline.
import { del, get, set } from 'idb-keyval';
import type { LatLng } from './MapView';

export type Privacy = 'public' | 'confidential' | 'anonymous';

export interface Draft {
  categoryCode: string;
  description: string;
  answers: Record<string, string | string[]>;
  pin: LatLng | null;
  kelurahanCode: string;
  kelurahanName: string;
  address: string;
  privacy: Privacy;
  photos: Blob[];
  /** one key per report: a retry (or the offline queue) never files it twice */
  idempotencyKey: string;
  queued: boolean;
}

const KEY = 'satukota:citizen:draft';

export function newDraft(): Draft {
  return {
    categoryCode: '',
    description: '',
    answers: {},
    pin: null,
    kelurahanCode: '',
    kelurahanName: '',
    address: '',
    privacy: 'public',
    photos: [],
    idempotencyKey: crypto.randomUUID(),
    queued: false,
  };
}

export async function loadDraft(): Promise<Draft | null> {
  try {
    const d = await get<Draft>(KEY);
    return d && typeof d.idempotencyKey === 'string' ? { ...newDraft(), ...d } : null;
  } catch {
    return null;
  }
}

export async function saveDraft(d: Draft): Promise<void> {
  try {
    await set(KEY, d);
  } catch {
    /* private mode without IndexedDB: the draft lives only in memory */
  }
}

export async function clearDraft(): Promise<void> {
  try {
    await del(KEY);
  } catch {
    /* nothing to clear */
  }
}

export function isEmpty(d: Draft): boolean {
  return !d.categoryCode && !d.description && !d.pin && !d.kelurahanCode && !d.address && d.photos.length === 0;
}

/** A photo made at most 1600 px on its long side, JPEG quality 0.8, before it leaves the phone. */
export async function compressPhoto(file: Blob): Promise<Blob> {
  try {
    const bmp = await createImageBitmap(file);
    const scale = Math.min(1, 1600 / Math.max(bmp.width, bmp.height));
    const w = Math.max(1, Math.round(bmp.width * scale));
    const h = Math.max(1, Math.round(bmp.height * scale));
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext('2d');
    if (!ctx) return file;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    ctx.drawImage(bmp, 0, 0, w, h);
    bmp.close();
    const out = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.8));
    return out ?? file;
  } catch {
    return file;
  }
}

/** The draft as the multipart body of POST /api/v1/reports. */
export function toForm(d: Draft, datetimeCodes: string[] = []): FormData {
  const f = new FormData();
  f.set('categoryCode', d.categoryCode);
  f.set('description', d.description.trim());
  if (d.pin) {
    f.set('lat', d.pin.lat.toFixed(6));
    f.set('lng', d.pin.lng.toFixed(6));
  }
  if (d.kelurahanCode) f.set('kelurahanCode', d.kelurahanCode);
  if (d.address.trim()) f.set('address', d.address.trim());
  const answers = Object.fromEntries(
    Object.entries(d.answers)
      .filter(([, v]) => (Array.isArray(v) ? v.length > 0 : v !== ''))
      // a datetime-local value is the phone's local time: send it as an instant
      .map(([k, v]) => [k, datetimeCodes.includes(k) && typeof v === 'string' && !Number.isNaN(new Date(v).getTime()) ? new Date(v).toISOString() : v]),
  );
  f.set('answers', JSON.stringify(answers));
  f.set('privacy', d.privacy);
  d.photos.forEach((p, i) => f.append('photos', p, `foto-${i + 1}.jpg`));
  return f;
}

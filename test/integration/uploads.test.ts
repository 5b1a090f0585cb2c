import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { beginUpload, completeUpload, sweepUploads, UPLOAD_GRACE_MS } from '../../src/platform/uploads.js';
import { asSession, describeEachDatabase, login, startHarness, type Harness, type Session } from '../support/harness.js';
import { RAMANUJU } from '../support/places.js';

/**
 * Upload intents: a report's photos are written before its transaction, under intents committed first;
 * the transaction completes them; the sweep deletes the files of intents that never completed (the
 * request died in between) once they are past the grace period. crash.test.ts kills a real server there.
 */
describeEachDatabase('upload intents', (kind) => {
  let h: Harness;
  let citizen: Session;
  beforeAll(async () => {
    h = await startHarness(kind);
    citizen = await login(h.app, '3672011708900001');
  });
  afterAll(async () => h?.close());

  const intents = async () => (await h.db.query<{ file_key: string }>('select file_key from upload_intents order by file_key')).map((r) => r.file_key);
  /** Makes every intent look `ms` old. */
  const age = (ms: number) => h.db.query(`update upload_intents set created_at = now() - make_interval(secs => $1)`, [ms / 1000]);
  const orphan = async (name: string) => {
    const key = `reports/2026/01/${name}.jpg`;
    await beginUpload(h.db, [key]);
    await h.ctx.files.put(key, Buffer.from('not committed'), 'image/jpeg');
    return key;
  };

  it('leaves no intent behind a report that committed, and the sweep keeps its photos', async () => {
    const form = new FormData();
    for (const [k, v] of Object.entries({ categoryCode: 'sampah', description: 'Sampah di selokan depan rumah.', lat: String(RAMANUJU.lat), lng: String(RAMANUJU.lng) })) form.append(k, v);
    const jpeg = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#964' } }).jpeg().toBuffer();
    form.append('photos', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'foto.jpg');
    const body = new Response(form);
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { ...asSession(citizen), 'content-type': body.headers.get('content-type')! },
      payload: Buffer.from(await body.arrayBuffer()),
    });
    expect(res.statusCode, res.body).toBe(201);
    const photo = await h.db.one<{ file_key: string; thumb_key: string }>('select file_key, thumb_key from report_photos where report_id = $1', [res.json().report.id]);
    expect(await intents()).toEqual([]);
    await age(2 * UPLOAD_GRACE_MS);
    await sweepUploads(h.db, h.ctx.files);
    for (const key of [photo.file_key, photo.thumb_key]) expect(await h.ctx.files.exists(key), key).toBe(true);
  });

  it('deletes the file of an intent that never completed once it is past the grace period, not before', async () => {
    const key = await orphan('a0000000-0000-4000-8000-000000000001');
    expect(await sweepUploads(h.db, h.ctx.files)).toBe(0);
    expect(await h.ctx.files.exists(key)).toBe(true);
    await age(UPLOAD_GRACE_MS + 60_000);
    expect(await sweepUploads(h.db, h.ctx.files)).toBe(1);
    expect(await h.ctx.files.exists(key)).toBe(false);
    expect(await intents()).toEqual([]);
  });

  it('refuses to complete an upload the sweep already removed, so that no row points at a deleted file', async () => {
    const key = await orphan('a0000000-0000-4000-8000-000000000002');
    await age(2 * UPLOAD_GRACE_MS);
    await sweepUploads(h.db, h.ctx.files);
    await expect(h.db.transaction((tx) => completeUpload(tx, [key]))).rejects.toThrow(/swept/);
  });
});

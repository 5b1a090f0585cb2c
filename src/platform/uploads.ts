import type { Database, Queryable } from './db.js';
import type { FileStore } from './files.js';

/**
 * Upload intents: files written before the transaction that refers to them (so that the transaction
 * stays short) are recorded first, committed on their own; the transaction that commits the rows
 * referring to them completes the intents; `sweepUploads` deletes the files of intents never completed,
 * once they are older than a grace period. A crash between the file and the transaction thus leaves
 * no orphan behind for good, though the file store cannot list its files.
 */
export const UPLOAD_SWEEP_JOB = 'files.sweep_uploads';
/** Far longer than any request takes between writing its files and committing. */
export const UPLOAD_GRACE_MS = 60 * 60_000;
export const UPLOAD_SWEEP_EVERY_MS = 10 * 60_000;

const SWEEP_BATCH = 200;

/** Before the files are written: commits at once, outside any transaction of the caller. */
export async function beginUpload(db: Queryable, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.query('insert into upload_intents (file_key) select unnest($1::text[])', [keys]);
}

/**
 * Inside the transaction that stores what refers to the files: once it commits, they are kept. Fails
 * when the sweep already took them (a request stalled past the grace period), so that the transaction
 * does not commit rows pointing at deleted files.
 */
export async function completeUpload(tx: Queryable, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  const done = await tx.query('delete from upload_intents where file_key = any($1::text[]) returning file_key', [keys]);
  if (done.length !== new Set(keys).size) throw new Error(`upload intents of ${keys.length - done.length} file(s) were swept before the upload completed`);
}

/** The files are not wanted after all (the transaction failed): deleted now rather than at the sweep. */
export async function discardUpload(db: Queryable, files: FileStore, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  for (const key of keys) await files.delete(key);
  await db.query('delete from upload_intents where file_key = any($1::text[])', [keys]);
}

/**
 * The job: deletes the files of intents older than `graceMs` and then the intents. Rows are locked while
 * their files are deleted, so a second node skips them; a crash in between deletes them again next time.
 * Returns how many intents it cleared.
 */
export async function sweepUploads(db: Database, files: FileStore, graceMs = UPLOAD_GRACE_MS): Promise<number> {
  let removed = 0;
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const rows = await tx.query<{ file_key: string }>(
        `select file_key from upload_intents where created_at < now() - make_interval(secs => $1)
         order by created_at limit $2 for update skip locked`,
        [graceMs / 1000, SWEEP_BATCH],
      );
      for (const r of rows) await files.delete(r.file_key);
      if (rows.length > 0) await tx.query('delete from upload_intents where file_key = any($1::text[])', [rows.map((r) => r.file_key)]);
      return rows.length;
    });
    removed += batch;
    if (batch < SWEEP_BATCH) return removed;
  }
}

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config.js';
import type { CommandIO } from '../control.js';
import { SECRET_KEY_FILE } from '../crypto.js';
import type { Database } from '../db.js';
import type { FileStore } from '../files.js';
import { ContainerWriter } from './container.js';
import { readSequences, readTables, tableChunks, TEXT_FORM_SETTINGS } from './database.js';
import { BackupError, fsyncDirectory, megabytes } from './errors.js';
import { checkNewPassphrase } from './passphrase.js';
import { writeRecord, writeStreamedRecord, type BackupKeys, type ManifestRecord } from './records.js';

/**
 * `satukota backup <file>`: the database, the files and the keys that decrypt the personal data, in
 * one file encrypted with a passphrase (backup/container.ts says how). Runs wherever the other
 * database commands run: inside the server through its control socket when a server holds a PGlite
 * DATA_DIR (a consistent snapshot while it keeps serving), or in the CLI process.
 *
 * The database part is read in one REPEATABLE READ, READ ONLY transaction: one snapshot of every
 * table. With PostgreSQL the server goes on serving meanwhile on its other connections; PGlite has one
 * connection, so requests that need the database wait until that part is read (bench/backup.ts gives
 * the rate). Files are copied after the snapshot: a file that the snapshot refers to existed when it
 * was taken (uploads are stored before the transaction that refers to them commits), and files are
 * never rewritten in place, so files added later are at worst unreferenced extras in the backup.
 */
export interface BackupSource {
  config: Config;
  db: Database;
  files: FileStore;
  version: string;
}

export interface BackupSummary {
  file: string;
  tables: number;
  rows: number;
  files: number;
  fileBytes: number;
  bytes: number;
  seconds: { database: number; files: number; total: number };
}

/** The secret the installation runs with: SATUKOTA_SECRET_KEY, else DATA_DIR/secret.key (PGlite). */
export function installationKeys(config: Config): BackupKeys {
  if (config.secretKey) return { secret: config.secretKey, previousSecrets: config.previousSecretKeys };
  const file = path.join(config.dataDir, SECRET_KEY_FILE);
  if (!fs.existsSync(file)) throw new BackupError(`No SATUKOTA_SECRET_KEY and no ${file}: there are no keys to back up.`);
  return { secret: fs.readFileSync(file, 'utf8').trim(), previousSecrets: config.previousSecretKeys };
}

/**
 * Writes the backup to a temporary file beside `file` and renames it into place once complete and
 * synced: a backup under its final name is always whole. An existing file is replaced only with `force`.
 */
export async function createBackup(source: BackupSource, options: { file: string; passphrase: string; force?: boolean }, io: CommandIO): Promise<BackupSummary> {
  checkNewPassphrase(options.passphrase);
  const file = path.resolve(options.file);
  const dir = path.dirname(file);
  if (!fs.existsSync(dir)) throw new BackupError(`The directory ${dir} does not exist.`);
  if (fs.existsSync(file) && !options.force) throw new BackupError(`${file} exists; give another name, or --force to replace it.`);
  const keys = installationKeys(source.config);
  const started = performance.now();
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.partial`);
  const handle = await fs.promises.open(temp, 'wx', 0o600);
  try {
    const out = await ContainerWriter.create(handle, options.passphrase);
    const rows: Record<string, number> = {};
    let tableCount = 0;
    await source.db.transaction(async (tx) => {
      // The first statement of the transaction: the snapshot every range below reads.
      await tx.query('set transaction isolation level repeatable read, read only');
      for (const statement of TEXT_FORM_SETTINGS) await tx.query(statement);
      // Each range must be read by a TID range scan: a sequential scan per range would read a large
      // table once per range. (The planner prefers a sequential scan only for tables of a few pages.)
      await tx.query('set local enable_seqscan = off');
      const tables = await readTables(tx);
      tableCount = tables.length;
      const migrations = await tx.query<{ version: string; name: string; checksum: string }>('select version, name, checksum from schema_migrations order by version');
      const manifest: ManifestRecord = {
        type: 'manifest',
        format: 1,
        createdAt: new Date().toISOString(),
        satukotaVersion: source.version,
        database: source.db.kind,
        cityCode: source.config.cityCode,
        migrations,
        tables: tables.map((t) => ({ name: t.name, columns: t.columns })),
      };
      await writeRecord(out, manifest);
      const keyBytes = Buffer.from(JSON.stringify(keys), 'utf8');
      await writeRecord(out, { type: 'keys', size: keyBytes.length }, keyBytes);
      io.progress.start(tables.length, 'Database tables');
      for (const [i, table] of tables.entries()) {
        rows[table.name] = 0;
        for await (const chunk of tableChunks(tx, table)) {
          await writeRecord(out, { type: 'table', table: table.name, rows: chunk.rows, size: chunk.data.length }, chunk.data);
          rows[table.name]! += chunk.rows;
        }
        io.progress.update(i + 1);
      }
      io.progress.stop();
      await writeRecord(out, { type: 'sequences', sequences: await readSequences(tx) });
    });
    const databaseDone = performance.now();

    let listed = 0;
    for await (const _ of source.files.list()) listed++;
    io.progress.start(listed, 'Files');
    let files = 0;
    let fileBytes = 0;
    for await (const { key } of source.files.list()) {
      const stored = await source.files.get(key);
      if (!stored) continue; // deleted since it was listed
      await writeStreamedRecord(out, { type: 'file', key, size: stored.size }, stored.stream);
      files += 1;
      fileBytes += stored.size;
      io.progress.update(files);
    }
    io.progress.stop();
    await writeRecord(out, { type: 'end', rows, files, fileBytes });
    await out.finish();
    await handle.sync();
    await handle.close();
    await fs.promises.rename(temp, file);
    await fsyncDirectory(dir);
    const done = performance.now();
    const totalRows = Object.values(rows).reduce((a, b) => a + b, 0);
    const summary: BackupSummary = {
      file,
      tables: tableCount,
      rows: totalRows,
      files,
      fileBytes,
      bytes: out.bytes,
      seconds: { database: (databaseDone - started) / 1000, files: (done - databaseDone) / 1000, total: (done - started) / 1000 },
    };
    io.print(
      `Backup written to ${file}: ${summary.tables} tables, ${totalRows} rows, ${files} files (${megabytes(fileBytes)}), ` +
        `${megabytes(summary.bytes)} in ${summary.seconds.total.toFixed(1)} s (database ${summary.seconds.database.toFixed(1)} s, files ${summary.seconds.files.toFixed(1)} s). Keep the passphrase apart from the file: without it the backup cannot be read.`,
    );
    return summary;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.promises.rm(temp, { force: true });
    throw error;
  }
}

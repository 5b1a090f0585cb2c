import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ConfigError, loadConfig, type Config } from '../../config.js';
import { acquireDataDirLock, DataDirLockedError, type CommandIO } from '../control.js';
import { SECRET_KEY_FILE } from '../crypto.js';
import { openPglite, openPostgres, type Database } from '../db.js';
import { contentTypeOf, ensurePrivateDir, type FileStore } from '../files.js';
import { migrate, readMigrations } from '../migrate.js';
import { BackupReadError } from './container.js';
import { countRelations, readTables, TableLoader } from './database.js';
import { BackupError, megabytes } from './errors.js';
import { openBackup, type OpenedBackup } from './reader.js';
import type { BackupKeys, ManifestRecord } from './records.js';

/**
 * `satukota restore <file>`: reads the whole backup once to check it (passphrase, every chunk's
 * authentication, the records' counts) before touching anything, then restores into an empty target:
 * the schema built by the backup's own migrations, the rows loaded in one transaction, the files put
 * into the configured store, the keys written to DATA_DIR. Then the newer migrations of this release
 * run and the audit chain is verified, as a server would find the installation.
 *
 * With PGlite it takes the data-dir lock, so a running server must be stopped first (it serves from
 * the very files being replaced). A target that holds tables or files is refused unless `force`, which
 * empties it first.
 */
export interface RestoreOptions {
  file: string;
  passphrase: string;
  /** Empty a non-empty target (drop the database's schema, delete the files) instead of refusing. */
  force: boolean;
  /** Check the file and the passphrase only; change nothing. */
  verifyOnly: boolean;
  /** The environment the configuration is read from (readEnvironment()). */
  env: Record<string, string | undefined>;
  /** The configured file store (local disk or S3). */
  openFileStore(config: Config): Promise<FileStore>;
  /**
   * Opens the restored installation on `db` as a server would (newer migrations run), verifies its
   * audit chain, and closes `db`.
   */
  checkInstallation(config: Config, db: Database, io: CommandIO): Promise<boolean>;
}

/** Exit codes: 0 restored (or verified), 1 refused or failed, 3 restored but the audit chain does not verify. */
export async function restoreBackup(options: RestoreOptions, io: CommandIO): Promise<number> {
  const file = path.resolve(options.file);
  let touched = false;
  try {
    if (!fs.existsSync(file)) throw new BackupError(`${file} does not exist.`);
    // Pass 1: the whole file, checked and discarded.
    const checkStarted = performance.now();
    const checked = await readThrough(file, options.passphrase, async (backup) => {
      let rows = 0;
      for await (const item of backup.items) {
        if (item.type === 'table') rows += item.rows;
        else if (item.type === 'file') for await (const _ of item.body()) void _;
      }
      return rows;
    });
    const { manifest, keys } = checked.backup;
    io.print(
      `Backup of ${manifest.createdAt} (SatuKota ${manifest.satukotaVersion}, ${manifest.database}, city ${manifest.cityCode}): ` +
        `${manifest.tables.length} tables, ${checked.result} rows, ${checked.files} files (${megabytes(checked.fileBytes)}); every chunk authenticated in ${((performance.now() - checkStarted) / 1000).toFixed(1)} s.`,
    );
    if (options.verifyOnly) {
      io.print('The backup is complete and intact. Nothing was changed.');
      return 0;
    }
    const config = targetConfig(options.env, keys, manifest);
    const migrations = migrationsFor(manifest);
    const lock = config.database.kind === 'pglite' ? lockDataDir(config) : undefined;
    try {
      const files = await options.openFileStore(config);
      await prepareEmptyTarget(config, files, keys, options.force, io);
      touched = true;
      const db = await openTarget(config);
      let handedOver = false;
      try {
        // The backup's own migrations only: its rows fit that schema; newer ones run after loading.
        await migrate(db, migrations);
        const { result: seconds } = await readThrough(file, options.passphrase, (backup) => restoreContents(backup, db, files, { rows: checked.result, files: checked.files }, io));
        writeKeys(config, options.env, keys, io);
        io.print(`Restored ${checked.result} rows in ${seconds.database.toFixed(1)} s and ${checked.files} files in ${seconds.files.toFixed(1)} s.`);
        // Still under the lock: no server opens the installation before this check has.
        handedOver = true;
        return (await options.checkInstallation(config, db, io)) ? 0 : 3;
      } finally {
        if (!handedOver) await db.close();
      }
    } finally {
      lock?.release();
    }
  } catch (error) {
    if (error instanceof BackupReadError) {
      // Only a file changed between the check and the restore gets here once the target was touched.
      io.error(`${error.message} ${touched ? 'The target is partly restored: restore a good backup with --force.' : 'Nothing was restored.'}`);
      return 1;
    }
    if (error instanceof BackupError || error instanceof ConfigError) {
      io.error(error.message);
      return 1;
    }
    throw error;
  }
}

async function readThrough<T>(file: string, passphrase: string, fn: (backup: OpenedBackup) => Promise<T>) {
  const backup = await openBackup(file, passphrase);
  try {
    let files = 0;
    let fileBytes = 0;
    const counted: OpenedBackup = {
      ...backup,
      items: (async function* () {
        for await (const item of backup.items) {
          if (item.type === 'file') {
            files += 1;
            fileBytes += item.size;
          }
          yield item;
        }
      })(),
    };
    const result = await fn(counted);
    return { backup, result, files, fileBytes };
  } finally {
    backup.close();
  }
}

/**
 * The configuration of the target, with the backup's key where the environment sets none (PostgreSQL
 * needs one to start). A different key in the environment is refused: the restored personal data,
 * blind indexes and audit chain are readable with the backup's key only.
 */
function targetConfig(env: Record<string, string | undefined>, keys: BackupKeys, manifest: ManifestRecord): Config {
  const configured = env.SATUKOTA_SECRET_KEY;
  if (configured && configured !== keys.secret) {
    throw new BackupError(
      'SATUKOTA_SECRET_KEY in this environment is not the key of the backup: the restored personal data and audit trail could not be read with it. ' +
        `Unset it for the restore (the backup's key is then written to DATA_DIR/${SECRET_KEY_FILE}) and give every node that key.`,
    );
  }
  let config: Config;
  try {
    config = loadConfig({ ...env, SATUKOTA_SECRET_KEY: keys.secret });
  } catch (error) {
    if (error instanceof ConfigError) throw new BackupError(error.message);
    throw error;
  }
  if (config.cityCode !== manifest.cityCode) {
    throw new BackupError(`The backup is of city ${manifest.cityCode}; this installation is configured for CITY_CODE ${config.cityCode}. Set CITY_CODE=${manifest.cityCode}.`);
  }
  return config;
}

/** This release's migrations up to the backup's: the backup's must be exactly their beginning. */
function migrationsFor(manifest: ManifestRecord) {
  const known = readMigrations();
  manifest.migrations.forEach((m, i) => {
    const mine = known[i];
    if (!mine || mine.version !== m.version) {
      throw new BackupError(`The backup's schema has migration ${m.version}_${m.name}, which this release does not know: restore it with the release that wrote it (${manifest.satukotaVersion}) or a newer one.`);
    }
    if (mine.checksum !== m.checksum) throw new BackupError(`Migration ${m.version}_${m.name} of the backup differs from this release's.`);
  });
  return known.slice(0, manifest.migrations.length);
}

function lockDataDir(config: Config) {
  try {
    return acquireDataDirLock(config.dataDir, 'cli');
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      throw new BackupError(`${error.message}. Stop the server first: a restore replaces the database it serves.`);
    }
    throw error;
  }
}

function openTarget(config: Config): Promise<Database> {
  return config.database.kind === 'pglite' ? openPglite({ dataDir: config.database.dataDir }) : openPostgres(config.database.url, { max: 2 });
}

const hasEntries = (dir: string) => fs.existsSync(dir) && fs.readdirSync(dir).length > 0;

/** Refuses a target with tables, files or another key (unless `force`, which empties it). */
async function prepareEmptyTarget(config: Config, files: FileStore, keys: BackupKeys, force: boolean, io: CommandIO): Promise<void> {
  const found: string[] = [];
  const pgliteDir = config.database.kind === 'pglite' ? config.database.dataDir : undefined;
  if (!pgliteDir || hasEntries(pgliteDir)) {
    const db = await openTarget(config);
    try {
      const relations = await countRelations(db);
      if (relations > 0) found.push(`the database has ${relations} tables and sequences`);
    } finally {
      await db.close();
    }
  }
  let fileCount = 0;
  for await (const _ of files.list()) fileCount++;
  if (fileCount > 0) found.push(`the file store has ${fileCount} files`);
  const keyFile = path.join(config.dataDir, SECRET_KEY_FILE);
  if (fs.existsSync(keyFile) && fs.readFileSync(keyFile, 'utf8').trim() !== keys.secret) found.push(`${keyFile} holds another key`);
  if (found.length === 0) return;
  if (!force) throw new BackupError(`The target is not empty: ${found.join('; ')}. Restore into an empty installation, or give --force to replace it.`);

  io.print(`--force: emptying the target (${found.join('; ')}).`);
  if (pgliteDir) fs.rmSync(pgliteDir, { recursive: true, force: true });
  else {
    const db = await openTarget(config);
    try {
      await db.exec('drop schema public cascade; create schema public');
    } finally {
      await db.close();
    }
  }
  for await (const { key } of files.list()) await files.delete(key);
}

/** Pass 2: the rows in one transaction (all or none), then the files. */
async function restoreContents(backup: OpenedBackup, db: Database, files: FileStore, totals: { rows: number; files: number }, io: CommandIO): Promise<{ database: number; files: number }> {
  const started = performance.now();
  const items = backup.items;
  let next = await items.next();
  await db.transaction(async (tx) => {
    const loader = new TableLoader(tx, await readTables(tx));
    const problems = loader.differences(backup.manifest.tables);
    if (problems.length > 0) throw new BackupError(`The schema built by the backup's migrations differs from the backup's: ${problems.join('; ')}.`);
    await loader.begin();
    io.progress.start(totals.rows, 'Database rows');
    let loaded = 0;
    for (; !next.done && next.value.type === 'table'; next = await items.next()) {
      loaded += await loader.load(next.value.table, next.value.rows, next.value.data);
      io.progress.update(loaded);
    }
    io.progress.stop();
    if (next.done || next.value.type !== 'sequences') throw new BackupReadError('damaged', 'The backup has no sequences record after its tables.');
    await loader.setSequences(next.value.sequences);
    await loader.end();
  });
  const databaseDone = performance.now();
  io.progress.start(totals.files, 'Files');
  let restored = 0;
  for (next = await items.next(); !next.done; next = await items.next()) {
    const item = next.value;
    if (item.type !== 'file') throw new BackupReadError('damaged', 'The backup has database records among its files.');
    await files.put(item.key, Readable.from(item.body()), contentTypeOf(item.key));
    io.progress.update(++restored);
  }
  io.progress.stop();
  return { database: (databaseDone - started) / 1000, files: (performance.now() - databaseDone) / 1000 };
}

/**
 * The backup's key into DATA_DIR/secret.key (0600) unless the environment gives it already — PGlite
 * reads it from there; with PostgreSQL every node's SATUKOTA_SECRET_KEY must be set to it. Previous keys
 * go to a file the operator moves into SATUKOTA_PREVIOUS_SECRET_KEYS.
 */
function writeKeys(config: Config, env: Record<string, string | undefined>, keys: BackupKeys, io: CommandIO): void {
  ensurePrivateDir(config.dataDir);
  if (!env.SATUKOTA_SECRET_KEY) {
    const keyFile = path.join(config.dataDir, SECRET_KEY_FILE);
    fs.writeFileSync(keyFile, `${keys.secret}\n`, { mode: 0o600 });
    fs.chmodSync(keyFile, 0o600);
    if (config.database.kind === 'postgresql') io.print(`The backup's key is in ${keyFile}: set SATUKOTA_SECRET_KEY to it on every node before starting them.`);
  }
  const configuredPrevious = new Set((env.SATUKOTA_PREVIOUS_SECRET_KEYS ?? '').split(',').map((s) => s.trim()));
  const missing = keys.previousSecrets.filter((s) => !configuredPrevious.has(s));
  if (missing.length > 0) {
    const file = path.join(config.dataDir, 'previous-secret-keys');
    fs.writeFileSync(file, `${keys.previousSecrets.join(',')}\n`, { mode: 0o600 });
    io.print(`The backup also holds ${keys.previousSecrets.length} previous key(s), for values not yet re-encrypted: set SATUKOTA_PREVIOUS_SECRET_KEYS to the line in ${file}.`);
  }
}

/**
 * Backup and restore of a whole installation — the database, the files and the keys that decrypt the
 * personal data — in one file encrypted with a passphrase:
 *   backup/create.ts     `satukota backup <file>`: one snapshot of the database, then the files
 *   backup/restore.ts    `satukota restore <file>`: checks the whole file, then an empty target
 *   backup/container.ts  the encrypted container (scrypt, AES-256-GCM in authenticated chunks)
 *   backup/records.ts    the records inside it; backup/reader.ts checks them as they are read
 *   backup/database.ts   tables as COPY text through plain queries, the same on PGlite and PostgreSQL
 *   backup/passphrase.ts where the passphrase comes from, and how long it must be
 */
export { BackupReadError } from './backup/container.js';
export { createBackup, installationKeys, type BackupSource, type BackupSummary } from './backup/create.js';
export { BackupError } from './backup/errors.js';
export { MIN_PASSPHRASE_LENGTH, obtainPassphrase, PassphraseError, PASSPHRASE_VARIABLE } from './backup/passphrase.js';
export { restoreBackup, type RestoreOptions } from './backup/restore.js';

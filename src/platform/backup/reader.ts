import fs from 'node:fs';
import { BackupReadError, openContainer } from './container.js';
import { readRecords, type BackupKeys, type BackupRecord, type FileRecord, type ManifestRecord, type SequencesRecord } from './records.js';

/**
 * Reads a backup file and checks, as it goes, everything that the records promise each other: the
 * order (manifest, keys, tables, sequences, files, end), that each table chunk has the rows it says
 * and belongs to a table of the manifest, and that the end record's counts match what came. The same
 * reading serves the check before a restore and the restore itself, so both refuse the same files.
 */
export type BackupItem =
  | { type: 'table'; table: string; rows: number; data: Buffer }
  | { type: 'sequences'; sequences: SequencesRecord['sequences'] }
  | { type: 'file'; key: string; size: number; body(): AsyncGenerator<Buffer> };

export interface OpenedBackup {
  manifest: ManifestRecord;
  keys: BackupKeys;
  /** The rest, checked; iterate it to its end: only then are the end record and the container's last chunk seen. */
  items: AsyncGenerator<BackupItem>;
  close(): void;
}

const malformed = (what: string) => new BackupReadError('damaged', `The backup's contents are malformed: ${what}.`);

export async function openBackup(file: string, passphrase: string): Promise<OpenedBackup> {
  const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  try {
    const records = readRecords(await openContainer(stream, passphrase));
    const first = await records.next();
    if (first.done || first.value.header.type !== 'manifest' || first.value.header.format !== 1) throw malformed('it does not begin with a manifest of format 1');
    const manifest = first.value.header;
    const second = await records.next();
    if (second.done || second.value.header.type !== 'keys') throw malformed('the keys do not follow the manifest');
    const keys = JSON.parse((await second.value.bytes()).toString('utf8')) as BackupKeys;
    if (typeof keys.secret !== 'string' || !Array.isArray(keys.previousSecrets)) throw malformed('the keys record is incomplete');
    return { manifest, keys, items: checkedItems(records, manifest), close: () => stream.destroy() };
  } catch (error) {
    stream.destroy();
    throw error;
  }
}

async function* checkedItems(records: AsyncGenerator<BackupRecord>, manifest: ManifestRecord): AsyncGenerator<BackupItem> {
  const tables = new Set(manifest.tables.map((t) => t.name));
  const rows = new Map<string, number>();
  let phase: 'tables' | 'files' | 'ended' = 'tables';
  let files = 0;
  let fileBytes = 0;
  for await (const record of records) {
    const header = record.header;
    if (phase === 'ended') throw malformed('records follow the end record');
    if (header.type === 'table') {
      if (phase !== 'tables' || !tables.has(header.table)) throw malformed(`rows of ${header.table} out of place`);
      const data = await record.bytes();
      let lines = 0;
      for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, i + 1)) lines++;
      if (lines !== header.rows || (data.length > 0 && data[data.length - 1] !== 10)) throw malformed(`a chunk of ${header.table} does not hold the ${header.rows} rows it declares`);
      rows.set(header.table, (rows.get(header.table) ?? 0) + header.rows);
      yield { type: 'table', table: header.table, rows: header.rows, data };
    } else if (header.type === 'sequences') {
      if (phase !== 'tables') throw malformed('a second sequences record');
      phase = 'files';
      yield { type: 'sequences', sequences: header.sequences };
    } else if (header.type === 'file') {
      if (phase !== 'files') throw malformed('a file before the database part ended');
      files += 1;
      fileBytes += header.size;
      const fileHeader: FileRecord = header;
      yield { type: 'file', key: fileHeader.key, size: fileHeader.size, body: record.body };
    } else if (header.type === 'end') {
      if (phase !== 'files') throw malformed('the end record comes before the sequences');
      const counted = Object.fromEntries([...rows].filter(([, n]) => n > 0));
      const declared = Object.fromEntries(Object.entries(header.rows).filter(([, n]) => n > 0));
      const sameRows = Object.keys(declared).length === Object.keys(counted).length && Object.entries(declared).every(([t, n]) => counted[t] === n);
      if (!sameRows || header.files !== files || header.fileBytes !== fileBytes) throw malformed('the end record does not match the records before it');
      phase = 'ended';
    } else {
      throw malformed(`an unexpected ${header.type} record`);
    }
  }
  if (phase !== 'ended') throw new BackupReadError('truncated', 'The backup has no end record: it was not finished when it was written.');
}

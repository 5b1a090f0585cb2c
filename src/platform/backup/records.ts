import { ByteReader } from './bytes.js';
import { BackupReadError, type ContainerWriter } from './container.js';

/**
 * Inside the container, a backup is a sequence of records: a u32 length, a JSON header of that many
 * bytes, then `size` bytes of payload. The order is fixed: manifest, keys, the tables' data (parents
 * before children), sequences, files, end. The end record repeats the counts, so a reader knows that
 * nothing between was lost even before the container's final chunk tells it.
 */
export interface ManifestRecord {
  type: 'manifest';
  /** The layout of the records (this file's), apart from the container's format. */
  format: 1;
  createdAt: string;
  satukotaVersion: string;
  database: 'pglite' | 'postgresql';
  cityCode: string;
  /** schema_migrations at the moment of the backup: the restore builds the same schema before loading. */
  migrations: { version: string; name: string; checksum: string }[];
  tables: BackupTable[];
}

export interface BackupTable {
  /** Schema-qualified, e.g. public.reports. */
  name: string;
  /** The stored (not generated) columns, in the order of the data's fields. */
  columns: { name: string; type: string }[];
}

export interface KeysRecord {
  type: 'keys';
  size: number;
}

/** What a keys record's payload holds (JSON). */
export interface BackupKeys {
  /** SATUKOTA_SECRET_KEY (or DATA_DIR/secret.key) of the installation. */
  secret: string;
  /** SATUKOTA_PREVIOUS_SECRET_KEYS: values not yet re-encrypted since a rotation need them. */
  previousSecrets: string[];
}

/** Rows of one table in PostgreSQL's COPY text format (tab-separated, \N for NULL, one row per line). */
export interface TableDataRecord {
  type: 'table';
  table: string;
  rows: number;
  size: number;
}

export interface SequencesRecord {
  type: 'sequences';
  sequences: { name: string; lastValue: string; isCalled: boolean }[];
}

export interface FileRecord {
  type: 'file';
  key: string;
  size: number;
}

export interface EndRecord {
  type: 'end';
  rows: Record<string, number>;
  files: number;
  fileBytes: number;
}

export type RecordHeader = ManifestRecord | KeysRecord | TableDataRecord | SequencesRecord | FileRecord | EndRecord;

const MAX_HEADER_BYTES = 16 << 20;

function headerBytes(header: RecordHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([length, json]);
}

const sizeOf = (header: RecordHeader): number => ('size' in header ? header.size : 0);

/** A record whose payload is in memory (or none). */
export async function writeRecord(out: ContainerWriter, header: RecordHeader, payload?: Buffer): Promise<void> {
  if ((payload?.length ?? 0) !== sizeOf(header)) throw new Error(`record ${header.type}: payload of ${payload?.length ?? 0} bytes, header says ${sizeOf(header)}`);
  await out.write(headerBytes(header));
  if (payload && payload.length > 0) await out.write(payload);
}

/**
 * A record whose payload is streamed (a file). The stream must give exactly `size` bytes: the header
 * is written first, so a file that changed size since it was measured is an error, not a broken backup.
 */
export async function writeStreamedRecord(out: ContainerWriter, header: FileRecord, payload: AsyncIterable<Buffer>): Promise<void> {
  await out.write(headerBytes(header));
  let written = 0;
  for await (const piece of payload) {
    written += piece.length;
    if (written > header.size) break;
    await out.write(piece);
  }
  if (written !== header.size) throw new Error(`file ${header.key} changed while it was backed up (${header.size} bytes expected, ${written} read)`);
}

export interface BackupRecord<H extends RecordHeader = RecordHeader> {
  header: H;
  /** The payload piece by piece; read it at most once. What is not read is skipped. */
  body(): AsyncGenerator<Buffer>;
  /** The whole payload in memory (small records and table chunks). */
  bytes(): Promise<Buffer>;
}

const damaged = (what: string) => new BackupReadError('damaged', `The backup's contents are malformed: ${what}.`);

/** The records of a container's plaintext; each record's payload must be consumed (or is skipped) before the next. */
export async function* readRecords(plaintext: AsyncIterable<Buffer>): AsyncGenerator<BackupRecord> {
  const reader = new ByteReader(plaintext);
  for (;;) {
    const length = await reader.read(4);
    if (!length) return;
    const n = length.readUInt32BE(0);
    if (n > MAX_HEADER_BYTES) throw damaged('a record header is too long');
    const json = await reader.read(n);
    if (!json) throw damaged('the last record is cut short');
    let header: RecordHeader;
    try {
      header = JSON.parse(json.toString('utf8')) as RecordHeader;
    } catch {
      throw damaged('a record header is not JSON');
    }
    let remaining = sizeOf(header);
    if (!Number.isSafeInteger(remaining) || remaining < 0) throw damaged(`record ${header.type} has an invalid size`);
    async function* body(): AsyncGenerator<Buffer> {
      while (remaining > 0) {
        const piece = await reader.readSome(Math.min(remaining, 1 << 20));
        if (!piece) throw damaged(`record ${header.type} is cut short`);
        remaining -= piece.length;
        yield piece;
      }
    }
    const bytes = async () => {
      const pieces: Buffer[] = [];
      for await (const piece of body()) pieces.push(piece);
      return Buffer.concat(pieces);
    };
    yield { header, body, bytes };
    // Skip whatever the consumer left unread.
    for await (const _ of body()) void _;
  }
}

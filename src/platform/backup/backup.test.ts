import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type Database } from '../db.js';
import { BackupReadError, ContainerWriter, openContainer } from './container.js';
import { readSequences, readTables, tableChunks, TableLoader, TEXT_FORM_SETTINGS } from './database.js';

/**
 * The two halves of a backup that the integration test cannot reach in every corner: the encrypted
 * container against every way a file can be wrong, and the COPY text round trip of awkward values.
 */
const PASSPHRASE = 'a passphrase long enough';

async function writeContainer(pieces: Buffer[], passphrase = PASSPHRASE): Promise<Buffer> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-container-')), 'c.skb');
  const handle = await fs.promises.open(file, 'w');
  // A cheap key derivation: these tests read many containers (the reader takes N from the header).
  const writer = await ContainerWriter.create(handle, passphrase, { log2N: 10, r: 8, p: 1 });
  for (const piece of pieces) await writer.write(piece);
  await writer.finish();
  await handle.close();
  const bytes = fs.readFileSync(file);
  fs.rmSync(path.dirname(file), { recursive: true });
  return bytes;
}

async function readContainer(bytes: Buffer, passphrase = PASSPHRASE): Promise<Buffer> {
  // Delivered in odd pieces, as a file stream may.
  async function* pieces() {
    for (let i = 0; i < bytes.length; i += 77_777) yield bytes.subarray(i, i + 77_777);
  }
  const out: Buffer[] = [];
  for await (const chunk of await openContainer(pieces(), passphrase)) out.push(chunk);
  return Buffer.concat(out);
}

const reason = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BackupReadError) return error.reason;
    throw error;
  }
  return 'read';
};

describe('backup container', { timeout: 30_000 }, () => {
  const MiB = 1 << 20;
  // 2.5 chunks: two full chunks and a short last one.
  const plaintext = randomBytes(2 * MiB + MiB / 2);
  let sealed: Buffer;
  beforeAll(async () => {
    sealed = await writeContainer([plaintext.subarray(0, 1000), plaintext.subarray(1000)]);
  });

  it('gives back exactly what was written, and is larger by its header and 20 bytes per chunk only', async () => {
    expect((await readContainer(sealed)).equals(plaintext)).toBe(true);
    expect(sealed.length).toBe(plaintext.length + 79 + 3 * 20);
    // Contents that end on a chunk boundary get an empty last chunk, so the end is still marked.
    const exact = randomBytes(MiB);
    expect((await readContainer(await writeContainer([exact]))).equals(exact)).toBe(true);
    expect((await readContainer(await writeContainer([]))).length).toBe(0);
  });

  it('tells a wrong passphrase from damage', async () => {
    expect(await reason(readContainer(sealed, 'another passphrase entirely'))).toBe('wrong_passphrase');
    const header = Buffer.from(sealed);
    header.writeUInt8(header.readUInt8(20) ^ 1, 20); // the salt
    expect(await reason(readContainer(header))).toBe('wrong_passphrase');
    expect(await reason(readContainer(Buffer.from('PK\u0003\u0004 not a backup at all, a zip file')))).toBe('not_a_backup');
  });

  it('refuses a file cut anywhere, a changed byte, chunks swapped or dropped, and bytes after the end', async () => {
    const chunk = 4 + MiB + 16;
    for (const length of [79, 79 + 2, 79 + chunk, 79 + chunk + 100, sealed.length - 1]) {
      expect(await reason(readContainer(sealed.subarray(0, length))), `cut at ${length}`).toBe('truncated');
    }
    const changed = Buffer.from(sealed);
    changed.writeUInt8(changed.readUInt8(79 + chunk + 500) ^ 0x80, 79 + chunk + 500);
    expect(await reason(readContainer(changed))).toBe('damaged');
    const first = sealed.subarray(79, 79 + chunk);
    const second = sealed.subarray(79 + chunk, 79 + 2 * chunk);
    const rest = sealed.subarray(79 + 2 * chunk);
    expect(await reason(readContainer(Buffer.concat([sealed.subarray(0, 79), second, first, rest])))).toBe('damaged');
    expect(await reason(readContainer(Buffer.concat([sealed.subarray(0, 79), first, rest])))).toBe('damaged');
    // Bytes after the final chunk.
    expect(await reason(readContainer(Buffer.concat([sealed, Buffer.from('more')])))).toBe('damaged');
  });
});

describe('tables as COPY text', { timeout: 60_000 }, () => {
  let source: Database;
  let target: Database;
  const ddl = `
    create table parent (id bigserial primary key, label text not null);
    create table awkward (
      id bigint generated always as identity primary key,
      parent_id bigint references parent (id),
      body text, note varchar(40), data jsonb, tags text[], raw bytea, at timestamptz, day date,
      amount numeric(12, 3), ratio double precision, flag boolean,
      doubled bigint generated always as (id * 2) stored
    );
    create table single (value text);
    create sequence numbers start 500;`;
  const awkward = [
    'back\\slash',
    'tab\there',
    'new\nline and \r carriage',
    '\\N',
    '\\\\N',
    'ends with a backslash \\',
    '\\n is not a newline',
    '',
    'Kelurahan Ramanujú — 東京 😀',
    'quote " and \' and {braces}',
  ];

  beforeAll(async () => {
    source = await openPglite();
    target = await openPglite();
    await source.exec(ddl);
    await target.exec(ddl);
    await source.query(`insert into parent (label) values ('a'), ('b')`);
    for (const [i, text] of awkward.entries()) {
      await source.query(
        `insert into awkward (parent_id, body, note, data, tags, raw, at, day, amount, ratio, flag)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [i % 2 === 0 ? 1 : null, text, text.slice(0, 40), JSON.stringify({ text, nested: [text, null, 1.5] }), [text, 'x,y', 'NULL', null], Buffer.from(text + '\0\t'), new Date(Date.UTC(2026, 10, i + 1, 3, 4, 5, 678)), `2026-11-${String(i + 1).padStart(2, '0')}`, '1234.567', i === 0 ? 0.1 + 0.2 : -1e-300, i % 3 === 0],
      );
    }
    await source.query(`insert into awkward (body) values (null)`);
    for (const text of ['', 'only', '\\N', null]) await source.query('insert into single (value) values ($1)', [text]);
    await source.query(`select nextval('numbers'), nextval('numbers')`);
  }, 120_000);
  afterAll(async () => {
    await source?.close();
    await target?.close();
  });

  it('loads into an empty copy of the schema exactly the rows and sequence values it read, generated columns recomputed', async () => {
    const chunks: { table: string; rows: number; data: Buffer }[] = [];
    let sequences: Awaited<ReturnType<typeof readSequences>> = [];
    const tables = await source.transaction(async (tx) => {
      for (const statement of TEXT_FORM_SETTINGS) await tx.query(statement);
      const found = await readTables(tx);
      for (const table of found) for await (const chunk of tableChunks(tx, table)) chunks.push({ table: table.name, ...chunk });
      sequences = await readSequences(tx);
      return found;
    });
    expect(tables.map((t) => t.name).indexOf('public.parent')).toBeLessThan(tables.map((t) => t.name).indexOf('public.awkward'));
    expect(tables.find((t) => t.name === 'public.awkward')!.columns.map((c) => c.name)).not.toContain('doubled');

    await target.query(`insert into parent (label) values ('seeded by a migration')`);
    await target.transaction(async (tx) => {
      const loader = new TableLoader(tx, await readTables(tx));
      expect(loader.differences(tables)).toEqual([]);
      await loader.begin();
      for (const c of chunks) await loader.load(c.table, c.rows, c.data);
      await loader.setSequences(sequences);
      await loader.end();
    });

    for (const query of [
      'select * from parent order by id',
      'select *, raw::text as raw_hex, at::text as at_text from awkward order by id',
      'select * from single order by value nulls first',
      `select last_value, is_called from numbers`,
      `select last_value from parent_id_seq`,
    ]) {
      expect(await target.query(query), query).toEqual(await source.query(query));
    }
    // The sequences go on where they were: the next row does not collide.
    await target.query(`insert into awkward (body) values ('after the restore')`);
  });

  it('names what differs when the target is not the same schema', async () => {
    const other = await openPglite();
    try {
      await other.exec('create table parent (id bigserial primary key, label varchar(10)); create table extra (id int)');
      const loader = new TableLoader(other, await readTables(other));
      expect(loader.differences(await readTables(source))).toEqual([
        'table public.parent has other columns',
        'table public.awkward is missing',
        'table public.single is missing',
        'table public.extra is not in the backup',
      ]);
    } finally {
      await other.close();
    }
  });
});

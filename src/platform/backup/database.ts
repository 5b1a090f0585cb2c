import type { Queryable } from '../db.js';
import type { BackupTable, SequencesRecord } from './records.js';

/**
 * The database part of a backup: every table's rows in PostgreSQL's COPY text format, read through
 * the ordinary query interface, so the same code runs on PGlite (inside a running server, on its one
 * connection) and on PostgreSQL, and a backup of either restores into either — a PGlite city that
 * grows moves to PostgreSQL by a backup and a restore. No pg_dump: it may be missing on the server,
 * must match the server's major version, and does not exist for PGlite.
 *
 * Rows are read in ranges of heap blocks (`ctid` ranges: a TID range scan, PostgreSQL 14+), so memory
 * holds one range at a time whatever the table's size, and no table needs a primary key. The caller
 * runs it in one REPEATABLE READ transaction: every range sees the same snapshot.
 */

export interface TableInfo extends BackupTable {
  oid: number;
  /** Quoted, schema-qualified name for SQL. */
  sql: string;
  /** Per column: its type's text form never holds a tab, newline, carriage return or backslash. */
  plain: boolean[];
}

const SYSTEM_SCHEMAS = `n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_(toast|temp)'`;
// Objects of extensions (pgcrypto's functions, …) are the extension's, recreated by its CREATE EXTENSION.
const NOT_EXTENSION_MEMBER = `not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')`;

export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const qualified = (schema: string, name: string) => `${quoteIdent(schema)}.${quoteIdent(name)}`;

/** Types (by oid) whose text form never holds a tab, newline, carriage return or backslash: no escaping needed. */
const PLAIN_TYPES = new Set([16, 20, 21, 23, 26, 700, 701, 1082, 1083, 1114, 1184, 1186, 1266, 1700, 2950]);

/** Session settings under which the text forms are unambiguous and the same on both sides. */
export const TEXT_FORM_SETTINGS = [
  "set local timezone = 'UTC'",
  "set local datestyle = 'ISO, YMD'",
  "set local intervalstyle = 'postgres'",
  'set local extra_float_digits = 1',
  "set local bytea_output = 'hex'",
  'set local standard_conforming_strings = on',
];

/** Every table of the installation (not the extensions'), parents before the tables that refer to them. */
export async function readTables(q: Queryable): Promise<TableInfo[]> {
  const tables = await q.query<{ oid: number; schema: string; name: string }>(
    `select c.oid::int8 as oid, n.nspname as schema, c.relname as name
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind = 'r' and ${SYSTEM_SCHEMAS} and ${NOT_EXTENSION_MEMBER}
     order by n.nspname, c.relname`,
  );
  if (tables.length === 0) return [];
  const oids = tables.map((t) => t.oid);
  const columns = await q.query<{ table: number; name: string; type: string; typeOid: number }>(
    `select a.attrelid::int8 as table, a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.atttypid::int8 as "typeOid"
     from pg_attribute a
     where a.attrelid = any($1::oid[]) and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
     order by a.attrelid, a.attnum`,
    [oids],
  );
  const references = await q.query<{ child: number; parent: number }>(
    `select conrelid::int8 as child, confrelid::int8 as parent from pg_constraint
     where contype = 'f' and conrelid = any($1::oid[]) and confrelid <> conrelid`,
    [oids],
  );
  const infos = new Map<number, TableInfo>(
    tables.map((t) => [t.oid, { oid: t.oid, name: `${t.schema}.${t.name}`, sql: qualified(t.schema, t.name), columns: [], plain: [] }]),
  );
  for (const c of columns) {
    const info = infos.get(c.table)!;
    info.columns.push({ name: c.name, type: c.type });
    info.plain.push(PLAIN_TYPES.has(c.typeOid));
  }
  return parentsFirst([...infos.values()], references);
}

/**
 * Foreign keys are checked row by row as data loads, so a table is loaded after the tables it refers
 * to. A reference to itself is fine (checked at the end of each statement). A cycle between tables
 * cannot be loaded in any order without deferrable constraints: refused, naming it.
 */
function parentsFirst<T extends { oid: number; name: string }>(tables: T[], references: { child: number; parent: number }[]): T[] {
  const byOid = new Map(tables.map((t) => [t.oid, t]));
  const parents = new Map<number, number[]>(tables.map((t) => [t.oid, []]));
  for (const r of references) if (byOid.has(r.parent)) parents.get(r.child)?.push(r.parent);
  const ordered: T[] = [];
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (oid: number, path: string[]) => {
    if (state.get(oid) === 'done') return;
    const table = byOid.get(oid)!;
    if (state.get(oid) === 'visiting') throw new Error(`tables refer to each other in a cycle (${[...path, table.name].join(' → ')}); a backup cannot order their rows`);
    state.set(oid, 'visiting');
    for (const parent of parents.get(oid)!) visit(parent, [...path, table.name]);
    state.set(oid, 'done');
    ordered.push(table);
  };
  for (const t of tables) visit(t.oid, []);
  return ordered;
}

/** How many tables and other relations the installation has: zero means an empty target. */
export async function countRelations(q: Queryable): Promise<number> {
  const row = await q.one<{ n: number }>(
    `select count(*)::int8 as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') and ${SYSTEM_SCHEMAS} and ${NOT_EXTENSION_MEMBER}`,
  );
  return row.n;
}

/** Heap blocks per range: 2 MiB of table per query keeps memory flat and queries few. */
const BLOCKS_PER_RANGE = 256;

/** concat_ws takes at most 100 arguments (FUNC_MAX_ARGS): wider rows are joined in groups. */
function joinFields(fields: string[]): string {
  if (fields.length <= 99) return String.raw`concat_ws(E'\t', ${fields.join(', ')})`;
  const groups: string[] = [];
  for (let i = 0; i < fields.length; i += 99) groups.push(joinFields(fields.slice(i, i + 99)));
  return joinFields(groups);
}

function lineExpression(table: TableInfo): string {
  const fields = table.columns.map((c, i) => {
    const value = `${quoteIdent(c.name)}::text`;
    // COPY text format: backslash, newline, carriage return and tab escaped; NULL is \N.
    const escaped = table.plain[i] ? value : String.raw`replace(replace(replace(replace(${value}, '\', '\\'), E'\n', '\n'), E'\r', '\r'), E'\t', '\t')`;
    return String.raw`coalesce(${escaped}, '\N')`;
  });
  // One concat_ws, not a chain of ||: each || would copy the line built so far.
  return joinFields(fields);
}

/**
 * The table's rows, range by range, as COPY text (each line ends with a newline); empty ranges are
 * skipped. Ranges up to the table's size when the snapshot was taken, then one open range: a row the
 * snapshot sees cannot lie beyond it, but the open range costs nothing and depends on no such reasoning.
 */
export async function* tableChunks(q: Queryable, table: TableInfo): AsyncGenerator<{ rows: number; data: Buffer }> {
  const { blocks } = await q.one<{ blocks: number }>(`select (pg_relation_size($1::oid::regclass) / current_setting('block_size')::int)::int8 as blocks`, [table.oid]);
  const select = `select count(*)::int8 as rows, string_agg(line, E'\\n') as data from (select ${lineExpression(table)} as line from ${table.sql}`;
  const ranged = `${select} where ctid >= $1::tid and ctid < $2::tid) r`;
  const open = `${select} where ctid >= $1::tid) r`;
  for (let start = 0; start <= blocks; start += BLOCKS_PER_RANGE) {
    const last = start + BLOCKS_PER_RANGE > blocks;
    const chunk = last
      ? await q.one<{ rows: number; data: string | null }>(open, [`(${start},0)`])
      : await q.one<{ rows: number; data: string | null }>(ranged, [`(${start},0)`, `(${start + BLOCKS_PER_RANGE},0)`]);
    if (chunk.rows > 0) yield { rows: chunk.rows, data: Buffer.from(`${chunk.data}\n`, 'utf8') };
  }
}

export async function readSequences(q: Queryable): Promise<SequencesRecord['sequences']> {
  const sequences = await q.query<{ schema: string; name: string }>(
    `select n.nspname as schema, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind = 'S' and ${SYSTEM_SCHEMAS} and ${NOT_EXTENSION_MEMBER} order by 1, 2`,
  );
  const out: SequencesRecord['sequences'] = [];
  for (const s of sequences) {
    const row = await q.one<{ lastValue: string; isCalled: boolean }>(`select last_value::text as "lastValue", is_called as "isCalled" from ${qualified(s.schema, s.name)}`);
    out.push({ name: `${s.schema}.${s.name}`, ...row });
  }
  return out;
}

// --- loading ------------------------------------------------------------------------------------

/**
 * One field of COPY text back to its text form, in SQL: \N is NULL; otherwise the field is split at
 * escaped backslashes (\\, taken from the left as a reader of escapes would), the pieces' \n, \r and \t
 * unescaped, and the pieces joined with a plain backslash. Exactly the inverse of lineExpression.
 */
function fieldExpression(index: number, plain: boolean): string {
  const f = `f[${index}]`;
  if (plain) return String.raw`nullif(${f}, '\N')`;
  const unescaped = String.raw`(select string_agg(replace(replace(replace(p, '\n', E'\n'), '\r', E'\r'), '\t', E'\t'), '\' order by o) from string_to_table(${f}, '\\') with ordinality as x(p, o))`;
  return String.raw`case when ${f} = '\N' then null when strpos(${f}, '\') = 0 then ${f} else ${unescaped} end`;
}

/** Loads rows into tables of the same shape, inside the caller's transaction. */
export class TableLoader {
  private readonly tables: Map<string, TableInfo>;

  constructor(
    private readonly q: Queryable,
    tables: TableInfo[],
  ) {
    this.tables = new Map(tables.map((t) => [t.name, t]));
  }

  /**
   * The target's tables must be exactly the backup's (same columns and types): the restore built
   * them with the backup's migrations. Returns what differs, empty when they match.
   */
  differences(expected: BackupTable[]): string[] {
    const problems: string[] = [];
    const wanted = new Map(expected.map((t) => [t.name, t]));
    for (const t of expected) {
      const actual = this.tables.get(t.name);
      if (!actual) problems.push(`table ${t.name} is missing`);
      else if (JSON.stringify(actual.columns) !== JSON.stringify(t.columns)) problems.push(`table ${t.name} has other columns`);
    }
    for (const name of this.tables.keys()) if (!wanted.has(name)) problems.push(`table ${name} is not in the backup`);
    return problems;
  }

  /**
   * Empties every table (migrations may have seeded rows the backup holds too) with the tables'
   * own triggers off, so that loading rows replays no side effects: the backup holds their results.
   */
  async begin(): Promise<void> {
    for (const statement of TEXT_FORM_SETTINGS) await this.q.query(statement);
    const all = [...this.tables.values()];
    for (const t of all) await this.q.query(`alter table ${t.sql} disable trigger user`);
    if (all.length > 0) await this.q.query(`truncate ${all.map((t) => t.sql).join(', ')}`);
  }

  /**
   * Loads one chunk of COPY text (`rows` lines). The chunk goes to the database as one text value and
   * is split there: parsing it in JavaScript and sending arrays cost about twice the time on PGlite.
   * (An empty line is one empty field: string_to_array would make it no field at all.)
   */
  async load(tableName: string, rows: number, data: Buffer): Promise<number> {
    const table = this.tables.get(tableName);
    if (!table) throw new Error(`the backup has rows for ${tableName}, which the schema lacks`);
    let tabs = 0;
    for (let i = data.indexOf(9); i >= 0; i = data.indexOf(9, i + 1)) tabs++;
    if (tabs !== rows * (table.columns.length - 1)) throw new Error(`a chunk of ${tableName} does not have ${table.columns.length} fields in each of its ${rows} rows`);
    const names = table.columns.map((c) => quoteIdent(c.name)).join(', ');
    const values = table.columns.map((c, i) => `(${fieldExpression(i + 1, table.plain[i]!)})::${c.type}`).join(', ');
    await this.q.query(
      String.raw`insert into ${table.sql} (${names}) overriding system value
       select ${values} from (select case when line = '' then array[''] else string_to_array(line, E'\t') end as f from string_to_table($1, E'\n') with ordinality as l(line, n) where n <= $2) r`,
      [data.toString('utf8'), rows],
    );
    return rows;
  }

  async setSequences(sequences: SequencesRecord['sequences']): Promise<void> {
    for (const s of sequences) {
      const [schema, ...rest] = s.name.split('.');
      await this.q.query('select setval($1::regclass, $2::int8, $3::bool)', [qualified(schema!, rest.join('.')), s.lastValue, s.isCalled]);
    }
  }

  async end(): Promise<void> {
    for (const t of this.tables.values()) await this.q.query(`alter table ${t.sql} enable trigger user`);
  }
}

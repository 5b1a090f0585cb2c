import fs from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { ensurePrivateDir } from './files.js';

/**
 * One small database interface over PGlite (embedded) and node-postgres (pool).
 * Driver differences are normalised here and only here: int8 comes back as a JS number
 * (ids and counts stay far below 2^53), `date` as 'YYYY-MM-DD', timestamptz as Date, json as objects.
 */
export type Row = Record<string, unknown>;

export interface Queryable {
  query<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Exactly one row, or throws. */
  one<T = Row>(sql: string, params?: readonly unknown[]): Promise<T>;
  maybeOne<T = Row>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgresql';
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * LISTEN on a channel: `fn` receives the payload of every NOTIFY, from any node, after its
   * transaction commits. Returns a function that stops listening.
   */
  listen(channel: string, fn: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const INT8 = 20;
const DATE = 1082;
const NUMERIC = 1700;

function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`int8 value ${value} exceeds the safe integer range`);
  return n;
}
const identity = (value: string): string => value;

function withHelpers(query: Queryable['query'], exec: Queryable['exec']): Queryable {
  return {
    query,
    exec,
    async one(sql, params) {
      const rows = await query(sql, params);
      if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}`);
      return rows[0] as never;
    },
    async maybeOne(sql, params) {
      const rows = await query(sql, params);
      return rows[0] as never;
    },
  };
}

export interface PgliteOptions {
  /** A directory for the data; undefined → in memory. */
  dataDir?: string | undefined;
  /** A tarball from `dumpPglite` to start from (tests clone a migrated template this way). */
  loadDataDir?: Blob | undefined;
}

/** PGlite data directories of this process, each with a trailing separator. */
const pgliteDirs = new Set<string>();

/**
 * The WAL and tables hold confidential text in the clear, so a PGlite data directory is the owner's
 * alone: the directory 0700, and no file in it open to group or others. PGlite's Emscripten file system
 * gives every file it creates the mode postgres asked for by an explicit chmod, past the umask (0666 for
 * a new database's files): inside these directories chmod keeps the owner's bits only. Files an older
 * release left open are narrowed once, here.
 */
function keepPglitePrivate(dir: string): void {
  ensurePrivateDir(dir);
  if (pgliteDirs.size === 0) {
    const chmodSync = fs.chmodSync;
    fs.chmodSync = (file, mode) => {
      const inside = [...pgliteDirs].some((d) => path.resolve(String(file)).startsWith(d));
      const bits = typeof mode === 'string' ? parseInt(mode, 8) : mode;
      chmodSync(file, inside ? bits & 0o700 : mode);
    };
  }
  pgliteDirs.add(path.resolve(dir) + path.sep);
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    const mode = fs.lstatSync(file).mode;
    if ((mode & 0o077) !== 0 && !entry.isSymbolicLink()) fs.chmodSync(file, mode & 0o700);
  }
}

export async function openPglite(options: PgliteOptions = {}): Promise<Database & { dump(): Promise<Blob> }> {
  if (options.dataDir) keepPglitePrivate(options.dataDir);
  // Loaded only when used: a node on PostgreSQL never needs the embedded database.
  const [{ PGlite }, { btree_gist }, { pg_trgm }, { pgcrypto }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/btree_gist'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
    import('@electric-sql/pglite/contrib/pgcrypto'),
  ]);
  const db = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    extensions: { btree_gist, pg_trgm, pgcrypto },
    parsers: { [INT8]: parseInt8, [DATE]: identity, [NUMERIC]: identity },
  });
  const run =
    (q: { query: PGlite['query'] }): Queryable['query'] =>
    async <T,>(sql: string, params?: readonly unknown[]) =>
      (await q.query<T>(sql, params ? [...params] : undefined)).rows;
  const base = withHelpers(run(db), async (sql) => {
    await db.exec(sql);
  });
  return {
    ...base,
    kind: 'pglite',
    async transaction(fn) {
      return db.transaction(async (tx) =>
        fn(withHelpers(run(tx), async (sql) => {
          await tx.exec(sql);
        })),
      );
    },
    async listen(channel, fn) {
      const stop = await db.listen(channel, fn);
      return async () => {
        if (!db.closed) await stop();
      };
    },
    async close() {
      if (!db.closed) await db.close();
    },
    async dump() {
      return db.dumpDataDir('none');
    },
  };
}

const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8) return parseInt8;
    if (oid === DATE || oid === NUMERIC) return identity;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export async function openPostgres(url: string, options: { max?: number } = {}): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types: pgTypes });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const version = await pool.query<{ server_version_num: string }>('show server_version_num');
  if (Number(version.rows[0]?.server_version_num) < 150000) {
    await pool.end();
    throw new Error('SatuKota needs PostgreSQL 15 or newer');
  }
  const clientQueryable = (client: pg.Pool | pg.PoolClient): Queryable =>
    withHelpers(
      async <T,>(sql: string, params?: readonly unknown[]) =>
        (await client.query<T & pg.QueryResultRow>(sql, params ? [...params] : undefined)).rows,
      async (sql) => {
        await client.query(sql);
      },
    );
  return {
    ...clientQueryable(pool),
    kind: 'postgresql',
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn(clientQueryable(client));
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async listen(channel, fn) {
      // A connection of its own, outside the pool: LISTEN lasts as long as the session. If it drops,
      // a new one is opened after a pause (events in between are missed; live views catch up on reload).
      let client: pg.Client | undefined;
      let stopped = false;
      const connect = async (): Promise<void> => {
        const c = new pg.Client({ connectionString: url, types: pgTypes });
        c.on('notification', (m) => {
          if (m.channel === channel) fn(m.payload ?? '');
        });
        c.on('error', () => {
          c.end().catch(() => undefined);
          if (!stopped) setTimeout(() => void connect().catch(() => undefined), 1000);
        });
        await c.connect();
        await c.query(`listen ${pg.escapeIdentifier(channel)}`);
        client = c;
      };
      await connect();
      return async () => {
        stopped = true;
        await client?.end().catch(() => undefined);
      };
    },
    async close() {
      await pool.end();
    },
  };
}

/** Both drivers report SQLSTATE in `code`. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string; message?: string };
  if (e?.code !== '23505') return false;
  return constraint === undefined || e.constraint === constraint || Boolean(e.message?.includes(constraint));
}

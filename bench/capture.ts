/**
 * The statements a request runs, captured from the real code path: a benchmark that compares the
 * service with "the same SQL by hand" replays what the service actually sent, so the two cannot
 * drift apart when the service changes (a forgotten pg_notify made the hand-written side cheaper).
 */
import type pg from 'pg';
import type { Database, Queryable } from '../src/platform/db.js';

export interface Statement {
  sql: string;
  params: unknown[];
}

/**
 * Wraps a database so that every transaction's statements are recorded, in order, into
 * `transactions` (one array per transaction, appended when it commits).
 */
export function recordingDatabase(db: Database): { db: Database; transactions: Statement[][] } {
  const transactions: Statement[][] = [];
  const recorded: Database = {
    ...db,
    async transaction(fn) {
      const statements: Statement[] = [];
      const result = await db.transaction((tx) => {
        const record: Queryable = {
          query: (sql, params) => {
            statements.push({ sql, params: [...(params ?? [])] });
            return tx.query(sql, params);
          },
          one: (sql, params) => {
            statements.push({ sql, params: [...(params ?? [])] });
            return tx.one(sql, params);
          },
          maybeOne: (sql, params) => {
            statements.push({ sql, params: [...(params ?? [])] });
            return tx.maybeOne(sql, params);
          },
          exec: (sql) => {
            statements.push({ sql, params: [] });
            return tx.exec(sql);
          },
        };
        return fn(record);
      });
      transactions.push(statements);
      return result;
    },
  };
  return { db: recorded, transactions };
}

/**
 * The captured statements with every occurrence of each `from` value (a uuid, a key; also inside
 * JSON text) replaced by its `to`: the same transaction for a new report.
 */
export function substitute(statements: readonly Statement[], replacements: ReadonlyMap<string, string>): Statement[] {
  const swap = (value: unknown): unknown => {
    if (typeof value === 'string') {
      let text = value;
      for (const [from, to] of replacements) text = text.replaceAll(from, to);
      return text;
    }
    if (Array.isArray(value)) return value.map(swap);
    return value;
  };
  return statements.map((s) => ({ sql: s.sql, params: s.params.map(swap) }));
}

/** Runs statements as one transaction on a node-postgres client, as `Database.transaction` does. */
export async function replay(client: pg.PoolClient, statements: readonly Statement[]): Promise<void> {
  await client.query('begin');
  try {
    for (const s of statements) await client.query(s.sql, s.params);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}

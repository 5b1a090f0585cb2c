import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from './db.js';

/**
 * Plain SQL migrations, forward-only, numbered `NNNN_name.sql`, applied in order, each in its own
 * transaction, tracked in `schema_migrations`. An edited migration that already ran is refused:
 * forward-only means a fix is a new file.
 */
export const MIGRATIONS_DIR = path.join(import.meta.dirname, 'migrations');

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = fs.readFileSync(path.join(dir, file), 'utf8');
      return {
        version: file.slice(0, 4),
        name: file.slice(5, -4),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

// Any constant works; it only has to be the same on every node.
const MIGRATION_LOCK = 7_263_001;

export async function migrate(db: Database, migrations = readMigrations()): Promise<MigrateResult> {
  await db.exec(`create table if not exists schema_migrations (
    version text primary key,
    name text not null,
    checksum text not null,
    applied_at timestamptz not null default now()
  )`);
  const applied: string[] = [];
  let alreadyApplied = 0;
  for (const m of migrations) {
    const done = await db.transaction(async (tx) => {
      // Serialises nodes starting at the same time: the second waits, then sees the row.
      await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const row = await tx.maybeOne<{ checksum: string }>('select checksum from schema_migrations where version = $1', [m.version]);
      if (row) {
        if (row.checksum !== m.checksum) {
          throw new Error(`Migration ${m.version}_${m.name}.sql was changed after it was applied; add a new migration instead`);
        }
        return false;
      }
      await tx.exec(m.sql);
      await tx.query('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [m.version, m.name, m.checksum]);
      return true;
    });
    if (done) applied.push(`${m.version}_${m.name}`);
    else alreadyApplied += 1;
  }
  return { applied, alreadyApplied };
}

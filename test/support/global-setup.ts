import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createContext } from '../../src/app.js';
import { openPglite, openPostgres, type Database } from '../../src/platform/db.js';
import { createLogger } from '../../src/platform/logger.js';
import { memorySender } from '../../src/platform/messaging.js';
import { seedDemo } from '../../src/modules/demo/seed.js';
import { databaseUrl, TEST_DATABASE_URL, testConfig } from './env.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplate: string | null;
  }
}

/**
 * Migrates and seeds the demo city once per run into a template (a PGlite tarball and a PostgreSQL
 * template database); every test file clones it, so files start fast and never share state.
 */
async function seedTemplate(db: Database, dataDir: string): Promise<void> {
  const ctx = await createContext(testConfig({}, dataDir), { db, sender: memorySender(), log: createLogger({ level: 'silent' }) });
  await seedDemo(ctx, { reports: false });
}

export default async function setup(project: TestProject) {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-template-'));
  const pglite = await openPglite();
  await seedTemplate(pglite, workDir);
  const tarball = path.join(workDir, 'pglite-template.tar');
  fs.writeFileSync(tarball, Buffer.from(await (await pglite.dump()).arrayBuffer()));
  await pglite.close();
  project.provide('pgliteTemplate', tarball);

  let templateName: string | null = null;
  if (TEST_DATABASE_URL) {
    templateName = `satukota_tpl_${process.pid}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${templateName}`);
    await admin.query(`create database ${templateName}`);
    const db = await openPostgres(databaseUrl(templateName), { max: 2 });
    await seedTemplate(db, workDir);
    await db.close();
    await admin.end();
  }
  project.provide('postgresTemplate', templateName);

  return async () => {
    if (templateName) {
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`drop database if exists ${templateName} with (force)`);
      await admin.end();
    }
    fs.rmSync(workDir, { recursive: true, force: true });
  };
}

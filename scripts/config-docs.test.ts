import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configVariables } from '../src/config.js';
import { configTable, README, withConfigTable } from './config-docs.js';

describe("README's configuration table", () => {
  it('is the one generated from the config schema (run npx tsx scripts/config-docs.ts after changing a variable)', () => {
    const readme = fs.readFileSync(README, 'utf8');
    expect(withConfigTable(readme)).toBe(readme);
  });

  it('has a row for every variable, with its default', () => {
    const table = configTable();
    const names = configVariables().map((v) => v.name);
    expect(names).toContain('S3_URL');
    for (const name of names) expect(table).toContain(`| \`${name}\` |`);
    expect(table).toContain('| `PORT` | `3000` |');
    expect(table).toContain('| `DEMO` | on with PGlite, off with PostgreSQL |');
  });
});

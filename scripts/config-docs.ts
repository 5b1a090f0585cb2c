import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { configVariables } from '../src/config.js';

/**
 * The README's configuration table, generated from the config schema (src/config.ts), where each
 * variable's default and description live. `npx tsx scripts/config-docs.ts` rewrites the table in
 * README.md; `--check` exits 1 when it is out of date (scripts/config-docs.test.ts fails then too).
 */

export const README = path.join(import.meta.dirname, '..', 'README.md');
const BEGIN = '<!-- config table: generated from src/config.ts by `npx tsx scripts/config-docs.ts`; edit the schema, not this table -->';
const END = '<!-- end of config table -->';

export function configTable(): string {
  const rows = configVariables().map((v) => `| \`${v.name}\` | ${v.shownDefault} | ${v.description.replaceAll('|', '\\|')} |`);
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** The README with its table replaced by the generated one. */
export function withConfigTable(readme: string): string {
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`README.md has no generated configuration table (the lines ${BEGIN} … ${END})`);
  return `${readme.slice(0, begin + BEGIN.length)}\n${configTable()}\n${readme.slice(end)}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const current = fs.readFileSync(README, 'utf8');
  const generated = withConfigTable(current);
  if (process.argv.includes('--check')) {
    if (generated !== current) {
      process.stderr.write('README.md: the configuration table differs from the schema; run npx tsx scripts/config-docs.ts\n');
      process.exit(1);
    }
  } else if (generated !== current) {
    fs.writeFileSync(README, generated);
    process.stdout.write('README.md: configuration table rewritten\n');
  }
}

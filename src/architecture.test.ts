import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The house rules of DESIGN.md, checked on every run: a module is entered only through its index.ts,
 * reads and writes only its own tables, modules do not import each other in a circle, identity (which
 * every module's policy uses) imports no module, and the web app shares code with the server only
 * through src/shared and the API's types.
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const MODULES = path.join(ROOT, 'src', 'modules');

/** Who owns each table. A migration that creates a table without an owner here fails the test. */
const TABLE_OWNERS: Record<string, string> = {
  users: 'identity',
  sessions: 'identity',
  one_time_codes: 'identity',
  login_devices: 'identity',
  login_throttle: 'identity',
  throttle_counters: 'identity',
  nik_claims: 'identity',
  audit_log: 'audit',
  audit_head: 'audit',
  regions: 'regions',
  agencies: 'agencies',
  reports: 'reports',
  report_categories: 'reports',
  report_events: 'reports',
  report_escalations: 'reports',
  report_idempotency: 'reports',
  report_photos: 'reports',
  report_supporters: 'reports',
  report_rollup: 'reports',
  report_rollup_delta: 'reports',
  report_map_rollup: 'reports',
  report_map_rollup_delta: 'reports',
  holidays: 'reports',
  holiday_years: 'reports',
  open311_keys: 'reports',
  notification_channels: 'notifications',
  notification_deliveries: 'notifications',
  jobs: 'platform',
  outbox: 'platform',
  platform_settings: 'platform',
  upload_intents: 'platform',
  schema_migrations: 'platform',
};

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : walk(full);
    return /\.(ts|tsx)$/.test(e.name) ? [full] : [];
  });
}

const rel = (file: string) => path.relative(ROOT, file);
const isTest = (file: string) => /\.test\.tsx?$/.test(file);
const moduleOf = (file: string): string | undefined => (file.startsWith(MODULES + path.sep) ? path.relative(MODULES, file).split(path.sep)[0] : undefined);

/** Relative imports (static, dynamic, `import type`, re-exports), resolved to files. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
    found.push(path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts')));
  }
  return found;
}

const API_TYPES = path.join(ROOT, 'src', 'api-types.ts');
const serverFiles = walk(path.join(ROOT, 'src'));
const webFiles = walk(path.join(ROOT, 'web', 'src'));
const modules = fs.readdirSync(MODULES).filter((name) => fs.statSync(path.join(MODULES, name)).isDirectory());

describe('module borders', () => {
  it('every module has an index.ts', () => {
    expect(modules.filter((m) => !fs.existsSync(path.join(MODULES, m, 'index.ts')))).toEqual([]);
  });

  it('no file imports another module except through its index.ts', () => {
    const crossings: string[] = [];
    for (const file of serverFiles) {
      const from = moduleOf(file);
      for (const target of importsOf(file)) {
        const to = moduleOf(target);
        if (to === undefined || to === from) continue;
        const isIndex = path.dirname(target) === path.join(MODULES, to) && path.basename(target, '.ts') === 'index';
        // The API's types for the web app are inferred from each module's request and response schemas.
        const isApiSchema = file === API_TYPES && path.basename(target) === 'schema.ts';
        if (!isIndex && !isApiSchema) crossings.push(`${rel(file)} -> ${rel(target)}`);
      }
    }
    expect(crossings).toEqual([]);
  });

  it('the web app imports from the server only the API types and src/shared', () => {
    const reaching = webFiles.flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith(path.join(ROOT, 'src') + path.sep))
        .filter((target) => !target.startsWith(path.join(ROOT, 'src', 'shared') + path.sep) && target !== API_TYPES)
        .map((target) => `${rel(file)} -> ${rel(target)}`),
    );
    expect(reaching).toEqual([]);
  });

  const graph = new Map<string, Set<string>>(modules.map((m) => [m, new Set<string>()]));
  for (const file of serverFiles) {
    const from = moduleOf(file);
    if (from === undefined || isTest(file)) continue;
    for (const target of importsOf(file)) {
      const to = moduleOf(target);
      if (to !== undefined && to !== from) graph.get(from)!.add(to);
    }
  }

  it('modules do not import each other in a circle', () => {
    const cycles: string[] = [];
    const visit = (m: string, trail: string[]) => {
      if (trail.includes(m)) {
        cycles.push([...trail.slice(trail.indexOf(m)), m].join(' -> '));
        return;
      }
      for (const next of graph.get(m) ?? []) visit(next, [...trail, m]);
    };
    for (const m of modules) visit(m, []);
    expect([...new Set(cycles)]).toEqual([]);
  });

  it('identity, whose roles every policy uses, imports no other module', () => {
    expect([...(graph.get('identity') ?? [])]).toEqual([]);
  });
});

describe('tables', () => {
  const migrations = path.join(ROOT, 'src', 'platform', 'migrations');
  const created = fs
    .readdirSync(migrations)
    .filter((f) => f.endsWith('.sql'))
    .flatMap((f) => [...fs.readFileSync(path.join(migrations, f), 'utf8').matchAll(/create\s+table\s+(?:if\s+not\s+exists\s+)?([a-z0-9_]+)/gi)].map((m) => m[1]!.toLowerCase()));

  it('every table has an owner', () => {
    expect(created.filter((t) => !(t in TABLE_OWNERS))).toEqual([]);
  });

  it("no module's SQL names another module's (or the platform's) tables", () => {
    const tables = Object.keys(TABLE_OWNERS).join('|');
    const naming = new RegExp(`\\b(?:from|join|into|update|table)\\s+(${tables})\\b`, 'gi');
    const trespass: string[] = [];
    for (const file of serverFiles) {
      const owner = moduleOf(file);
      if (owner === undefined || isTest(file)) continue;
      // SQL lives in string literals; comments and code around them are left out.
      const text = fs.readFileSync(file, 'utf8');
      for (const literal of text.matchAll(/`[^`]*`|'(?:[^'\\\n]|\\.)*'/g)) {
        for (const m of literal[0].matchAll(naming)) {
          const table = m[1]!.toLowerCase();
          if (TABLE_OWNERS[table] !== owner) trespass.push(`${rel(file)}: ${table} (${TABLE_OWNERS[table]})`);
        }
      }
    }
    expect([...new Set(trespass)]).toEqual([]);
  });
});

describe('file size', () => {
  it('no server file over 400 lines without a reason at its top', () => {
    const long = serverFiles
      .filter((f) => !isTest(f))
      .filter((f) => {
        const lines = fs.readFileSync(f, 'utf8').split('\n');
        return lines.length > 400 && !lines.slice(0, 20).some((l) => /over 400 lines because/i.test(l));
      })
      .map(rel);
    expect(long).toEqual([]);
  });
});

describe('public faces', () => {
  it('every function and class a module exports, and every public method of those classes, has a doc comment', () => {
    const indexes = modules.map((m) => path.join(MODULES, m, 'index.ts')).filter((f) => fs.existsSync(f));
    const program = ts.createProgram(indexes, { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2023, strict: true, skipLibCheck: true, noEmit: true });
    const checker = program.getTypeChecker();
    const documented = (symbol: ts.Symbol) => ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() !== '';
    const undocumented: string[] = [];
    for (const index of indexes) {
      const face = checker.getSymbolAtLocation(program.getSourceFile(index)!)!;
      for (const exported of checker.getExportsOfModule(face)) {
        const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
        if (!(target.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class))) continue;
        if (!documented(target)) undocumented.push(`${rel(index)}: ${exported.name}`);
        if (!(target.flags & ts.SymbolFlags.Class)) continue;
        for (const member of checker.getDeclaredTypeOfSymbol(target).getProperties()) {
          const declaration = member.valueDeclaration;
          if (!declaration || !ts.isMethodDeclaration(declaration)) continue;
          if (ts.getCombinedModifierFlags(declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
          if (!documented(member)) undocumented.push(`${rel(index)}: ${exported.name}.${member.name}`);
        }
      }
    }
    expect(undocumented).toEqual([]);
  }, 60_000);
});

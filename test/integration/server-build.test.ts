import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * bin/build-server.mjs on a project of its own (a copy of the script, two sources, an SQL file, a test
 * file, the checkout's node_modules): what it compiles and copies, that a build is redone exactly when
 * the sources differ from it (an edit, a deleted file, a file put back with an older time), that stack
 * traces name the TypeScript source, and that a source that does not compile stops the start with the
 * compiler's message.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');

interface Builder {
  serverBuildIsCurrent(): boolean;
  ensureServerBuild(options?: { force?: boolean }): Promise<{ built: boolean; changed?: number }>;
}

describe('the compiled server [no database]', () => {
  let project: string;
  let builder: Builder;
  const src = (file: string) => path.join(project, 'src', file);
  const dist = (file: string) => path.join(project, 'dist', file);
  /** Runs the project's compiled `main.js` as bin/satukota.mjs runs the server (source maps on). */
  const runMain = (env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['--input-type=module', '-e', `process.setSourceMapsEnabled(true); await import(${JSON.stringify(pathToFileURL(dist('cli/main.js')).href)});`], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...env },
    });

  beforeAll(async () => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-build-'));
    fs.mkdirSync(path.join(project, 'bin'));
    fs.copyFileSync(path.join(ROOT, 'bin', 'build-server.mjs'), path.join(project, 'bin', 'build-server.mjs'));
    fs.copyFileSync(path.join(ROOT, 'tsconfig.json'), path.join(project, 'tsconfig.json'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'));
    fs.mkdirSync(src('cli'), { recursive: true });
    fs.mkdirSync(src('platform/migrations'), { recursive: true });
    fs.writeFileSync(src('platform/greeting.ts'), `export class Greeter {\n  constructor(private readonly name: string) {}\n  greet(): string {\n    return \`halo, \${this.name}\`;\n  }\n}\n`);
    fs.writeFileSync(src('platform/migrations/0001_first.sql'), 'create table t (id int);\n');
    fs.writeFileSync(src('platform/greeting.test.ts'), 'throw new Error("a test file is never compiled into dist/");\n');
    fs.writeFileSync(
      src('cli/main.ts'),
      `import fs from 'node:fs';\nimport path from 'node:path';\nimport type { Greeter as G } from '../platform/greeting.js';\nimport { Greeter } from '../platform/greeting.js';\n\nconst greeter: G = new Greeter('Cilegon');\nconsole.log(greeter.greet(), fs.readdirSync(path.join(import.meta.dirname, '..', 'platform', 'migrations')).join());\nif (process.env.FAIL) throw new Error('from the TypeScript source');\n`,
    );
    builder = (await import(pathToFileURL(path.join(project, 'bin', 'build-server.mjs')).href)) as Builder;
  });
  afterAll(() => {
    if (project) fs.rmSync(project, { recursive: true, force: true });
  });

  it('compiles the sources with their maps, copies the files they read, leaves out tests', async () => {
    expect(builder.serverBuildIsCurrent()).toBe(false);
    expect((await builder.ensureServerBuild()).built).toBe(true);
    for (const file of ['cli/main.js', 'cli/main.js.map', 'platform/greeting.js', 'platform/migrations/0001_first.sql']) expect(fs.existsSync(dist(file)), file).toBe(true);
    expect(fs.existsSync(dist('platform/greeting.test.js'))).toBe(false);
    const run = runMain();
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('halo, Cilegon 0001_first.sql');
  });

  it('names the TypeScript source and line in a stack trace', () => {
    const run = runMain({ FAIL: '1' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`${src('cli/main.ts')}:8`);
  });

  it('builds again exactly when the sources differ from the build', async () => {
    expect(builder.serverBuildIsCurrent()).toBe(true);
    expect((await builder.ensureServerBuild()).built).toBe(false);

    fs.writeFileSync(src('platform/greeting.ts'), fs.readFileSync(src('platform/greeting.ts'), 'utf8').replace('halo', 'selamat datang'));
    expect(builder.serverBuildIsCurrent()).toBe(false);
    expect((await builder.ensureServerBuild()).built).toBe(true);
    expect(runMain().stdout.trim()).toBe('selamat datang, Cilegon 0001_first.sql');

    // A test file is not part of the server.
    fs.appendFileSync(src('platform/greeting.test.ts'), '// edited\n');
    expect(builder.serverBuildIsCurrent()).toBe(true);

    // A file put back with an older time (a checkout of an older commit, a restore) counts too.
    const migration = src('platform/migrations/0001_first.sql');
    fs.writeFileSync(migration, 'create table t (id bigint);\n');
    fs.utimesSync(migration, new Date('2020-01-01'), new Date('2020-01-01'));
    expect(builder.serverBuildIsCurrent()).toBe(false);
    await builder.ensureServerBuild();
    expect(fs.readFileSync(dist('platform/migrations/0001_first.sql'), 'utf8')).toBe('create table t (id bigint);\n');

    // A deleted source takes its compiled file with it.
    fs.writeFileSync(src('platform/extra.ts'), 'export const extra = 1;\n');
    await builder.ensureServerBuild();
    expect(fs.existsSync(dist('platform/extra.js'))).toBe(true);
    fs.rmSync(src('platform/extra.ts'));
    expect(builder.serverBuildIsCurrent()).toBe(false);
    await builder.ensureServerBuild();
    expect(fs.existsSync(dist('platform/extra.js'))).toBe(false);
    expect(builder.serverBuildIsCurrent()).toBe(true);
  });

  it('stops with the compiler’s message when a source does not compile, and keeps the last build', async () => {
    const before = fs.readFileSync(dist('platform/greeting.js'), 'utf8');
    fs.writeFileSync(src('platform/broken.ts'), 'export const broken = ;\n');
    await expect(builder.ensureServerBuild()).rejects.toThrow(/The server's sources do not compile:[\s\S]*broken\.ts:1:/);
    expect(builder.serverBuildIsCurrent()).toBe(false);
    expect(fs.readFileSync(dist('platform/greeting.js'), 'utf8')).toBe(before);
    fs.rmSync(src('platform/broken.ts'));
    await builder.ensureServerBuild();
    expect(builder.serverBuildIsCurrent()).toBe(true);
  });

  it('builds once when several processes start together', () => {
    fs.appendFileSync(src('platform/greeting.ts'), '// touched\n');
    const script = `import { ensureServerBuild } from ${JSON.stringify(pathToFileURL(path.join(project, 'bin', 'build-server.mjs')).href)}; console.log(JSON.stringify(await ensureServerBuild()));`;
    const starts = Array.from({ length: 4 }, () => `${process.execPath} --input-type=module -e '${script}' &`).join('\n');
    const run = spawnSync('sh', ['-c', `${starts}\nwait`], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const results = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { built: boolean });
    expect(results).toHaveLength(4);
    expect(results.filter((r) => r.built)).toHaveLength(1);
    expect(fs.existsSync(dist('.build.lock'))).toBe(false);
  });
});

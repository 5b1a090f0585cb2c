import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

/**
 * Every package that `npm ci` installs runs on the oldest Node.js the README promises: a fresh clone's
 * first install must not warn EBADENGINE (cookie 2 and content-disposition 3 want Node 22; the
 * `overrides` in package.json keep their Node 20 majors).
 */
const ROOT = join(import.meta.dirname, '..');
const read = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as Record<string, unknown>;

describe('package-lock.json', () => {
  it('holds no package whose engines exclude the oldest supported Node.js', () => {
    const oldest = semver.minVersion((read('package.json').engines as { node: string }).node)!.version;
    expect(oldest).toBe('20.19.0');
    const packages = read('package-lock.json').packages as Record<string, { version?: string; engines?: unknown }>;
    const refused = Object.entries(packages)
      .filter(([, p]) => {
        const range = (p.engines as { node?: unknown } | undefined)?.node;
        return typeof range === 'string' && !semver.satisfies(oldest, range);
      })
      .map(([name, p]) => `${name}@${p.version} wants node ${(p.engines as { node: string }).node}`);
    expect(Object.keys(packages).length).toBeGreaterThan(100);
    expect(refused).toEqual([]);
  });
});

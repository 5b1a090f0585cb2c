import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';

/**
 * The web app shares the API's types with the server (src/api-types.ts) as types only. This checks the
 * built bundle (global-setup.ts builds it as `npm run build` does; no browser needed): no zod, no server code.
 */
describe('the web bundle', () => {
  it('is a production build with no zod and no server code', () => {
    const assets = path.join(inject('browserWebDist'), 'assets');
    const js = fs.readdirSync(assets).filter((f) => f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(0);
    for (const file of js) {
      const code = fs.readFileSync(path.join(assets, file), 'utf8');
      expect(code, file).not.toMatch(/\$Zod[A-Z]|ZodError/);
      // Strings that live only in the server's modules (errors, identity schemas).
      expect(code, file).not.toContain('Silakan masuk terlebih dahulu');
      expect(code, file).not.toContain('use YYYY-MM-DD');
      // A production build: React's development warnings are not in it.
      expect(code, file).not.toContain('Each child in a list should have a unique');
    }
  });
});

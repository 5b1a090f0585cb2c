import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';

/** One fixed test secret and cheap password hashing: tests are about behaviour, not key strength. */
export const TEST_SECRET = 'test-secret-key-for-satukota-tests-only-0123456789';
export const DEMO_PASSWORD = 'demo-password-123';

export function testConfig(overrides: Record<string, string> = {}, dataDir = path.join(os.tmpdir(), `satukota-test-${process.pid}`)): Config {
  return loadConfig({
    DATA_DIR: dataDir,
    SATUKOTA_SECRET_KEY: TEST_SECRET,
    DEMO_PASSWORD,
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    LOG_LEVEL: 'info',
    WEB_DIST_DIR: path.join(os.tmpdir(), 'satukota-no-web'),
    // Maps in tests show the boundaries alone: nothing is fetched from the internet.
    MAP_TILE_URL: '',
    ...overrides,
  });
}

/** PostgreSQL admin URL for creating and dropping test databases, when the suite runs against it. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

export function databaseUrl(name: string): string {
  const url = new URL(TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  return url.toString();
}

import fs from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';

/**
 * The one typed configuration of a SatuKota node. Every variable is read here and nowhere else;
 * an invalid value stops the process with a list of every problem, not just the first.
 */

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], {
    error: 'must be one of true/false, 1/0, yes/no, on/off',
  })
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const port = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

const envSchema = z
  .object({
    PORT: port.default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATA_DIR: z.string().min(1).default('./data'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    CITY_CODE: z
      .string()
      .regex(/^\d{2}\.\d{2}$/, 'must be a Kemendagri regency code such as 36.72')
      .default('36.72'),
    CITY_TIMEZONE: z
      .enum(['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'], { error: 'must be Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)' })
      .default('Asia/Jakarta'),
    SATUKOTA_SECRET_KEY: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 48`)').optional(),
    SATUKOTA_PREVIOUS_SECRET_KEYS: z.string().optional(),
    DEMO: bool.optional(),
    DEMO_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
    TRUST_PROXY: z.string().optional(),
    TLS_CERT: z.string().optional(),
    TLS_KEY: z.string().optional(),
    PUBLIC_URL: z.url({ error: 'must be a URL such as https://satukota.cilegon.go.id' }).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ARGON2_MEMORY_KIB: z.coerce.number().int().min(1024, 'must be at least 1024').default(19456),
    ARGON2_TIME_COST: z.coerce.number().int().min(1).max(20).default(2),
    SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(24 * 14),
    WEB_DIST_DIR: z.string().optional(),
    FILES_DIR: z.string().optional(),
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
    MAP_TILE_URL: z.string().optional(),
    MAP_TILE_ATTRIBUTION: z.string().max(300).optional(),
    REPORT_AUTOCLOSE_DAYS: z.coerce.number().int().min(1).max(90).default(7),
    DUPLICATE_RADIUS_M: z.coerce.number().int().min(5).max(1000).default(50),
    DUPLICATE_WINDOW_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  });

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  database: { kind: 'pglite'; dataDir: string } | { kind: 'postgresql'; url: string; poolMax: number };
  cityCode: string;
  cityTimezone: string;
  /** undefined only with PGlite, where the key is generated into DATA_DIR on first start. */
  secretKey: string | undefined;
  previousSecretKeys: string[];
  demo: boolean;
  demoPassword: string | undefined;
  /** false, a hop count, or proxy addresses/CIDRs; never `true` (see parseTrustProxy). */
  trustProxy: false | string | number;
  tls: { cert: string; key: string } | undefined;
  publicUrl: string | undefined;
  logLevel: string;
  argon2: { memoryKib: number; timeCost: number };
  sessionTtlHours: number;
  webDistDir: string;
  /** Uploaded photos. Several nodes must share it (a network file system) until an object store is configured. */
  filesDir: string;
  reports: { autoCloseDays: number; duplicateRadiusMeters: number; duplicateWindowDays: number };
  /** Background map tiles for the web app's maps; null: boundaries only (offline, tests). */
  mapTiles: { url: string; attribution: string } | null;
}

const OSM_TILES = { url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png', attribution: '© OpenStreetMap contributors' };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * TRUST_PROXY: off, a hop count, or a list of proxy addresses/CIDRs as Fastify accepts. `true` is
 * refused: it believes the left-most X-Forwarded-For entry, which any client writes itself, so login
 * and registration throttles and audit addresses would follow whatever a client claims.
 */
function parseTrustProxy(value: string | undefined, problems: string[]): false | string | number {
  if (value === undefined || ['0', 'false', 'no', 'off'].includes(value)) return false;
  if (/^\d+$/.test(value)) return Number(value);
  if (['true', 'yes', 'on'].includes(value.toLowerCase())) {
    problems.push(
      `TRUST_PROXY: "${value}" would trust every client's X-Forwarded-For (forgeable); give the number of proxies in front ` +
        '(e.g. 1 for one nginx) or their addresses/CIDRs (e.g. 127.0.0.1,10.0.0.0/8)',
    );
    return false;
  }
  return value;
}

/** Reads `.env` in the working directory (if any); real environment variables win. */
export function readEnvironment(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const file = path.join(cwd, '.env');
  const fromFile = fs.existsSync(file) ? parseDotenv(fs.readFileSync(file)) : {};
  return { ...fromFile, ...env };
}

export function loadConfig(env: Record<string, string | undefined> = readEnvironment()): Config {
  // Empty strings mean "unset", as in most shells' `VAR= command`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.') || '(environment)'}: ${issue.message}`);
  }
  // Checks across variables run even when single values failed, so the list is complete.
  if (Boolean(cleaned.TLS_CERT) !== Boolean(cleaned.TLS_KEY)) problems.push(`${cleaned.TLS_CERT ? 'TLS_KEY' : 'TLS_CERT'}: TLS_CERT and TLS_KEY must be set together`);
  if (cleaned.DATABASE_URL && !cleaned.SATUKOTA_SECRET_KEY) {
    problems.push('SATUKOTA_SECRET_KEY: is required with DATABASE_URL: every node sharing the database must use the same key');
  }
  const e = parsed.data;
  if (e?.TLS_CERT && !fs.existsSync(e.TLS_CERT)) problems.push(`TLS_CERT: file not found: ${e.TLS_CERT}`);
  if (e?.TLS_KEY && !fs.existsSync(e.TLS_KEY)) problems.push(`TLS_KEY: file not found: ${e.TLS_KEY}`);
  // Empty means "no tiles" here (unlike other variables, where empty means unset): tests and offline sites.
  const tileUrl = env.MAP_TILE_URL;
  if (tileUrl && !/^https?:\/\/.+\{z\}.*\{x\}.*\{y\}/.test(tileUrl)) problems.push('MAP_TILE_URL: must be an http(s) URL with {z}, {x} and {y}, or empty for no tiles');
  const trustProxy = parseTrustProxy(e?.TRUST_PROXY, problems);
  if (problems.length > 0 || !e) throw new ConfigError(problems);

  const dataDir = path.resolve(e.DATA_DIR);
  const database: Config['database'] = e.DATABASE_URL
    ? { kind: 'postgresql', url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX }
    : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') };
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    database,
    cityCode: e.CITY_CODE,
    cityTimezone: e.CITY_TIMEZONE,
    secretKey: e.SATUKOTA_SECRET_KEY,
    previousSecretKeys: (e.SATUKOTA_PREVIOUS_SECRET_KEYS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    demo: e.DEMO ?? database.kind === 'pglite',
    demoPassword: e.DEMO_PASSWORD,
    trustProxy,
    tls: e.TLS_CERT && e.TLS_KEY ? { cert: e.TLS_CERT, key: e.TLS_KEY } : undefined,
    publicUrl: e.PUBLIC_URL,
    logLevel: e.LOG_LEVEL,
    argon2: { memoryKib: e.ARGON2_MEMORY_KIB, timeCost: e.ARGON2_TIME_COST },
    sessionTtlHours: e.SESSION_TTL_HOURS,
    webDistDir: path.resolve(e.WEB_DIST_DIR ?? path.join(import.meta.dirname, '..', 'web', 'dist')),
    filesDir: path.resolve(e.FILES_DIR ?? path.join(dataDir, 'files')),
    reports: { autoCloseDays: e.REPORT_AUTOCLOSE_DAYS, duplicateRadiusMeters: e.DUPLICATE_RADIUS_M, duplicateWindowDays: e.DUPLICATE_WINDOW_DAYS },
    mapTiles: tileUrl === '' ? null : tileUrl ? { url: tileUrl, attribution: e.MAP_TILE_ATTRIBUTION ?? '' } : OSM_TILES,
  };
}

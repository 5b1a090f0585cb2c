import fs from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';

/**
 * The one typed configuration of a SatuKota node. Every variable is read here and nowhere else, and
 * documented once, on its schema: the `Config` type is what the schema's transform returns, and the
 * README's table is generated from the descriptions (`npx tsx scripts/config-docs.ts`; a test fails
 * when they disagree). An invalid value stops the process with a list of every problem, not just the first.
 */

/**
 * A variable's documentation: `description` is the README's "meaning" (Markdown, one line);
 * `shownDefault` replaces the schema's default in the README where the effective default is computed
 * (from another variable) or there is none to show.
 */
interface VariableDoc {
  description: string;
  shownDefault?: string;
}

const documented = <T extends z.ZodType>(schema: T, doc: VariableDoc): T => schema.meta({ ...doc });

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

const existingFile = z.string().refine((file) => fs.existsSync(file), { error: (issue) => `file not found: ${String(issue.input)}` });

const TILE_URL = /^https?:\/\/.+\{z\}.*\{x\}.*\{y\}/;

/**
 * TRUST_PROXY: off, a hop count, or a list of proxy addresses/CIDRs as Fastify accepts. `true` is
 * refused: it believes the left-most X-Forwarded-For entry, which any client writes itself, so login
 * and registration throttles and audit addresses would follow whatever a client claims.
 */
const trustProxy = z.string().transform((value, ctx): false | string | number => {
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  if (/^\d+$/.test(value)) return Number(value);
  if (['true', 'yes', 'on'].includes(value.toLowerCase())) {
    ctx.issues.push({
      code: 'custom',
      input: value,
      message:
        `"${value}" would trust every client's X-Forwarded-For (forgeable); give the number of proxies in front ` +
        '(e.g. 1 for one nginx) or their addresses/CIDRs (e.g. 127.0.0.1,10.0.0.0/8)',
    });
    return z.NEVER;
  }
  return value;
});

const envSchema = z.object({
  PORT: documented(port.default(3000), { description: 'HTTP(S) port' }),
  HOST: documented(z.string().min(1).default('0.0.0.0'), { description: 'address to listen on' }),
  DATA_DIR: documented(z.string().min(1).default('./data'), {
    description: 'PGlite database, generated secret key, demo accounts, control socket',
  }),
  DATABASE_URL: documented(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL').optional(), {
    description: 'unset → embedded PGlite under `DATA_DIR`; `postgres://…` → PostgreSQL 15 or newer',
  }),
  DATABASE_POOL_MAX: documented(z.coerce.number().int().min(1).max(200).default(10), { description: 'connections each node keeps to PostgreSQL' }),
  // Empty means "no tiles" here (unlike other variables, where empty means unset): tests and offline sites.
  MAP_TILE_URL: documented(z.string().refine((url) => url === '' || TILE_URL.test(url), 'must be an http(s) URL with {z}, {x} and {y}, or empty for no tiles').optional(), {
    description: 'background tiles of the web app\'s maps (`https://…/{z}/{x}/{y}.png`); empty: no tiles, the maps show the boundaries alone (offline sites, tests)',
    shownDefault: 'OpenStreetMap',
  }),
  MAP_TILE_ATTRIBUTION: documented(z.string().max(300).optional(), { description: 'the credit shown on the map for `MAP_TILE_URL`\'s tiles', shownDefault: 'OpenStreetMap\'s' }),
  CITY_CODE: documented(z.string().regex(/^\d{2}\.\d{2}$/, 'must be a Kemendagri regency code such as 36.72').default('36.72'), {
    description: 'Kemendagri code of the kota/kabupaten (36.72 = Kota Cilegon)',
  }),
  CITY_TIMEZONE: documented(
    z
      .enum(['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'], { error: 'must be Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)' })
      .default('Asia/Jakarta'),
    { description: '`Asia/Jakarta` (WIB), `Asia/Makassar` (WITA) or `Asia/Jayapura` (WIT)' },
  ),
  SATUKOTA_SECRET_KEY: documented(z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 48`)').optional(), {
    description:
      'at least 32 characters; keys for personal-data encryption, blind indexes and the audit chain are derived from it. ' +
      'With PGlite and unset it is generated into `DATA_DIR/secret.key` (0600); with PostgreSQL it is **required**, since every node must share it',
    shownDefault: 'generated (PGlite)',
  }),
  SATUKOTA_PREVIOUS_SECRET_KEYS: documented(z.string().optional(), {
    description: 'comma-separated old keys, still accepted for decryption after a key rotation',
  }),
  DEMO: documented(bool.optional(), { description: 'seed the demo city into an empty database', shownDefault: 'on with PGlite, off with PostgreSQL' }),
  DEMO_PASSWORD: documented(z.string().min(8, 'must be at least 8 characters').optional(), {
    description: 'password of every demo account',
    shownDefault: 'random per account',
  }),
  TRUST_PROXY: documented(trustProxy.optional(), {
    description:
      'behind nginx or another proxy: a hop count (`1` for one nginx), or the proxy addresses/CIDRs (`127.0.0.1,10.0.0.0/8`); ' +
      'client addresses then come from `X-Forwarded-For`. `true` is refused at start-up: it would believe any client\'s `X-Forwarded-For`',
    shownDefault: 'off',
  }),
  TLS_CERT: documented(existingFile.optional(), { description: 'PEM certificate file: serve HTTPS directly (with `TLS_KEY`)' }),
  TLS_KEY: documented(existingFile.optional(), { description: 'PEM private key file of `TLS_CERT` (both or neither)' }),
  PUBLIC_URL: documented(z.url({ error: 'must be a URL such as https://satukota.cilegon.go.id' }).optional(), {
    description: 'the address citizens use, e.g. `https://satukota.cilegonkota.go.id`',
  }),
  LOG_LEVEL: documented(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), {
    description:
      '`fatal` … `trace`, or `silent`. Each log entry is one line of JSON on stdout; personal-data fields are censored by name, ' +
      'NIKs and phone numbers inside its strings replaced by `[NIK]` and `[PHONE]`',
  }),
  ARGON2_MEMORY_KIB: documented(z.coerce.number().int().min(1024, 'must be at least 1024').default(19456), { description: 'password hashing memory (argon2id), in KiB' }),
  ARGON2_TIME_COST: documented(z.coerce.number().int().min(1).max(20).default(2), { description: 'password hashing passes (argon2id)' }),
  SESSION_TTL_HOURS: documented(z.coerce.number().int().min(1).max(24 * 90).default(24 * 14), { description: 'lifetime of a login session' }),
  WEB_DIST_DIR: documented(z.string().optional(), { description: 'where the built web app is', shownDefault: '`web/dist`' }),
  FILES_DIR: documented(z.string().optional(), {
    description: 'uploaded photos and other files on local disk, when no `S3_URL` is set; nodes sharing one PostgreSQL must share it (a network file system) or use S3',
    shownDefault: '`DATA_DIR/files`',
  }),
  S3_URL: documented(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://minio.internal:9000' }).optional(), {
    description:
      'an S3-compatible object store (MinIO, Ceph, a cloud\'s S3) for the files instead of `FILES_DIR`; needs `S3_BUCKET`, `S3_ACCESS_KEY_ID` and `S3_SECRET_ACCESS_KEY`. ' +
      'The bucket is checked at start-up. Phones never reach it: downloads go through SatuKota, which authorises them',
    shownDefault: 'unset (local disk)',
  }),
  S3_BUCKET: documented(z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name: 3–63 lowercase letters, digits, dots and hyphens').optional(), {
    description: 'the bucket (it must exist); every node of the city uses the same',
  }),
  S3_ACCESS_KEY_ID: documented(z.string().optional(), { description: 'access key of an account that may read, write, list and delete in the bucket' }),
  S3_SECRET_ACCESS_KEY: documented(z.string().optional(), { description: 'its secret' }),
  S3_REGION: documented(z.string().min(1).default('us-east-1'), { description: 'the bucket\'s region; self-hosted stores such as MinIO accept the default' }),
  S3_FORCE_PATH_STYLE: documented(bool.default(true), {
    description: '`http://host/bucket/key` addressing, as MinIO and most self-hosted stores need; `false`: `http://bucket.host/key`',
  }),
  REPORT_AUTOCLOSE_DAYS: documented(z.coerce.number().int().min(1).max(90).default(7), {
    description: 'a resolved report closes itself after this many days; the citizen may dispute within them',
  }),
  DUPLICATE_RADIUS_M: documented(z.coerce.number().int().min(5).max(1000).default(50), {
    description: 'open reports of the same category within this many metres (and `DUPLICATE_WINDOW_DAYS`) are offered as duplicates',
  }),
  DUPLICATE_WINDOW_DAYS: documented(z.coerce.number().int().min(1).max(365).default(30), {
    description: 'open reports of the same category filed within this many days (and `DUPLICATE_RADIUS_M`) are offered as duplicates',
  }),
});

type Env = z.output<typeof envSchema>;

const OSM_TILES = { url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png', attribution: '© OpenStreetMap contributors' };

/** The variables, checked one by one, turned into the node's configuration. */
function toConfig(e: Env) {
  const dataDir = path.resolve(e.DATA_DIR);
  const database: { kind: 'pglite'; dataDir: string } | { kind: 'postgresql'; url: string; poolMax: number } = e.DATABASE_URL
    ? { kind: 'postgresql', url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX }
    : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') };
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    database,
    cityCode: e.CITY_CODE,
    cityTimezone: e.CITY_TIMEZONE,
    /** undefined only with PGlite, where the key is generated into DATA_DIR on first start. */
    secretKey: e.SATUKOTA_SECRET_KEY,
    previousSecretKeys: (e.SATUKOTA_PREVIOUS_SECRET_KEYS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    demo: e.DEMO ?? database.kind === 'pglite',
    demoPassword: e.DEMO_PASSWORD,
    /** false, a hop count, or proxy addresses/CIDRs; never `true` (see trustProxy above). */
    trustProxy: e.TRUST_PROXY ?? false,
    tls: e.TLS_CERT && e.TLS_KEY ? { cert: e.TLS_CERT, key: e.TLS_KEY } : undefined,
    publicUrl: e.PUBLIC_URL,
    logLevel: e.LOG_LEVEL,
    argon2: { memoryKib: e.ARGON2_MEMORY_KIB, timeCost: e.ARGON2_TIME_COST },
    sessionTtlHours: e.SESSION_TTL_HOURS,
    webDistDir: path.resolve(e.WEB_DIST_DIR ?? path.join(import.meta.dirname, '..', 'web', 'dist')),
    /** Uploaded files on local disk, used when `s3` is not set. */
    filesDir: path.resolve(e.FILES_DIR ?? path.join(dataDir, 'files')),
    /** The object store for the files; null: local disk (`filesDir`). */
    s3:
      e.S3_URL && e.S3_BUCKET && e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
        ? {
            url: e.S3_URL,
            bucket: e.S3_BUCKET,
            accessKeyId: e.S3_ACCESS_KEY_ID,
            secretAccessKey: e.S3_SECRET_ACCESS_KEY,
            region: e.S3_REGION,
            forcePathStyle: e.S3_FORCE_PATH_STYLE,
          }
        : null,
    reports: { autoCloseDays: e.REPORT_AUTOCLOSE_DAYS, duplicateRadiusMeters: e.DUPLICATE_RADIUS_M, duplicateWindowDays: e.DUPLICATE_WINDOW_DAYS },
    /** Background map tiles for the web app's maps; null: boundaries only (offline, tests). */
    mapTiles: e.MAP_TILE_URL === '' ? null : e.MAP_TILE_URL ? { url: e.MAP_TILE_URL, attribution: e.MAP_TILE_ATTRIBUTION ?? '' } : OSM_TILES,
  };
}

const configSchema = envSchema.transform(toConfig);

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Variables whose empty value means something (not "unset"). */
const EMPTY_IS_A_VALUE = new Set(['MAP_TILE_URL']);

const S3_NEEDS = ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const;

/** Checks across variables: they run even when single values failed, so that the list is complete. */
function crossProblems(env: Record<string, string>): string[] {
  const problems: string[] = [];
  if (Boolean(env.TLS_CERT) !== Boolean(env.TLS_KEY)) problems.push(`${env.TLS_CERT ? 'TLS_KEY' : 'TLS_CERT'}: TLS_CERT and TLS_KEY must be set together`);
  if (env.DATABASE_URL && !env.SATUKOTA_SECRET_KEY) {
    problems.push('SATUKOTA_SECRET_KEY: is required with DATABASE_URL: every node sharing the database must use the same key');
  }
  if (env.S3_URL) {
    for (const name of S3_NEEDS) if (!env[name]) problems.push(`${name}: is required with S3_URL`);
  } else {
    const stray = S3_NEEDS.filter((name) => env[name]);
    // Without this the files would quietly go to local disk on a node meant to share them.
    if (stray.length > 0) problems.push(`S3_URL: is required with ${stray.join(', ')} (or unset them to keep the files on local disk)`);
  }
  return problems;
}

/** Reads `.env` in the working directory (if any); real environment variables win. */
export function readEnvironment(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const file = path.join(cwd, '.env');
  const fromFile = fs.existsSync(file) ? parseDotenv(fs.readFileSync(file)) : {};
  return { ...fromFile, ...env };
}

export function loadConfig(env: Record<string, string | undefined> = readEnvironment()): Config {
  // Empty strings mean "unset", as in most shells' `VAR= command`.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && (entry[1] !== '' || EMPTY_IS_A_VALUE.has(entry[0]))),
  );
  const parsed = configSchema.safeParse(cleaned);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.') || '(environment)'}: ${issue.message}`);
  }
  problems.push(...crossProblems(cleaned));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return parsed.data;
}

export interface ConfigVariable {
  name: string;
  /** As the README shows it (Markdown): the schema's default in backticks, a computed one in words, or `unset`. */
  shownDefault: string;
  description: string;
}

/** Every variable with its default and description, in the schema's order: the README's table. */
export function configVariables(): ConfigVariable[] {
  return Object.entries(envSchema.shape).map(([name, schema]) => {
    const doc = schema.meta() as VariableDoc | undefined;
    if (!doc?.description) throw new Error(`${name} has no description on its schema`);
    const fallback = schema instanceof z.ZodDefault ? `\`${String(schema.def.defaultValue)}\`` : 'unset';
    return { name, shownDefault: doc.shownDefault ?? fallback, description: doc.description };
  });
}

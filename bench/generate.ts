/**
 * A city's worth of reports for the 1M benchmarks: a fresh PostgreSQL database with the demo city
 * seeded, then N reports over two years, every kelurahan and category, in realistic states.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createContext, type AppContext } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { seedDemo } from '../src/modules/demo/seed.js';
import { ADMIN_URL, createDatabase, PASSWORD, SECRET } from './support.js';

/**
 * With BENCH_TEMPLATE=1 the generated city is kept as a template database named by N and a hash of
 * the migrations, the seed and this generator, and later runs copy it (seconds instead of minutes per
 * million). Drop the templates with BENCH_TEMPLATE=drop (any run of a benchmark that generates a city).
 */
const TEMPLATE = process.env.BENCH_TEMPLATE ?? '';

function templateName(n: number): string {
  const root = path.join(import.meta.dirname, '..');
  const hash = createHash('sha256');
  const migrations = path.join(root, 'src/platform/migrations');
  for (const file of fs.readdirSync(migrations).sort()) hash.update(file).update(fs.readFileSync(path.join(migrations, file)));
  hash.update(fs.readFileSync(path.join(root, 'src/modules/demo/seed.ts'))).update(GENERATE);
  return `satukota_bench_city_${n}_${hash.digest('hex').slice(0, 10)}`;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  async function dropTemplates(): Promise<void> {
    await admin(async (client) => {
      const { rows } = await client.query<{ datname: string }>(`select datname from pg_database where datname like 'satukota\\_bench\\_city\\_%'`);
      for (const { datname } of rows) {
        await client.query(`alter database ${datname} is_template false`);
        await client.query(`drop database ${datname} with (force)`);
        process.stderr.write(`dropped template ${datname}\n`);
      }
    });
  }

  export async function cityWithReports(prefix: string, n: number): Promise<{ ctx: AppContext; url: string; close(): Promise<void>; drop(): Promise<void> }> {
    if (TEMPLATE === 'drop') await dropTemplates();
    const template = TEMPLATE === '1' ? templateName(n) : undefined;
    const exists = template ? await admin(async (c) => (await c.query('select 1 from pg_database where datname = $1', [template])).rowCount === 1) : false;
    const database = await createDatabase(prefix, exists ? template : undefined);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'satukota-bench-'));
    const config = loadConfig({ DATABASE_URL: database.url, SATUKOTA_SECRET_KEY: SECRET, DATA_DIR: dataDir, DEMO_PASSWORD: PASSWORD, ARGON2_MEMORY_KIB: '4096', ARGON2_TIME_COST: '1', LOG_LEVEL: 'warn' });
    let ctx = await createContext(config);
    try {
    if (exists) {
      process.stderr.write(`copied ${n.toLocaleString('en')} reports from template ${template}\n`);
    } else {
      await seedDemo(ctx, { reports: false });
      // The statistics rollups (migration 0007) are built in one pass after the load rather than by the
      // insert trigger per chunk: the same rows, in a fraction of the time.
      const rollups = Boolean((await ctx.db.one<{ fn: string | null }>(`select to_regproc('report_rollups_rebuild')::text as fn`)).fn);
      if (rollups) await ctx.db.query('alter table reports disable trigger reports_rollups_insert');
      const started = performance.now();
      const chunk = 100_000;
      for (let done = 0; done < n; done += chunk) {
        await ctx.db.query(GENERATE, [Math.min(chunk, n - done), done, n]);
        process.stderr.write(`\rgenerated ${Math.min(n, done + chunk).toLocaleString('en')} reports`);
      }
      process.stderr.write(` in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
      if (rollups) {
        await ctx.db.query('alter table reports enable trigger reports_rollups_insert');
        const building = performance.now();
        await ctx.db.query('select report_rollups_rebuild()');
        await ctx.db.query('vacuum (analyze) report_rollup, report_map_rollup');
        process.stderr.write(`statistics rollups built in ${((performance.now() - building) / 1000).toFixed(0)} s\n`);
      }
      // As autovacuum would have left a live database: statistics, visibility map and hint bits set.
      await ctx.db.query('vacuum (analyze) reports');
      if (template) {
        // A template must have no connections while it is copied.
        await ctx.close();
        await admin((c) => c.query(`create database ${template} template ${database.name}`));
        process.stderr.write(`kept as template ${template}\n`);
        ctx = await createContext(config);
      }
    }
  } catch (error) {
    // A run that fails half-way (or is stopped) must not leave a database of millions of rows behind.
    await ctx.close().catch(() => undefined);
    await database.drop();
    throw error;
  }
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await ctx.close();
  };
  return {
    ctx,
    url: database.url,
    close,
    async drop() {
      await close();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * One chunk of $1 reports (from $2 of $3). Ages are spread evenly over 730 days, oldest first; older reports are mostly closed (a few
 * rejected, merged or stuck open), the last month is in every state. Points scatter around the
 * centre of their kelurahan's bounding box.
 */
const GENERATE = `
with k as (select array_agg(code order by code) as codes from regions where level = 'village' and bbox is not null),
     c as (select array_agg(code order by code) as codes from report_categories),
     u as (select id from users where kind = 'citizen' limit 1),
     g as (
       select k.codes[1 + floor(random() * array_length(k.codes, 1))::int] as kel,
              c.codes[1 + floor(random() * array_length(c.codes, 1))::int] as cat,
              -- in order of time, as a live system inserts them (so recent reports share heap pages)
              now() - make_interval(secs => (1 - (($2 + i)::float8 / $3)) * 730 * 86400 + random() * 600) as at,
              random() as r, random() as r2, nextval('report_number_seq') as n
       from generate_series(1, $1) i, k, c
     ),
     p as (
       select g.*, cat.agency_code, cat.emergency, cat.first_handler, reg.parent_code as kec,
              -- location is the same point as lat/lng, as the service writes it
              (center(reg.bbox))[1] + (random() - 0.5) * 0.01 as lat, (center(reg.bbox))[0] + (random() - 0.5) * 0.01 as lng,
              case
                when g.at < now() - interval '30 days' then
                  case when g.r < 0.85 then 'closed' when g.r < 0.92 then 'rejected' when g.r < 0.95 then 'merged' when g.r < 0.99 then 'closed' else 'in_progress' end
                else
                  case when g.r < 0.15 then 'submitted' when g.r < 0.25 then 'verified' when g.r < 0.40 then 'dispatched' when g.r < 0.55 then 'in_progress'
                       when g.r < 0.70 then 'resolved' when g.r < 0.95 then 'closed' else 'rejected' end
              end as status
       from g join report_categories cat on cat.code = g.cat join regions reg on reg.code = g.kel
     )
insert into reports (id, number, tracking_no, category_code, description, lat, lng, location, kelurahan_code, kecamatan_code, answers, privacy, channel, reporter_id,
  status, emergency, priority, support_count, agency_code, handler_kind, handler_code, due_at, resolve_due_at, escalation_count, submitted_at, verified_at,
  dispatched_at, resolved_at, closed_at, rating, updated_at)
select gen_random_uuid(), p.n, 'SK-' || extract(year from p.at)::int || '-' || lpad(p.n::text, 7, '0'), p.cat, 'Laporan contoh untuk uji 1 juta laporan.',
  p.lat, p.lng, point(p.lng, p.lat),
  p.kel, p.kec, '{}', case when p.r2 < 0.9 then 'public' when p.r2 < 0.95 then 'confidential' else 'anonymous' end,
  (array['web','web','web','phone','whatsapp','open311'])[1 + floor(p.r2 * 6)::int], (select id from u),
  p.status, p.emergency, case when p.emergency then 1000 else floor(p.r2 * 5)::int end, floor(p.r2 * 5)::int, p.agency_code,
  case when p.first_handler = 'kelurahan' and p.status in ('submitted', 'verified') then 'kelurahan' else 'opd' end,
  case when p.first_handler = 'kelurahan' and p.status in ('submitted', 'verified') then p.kel else p.agency_code end,
  case when p.status in ('submitted', 'verified', 'dispatched', 'in_progress') then p.at + interval '3 days' end,
  p.at + interval '10 days',
  case when p.r2 < 0.1 then 1 + floor(p.r2 * 30)::int else 0 end,
  p.at, p.at + interval '5 hours', p.at + interval '1 day',
  -- Never in the future; a report still 'resolved' was resolved within the auto-close window (older ones
  -- the job would close at once, which is not the state of a live city).
  case when p.status = 'resolved' then greatest(p.at, now() - make_interval(secs => p.r2 * 6 * 86400))
       when p.status = 'closed' then least(now(), p.at + make_interval(secs => (p.r ^ 2) * 20 * 86400)) end,
  case when p.status = 'closed' then least(now(), p.at + make_interval(secs => (p.r ^ 2) * 20 * 86400 + 7 * 86400)) end,
  case when p.status = 'closed' then 1 + floor(p.r2 * 5)::int end,
  p.at
from p order by p.at`;

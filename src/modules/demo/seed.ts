import fs from 'node:fs';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { ensurePrivateDir } from '../../platform/files.js';
import type { Progress } from '../../platform/progress.js';
import { setSetting } from '../../platform/settings.js';
import type { AgencyInput } from '../agencies/index.js';
import type { PreparedCitizen, Role, Scope } from '../identity/index.js';
import { DEMO_CATEGORIES } from '../reports/index.js';
import { DEMO_CITIZENS } from './citizens.js';
import type { DemoContext } from './context.js';
import { seedDemoReports, type DemoHistory } from './reports.js';

export { DEMO_CITIZENS } from './citizens.js';

/**
 * The demo city: Kota Cilegon's regions and approximate boundaries, its OPDs and two external
 * agencies, officers for every unit, and three citizens. Seeded only into an empty database.
 */
export const DEMO_ACCOUNTS_FILE = 'demo-accounts.txt';
const DEMO_BOUNDARIES = path.join(import.meta.dirname, '..', 'regions', 'demo', 'cilegon-approx.geojson');
const DEMO_CITY = '36.72';

/** The OPDs of Kota Cilegon where a citizen's problem can land, and two external agencies. */
export const DEMO_AGENCIES: AgencyInput[] = [
  { code: 'diskominfo', kind: 'opd', shortName: 'Diskominfo', name: 'Dinas Komunikasi, Informatika, Statistik dan Persandian', description: 'Pengelola SatuKota dan koordinator pengaduan' },
  { code: 'disdukcapil', kind: 'opd', shortName: 'Disdukcapil', name: 'Dinas Kependudukan dan Pencatatan Sipil', description: 'KTP, KK, akta dan dokumen kependudukan' },
  { code: 'dishub', kind: 'opd', shortName: 'Dishub', name: 'Dinas Perhubungan', description: 'Lalu lintas, parkir, angkutan, penerangan jalan' },
  { code: 'dpupr', kind: 'opd', shortName: 'DPUPR', name: 'Dinas Pekerjaan Umum dan Penataan Ruang', description: 'Jalan, jembatan, drainase dan tata ruang' },
  { code: 'dlh', kind: 'opd', shortName: 'DLH', name: 'Dinas Lingkungan Hidup', description: 'Sampah, kebersihan, pencemaran dan taman kota' },
  { code: 'bpbd', kind: 'opd', shortName: 'BPBD', name: 'Badan Penanggulangan Bencana Daerah', description: 'Banjir, longsor, pohon tumbang dan bencana lain' },
  { code: 'damkar', kind: 'opd', shortName: 'Damkar', name: 'Dinas Pemadam Kebakaran dan Penyelamatan', description: 'Kebakaran dan penyelamatan' },
  { code: 'dinkes', kind: 'opd', shortName: 'Dinkes', name: 'Dinas Kesehatan', description: 'Puskesmas, layanan kesehatan dan wabah' },
  { code: 'dinsos', kind: 'opd', shortName: 'Dinsos', name: 'Dinas Sosial', description: 'Bantuan sosial, PMKS dan rehabilitasi sosial' },
  { code: 'satpolpp', kind: 'opd', shortName: 'Satpol PP', name: 'Satuan Polisi Pamong Praja', description: 'Ketertiban umum, PKL dan penegakan perda' },
  { code: 'disperkim', kind: 'opd', shortName: 'Disperkim', name: 'Dinas Perumahan dan Kawasan Permukiman', description: 'Perumahan, permukiman kumuh dan PJU kawasan' },
  { code: 'pdam', kind: 'opd', shortName: 'PDAM', name: 'Perumda Air Minum Cilegon Mandiri', description: 'Air bersih dan jaringan air minum' },
  { code: 'disdik', kind: 'opd', shortName: 'Disdik', name: 'Dinas Pendidikan dan Kebudayaan', description: 'Sekolah dan pendidikan' },
  { code: 'polres-cilegon', kind: 'external', shortName: 'Polres Cilegon', name: 'Kepolisian Resor Cilegon', description: 'Kejahatan, kecelakaan dan keamanan (penghubung kepolisian)' },
  { code: 'asdp-merak', kind: 'external', shortName: 'ASDP Merak', name: 'PT ASDP Indonesia Ferry (Persero) Cabang Merak', description: 'Operator pelabuhan penyeberangan Merak' },
];

export interface DemoAccount {
  role: Role;
  login: string;
  password: string;
  scope: string;
}

function slug(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '');
}

function randomPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  return Array.from({ length: 12 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

async function hasNoAccounts(ctx: DemoContext): Promise<boolean> {
  return (await ctx.identity.accounts.list({ limit: 1 })).length === 0;
}

/**
 * Seeds the demo city into an empty database (with sample reports unless `reports: false`) and writes
 * DATA_DIR/demo-accounts.txt (0600).
 * Returns the accounts and the reports' history, or undefined when the database already has users.
 */
export async function seedDemo(
  ctx: DemoContext,
  options: { progress?: Progress | undefined; /** sample reports (off for the test templates) */ reports?: boolean } = {},
): Promise<{ accounts: DemoAccount[]; file: string; history: DemoHistory | undefined } | undefined> {
  if (!(await hasNoAccounts(ctx))) return undefined;
  const { config, regions, agencies, identity } = ctx;
  if (!(await regions.hasRegency())) await regions.importRegency(config.cityCode, options.progress);
  if (config.cityCode === DEMO_CITY) {
    await regions.importBoundaries({ file: DEMO_BOUNDARIES }, { approximate: true, source: 'SatuKota demo (generated, approximate)' });
  }
  const tree = await regions.tree();
  const districts = tree?.children ?? [];
  const password = () => config.demoPassword ?? randomPassword();
  const accounts: DemoAccount[] = [];
  const system = { id: null, label: 'demo-seed' };
  const scopeText = (scope: Scope | null, isHead: boolean) => (scope ? `${scope.kind === 'city' ? 'city' : `${scope.kind}:${scope.code}`}${isHead ? ',head' : ''}` : '-');

  const officers: { username: string; name: string; role: Exclude<Role, 'citizen'>; scope: Scope | null; isHead: boolean }[] = [
    { username: 'admin', name: 'Admin Diskominfo', role: 'admin', scope: { kind: 'city', code: config.cityCode }, isHead: false },
    { username: 'koordinator', name: 'Koordinator Pengaduan', role: 'coordinator', scope: { kind: 'city', code: config.cityCode }, isHead: false },
    { username: 'walikota', name: 'Wali Kota', role: 'pimpinan', scope: { kind: 'city', code: config.cityCode }, isHead: false },
    { username: 'command', name: 'Operator Command Center', role: 'command', scope: { kind: 'city', code: config.cityCode }, isHead: false },
  ];
  for (const a of DEMO_AGENCIES) {
    officers.push({ username: `kepala.${a.code}`, name: `Kepala ${a.shortName}`, role: 'officer', scope: { kind: 'opd', code: a.code }, isHead: true });
    officers.push({ username: `petugas.${a.code}`, name: `Petugas ${a.shortName}`, role: 'officer', scope: { kind: 'opd', code: a.code }, isHead: false });
  }
  const used = new Set<string>();
  const unique = (base: string) => {
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}${i}`;
    used.add(name);
    return name;
  };
  for (const d of districts) {
    officers.push({ username: unique(`camat.${slug(d.name)}`), name: `Camat ${d.name}`, role: 'officer', scope: { kind: 'kecamatan', code: d.code }, isHead: true });
    for (const v of d.children ?? []) {
      const title = v.villageKind === 'desa' ? 'kades' : 'lurah';
      officers.push({ username: unique(`${title}.${slug(v.name)}`), name: `${title === 'lurah' ? 'Lurah' : 'Kepala Desa'} ${v.name}`, role: 'officer', scope: { kind: 'kelurahan', code: v.code }, isHead: true });
    }
  }

  options.progress?.start(DEMO_AGENCIES.length + officers.length + DEMO_CITIZENS.length, 'demo city');
  let done = 0;
  const citizens: PreparedCitizen[] = [];
  for (const c of DEMO_CITIZENS) {
    const pw = password();
    citizens.push(await identity.registration.prepareCitizen({ ...c, password: pw }));
    accounts.push({ role: 'citizen', login: c.nik, password: pw, scope: '-' });
  }
  await ctx.db.transaction(async (tx) => {
    for (const a of DEMO_AGENCIES) {
      await agencies.create(a, system, tx);
      options.progress?.update(++done);
    }
    for (const c of DEMO_CATEGORIES) await ctx.reports.categories.create(c, system, tx);
    for (const o of officers) {
      const pw = password();
      await identity.officers.insertOfficer(tx, { ...o, password: pw }, system);
      accounts.push({ role: o.role, login: o.username, password: pw, scope: scopeText(o.scope, o.isHead) });
      options.progress?.update(++done);
    }
    for (const c of citizens) {
      await identity.registration.insertCitizen(tx, c, { phoneVerified: true });
      options.progress?.update(++done);
    }
    await setSetting(tx, 'demo_seeded_at', new Date().toISOString());
  });
  options.progress?.stop();
  const history = options.reports === false ? undefined : await seedDemoReports(ctx);

  const file = path.join(config.dataDir, DEMO_ACCOUNTS_FILE);
  ensurePrivateDir(config.dataDir);
  const lines = ['# SatuKota demo accounts: role<TAB>login<TAB>password<TAB>scope', ...accounts.map((a) => [a.role, a.login, a.password, a.scope].join('\t'))];
  fs.writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return { accounts, file, history };
}


import { markHandled } from '../../platform/events.js';
import type { Me, Principal } from '../identity/index.js';
import { bboxOf, geometryContains, type AreaGeometry } from '../regions/index.js';
import { backdateReport, type TransitionAction } from '../reports/index.js';
import { DEMO_CITIZENS } from './citizens.js';
import type { DemoContext } from './context.js';

/**
 * Demo reports, so that a fresh demo city shows an inbox, a public map and a command center with
 * something on them: reports from the three demo citizens across the city, taken through the real
 * workflow by the officers who would handle them, then moved back in time by whole days, and the
 * deadline job run over those days.
 */
const STORIES: { category: string; text: string; answers?: Record<string, unknown> }[] = [
  { category: 'jalan-rusak', text: 'Jalan berlubang cukup dalam, sudah ada pengendara motor yang jatuh.', answers: { tingkat: 'berat' } },
  { category: 'jalan-rusak', text: 'Aspal mengelupas sepanjang kurang lebih 20 meter.', answers: { tingkat: 'sedang' } },
  { category: 'lampu-jalan', text: 'Tiga lampu jalan mati, jalan gelap gulita di malam hari.' },
  { category: 'sampah', text: 'Sampah di TPS belum diangkut selama lima hari dan mulai berbau.' },
  { category: 'sampah', text: 'Tumpukan sampah liar di pinggir sungai.' },
  { category: 'drainase', text: 'Saluran air tersumbat lumpur, air meluap ke jalan saat hujan.' },
  { category: 'banjir', text: 'Genangan air setinggi lutut di depan perumahan setelah hujan deras.', answers: { tinggi_air_cm: 45 } },
  { category: 'pohon-tumbang', text: 'Pohon besar miring dan hampir menimpa kabel listrik.' },
  { category: 'kemacetan', text: 'Macet parah setiap pagi di persimpangan karena lampu lalu lintas tidak berfungsi.' },
  { category: 'parkir-liar', text: 'Banyak truk parkir di bahu jalan sehingga jalan menyempit.' },
  { category: 'pkl-ketertiban', text: 'Pedagang kaki lima menutup trotoar, pejalan kaki terpaksa turun ke jalan.' },
  { category: 'air-bersih', text: 'Air PDAM tidak mengalir sejak dua hari.' },
  { category: 'adminduk', text: 'Pengajuan KTP-el sudah tiga bulan belum jadi.' },
  { category: 'faskes', text: 'Antrean di puskesmas sangat panjang, loket hanya buka satu.' },
  { category: 'bansos', text: 'Keluarga lansia di RT kami belum pernah menerima bantuan sosial.' },
  { category: 'taman-kota', text: 'Ayunan di taman bermain rusak dan membahayakan anak-anak.' },
  { category: 'pencemaran', text: 'Asap pekat dari cerobong pabrik setiap malam.' },
  { category: 'rambu-lalu-lintas', text: 'Rambu dilarang parkir roboh ditabrak kendaraan.' },
];

/** How far each demo report goes (cycled): most are somewhere in the middle of their life. */
const PATHS: TransitionAction[][] = [
  [],
  ['verify'],
  ['verify', 'dispatch'],
  ['verify', 'dispatch', 'start'],
  ['verify', 'dispatch', 'start', 'resolve'],
  ['verify', 'dispatch', 'start', 'resolve', 'close'],
  ['verify', 'dispatch', 'start', 'resolve', 'close'],
  ['reject'],
];

const NOTES: Partial<Record<TransitionAction, string>> = {
  dispatch: 'Mohon ditindaklanjuti sesuai kewenangan.',
  resolve: 'Sudah ditangani oleh petugas di lapangan.',
  reject: 'Laporan tidak cukup jelas; silakan kirim ulang dengan lokasi dan foto.',
  close: 'Terima kasih, masalah sudah beres.',
};

/**
 * Kelurahan Ramanuju, whose lurah is the demo account the README names: every fourth report is placed
 * there, so that the lurah's inbox shows a working day's queue rather than the one report chance gives
 * (48 reports over 43 kelurahan).
 */
const DEMO_LURAH_KELURAHAN = '36.72.07.1001';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The demo's past: its reports and what the deadline job did to them before the city went live. */
export interface DemoHistory {
  reports: number;
  warned: number;
  escalated: number;
  closed: number;
}

/** One line for the console at the first start, instead of a notification per step of that past. */
export function describeDemoHistory(h: DemoHistory): string {
  return (
    `Demo reports: ${h.reports} from the last three weeks, with ${h.warned} deadline warnings, ${h.escalated} escalations and ` +
    `${h.closed} automatic closures in their timelines; none of that past was sent as a notification, only what happens from now on is.`
  );
}

/** The city's kelurahan with a boundary, by code: from the boundaries document every map page loads. */
async function villagesWithBoundaries(ctx: DemoContext): Promise<{ code: string; geometry: AreaGeometry }[]> {
  const doc = JSON.parse((await ctx.regions.boundariesDocument()).identity.toString('utf8')) as { features: { id: string; geometry: AreaGeometry }[] };
  return doc.features.map((f) => ({ code: f.id, geometry: f.geometry }));
}

/**
 * The active accounts that act in the demo's past: officers before the heads of their unit (the
 * petugas of an OPD takes its reports through the workflow, not its kepala), then by age; the demo's
 * citizens, all made in the same moment, in the order the demo lists them.
 */
async function demoActors(ctx: DemoContext): Promise<Me[]> {
  const accounts: Me[] = [];
  for (;;) {
    const page = await ctx.identity.accounts.list({ after: accounts.at(-1)?.id, limit: 500 });
    accounts.push(...page);
    if (page.length < 500) break;
  }
  const demoOrder = (a: Me) => {
    const i = a.kind === 'citizen' ? DEMO_CITIZENS.findIndex((c) => c.name === a.name) : -1;
    return i < 0 ? DEMO_CITIZENS.length : i;
  };
  const isHead = (a: Me) => (a.scope?.isHead ? 1 : 0);
  return accounts
    .filter((a) => a.status === 'active')
    .sort((a, b) => isHead(a) - isHead(b) || a.createdAt.localeCompare(b.createdAt) || demoOrder(a) - demoOrder(b));
}

/** Files `count` reports (and two fresh emergencies) through the real workflow and gives them a past; returns what that past held. */
export async function seedDemoReports(ctx: DemoContext, count = 48): Promise<DemoHistory> {
  const { db, reports } = ctx;
  const { autoCloseDays } = ctx.config.reports;
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;

  const villages = await villagesWithBoundaries(ctx);
  if (villages.length === 0) return { reports: 0, warned: 0, escalated: 0, closed: 0 };
  const pointIn = (v: { geometry: AreaGeometry }) => {
    const b = bboxOf(v.geometry);
    for (;;) {
      const lng = b.minLng + random() * (b.maxLng - b.minLng);
      const lat = b.minLat + random() * (b.maxLat - b.minLat);
      if (geometryContains(v.geometry, lng, lat)) return { lat: Math.round(lat * 1e6) / 1e6, lng: Math.round(lng * 1e6) / 1e6 };
    }
  };
  const users = await demoActors(ctx);
  const principal = (u: Me): Principal => ({
    userId: u.id,
    kind: u.kind,
    role: u.role,
    scope: u.scope ? { kind: u.scope.kind, code: u.scope.code } : null,
    isHead: u.scope?.isHead ?? false,
    sessionId: 'demo-seed',
    via: 'bearer',
    csrfToken: null,
  });
  const citizens = users.filter((u) => u.kind === 'citizen').map(principal);
  const officerOf = (kind: string, code: string) => {
    const u = kind === 'coordinator' ? users.find((x) => x.role === 'coordinator') : users.find((x) => x.role === 'officer' && x.scope?.kind === kind && x.scope.code === code);
    return u && principal(u);
  };

  let made = 0;
  for (let i = 0; i < count; i++) {
    const story = STORIES[i % STORIES.length]!;
    const citizen = citizens[i % citizens.length]!;
    const village = (i % 4 === 1 && villages.find((v) => v.code === DEMO_LURAH_KELURAHAN)) || pick(villages);
    const { report } = await reports.submit(
      { categoryCode: story.category, description: story.text, ...pointIn(village), answers: story.answers, privacy: i % 11 === 5 ? 'confidential' : i % 13 === 6 ? 'anonymous' : 'public' },
      { kind: 'citizen', principal: citizen },
    );
    let current = report;
    for (const action of PATHS[i % PATHS.length]!) {
      const actor = action === 'close' ? citizen : officerOf(current.handler_kind, current.handler_code);
      if (!actor) break;
      if (action === 'dispatch' && current.handler_kind === 'opd') continue; // the OPD already holds it: it starts itself
      const target = action === 'dispatch' ? { kind: 'opd' as const, code: current.agency_code } : undefined;
      current = await reports.act(current.id, action, { note: NOTES[action], target, rating: action === 'close' ? 3 + (i % 3) : undefined }, actor);
    }
    // Back in time by whole days and a few hours (so that today's reports are not all from the same
    // minute), handled over some hours to days; a resolution confirmed by the citizen within the
    // dispute window; one resolution in three came days after its deadline, as some do (otherwise
    // every OPD would show 100% on time).
    const days = Math.floor(random() * 21);
    const minutes = 5 + Math.floor(random() * 360);
    const tookHours = 2 + Math.floor(random() * 96);
    await backdateReport(db, report.id, {
      age: (days * 1440 + minutes) * MINUTE,
      took: tookHours * HOUR,
      confirmedAfter: (1 + ((tookHours * 7 + i) % (autoCloseDays * 24 - 1))) * HOUR,
      lateDays: i % 3 === 0 ? 1 + (i % 4) : 0,
    });
    made++;
  }
  const job = await replayDeadlines(ctx);
  // Two fresh emergencies for the command center.
  for (const [category, text] of [
    ['kebakaran', 'Api terlihat dari gudang di belakang pasar, asap hitam tebal!'],
    ['kejahatan', 'Ada percobaan pencurian motor di parkiran minimarket.'],
  ] as const) {
    await reports.submit({ categoryCode: category, description: text, ...pointIn(pick(villages)), privacy: 'public' }, { kind: 'citizen', principal: pick(citizens) });
    made++;
  }
  // Demo history is not news: nobody is notified of what "happened" before the city existed.
  await markHandled(db, 'report.');
  return { reports: made, ...job };
}

/**
 * The deadline job run over the demo's past, at each moment it had something to do (a minute after,
 * as the job runs every minute) up to now, so that its warnings, escalations and automatic closures
 * happened when they would have, and none is left for the first start to send.
 */
async function replayDeadlines(ctx: DemoContext, now = new Date()): Promise<Omit<DemoHistory, 'reports'>> {
  // Its own keeper, quiet: a log line per replayed moment would bury the first start's console.
  const keeper = ctx.deadlines.withLog(ctx.log.child({}, { level: 'warn' }));
  const total = { warned: 0, escalated: 0, closed: 0 };
  for (let due = await keeper.nextDue(); due && due < now; due = await keeper.nextDue()) {
    // Everything due by then is handled, so the next moment is later: the loop ends.
    const done = await keeper.run(new Date(Math.min(due.getTime() + MINUTE, now.getTime())));
    total.warned += done.warned;
    total.escalated += done.escalated;
    total.closed += done.closed;
  }
  return total;
}

import type { AppContext } from '../../app.js';
import type { Database } from '../../platform/db.js';
import type { Principal, Role, Scope } from '../identity/index.js';
import { bboxOf, geometryContains, type AreaGeometry } from '../regions/index.js';
import { DeadlineKeeper, type TransitionAction } from '../reports/index.js';

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

export async function seedDemoReports(ctx: AppContext, count = 48): Promise<DemoHistory> {
  const { db, reports } = ctx;
  const { autoCloseDays } = ctx.config.reports;
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;

  const villages = await db.query<{ code: string; geometry: AreaGeometry }>(`select code, geometry from regions where level = 'village' and geometry is not null order by code`);
  if (villages.length === 0) return { reports: 0, warned: 0, escalated: 0, closed: 0 };
  const pointIn = (v: { geometry: AreaGeometry }) => {
    const b = bboxOf(v.geometry);
    for (;;) {
      const lng = b.minLng + random() * (b.maxLng - b.minLng);
      const lat = b.minLat + random() * (b.maxLat - b.minLat);
      if (geometryContains(v.geometry, lng, lat)) return { lat: Math.round(lat * 1e6) / 1e6, lng: Math.round(lng * 1e6) / 1e6 };
    }
  };
  const users = await db.query<{ id: string; kind: 'citizen' | 'officer'; role: Role; scope_kind: Scope['kind'] | null; scope_code: string | null; is_head: boolean }>(
    `select id, kind, role, scope_kind, scope_code, is_head from users where status = 'active' order by is_head, created_at`,
  );
  const principal = (u: (typeof users)[number]): Principal => ({
    userId: u.id,
    kind: u.kind,
    role: u.role,
    scope: u.scope_kind && u.scope_code ? { kind: u.scope_kind, code: u.scope_code } : null,
    isHead: u.is_head,
    sessionId: 'demo-seed',
    via: 'bearer',
    csrfToken: null,
  });
  const citizens = users.filter((u) => u.kind === 'citizen').map(principal);
  const officerOf = (kind: string, code: string) => {
    const u = kind === 'coordinator' ? users.find((x) => x.role === 'coordinator') : users.find((x) => x.role === 'officer' && x.scope_kind === kind && x.scope_code === code);
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
    await backdate(db, report.id, {
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
  await db.query(`update outbox set dispatched_at = now() where dispatched_at is null and topic like 'report.%'`);
  return { reports: made, ...job };
}

interface Life {
  /** How long ago the report came in. */
  age: number;
  /** From the report to its resolution (or to its last step, when it got no further). */
  took: number;
  /** From the resolution to the citizen's confirmation, for a report they closed: within the dispute window. */
  confirmedAfter: number;
  /** How many days after its deadline it was resolved (0: on time). */
  lateDays: number;
}

/**
 * Moves a report just taken through the workflow back in time, as if it had lived `life`: each step
 * at its own moment, in order, none in the future; its timeline and its columns agree, and its
 * deadlines move with the step that set them.
 */
async function backdate(db: Database, reportId: string, life: Life, now = new Date()): Promise<void> {
  const events = await db.query<{ id: string; to_status: string | null; created_at: Date }>(
    'select id::text, to_status, created_at from report_events where report_id = $1 order by report_events.id',
    [reportId],
  );
  const steps = events.filter((e) => e.to_status !== null); // the submission, then one per action
  const reached = (status: string) => steps.find((e) => e.to_status === status);
  const resolved = Boolean(reached('resolved'));
  const closed = Boolean(reached('closed'));
  // Long enough ago for all of it to have happened.
  const age = Math.max(life.age, resolved ? life.took + (closed ? life.confirmedAfter : 0) + 10 * MINUTE : 0);
  const start = now.getTime() - age;
  // The work after the submission spread up to the resolution (or as far as there has been time for);
  // the citizen's confirmation some hours or days after it.
  const work = steps.slice(1).filter((e) => e.to_status !== 'closed');
  const span = resolved ? life.took : Math.min(life.took, age - 2 * MINUTE);
  const at = new Map<string, Date>();
  let last = new Date(start);
  for (const e of events) {
    if (e === steps[0]) last = new Date(start);
    else if (e.to_status === 'closed') last = new Date(start + life.took + life.confirmedAfter);
    else if (e.to_status !== null) last = new Date(start + (span * (work.indexOf(e) + 1)) / work.length);
    at.set(e.id, last); // anything else an action wrote happened with it
  }
  const when = (status: string) => {
    const e = reached(status);
    return e ? at.get(e.id)! : null;
  };
  const moved = (e: (typeof events)[number]) => at.get(e.id)!.getTime() - e.created_at.getTime();
  // The current stage's deadlines were set by the last step; the resolution's by the step that began it.
  const resolveStage = steps.find((e) => e.to_status === 'dispatched' || e.to_status === 'in_progress') ?? steps[0]!;
  const shift = (column: string, param: string) => `${column} + make_interval(secs => ${param}::double precision / 1000)`;
  await db.query(
    `update reports set submitted_at = $2, verified_at = $3, dispatched_at = $4, started_at = $5, resolved_at = $6, closed_at = $7, updated_at = $8,
       due_at = ${shift('due_at', '$9')}, warn_at = ${shift('warn_at', '$9')}, next_escalation_at = ${shift('next_escalation_at', '$9')},
       resolve_due_at = case when $6::timestamptz is not null and $11::int > 0 then $6::timestamptz - make_interval(days => $11::int) else ${shift('resolve_due_at', '$10')} end
     where id = $1`,
    [reportId, new Date(start), when('verified'), when('dispatched'), when('in_progress'), when('resolved'), when('closed'), last, moved(steps.at(-1)!), moved(resolveStage), life.lateDays],
  );
  await db.query(`update report_events e set created_at = v.at from unnest($1::bigint[], $2::timestamptz[]) as v (id, at) where e.id = v.id`, [
    [...at.keys()],
    [...at.values()].map((d) => d.toISOString()),
  ]);
}

/**
 * The deadline job run over the demo's past, at each moment it had something to do (a minute after,
 * as the job runs every minute) up to now, so that its warnings, escalations and automatic closures
 * happened when they would have, and none is left for the first start to send.
 */
async function replayDeadlines(ctx: AppContext, now = new Date()): Promise<Omit<DemoHistory, 'reports'>> {
  // Its own keeper, quiet: a log line per replayed moment would bury the first start's console.
  const keeper = new DeadlineKeeper(ctx.db, ctx.reports.holidays, ctx.log.child({}, { level: 'warn' }), ctx.config.reports.autoCloseDays);
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

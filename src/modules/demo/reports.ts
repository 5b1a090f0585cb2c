import type { AppContext } from '../../app.js';
import type { Principal, Role, Scope } from '../identity/policy.js';
import { geometryContains, bboxOf, type AreaGeometry } from '../regions/geometry.js';
import type { TransitionAction } from '../reports/workflow.js';

/**
 * Demo reports, so that a fresh demo city shows an inbox, a public map and a command center with
 * something on them: reports from the three demo citizens across the city, taken through the real
 * workflow by the officers who would handle them, then moved back in time by whole days.
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

export async function seedDemoReports(ctx: AppContext, count = 48): Promise<number> {
  const { db, reports } = ctx;
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;

  const villages = await db.query<{ code: string; geometry: AreaGeometry }>(`select code, geometry from regions where level = 'village' and geometry is not null order by code`);
  if (villages.length === 0) return 0;
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
    // minute), resolved some hours to days after they came in, the timeline spread over the report's
    // life; one resolution in three came days after its deadline, as some do (otherwise every OPD would
    // show 100% on time).
    const days = Math.floor(random() * 21);
    const minutes = 5 + Math.floor(random() * 360);
    const tookHours = 2 + Math.floor(random() * 96);
    const lateDays = i % 3 === 0 ? 1 + (i % 4) : 0;
    // (least() skips a null: a report not resolved stays so.)
    const later = (column: string, hours: string) => `case when ${column} is null then null else least(now(), ${column} - make_interval(days => $2, mins => $3) + make_interval(hours => ${hours})) end`;
    const resolvedAt = later('resolved_at', '$4');
    await db.query(
      `update reports set submitted_at = submitted_at - make_interval(days => $2, mins => $3), verified_at = verified_at - make_interval(days => $2, mins => $3),
         dispatched_at = dispatched_at - make_interval(days => $2, mins => $3), started_at = started_at - make_interval(days => $2, mins => $3),
         resolved_at = ${resolvedAt}, closed_at = ${later('closed_at', '$4 + 20')},
         due_at = due_at - make_interval(days => $2, mins => $3), warn_at = warn_at - make_interval(days => $2, mins => $3),
         resolve_due_at = case when resolved_at is not null and $5 > 0 then ${resolvedAt} - make_interval(days => $5) else resolve_due_at - make_interval(days => $2, mins => $3) end,
         next_escalation_at = next_escalation_at - make_interval(days => $2, mins => $3), updated_at = least(now(), updated_at - make_interval(days => $2, mins => $3) + make_interval(hours => $4))
       where id = $1`,
      [report.id, days, minutes, tookHours, lateDays],
    );
    await db.query(
      `update report_events e set created_at = e.created_at - make_interval(days => $2, mins => $3) + make_interval(mins => ((s.n - 1) * least($4 * 60, $2 * 1440 + $3) / greatest(s.total - 1, 1))::int)
       from (select id, row_number() over (order by id) as n, count(*) over () as total from report_events where report_id = $1) s
       where e.id = s.id`,
      [report.id, days, minutes, tookHours],
    );
    made++;
  }
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
  return made;
}

import type { Queryable } from '../../platform/db.js';

/**
 * The statistics of reports/stats.ts computed from the rollups of migration 0007 instead of the
 * window's reports, with the same results. Each report is, by its current row, in exactly one of:
 *   open                      → counted without a day (kind 3), and by its stage deadline (kind 4);
 *   settled (not open)        → by the day it last mattered, greatest(submitted, resolved) (kind 2);
 * and a window [from, to] holds "submitted or resolved in it, or open now, and submitted by its end",
 * which for a settled report is exactly "greatest(submitted, resolved) ≥ from". So, with D the first
 * UTC midnight at or after `from`:
 *   S(window) = settled[day ≥ D] + settled with that moment in [from, D) (read from reports)
 *             + open − reports submitted after `to` (read from reports: few when `to` is now)
 * and the same shape for new, resolved, overdue and the resolution-time histogram. The median is
 * found in that histogram (doublings, then 1/32 of a doubling) and read exactly from the reports of
 * the one bucket that holds it. A caller uses this only when what the viewer sees is one group (the
 * city, or an officer's OPD or kecamatan) and few reports were submitted after the window's end (stats.ts).
 *
 * Over 400 lines because the SQL of each figure and its correction from the reports belong side by side:
 * split apart, a change to one would be made without the other.
 */

export type Dim = 'city' | 'agency' | 'kecamatan';

/** The figures of one group, in the shape of the SQL aggregate they replace (stats.ts#FIGURES_SQL). */
export interface GroupFigures {
  new: number;
  open: number;
  overdue: number;
  escalated: number;
  resolved: number;
  emergency_open: number;
  median_hours: number | null;
  within_share: number | null;
}

export interface RollupWindow {
  from: Date;
  to: Date;
}

const DAY_MS = 86_400_000;
const OPEN_SQL = `status in ('submitted', 'verified', 'dispatched', 'in_progress')`;
/** The group of a report in each dimension, as the rollups key it ('' for none). */
const GROUP_SQL: Record<Dim, string> = { city: `''`, agency: 'agency_code', kecamatan: `coalesce(kecamatan_code, '')` };
/** A window's settled reports: the moment each last mattered. */
const SETTLED_AT = 'greatest(submitted_at, resolved_at)';
/** The moment after which a report is in no window that starts then (migration 0007, index reports_map_window). */
const RELEVANT = 'report_relevant_until(status, submitted_at, resolved_at)';
/** Above this many reports submitted after the window's end, the rollups save nothing. */
export const MAX_LATER_SUBMISSIONS = 5000;

/**
 * Whether a window that ended a while ago has few enough reports submitted after it (one indexed count
 * up to the limit). A window ending now has none but reports dated in the future; the figures count
 * them anyway and give up when there are too many.
 */
export async function fewLaterSubmissions(tx: Queryable, to: Date): Promise<boolean> {
  if (to.getTime() > Date.now() - 60_000) return true;
  const row = await tx.one<{ n: number }>('select count(*)::int as n from (select 1 from reports where submitted_at > $1 limit $2) later', [to, MAX_LATER_SUBMISSIONS + 1]);
  return row.n <= MAX_LATER_SUBMISSIONS;
}

/** The whole UTC days of a window: rollups from `firstDay` on; reports in [from, edgeEnd) read one by one. */
function daysOf(w: RollupWindow) {
  const firstDay = Math.ceil(w.from.getTime() / DAY_MS);
  const endDay = Math.floor(w.to.getTime() / DAY_MS);
  return { firstDay, edgeEnd: new Date(firstDay * DAY_MS), endDay, endDayStart: new Date(endDay * DAY_MS) };
}

interface Accumulator {
  inSet: number;
  new: number;
  escalated: number;
  open: number;
  emergencyOpen: number;
  overdue: number;
  resolved: number;
  withDue: number;
  within: number;
  /** Resolution-time histogram by doubling, and the corrections read from reports by fine bucket. */
  octaves: Map<number, number>;
  fineCorrections: Map<number, number>;
}

const accumulator = (): Accumulator => ({
  inSet: 0,
  new: 0,
  escalated: 0,
  open: 0,
  emergencyOpen: 0,
  overdue: 0,
  resolved: 0,
  withDue: 0,
  within: 0,
  octaves: new Map(),
  fineCorrections: new Map(),
});

const add = (map: Map<number, number>, key: number, n: number) => map.set(key, (map.get(key) ?? 0) + n);
const octaveOf = (fine: number) => fine >> 5;

/**
 * The figures per group of `dim` (one group, '', for the city), for the groups that have any report
 * in the window; `code` limits them to one group.
 */
/** Numbered parameters for one statement: `p(value)` is its placeholder. */
function parameters(): { values: unknown[]; p: (value: unknown) => string } {
  const values: unknown[] = [];
  return { values, p: (value) => `$${values.push(value)}` };
}

/** The counters read from reports per group and resolution-time bucket (one array each, in this order). */
const EDGE_COUNTERS = [
  'new_edge',
  'done_edge',
  'done_edge_escalated',
  'res_edge',
  'res_edge_due',
  'res_edge_within',
  'due_today',
  'later',
  'later_escalated',
  'later_open',
  'later_open_emergency',
  'later_overdue',
  'later_res',
  'later_res_due',
  'later_res_within',
] as const;

/**
 * The figures per group of `dim` (one group, '', for the city), for the groups that have any report
 * in the window; `code` limits them to one group. Undefined when too many reports were submitted after
 * the window's end for the rollups to pay off. Two statements (the second only for medians), so that a
 * busy database costs few round trips.
 */
export async function rollupFigures(tx: Queryable, dim: Dim, w: RollupWindow, code?: string): Promise<Map<string, GroupFigures> | undefined> {
  const { firstDay, edgeEnd, endDay, endDayStart } = daysOf(w);
  const groups = new Map<string, Accumulator>();
  const group = (c: string) => groups.get(c) ?? groups.set(c, accumulator()).get(c)!;
  const { values, p } = parameters();
  const [$dim, $firstDay, $endDay, $from, $edgeEnd, $to, $endDayStart] = [dim, firstDay, endDay, w.from, edgeEnd, w.to, endDayStart].map(p);
  const codeFilter = code === undefined ? '' : `and code = ${p(code)}`;
  const group$ = GROUP_SQL[dim];
  const reportsFilter = code === undefined ? '' : `and ${group$} = ${p(code)}`;
  const rows = await tx.query<{ kind: number; code: string; bucket: number | null; flags: number; n: number; edge: number[] | null }>(
    `select kind, code, bucket, flags, sum(n)::bigint as n, null::int[] as edge from (
       select kind, code, bucket, flags, n from report_rollup where kind = any('{1,2,5,6}'::smallint[]) and dim = ${$dim} and day >= ${$firstDay} ${codeFilter}
       union all
       select kind, code, bucket, flags, n from report_rollup where kind = 3 and dim = ${$dim} and day = 0 ${codeFilter}
       union all
       select kind, code, bucket, flags, n from report_rollup where kind = 4 and dim = ${$dim} and day >= ${$endDay} ${codeFilter}
       union all
       select kind, code, bucket, flags, n from report_rollup_delta
       where dim = ${$dim} and ((kind in (1, 2, 5, 6) and day >= ${$firstDay}) or kind = 3 or (kind = 4 and day >= ${$endDay})) ${codeFilter}
     ) facts group by 1, 2, 3, 4
     union all
     -- From reports: the window's partial first day, the reports submitted after its end, and the open
     -- reports due on its last day before its end (kind 4 counts them as not yet due).
     select 0, code, bucket, 0, 0, array[${EDGE_COUNTERS.join(', ')}] from (
       select ${group$} as code,
              case when resolved_at >= ${$from} and (resolved_at < ${$edgeEnd} or submitted_at > ${$to}) then report_duration_bucket(submitted_at, resolved_at) end as bucket,
              count(*) filter (where submitted_at >= ${$from} and submitted_at < ${$edgeEnd})::int as new_edge,
              count(*) filter (where not ${OPEN_SQL} and ${SETTLED_AT} >= ${$from} and ${SETTLED_AT} < ${$edgeEnd})::int as done_edge,
              count(*) filter (where not ${OPEN_SQL} and ${SETTLED_AT} >= ${$from} and ${SETTLED_AT} < ${$edgeEnd} and escalation_count > 0)::int as done_edge_escalated,
              count(*) filter (where resolved_at >= ${$from} and resolved_at < ${$edgeEnd})::int as res_edge,
              count(*) filter (where resolved_at >= ${$from} and resolved_at < ${$edgeEnd} and resolve_due_at is not null)::int as res_edge_due,
              count(*) filter (where resolved_at >= ${$from} and resolved_at < ${$edgeEnd} and resolved_at <= resolve_due_at)::int as res_edge_within,
              count(*) filter (where ${OPEN_SQL} and due_at >= ${$endDayStart} and due_at < ${$to})::int as due_today,
              count(*) filter (where submitted_at > ${$to})::int as later,
              count(*) filter (where submitted_at > ${$to} and escalation_count > 0)::int as later_escalated,
              count(*) filter (where submitted_at > ${$to} and ${OPEN_SQL})::int as later_open,
              count(*) filter (where submitted_at > ${$to} and ${OPEN_SQL} and emergency)::int as later_open_emergency,
              count(*) filter (where submitted_at > ${$to} and ${OPEN_SQL} and due_at < ${$to})::int as later_overdue,
              count(*) filter (where submitted_at > ${$to} and resolved_at >= ${$from})::int as later_res,
              count(*) filter (where submitted_at > ${$to} and resolved_at >= ${$from} and resolve_due_at is not null)::int as later_res_due,
              count(*) filter (where submitted_at > ${$to} and resolved_at >= ${$from} and resolved_at <= resolve_due_at)::int as later_res_within
       from reports
       where ((submitted_at >= ${$from} and submitted_at < ${$edgeEnd}) or (resolved_at >= ${$from} and resolved_at < ${$edgeEnd}) or submitted_at > ${$to}
              or (${OPEN_SQL} and due_at >= ${$endDayStart} and due_at < ${$to}))
         ${reportsFilter}
       group by 1, 2
     ) edge`,
    values,
  );
  let later = 0;
  for (const r of rows) {
    const g = group(r.code);
    if (r.edge) {
      const e = Object.fromEntries(EDGE_COUNTERS.map((name, i) => [name, r.edge![i]!])) as Record<(typeof EDGE_COUNTERS)[number], number>;
      later += e.later;
      g.new += e.new_edge - e.later;
      g.inSet += e.done_edge - e.later;
      g.escalated += e.done_edge_escalated - e.later_escalated;
      g.open -= e.later_open;
      g.emergencyOpen -= e.later_open_emergency;
      g.overdue += e.due_today - e.later_overdue;
      g.resolved += e.res_edge - e.later_res;
      g.withDue += e.res_edge_due - e.later_res_due;
      g.within += e.res_edge_within - e.later_res_within;
      if (r.bucket !== null) {
        add(g.fineCorrections, r.bucket, e.res_edge - e.later_res);
        add(g.octaves, octaveOf(r.bucket), e.res_edge - e.later_res);
      }
      continue;
    }
    switch (r.kind) {
      case 1:
        g.new += r.n;
        break;
      case 2:
        g.inSet += r.n;
        if (r.flags & 1) g.escalated += r.n;
        break;
      case 3:
        g.inSet += r.n;
        g.open += r.n;
        if (r.flags & 1) g.escalated += r.n;
        if (r.flags & 2) g.emergencyOpen += r.n;
        if (r.flags & 4) g.overdue += r.n; // every open report with a deadline, less those not yet due (kind 4)
        break;
      case 4:
        g.overdue -= r.n;
        break;
      case 5:
        g.resolved += r.n;
        if (r.flags & 1) g.withDue += r.n;
        if (r.flags & 2) g.within += r.n;
        break;
      case 6:
        add(g.octaves, r.bucket!, r.n);
        break;
    }
  }
  if (later > MAX_LATER_SUBMISSIONS) return undefined;

  const live = [...groups].filter(([, g]) => g.inSet > 0);
  const medians = await medianHours(tx, dim, w, firstDay, new Map(live.filter(([, g]) => g.resolved > 0)));
  return new Map(
    live.map(([c, g]) => [
      c,
      {
        new: g.new,
        open: g.open,
        overdue: g.overdue,
        escalated: g.escalated,
        resolved: g.resolved,
        emergency_open: g.emergencyOpen,
        median_hours: medians.get(c) ?? null,
        // avg() of 0/1 as float8 in SQL is this quotient: its sum is exact.
        within_share: g.withDue > 0 ? g.within / g.withDue : null,
      },
    ]),
  );
}

/** The bucket holding the value of rank `rank` (0-based) in a histogram, and the count below it. */
function locate(histogram: Map<number, number>, rank: number): { bucket: number; below: number } {
  let below = 0;
  for (const bucket of [...histogram.keys()].sort((a, b) => a - b)) {
    const n = histogram.get(bucket)!;
    if (rank < below + n) return { bucket, below };
    below += n;
  }
  throw new Error(`report rollups: rank ${rank} beyond the histogram's ${below} values`);
}

/**
 * percentile_cont(0.5) of the resolution hours of each group's reports resolved since `from` and
 * submitted by `to`. The doubling of each rank is known from the first statement; this one finds its
 * 1/32 of a doubling (rollup + corrections, summed in order) and reads that bucket's values.
 */
async function medianHours(tx: Queryable, dim: Dim, w: RollupWindow, firstDay: number, groups: Map<string, Accumulator>): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  if (groups.size === 0) return result;
  // The ranks PostgreSQL interpolates between: floor and ceil of 0.5 × (n − 1), each within its doubling.
  const wanted = [...groups].map(([code, g]) => {
    const position = 0.5 * (g.resolved - 1);
    const ranks = [Math.floor(position), Math.ceil(position)].map((rank) => {
      const at = locate(g.octaves, rank);
      return { octave: at.bucket, rank: rank - at.below };
    });
    return { code, position, ranks };
  });
  const asks = wanted.flatMap((x) => x.ranks.map((r) => ({ code: x.code, ...r })));
  const corrections = [...groups].flatMap(([code, g]) => [...g.fineCorrections].filter(([, n]) => n !== 0).map(([bucket, n]) => ({ code, bucket, n })));
  const { values, p } = parameters();
  const $dim = p(dim);
  const rows = await tx.query<{ code: string; bucket: number; below: number; n: number; hours: number }>(
    `with wanted as (select * from unnest(${p(asks.map((a) => a.code))}::text[], ${p(asks.map((a) => a.octave))}::int[], ${p(asks.map((a) => a.rank))}::bigint[]) w (code, octave, rank)),
          octaves as (select distinct code, octave from wanted),
          fine as (
            select code, bucket, sum(n) as n from (
              select o.code, f.bucket, f.n from octaves o cross join lateral (
                select bucket, n from report_rollup where kind = 7 and dim = ${$dim} and code = o.code and (bucket >> 5) = o.octave and day >= ${p(firstDay)}
                union all
                select bucket, n from report_rollup_delta where kind = 7 and dim = ${$dim} and code = o.code and (bucket >> 5) = o.octave and day >= ${p(firstDay)}
              ) f
              union all
              select c.code, c.bucket, c.n
              from unnest(${p(corrections.map((c) => c.code))}::text[], ${p(corrections.map((c) => c.bucket))}::int[], ${p(corrections.map((c) => c.n))}::bigint[]) c (code, bucket, n)
              join octaves o on o.code = c.code and o.octave = c.bucket >> 5
            ) x group by 1, 2 having sum(n) <> 0
          ),
          cumulative as (select code, bucket, n, sum(n) over (partition by code, bucket >> 5 order by bucket) as upto from fine),
          chosen as (
            select distinct c.code, c.bucket, c.upto - c.n as below, c.n
            from wanted w join cumulative c on c.code = w.code and c.bucket >> 5 = w.octave and w.rank >= c.upto - c.n and w.rank < c.upto
          )
     select ch.code, ch.bucket, ch.below::bigint as below, ch.n::bigint as n, date_part('epoch', r.resolved_at - r.submitted_at) / 3600 as hours
     from chosen ch
     join reports r on report_duration_bucket(r.submitted_at, r.resolved_at) = ch.bucket and r.resolved_at >= ${p(w.from)} and r.submitted_at <= ${p(w.to)}
                   and ${GROUP_SQL[dim]} = ch.code`,
    values,
  );
  const buckets = new Map<string, { bucket: number; below: number; n: number; hours: number[] }[]>();
  for (const r of rows) {
    const list = buckets.get(r.code) ?? buckets.set(r.code, []).get(r.code)!;
    let entry = list.find((b) => b.bucket === r.bucket);
    if (!entry) list.push((entry = { bucket: r.bucket, below: r.below, n: r.n, hours: [] }));
    entry.hours.push(Number(r.hours));
  }
  for (const list of buckets.values()) for (const b of list) b.hours.sort((x, y) => x - y);
  for (const x of wanted) {
    const [first, second] = x.ranks.map(({ octave, rank }) => {
      const b = buckets.get(x.code)?.find((e) => octaveOf(e.bucket) === octave && rank >= e.below && rank < e.below + e.n);
      if (!b || b.hours.length !== b.n) throw new Error(`report rollups: the median of ${x.code || dim} is not where the rollups put it`);
      return b.hours[rank - b.below]!;
    }) as [number, number];
    // PostgreSQL's percentile_cont: first + (second − first) × fraction, in float8.
    result.set(x.code, first + (second - first) * (x.position - Math.floor(x.position)));
  }
  return result;
}

export interface RollupCluster {
  lat: number;
  lng: number;
  count: number;
  open: number;
  overdue: number;
  emergency: number;
  report?: { id: string; trackingNo: string; status: string; category: string };
}

/** The rollup's zoom levels, each serving the zooms up to it (a cell of zoom z is a block of its cells). */
const MAP_LEVELS = [11, 12, 13, 14, 15];
/** Wider than the float error of floor(lng / cell), far narrower than any cell. */
const EPSILON = 1e-9;
const cellAt = (zoom: number) => 360 / 2 ** zoom / 4;

/**
 * Clusters of stats.ts#map from the rollups: the grid cells of the rollup's level that lie wholly
 * inside the box come from the rollup, the rest of the box (a strip along its edges, or all of a box
 * zoomed in past the finest level) from reports through their index by place and window.
 * `inWindow` is the SQL condition of the window's set over `$1` from, `$2` to, `$3` open statuses.
 * Undefined when too many reports were submitted after the window's end.
 */
export async function rollupMap(
  tx: Queryable,
  w: RollupWindow,
  bbox: [number, number, number, number],
  zoom: number,
  inWindow: string,
  openStatuses: readonly string[],
): Promise<RollupCluster[] | undefined> {
  // Past the finest level the whole box is read from reports (a box zoomed in that far holds few).
  const level = MAP_LEVELS.find((l) => l >= zoom) ?? zoom;
  const [west, south, east, north] = bbox;
  const cellL = cellAt(level);
  const cellZ = cellAt(zoom);
  const scale = 2 ** (level - zoom);
  const ix0 = Math.ceil((west + EPSILON) / cellL);
  const ix1 = Math.floor((east - EPSILON) / cellL) - 1;
  const iy0 = Math.ceil((south + EPSILON) / cellL);
  const iy1 = Math.floor((north - EPSILON) / cellL) - 1;
  const interior = MAP_LEVELS.includes(level) && ix0 <= ix1 && iy0 <= iy1;
  const { firstDay, edgeEnd, endDay, endDayStart } = daysOf(w);
  const { values, p } = parameters();
  // $1–$3 as `inWindow` expects them; the rest numbered where first used (an unused one has no type).
  const [$from, $to, $open] = [w.from, w.to, openStatuses].map(p) as [string, string, string];
  const lazy = (value: unknown) => {
    let placeholder: string | undefined;
    return () => (placeholder ??= p(value));
  };
  const [$level, $firstDay, $endDay, $edgeEnd, $endDayStart, $cellL, $cellZ] = [level, firstDay, endDay, edgeEnd, endDayStart, cellL, cellZ].map(lazy) as (() => string)[] as [
    () => string, () => string, () => string, () => string, () => string, () => string, () => string,
  ];
  const [$ix0, $ix1, $iy0, $iy1] = [ix0, ix1, iy0, iy1].map(lazy) as [() => string, () => string, () => string, () => string];
  const [$west, $east, $south, $north] = [west, east, south, north].map(lazy) as [() => string, () => string, () => string, () => string];
  const ranges = () => `gx between ${$ix0()} and ${$ix1()} and gy between ${$iy0()} and ${$iy1()}`;
  const days = (open: string) => `((kind = 1 and day >= ${$firstDay()}) or (${open}) or (kind = 3 and day >= ${$endDay()}))`;
  // A narrow box looks each of its cells up; a wide one reads the window's days of every cell.
  const rollup = () =>
    (ix1 - ix0 + 1) * (iy1 - iy0 + 1) <= 2500
      ? `select m.kind, x.gx, y.gy, m.flags, m.n, m.sum_lat, m.sum_lng
         from generate_series(${$ix0()}::int, ${$ix1()}::int) x (gx) cross join generate_series(${$iy0()}::int, ${$iy1()}::int) y (gy)
         cross join lateral (
           -- offset 0: looked up cell by cell (the primary key), not joined by hash over every cell's days
           select kind, flags, n, sum_lat, sum_lng from report_map_rollup
           where level = ${$level()} and kind = any('{1,2,3}'::smallint[]) and gx = x.gx and gy = y.gy and ${days('kind = 2 and day = 0')}
           offset 0
         ) m`
      : `select kind, gx, gy, flags, n, sum_lat, sum_lng from report_map_rollup where level = ${$level()} and kind = 1 and day >= ${$firstDay()} and ${ranges()}
         union all
         select kind, gx, gy, flags, n, sum_lat, sum_lng from report_map_rollup where level = ${$level()} and kind = 2 and day = 0 and ${ranges()}
         union all
         select kind, gx, gy, flags, n, sum_lat, sum_lng from report_map_rollup where level = ${$level()} and kind = 3 and day >= ${$endDay()} and ${ranges()}`;
  // The rest of the box: strips along its edges, found by place and window at once (reports_map_window),
  // never through the window's indexes alone: the strips hold few of the window's reports.
  const pad = EPSILON;
  const strips = interior
    ? [
        [west, south, ix0 * cellL + pad, north],
        [(ix1 + 1) * cellL - pad, south, east, north],
        [west, south, east, iy0 * cellL + pad],
        [west, (iy1 + 1) * cellL - pad, east, north],
      ]
    : [[west, south, east, north]];
  const boxes = () =>
    strips.map(([x0, y0, x1, y1]) => `(location <@ box(point(${p(x0)}, ${p(y0)}), point(${p(x1)}, ${p(y1)})) and ${RELEVANT} >= ${$from})`).join(' or ');
  const inCells = () =>
    `floor(lng / ${$cellL()}::float8)::int between ${$ix0()} and ${$ix1()} and floor(lat / ${$cellL()}::float8)::int between ${$iy0()} and ${$iy1()}`;
  // One statement: rollup cells (src 1), their corrections from reports (2), the strips (3), and how many
  // reports were submitted after the window's end (4).
  const rows = await tx.query<{ src: number; kind: number; gx: number; gy: number; flags: number; n: number; sum_lat: string | null; sum_lng: string | null; c: number[] | null }>(
    `${
      interior
        ? `select 1 as src, kind, gx, gy, flags, sum(n)::bigint as n, sum(sum_lat) as sum_lat, sum(sum_lng) as sum_lng, null::int[] as c from (
             ${rollup()}
             union all
             select kind, gx, gy, flags, n, sum_lat, sum_lng from report_map_rollup_delta where level = ${$level()} and ${ranges()} and ${days('kind = 2')}
           ) facts group by 2, 3, 4, 5
           union all
           select 2, 0, gx, gy, 0,
                  (count(*) filter (where edge) - count(*) filter (where later))::bigint,
                  coalesce(sum(lat::numeric) filter (where edge), 0) - coalesce(sum(lat::numeric) filter (where later), 0),
                  coalesce(sum(lng::numeric) filter (where edge), 0) - coalesce(sum(lng::numeric) filter (where later), 0),
                  array[count(*) filter (where later and open), count(*) filter (where later and open and emergency),
                        count(*) filter (where later and open and due_at < ${$to}), count(*) filter (where open and due_at >= ${$endDayStart()} and due_at < ${$to})]::int[]
           from (
             select floor(lng / ${$cellL()}::float8)::int as gx, floor(lat / ${$cellL()}::float8)::int as gy, lat, lng, emergency, due_at,
                    ${OPEN_SQL} as open, submitted_at > ${$to} as later, not ${OPEN_SQL} and ${SETTLED_AT} >= ${$from} and ${SETTLED_AT} < ${$edgeEnd()} as edge
             from reports
             where lat is not null and lng is not null
               and ((submitted_at >= ${$from} and submitted_at < ${$edgeEnd()}) or (resolved_at >= ${$from} and resolved_at < ${$edgeEnd()}) or submitted_at > ${$to}
                    or (${OPEN_SQL} and due_at >= ${$endDayStart()} and due_at < ${$to}))
           ) r
           where ${ranges()}
           group by 3, 4
           union all`
        : ''
    }
     select 3 as src, 0 as kind, floor(lng / ${$cellZ()}::float8)::int as gx, floor(lat / ${$cellZ()}::float8)::int as gy, 0 as flags, count(*)::bigint as n,
            sum(lat::numeric) as sum_lat, sum(lng::numeric) as sum_lng,
            array[count(*) filter (where status = any(${$open})), count(*) filter (where status = any(${$open}) and due_at < ${$to}),
                  count(*) filter (where emergency and status = any(${$open}))]::int[] as c
     from (select * from reports where ${boxes()} offset 0) r
     where ${inWindow} and lng between ${$west()} and ${$east()} and lat between ${$south()} and ${$north()} ${interior ? `and not (${inCells()})` : ''}
     group by 3, 4
     union all
     select 4, 0, 0, 0, 0, count(*)::bigint, null, null, null from (select 1 from reports where submitted_at > ${$to} limit ${MAX_LATER_SUBMISSIONS + 1}) later`,
    values,
  );
  const cells = new Map<string, { gx: number; gy: number; count: number; lat: number; lng: number; open: number; overdue: number; emergency: number }>();
  const cell = (gx: number, gy: number) => {
    const key = `${gx},${gy}`;
    return cells.get(key) ?? cells.set(key, { gx, gy, count: 0, lat: 0, lng: 0, open: 0, overdue: 0, emergency: 0 }).get(key)!;
  };
  for (const r of rows) {
    if (r.src === 4) {
      if (r.n > MAX_LATER_SUBMISSIONS) return undefined;
      continue;
    }
    const c = r.src === 3 ? cell(r.gx, r.gy) : cell(Math.floor(r.gx / scale), Math.floor(r.gy / scale));
    if (r.src === 1 && r.kind === 3) {
      c.overdue -= r.n;
      continue;
    }
    c.count += r.n;
    c.lat += Number(r.sum_lat ?? 0);
    c.lng += Number(r.sum_lng ?? 0);
    if (r.src === 1 && r.kind === 2) {
      c.open += r.n;
      if (r.flags & 1) c.emergency += r.n;
      if (r.flags & 2) c.overdue += r.n;
    } else if (r.src === 2) {
      const [laterOpen, laterEmergency, laterOverdue, dueToday] = r.c!;
      c.open -= laterOpen!;
      c.emergency -= laterEmergency!;
      c.overdue += dueToday! - laterOverdue!;
    } else if (r.src === 3) {
      const [open, overdue, emergency] = r.c!;
      c.open += open!;
      c.overdue += overdue!;
      c.emergency += emergency!;
    }
  }

  const present = [...cells.values()].filter((c) => c.count > 0).slice(0, 5000);
  const singles = present.filter((c) => c.count === 1);
  const reports = new Map<string, { id: string; tracking_no: string; status: string; category_code: string }>();
  if (singles.length > 0) {
    const found = await tx.query<{ gx: number; gy: number; id: string; tracking_no: string; status: string; category_code: string }>(
      `select c.gx, c.gy, r.id::text as id, r.tracking_no, r.status, r.category_code
       from unnest($4::int[], $5::int[]) c (gx, gy)
       cross join lateral (
         select * from (
           select * from reports
           where location <@ box(point(c.gx * $6::float8 - $11::float8, c.gy * $6::float8 - $11::float8), point((c.gx + 1) * $6::float8 + $11::float8, (c.gy + 1) * $6::float8 + $11::float8))
             and ${RELEVANT} >= $1
           offset 0
         ) cell
         where floor(lng / $6::float8)::int = c.gx and floor(lat / $6::float8)::int = c.gy and lng between $7 and $8 and lat between $9 and $10 and ${inWindow}
       ) r`,
      [w.from, w.to, openStatuses, singles.map((c) => c.gx), singles.map((c) => c.gy), cellZ, west, east, south, north, pad],
    );
    for (const r of found) reports.set(`${r.gx},${r.gy}`, r);
  }
  return present.map((c) => {
    const one = c.count === 1 ? reports.get(`${c.gx},${c.gy}`) : undefined;
    if (c.count === 1 && !one) throw new Error(`report rollups: no report in the map cell ${c.gx},${c.gy} that counts one`);
    return {
      lat: c.lat / c.count,
      lng: c.lng / c.count,
      count: c.count,
      open: c.open,
      overdue: c.overdue,
      emergency: c.emergency,
      ...(one ? { report: { id: one.id, trackingNo: one.tracking_no, status: one.status, category: one.category_code } } : {}),
    };
  });
}

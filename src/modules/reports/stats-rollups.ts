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
 * the one bucket that holds it. A caller uses this only for viewers who see the whole city and when
 * few reports were submitted after the window's end (stats.ts).
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
/** Above this many reports submitted after the window's end, the rollups save nothing. */
export const MAX_LATER_SUBMISSIONS = 5000;

/** The whole UTC days of a window: rollups from `firstDay` on; reports in [from, edgeEnd) read one by one. */
function daysOf(w: RollupWindow) {
  const firstDay = Math.ceil(w.from.getTime() / DAY_MS);
  const endDay = Math.floor(w.to.getTime() / DAY_MS);
  return { firstDay, edgeEnd: new Date(firstDay * DAY_MS), endDay, endDayStart: new Date(endDay * DAY_MS) };
}

/** How many reports were submitted after `to` (stopping at the limit): the rollups pay off when few. */
export async function laterSubmissions(tx: Queryable, to: Date, limit = MAX_LATER_SUBMISSIONS): Promise<number> {
  const row = await tx.one<{ n: number }>('select count(*)::int as n from (select 1 from reports where submitted_at > $1 limit $2) later', [to, limit + 1]);
  return row.n;
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
export async function rollupFigures(tx: Queryable, dim: Dim, w: RollupWindow, code?: string): Promise<Map<string, GroupFigures>> {
  const { firstDay, edgeEnd, endDay, endDayStart } = daysOf(w);
  const groups = new Map<string, Accumulator>();
  const group = (c: string) => groups.get(c) ?? groups.set(c, accumulator()).get(c)!;
  const codeFilter = code === undefined ? '' : 'and code = $4';
  const params: unknown[] = [dim, firstDay, endDay, ...(code === undefined ? [] : [code])];

  const rolled = await tx.query<{ kind: number; code: string; bucket: number; flags: number; n: number }>(
    `select kind, code, bucket, flags, sum(n)::bigint as n from (
       select kind, code, bucket, flags, n from report_rollup where kind = any('{1,2,5,6}'::smallint[]) and dim = $1 and day >= $2 ${codeFilter}
       union all
       select kind, code, bucket, flags, n from report_rollup where kind = 3 and dim = $1 and day = 0 ${codeFilter}
       union all
       select kind, code, bucket, flags, n from report_rollup where kind = 4 and dim = $1 and day >= $3 ${codeFilter}
       union all
       select kind, code, bucket, flags, n from report_rollup_delta
       where dim = $1 and ((kind in (1, 2, 5, 6) and day >= $2) or kind = 3 or (kind = 4 and day >= $3)) ${codeFilter}
     ) facts group by 1, 2, 3, 4`,
    params,
  );
  for (const r of rolled) {
    const g = group(r.code);
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
        add(g.octaves, r.bucket, r.n);
        break;
    }
  }

  // From reports: the window's partial first day, reports submitted after its end, and open reports
  // due on its last day before its end (kind 4 counts them as not yet due).
  const group$ = GROUP_SQL[dim];
  const edge = await tx.query<{
    code: string;
    bucket: number | null;
    new_edge: number;
    done_edge: number;
    done_edge_escalated: number;
    res_edge: number;
    res_edge_due: number;
    res_edge_within: number;
    due_today: number;
    later: number;
    later_escalated: number;
    later_open: number;
    later_open_emergency: number;
    later_overdue: number;
    later_res: number;
    later_res_due: number;
    later_res_within: number;
  }>(
    `select ${group$} as code,
            case when resolved_at >= $1 and (resolved_at < $2 or submitted_at > $3) then report_duration_bucket(submitted_at, resolved_at) end as bucket,
            count(*) filter (where submitted_at >= $1 and submitted_at < $2)::int as new_edge,
            count(*) filter (where not ${OPEN_SQL} and ${SETTLED_AT} >= $1 and ${SETTLED_AT} < $2)::int as done_edge,
            count(*) filter (where not ${OPEN_SQL} and ${SETTLED_AT} >= $1 and ${SETTLED_AT} < $2 and escalation_count > 0)::int as done_edge_escalated,
            count(*) filter (where resolved_at >= $1 and resolved_at < $2)::int as res_edge,
            count(*) filter (where resolved_at >= $1 and resolved_at < $2 and resolve_due_at is not null)::int as res_edge_due,
            count(*) filter (where resolved_at >= $1 and resolved_at < $2 and resolved_at <= resolve_due_at)::int as res_edge_within,
            count(*) filter (where ${OPEN_SQL} and due_at >= $4 and due_at < $3)::int as due_today,
            count(*) filter (where submitted_at > $3)::int as later,
            count(*) filter (where submitted_at > $3 and escalation_count > 0)::int as later_escalated,
            count(*) filter (where submitted_at > $3 and ${OPEN_SQL})::int as later_open,
            count(*) filter (where submitted_at > $3 and ${OPEN_SQL} and emergency)::int as later_open_emergency,
            count(*) filter (where submitted_at > $3 and ${OPEN_SQL} and due_at < $3)::int as later_overdue,
            count(*) filter (where submitted_at > $3 and resolved_at >= $1)::int as later_res,
            count(*) filter (where submitted_at > $3 and resolved_at >= $1 and resolve_due_at is not null)::int as later_res_due,
            count(*) filter (where submitted_at > $3 and resolved_at >= $1 and resolved_at <= resolve_due_at)::int as later_res_within
     from reports
     where ((submitted_at >= $1 and submitted_at < $2) or (resolved_at >= $1 and resolved_at < $2) or submitted_at > $3
            or (${OPEN_SQL} and due_at >= $4 and due_at < $3))
       ${code === undefined ? '' : `and ${group$} = $5`}
     group by 1, 2`,
    [w.from, edgeEnd, w.to, endDayStart, ...(code === undefined ? [] : [code])],
  );
  for (const r of edge) {
    const g = group(r.code);
    g.new += r.new_edge - r.later;
    g.inSet += r.done_edge - r.later;
    g.escalated += r.done_edge_escalated - r.later_escalated;
    g.open -= r.later_open;
    g.emergencyOpen -= r.later_open_emergency;
    g.overdue += r.due_today - r.later_overdue;
    g.resolved += r.res_edge - r.later_res;
    g.withDue += r.res_edge_due - r.later_res_due;
    g.within += r.res_edge_within - r.later_res_within;
    if (r.bucket !== null) {
      add(g.fineCorrections, r.bucket, r.res_edge - r.later_res);
      add(g.octaves, octaveOf(r.bucket), r.res_edge - r.later_res);
    }
  }

  const live = [...groups].filter(([, g]) => g.inSet > 0);
  const medians = await medianHours(tx, dim, w, firstDay, new Map(live.filter(([, g]) => g.resolved > 0).map(([c, g]) => [c, g])));
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
 * submitted by `to`: the ranks' doubling, then their 1/32 of it, then the values of that bucket.
 */
async function medianHours(tx: Queryable, dim: Dim, w: RollupWindow, firstDay: number, groups: Map<string, Accumulator>): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  if (groups.size === 0) return result;
  // The ranks PostgreSQL interpolates between: floor and ceil of 0.5 × (n − 1).
  const wanted = [...groups].map(([code, g]) => {
    const position = 0.5 * (g.resolved - 1);
    const ranks = [Math.floor(position), Math.ceil(position)].map((rank) => ({ rank, ...locate(g.octaves, rank) }));
    return { code, g, position, ranks };
  });

  const pairs = [...new Set(wanted.flatMap((x) => x.ranks.map((r) => `${x.code}\u0000${r.bucket}`)))].map((key) => key.split('\u0000') as [string, string]);
  const fine = await tx.query<{ code: string; bucket: number; n: number }>(
    `select p.code, f.bucket, sum(f.n)::bigint as n
     from unnest($2::text[], $3::int[]) p (code, octave)
     cross join lateral (
       select bucket, n from report_rollup where kind = 7 and dim = $1 and code = p.code and (bucket >> 5) = p.octave and day >= $4
       union all
       select bucket, n from report_rollup_delta where kind = 7 and dim = $1 and code = p.code and (bucket >> 5) = p.octave and day >= $4
     ) f
     group by 1, 2`,
    [dim, pairs.map((p) => p[0]), pairs.map((p) => Number(p[1])), firstDay],
  );
  const fineOf = new Map<string, Map<number, number>>();
  for (const r of fine) add(fineOf.get(r.code) ?? fineOf.set(r.code, new Map()).get(r.code)!, r.bucket, r.n);

  const located = wanted.map((x) =>
    x.ranks.map(({ rank, bucket: octave, below }) => {
      const histogram = new Map([...(fineOf.get(x.code) ?? new Map<number, number>())].filter(([b]) => octaveOf(b) === octave));
      for (const [b, n] of x.g.fineCorrections) if (octaveOf(b) === octave) add(histogram, b, n);
      const at = locate(histogram, rank - below);
      return { bucket: at.bucket, index: rank - below - at.below, size: histogram.get(at.bucket)! };
    }),
  );
  const valuePairs = [...new Set(wanted.flatMap((x, i) => located[i]!.map((l) => `${x.code}\u0000${l.bucket}`)))].map((key) => key.split('\u0000') as [string, string]);
  const rows = await tx.query<{ code: string; bucket: number; hours: number }>(
    `select p.code, p.bucket, date_part('epoch', r.resolved_at - r.submitted_at) / 3600 as hours
     from unnest($1::text[], $2::int[]) p (code, bucket)
     join reports r on report_duration_bucket(r.submitted_at, r.resolved_at) = p.bucket and r.resolved_at >= $3 and r.submitted_at <= $4
                   and ${GROUP_SQL[dim]} = p.code`,
    [valuePairs.map((p) => p[0]), valuePairs.map((p) => Number(p[1])), w.from, w.to],
  );
  const values = new Map<string, number[]>();
  for (const r of rows) {
    const key = `${r.code}\u0000${r.bucket}`;
    (values.get(key) ?? values.set(key, []).get(key)!).push(Number(r.hours));
  }
  for (const list of values.values()) list.sort((a, b) => a - b);
  wanted.forEach((x, i) => {
    const [first, second] = located[i]!.map((l) => {
      const list = values.get(`${x.code}\u0000${l.bucket}`) ?? [];
      if (list.length !== l.size) throw new Error(`report rollups: bucket ${l.bucket} of ${x.code || dim} holds ${list.length} reports, its rollup ${l.size}`);
      return list[l.index]!;
    }) as [number, number];
    // PostgreSQL's percentile_cont: first + (second − first) × fraction, in float8.
    result.set(x.code, first + (second - first) * (x.position - Math.floor(x.position)));
  });
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
const MAP_LEVELS = [11, 13, 15];
/** Wider than the float error of floor(lng / cell), far narrower than any cell. */
const EPSILON = 1e-9;
const cellAt = (zoom: number) => 360 / 2 ** zoom / 4;

/**
 * Clusters of stats.ts#map from the rollups: the grid cells of the rollup's level that lie wholly
 * inside the box come from the rollup, the rest of the box (a strip along its edges) from reports.
 * `sWhere` is the SQL condition of the window's set, over parameters $1 from, $2 to, $3 open statuses.
 * Undefined when the zoom is finer than the rollup's finest level: such a box holds few reports.
 */
export async function rollupMap(
  tx: Queryable,
  w: RollupWindow,
  bbox: [number, number, number, number],
  zoom: number,
  sWhere: string,
  openStatuses: readonly string[],
): Promise<RollupCluster[] | undefined> {
  const level = MAP_LEVELS.find((l) => l >= zoom);
  if (level === undefined) return undefined;
  const [west, south, east, north] = bbox;
  const cellL = cellAt(level);
  const cellZ = cellAt(zoom);
  const scale = 2 ** (level - zoom);
  const ix0 = Math.ceil((west + EPSILON) / cellL);
  const ix1 = Math.floor((east - EPSILON) / cellL) - 1;
  const iy0 = Math.ceil((south + EPSILON) / cellL);
  const iy1 = Math.floor((north - EPSILON) / cellL) - 1;
  const { firstDay, edgeEnd, endDay, endDayStart } = daysOf(w);
  const cells = new Map<string, { gx: number; gy: number; count: number; lat: number; lng: number; open: number; overdue: number; emergency: number }>();
  const cell = (gx: number, gy: number) => {
    const key = `${gx},${gy}`;
    return cells.get(key) ?? cells.set(key, { gx, gy, count: 0, lat: 0, lng: 0, open: 0, overdue: 0, emergency: 0 }).get(key)!;
  };
  const toZoom = (gx: number, gy: number) => cell(Math.floor(gx / scale), Math.floor(gy / scale));

  const interior = ix0 <= ix1 && iy0 <= iy1;
  if (interior) {
    const ranges = 'gx between $4 and $5 and gy between $6 and $7';
    const days = '((kind = 1 and day >= $2) or (kind = 2 and day = 0) or (kind = 3 and day >= $3))';
    // A narrow box looks each of its cells up; a wide one reads the window's days of every cell.
    const rollup =
      (ix1 - ix0 + 1) * (iy1 - iy0 + 1) <= 2500
        ? `select m.kind, x.gx, y.gy, m.flags, m.n, m.sum_lat, m.sum_lng
           from generate_series($4::int, $5::int) x (gx) cross join generate_series($6::int, $7::int) y (gy)
           cross join lateral (
             select kind, flags, n, sum_lat, sum_lng from report_map_rollup
             where level = $1 and kind = any('{1,2,3}'::smallint[]) and gx = x.gx and gy = y.gy and ${days}
           ) m`
        : `select kind, gx, gy, flags, n, sum_lat, sum_lng from report_map_rollup where level = $1 and kind = 1 and day >= $2 and ${ranges}
           union all
           select kind, gx, gy, flags, n, sum_lat, sum_lng from report_map_rollup where level = $1 and kind = 2 and day = 0 and ${ranges}
           union all
           select kind, gx, gy, flags, n, sum_lat, sum_lng from report_map_rollup where level = $1 and kind = 3 and day >= $3 and ${ranges}`;
    const rolled = await tx.query<{ kind: number; gx: number; gy: number; flags: number; n: number; sum_lat: string; sum_lng: string }>(
      `select kind, gx, gy, flags, sum(n)::bigint as n, sum(sum_lat) as sum_lat, sum(sum_lng) as sum_lng from (
         ${rollup}
         union all
         select kind, gx, gy, flags, n, sum_lat, sum_lng from report_map_rollup_delta
         where level = $1 and ${ranges} and ((kind = 1 and day >= $2) or kind = 2 or (kind = 3 and day >= $3))
       ) facts group by 1, 2, 3, 4`,
      [level, firstDay, endDay, ix0, ix1, iy0, iy1],
    );
    for (const r of rolled) {
      const c = toZoom(r.gx, r.gy);
      if (r.kind === 3) {
        c.overdue -= r.n;
        continue;
      }
      c.count += r.n;
      c.lat += Number(r.sum_lat);
      c.lng += Number(r.sum_lng);
      if (r.kind === 2) {
        c.open += r.n;
        if (r.flags & 1) c.emergency += r.n;
        if (r.flags & 2) c.overdue += r.n;
      }
    }
    const edge = await tx.query<{ gx: number; gy: number; n: number; sum_lat: string | null; sum_lng: string | null; later_open: number; later_emergency: number; later_overdue: number; due_today: number }>(
      `select floor(lng / $8::float8)::int as gx, floor(lat / $8::float8)::int as gy,
              (count(*) filter (where edge) - count(*) filter (where later))::int as n,
              coalesce(sum(lat::numeric) filter (where edge), 0) - coalesce(sum(lat::numeric) filter (where later), 0) as sum_lat,
              coalesce(sum(lng::numeric) filter (where edge), 0) - coalesce(sum(lng::numeric) filter (where later), 0) as sum_lng,
              count(*) filter (where later and open)::int as later_open,
              count(*) filter (where later and open and emergency)::int as later_emergency,
              count(*) filter (where later and open and due_at < $3)::int as later_overdue,
              count(*) filter (where open and due_at >= $9 and due_at < $3)::int as due_today
       from (
         select lat, lng, emergency, due_at, ${OPEN_SQL} as open, submitted_at > $3 as later,
                not ${OPEN_SQL} and ${SETTLED_AT} >= $1 and ${SETTLED_AT} < $2 as edge
         from reports
         where lat is not null and lng is not null
           and ((submitted_at >= $1 and submitted_at < $2) or (resolved_at >= $1 and resolved_at < $2) or submitted_at > $3
                or (${OPEN_SQL} and due_at >= $9 and due_at < $3))
       ) r
       where floor(lng / $8::float8)::int between $4 and $5 and floor(lat / $8::float8)::int between $6 and $7
       group by 1, 2`,
      [w.from, edgeEnd, w.to, ix0, ix1, iy0, iy1, cellL, endDayStart],
    );
    for (const r of edge) {
      const c = toZoom(r.gx, r.gy);
      c.count += r.n;
      c.lat += Number(r.sum_lat ?? 0);
      c.lng += Number(r.sum_lng ?? 0);
      c.open -= r.later_open;
      c.emergency -= r.later_emergency;
      c.overdue += r.due_today - r.later_overdue;
    }
  }

  // The rest of the box, from reports: strips along its edges, found through the index of points.
  const pad = EPSILON;
  const strips = interior
    ? [
        [west, south, ix0 * cellL + pad, north],
        [(ix1 + 1) * cellL - pad, south, east, north],
        [west, south, east, iy0 * cellL + pad],
        [west, (iy1 + 1) * cellL - pad, east, north],
      ]
    : [[west, south, east, north]];
  const boxes = strips.map((_, i) => `location <@ box(point($${9 + i * 4}, $${10 + i * 4}), point($${11 + i * 4}, $${12 + i * 4}))`).join(' or ');
  const first = 9 + strips.length * 4;
  const outside = await tx.query<{ gx: number; gy: number; n: number; sum_lat: string; sum_lng: string; open: number; overdue: number; emergency: number }>(
    `select floor(lng / $4::float8)::int as gx, floor(lat / $4::float8)::int as gy, count(*)::int as n, sum(lat::numeric) as sum_lat, sum(lng::numeric) as sum_lng,
            count(*) filter (where status = any($3))::int as open,
            count(*) filter (where status = any($3) and due_at < $2)::int as overdue,
            count(*) filter (where emergency and status = any($3))::int as emergency
     from reports
     where ${sWhere} and lng between $5 and $6 and lat between $7 and $8 and (${boxes})
       ${interior ? `and not (floor(lng / $${first}::float8)::int between $${first + 1} and $${first + 2} and floor(lat / $${first}::float8)::int between $${first + 3} and $${first + 4})` : ''}
     group by 1, 2`,
    [w.from, w.to, openStatuses, cellZ, west, east, south, north, ...strips.flat(), ...(interior ? [cellL, ix0, ix1, iy0, iy1] : [])],
  );
  for (const r of outside) {
    const c = cell(r.gx, r.gy);
    c.count += r.n;
    c.lat += Number(r.sum_lat);
    c.lng += Number(r.sum_lng);
    c.open += r.open;
    c.overdue += r.overdue;
    c.emergency += r.emergency;
  }

  const present = [...cells.values()].filter((c) => c.count > 0).slice(0, 5000);
  const singles = present.filter((c) => c.count === 1);
  const reports = new Map<string, { id: string; tracking_no: string; status: string; category_code: string }>();
  if (singles.length > 0) {
    const found = await tx.query<{ gx: number; gy: number; id: string; tracking_no: string; status: string; category_code: string }>(
      `select c.gx, c.gy, r.id::text as id, r.tracking_no, r.status, r.category_code
       from unnest($4::int[], $5::int[]) c (gx, gy)
       cross join lateral (
         select id, tracking_no, status, category_code from reports
         where location <@ box(point(c.gx * $6::float8 - $11::float8, c.gy * $6::float8 - $11::float8), point((c.gx + 1) * $6::float8 + $11::float8, (c.gy + 1) * $6::float8 + $11::float8))
           and floor(lng / $6::float8)::int = c.gx and floor(lat / $6::float8)::int = c.gy and lng between $7 and $8 and lat between $9 and $10 and ${sWhere}
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

import type { Database, Queryable } from '../../platform/db.js';
import type { Principal } from '../identity/index.js';
import type { NameDirectory } from './names.js';
import { scopeFilter, Where } from './queries.js';
import { fewLaterSubmissions, rollupFigures, rollupMap } from './stats-rollups.js';
import {
  type AgencyFigures,
  type Figures,
  type KecamatanFigures,
  type TrendDay,
} from './schema.js';
import { OPEN_STATUSES } from './workflow.js';

/**
 * Statistics for the command center and the pimpinan. A window (default: the last 30 days) plus
 * everything still open; every figure is one aggregate pass over that set, using the indexes on
 * submitted_at, resolved_at and the partial index of open reports.
 */
const FIGURES_SQL = `
  count(*) filter (where submitted_at >= $1)::int as new,
  count(*) filter (where status = any($3))::int as open,
  count(*) filter (where status = any($3) and due_at < $2)::int as overdue,
  count(*) filter (where escalation_count > 0)::int as escalated,
  count(*) filter (where resolved_at >= $1)::int as resolved,
  count(*) filter (where emergency and status = any($3))::int as emergency_open,
  percentile_cont(0.5) within group (order by date_part('epoch', resolved_at - submitted_at) / 3600) filter (where resolved_at >= $1) as median_hours,
  avg((resolved_at <= resolve_due_at)::int::float8) filter (where resolved_at >= $1 and resolve_due_at is not null) as within_share`;

interface FiguresRow {
  new: number;
  open: number;
  overdue: number;
  escalated: number;
  resolved: number;
  emergency_open: number;
  median_hours: number | string | null;
  within_share: number | string | null;
}

const figures = (r: FiguresRow): Figures => ({
  new: r.new,
  open: r.open,
  overdue: r.overdue,
  escalated: r.escalated,
  resolved: r.resolved,
  emergencyOpen: r.emergency_open,
  medianHoursToResolve: r.median_hours === null ? null : Math.round(Number(r.median_hours) * 10) / 10,
  resolvedWithinDeadline: r.within_share === null ? null : Math.round(Number(r.within_share) * 1000) / 1000,
});

export interface StatsWindow {
  from: Date;
  to: Date;
}

export interface StatsOptions {
  /** Read the rollups of migration 0007 where they give the same figures (default); false: always the reports. */
  rollups?: boolean;
}

/** The command center's statistics over a window, as the viewer may see them (from rollups for city-wide viewers). */
export class ReportStats {
  private readonly rollups: boolean;

  constructor(
    private readonly db: Database,
    private readonly names: NameDirectory,
    options: StatsOptions = {},
  ) {
    this.rollups = options.rollups ?? true;
  }

  /** Folds the facts the report triggers appended into the rollups (a job does it every few seconds). */
  async foldRollups(): Promise<number> {
    return (await this.db.one<{ n: number }>('select report_rollups_fold()::int as n')).n;
  }

  /**
   * One snapshot for the several statements of a figure (rollups, then reports), with room to sort in
   * memory. Calls `fromRollups` with the rollup group that holds exactly what the viewer sees (see
   * `rollupScope`) when there is one and few reports were submitted after the window's end
   * (stats-rollups.ts); `fromRollups` may still decline (undefined). Else `fromReports`.
   */
  private async read<T>(
    viewer: Principal,
    w: StatsWindow,
    fromRollups: (tx: Queryable, scope: RollupScope) => Promise<T | undefined>,
    fromReports: (tx: Queryable) => Promise<T>,
  ): Promise<T> {
    return this.db.transaction(async (tx) => {
      // One round trip for both: on a busy machine each costs more than the statement.
      await tx.exec(`set transaction isolation level repeatable read; set local work_mem = '64MB'`);
      const scope = this.rollups ? await rollupScope(tx, viewer) : undefined;
      if (scope && (await fewLaterSubmissions(tx, w.to))) {
        const result = await fromRollups(tx, scope);
        if (result !== undefined) return result;
      }
      return fromReports(tx);
    });
  }

  /** The set: submitted or resolved in the window, or open now; limited to what the viewer may see. */
  private base(viewer: Principal, w: StatsWindow): Where {
    const where = new Where();
    where.params.push(w.from, w.to, OPEN_STATUSES);
    where.add(() => `(submitted_at >= $1 or resolved_at >= $1 or status = any($3)) and submitted_at <= $2`);
    scopeFilter(where, viewer);
    return where;
  }

  /** The window's KPIs: new, open, overdue, escalated, resolved, emergencies open, median hours, share within deadline. */
  async summary(viewer: Principal, w: StatsWindow): Promise<Figures> {
    const where = this.base(viewer, w);
    const row = await this.read(
      viewer,
      w,
      async (tx, scope) => {
        const rows = await rollupFigures(tx, scope.kind === 'city' ? 'city' : scope.kind, w, scope.kind === 'city' ? undefined : scope.code);
        return rows && (rows.get(scope.kind === 'city' ? '' : scope.code) ?? EMPTY_FIGURES);
      },
      async (tx) => (await tx.query<FiguresRow>(`select ${FIGURES_SQL} from reports ${where}`, where.params))[0]!,
    );
    return figures(row);
  }

  /** The same figures per OPD (the league table). */
  async byAgency(viewer: Principal, w: StatsWindow): Promise<AgencyFigures[]> {
    const where = this.base(viewer, w);
    const rows = await this.read(
      viewer,
      w,
      async (tx, scope) => {
        if (scope.kind === 'kecamatan') return undefined; // a kecamatan's reports by OPD: no such rollup
        const rows = await rollupFigures(tx, 'agency', w, scope.kind === 'agency' ? scope.code : undefined);
        return rows && [...rows].map(([code, r]) => ({ code, ...r }));
      },
      (tx) => tx.query<FiguresRow & { code: string }>(`select agency_code as code, ${FIGURES_SQL} from reports ${where} group by agency_code`, where.params),
    );
    const names = await this.names.get();
    return rows.map((r) => ({ code: r.code, name: names.agency(r.code).shortName, ...figures(r) })).sort((a, b) => b.open - a.open || a.name.localeCompare(b.name));
  }

  /** The same figures per kecamatan. */
  async byKecamatan(viewer: Principal, w: StatsWindow): Promise<KecamatanFigures[]> {
    const where = this.base(viewer, w);
    const rows = await this.read(
      viewer,
      w,
      async (tx, scope) => {
        if (scope.kind === 'agency') return undefined; // an OPD's reports by kecamatan: no such rollup
        const rows = await rollupFigures(tx, 'kecamatan', w, scope.kind === 'kecamatan' ? scope.code : undefined);
        return rows && [...rows].map(([code, r]) => ({ code: code === '' ? null : code, ...r }));
      },
      (tx) => tx.query<FiguresRow & { code: string | null }>(`select kecamatan_code as code, ${FIGURES_SQL} from reports ${where} group by kecamatan_code`, where.params),
    );
    const names = await this.names.get();
    return rows
      .map((r) => ({ code: r.code, name: r.code ? (names.region(r.code)?.name ?? r.code) : 'Belum terpetakan', ...figures(r) }))
      .sort((a, b) => (a.code ?? '~').localeCompare(b.code ?? '~'));
  }

  /** Per day of the city's calendar in the window: reports submitted, resolved, and escalated. */
  async trend(viewer: Principal, w: StatsWindow, timezone: string): Promise<TrendDay[]> {
    const days = new Map<string, TrendDay>();
    const entry = (day: string) => days.get(day) ?? days.set(day, { day, submitted: 0, resolved: 0, escalated: 0 }).get(day)!;
    for (const [column, field] of [
      ['submitted_at', 'submitted'],
      ['resolved_at', 'resolved'],
    ] as const) {
      const where = new Where();
      where.add((p) => `${column} >= ${p(w.from)} and ${column} <= ${p(w.to)}`);
      scopeFilter(where, viewer);
      const tz = where.params.push(timezone);
      const rows = await this.db.query<{ day: string; n: number; escalated: number }>(
        `select to_char(${column} at time zone $${tz}, 'YYYY-MM-DD') as day, count(*)::int as n, count(*) filter (where escalation_count > 0)::int as escalated
         from reports ${where} group by 1`,
        where.params,
      );
      for (const r of rows) {
        entry(r.day)[field] = r.n;
        if (field === 'submitted') entry(r.day).escalated = r.escalated;
      }
    }
    return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
  }

  /**
   * Reports in a bounding box, clustered on a grid whose cells shrink as the map zooms in (about a
   * quarter of a 256-px tile), so a city-wide view returns dozens of clusters, not 100,000 points.
   * A cell holding one report comes back as that report.
   */
  async map(viewer: Principal, w: StatsWindow, bbox: [number, number, number, number], zoom: number) {
    const where = this.base(viewer, w);
    const [west, south, east, north] = bbox;
    // Plain comparisons, not the GiST index: the window's indexes already narrow the set, and a
    // city-wide box would make the planner walk the spatial index over every report.
    where.add((p) => `lng between ${p(west)} and ${p(east)} and lat between ${p(south)} and ${p(north)}`);
    const cell = 360 / 2 ** zoom / 4;
    const cellParam = where.params.push(cell);
    const set = this.base(viewer, w);
    const fromReports = async (tx: Queryable) => {
      const rows = await tx.query<{
        gx: number;
        gy: number;
        count: number;
        lat: number;
        lng: number;
        open: number;
        overdue: number;
        emergency: number;
        one_id: string;
        one_tracking_no: string;
        one_status: string;
        one_category: string;
      }>(
        `select floor(lng / $${cellParam})::int as gx, floor(lat / $${cellParam})::int as gy, count(*)::int as count, avg(lat) as lat, avg(lng) as lng,
                count(*) filter (where status = any($3))::int as open,
                count(*) filter (where status = any($3) and due_at < $2)::int as overdue,
                count(*) filter (where emergency and status = any($3))::int as emergency,
                min(id::text) as one_id, min(tracking_no) as one_tracking_no, min(status) as one_status, min(category_code) as one_category
         from reports ${where} group by 1, 2 limit 5000`,
        where.params,
      );
      return rows.map((r) => ({
        lat: Number(r.lat),
        lng: Number(r.lng),
        count: r.count,
        open: r.open,
        overdue: r.overdue,
        emergency: r.emergency,
        ...(r.count === 1 ? { report: { id: r.one_id, trackingNo: r.one_tracking_no, status: r.one_status, category: r.one_category } } : {}),
      }));
    };
    return this.read(viewer, w, async (tx, scope) => (scope.kind === 'city' ? rollupMap(tx, w, bbox, zoom, set.parts.join(' and '), OPEN_STATUSES) : undefined), fromReports);
  }
}

/** The rollup group that holds exactly the reports a viewer sees: the whole city, or one OPD's or kecamatan's. */
type RollupScope = { kind: 'city' } | { kind: 'agency' | 'kecamatan'; code: string };

/**
 * Where a viewer's reports are one rollup group. A city-wide viewer sees the city. An officer of an OPD
 * (or kecamatan) sees its reports and those their unit holds (queries.ts#scopeFilter): that is the OPD's
 * (kecamatan's) group when their unit holds none of another — checked through the index of reports
 * handled outside their own OPD or area (migration 0009). A kelurahan or a citizen: none.
 */
async function rollupScope(tx: Queryable, viewer: Principal): Promise<RollupScope | undefined> {
  const where = new Where();
  scopeFilter(where, viewer);
  if (where.parts.length === 0) return { kind: 'city' };
  const scope = viewer.role === 'citizen' ? null : viewer.scope;
  if (scope?.kind === 'opd') {
    const elsewhere = await tx.maybeOne(
      `select 1 from reports where report_handled_elsewhere(handler_kind, handler_code, agency_code, kecamatan_code)
         and handler_kind = 'opd' and handler_code = $1 and agency_code <> $1 limit 1`,
      [scope.code],
    );
    return elsewhere ? undefined : { kind: 'agency', code: scope.code };
  }
  if (scope?.kind === 'kecamatan') {
    const elsewhere = await tx.maybeOne(
      `select 1 from reports where report_handled_elsewhere(handler_kind, handler_code, agency_code, kecamatan_code)
         and ((handler_kind = 'kecamatan' and handler_code = $1) or (handler_kind = 'kelurahan' and handler_code like $1 || '.%'))
         and kecamatan_code is distinct from $1 limit 1`,
      [scope.code],
    );
    return elsewhere ? undefined : { kind: 'kecamatan', code: scope.code };
  }
  return undefined;
}

/** The figures of an empty window, as the aggregate gives them. */
const EMPTY_FIGURES: FiguresRow = { new: 0, open: 0, overdue: 0, escalated: 0, resolved: 0, emergency_open: 0, median_hours: null, within_share: null };

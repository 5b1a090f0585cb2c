import type { Database } from '../../platform/db.js';

/**
 * The demo city's past, written into reports' own tables: the demo seed files its reports through the
 * real workflow today, then moves each back in time here (src/modules/demo/reports.ts).
 */
const MINUTE = 60_000;

/** How a demo report lived, in milliseconds. */
export interface DemoLife {
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
export async function backdateReport(db: Database, reportId: string, life: DemoLife, now = new Date()): Promise<void> {
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

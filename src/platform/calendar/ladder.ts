import { dueAt, type Duration, type WorkingCalendar } from './calendar.js';

/**
 * Climbing an escalation ladder on the working calendar. Who stands on each rung is the domain's
 * (reports: lurah → camat → pimpinan; online services will have their own); that an overdue matter
 * goes up one rung at a time, one interval apart, and stops at the top is the same for every deadline.
 */

export interface Climb<R> {
  /** Whom this step reaches. */
  rung: R;
  /** Steps taken after this one. */
  level: number;
  /** When the next step is due; null once the top rung is reached. */
  nextAt: Date | null;
}

/** One step up `rungs` after `level` steps already taken, at `now`; the next follows `pace` later. */
export function climb<R>(rungs: readonly R[], level: number, now: Date, pace: Duration, calendar: WorkingCalendar): Climb<R> {
  if (rungs.length === 0) throw new RangeError('An escalation ladder needs at least one rung');
  const rung = rungs[Math.min(level, rungs.length - 1)]!;
  const next = level + 1;
  return { rung, level: next, nextAt: next < rungs.length ? dueAt(now, pace, calendar) : null };
}

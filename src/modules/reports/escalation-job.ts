import type { Duration } from '../../platform/calendar/calendar.js';
import { climb } from '../../platform/calendar/ladder.js';
import type { Database, Queryable } from '../../platform/db.js';
import { publish } from '../../platform/events.js';
import type { Logger } from '../../platform/logger.js';
import type { HolidaysService } from './holidays.js';
import type { Neighbours } from './neighbours.js';
import * as repo from './repository.js';
import type { DueRow, HandlerKind } from './repository.js';

/**
 * The deadline job: warns the handler before a deadline, escalates overdue reports one rung at a
 * time up the handler's ladder, and closes resolutions the citizen neither confirmed nor disputed.
 * Each report is handled in its own transaction with FOR UPDATE SKIP LOCKED, so several nodes may run
 * it side by side. What it does is recorded at the `now` it runs for (the demo city replays its past
 * through it). Climbing itself (a rung per interval, stopping at the top) is src/platform/calendar/ladder.ts.
 */

export const DEADLINES_JOB = 'reports.deadlines';
export const DEADLINES_EVERY_MS = 60_000;

/** One rung of a handler's ladder: the head of a unit, or the pimpinan. */
interface Rung {
  label: string;
  scope?: { kind: 'kelurahan' | 'kecamatan' | 'opd'; code: string };
}

/**
 * Up the handler's own chain: at a kelurahan lurah → camat → pimpinan; at a kecamatan camat →
 * pimpinan; at an OPD head of OPD → pimpinan; the coordinator's queue goes to the pimpinan.
 */
export function escalationChain(handler: { kind: HandlerKind; code: string }): Rung[] {
  const pimpinan: Rung = { label: 'Pimpinan daerah' };
  switch (handler.kind) {
    case 'kelurahan': {
      const kecamatan = handler.code.split('.').slice(0, 3).join('.');
      return [
        { label: 'Lurah', scope: { kind: 'kelurahan', code: handler.code } },
        { label: 'Camat', scope: { kind: 'kecamatan', code: kecamatan } },
        pimpinan,
      ];
    }
    case 'kecamatan':
      return [{ label: 'Camat', scope: { kind: 'kecamatan', code: handler.code } }, pimpinan];
    case 'opd':
      return [{ label: 'Kepala OPD', scope: { kind: 'opd', code: handler.code } }, pimpinan];
    case 'coordinator':
      return [pimpinan];
  }
}

/** The next rung after another working day; an emergency climbs every hour. */
const paceOf = (emergency: boolean): Duration => (emergency ? { unit: 'hours', value: 1 } : { unit: 'working_days', value: 1 });

const stageOf = (status: string) => (status === 'submitted' ? 'verify' : status === 'verified' ? 'dispatch' : 'resolve');

/** Runs the deadline job's three sweeps: warnings, escalations, automatic closures. */
export class DeadlineKeeper {
  constructor(
    private readonly db: Database,
    private readonly holidays: HolidaysService,
    private readonly log: Logger,
    private readonly autoCloseDays: number,
    private readonly neighbours: Pick<Neighbours, 'headId'>,
  ) {}

  /** The same keeper logging elsewhere (the demo replays its past quietly). */
  withLog(log: Logger): DeadlineKeeper {
    return new DeadlineKeeper(this.db, this.holidays, log, this.autoCloseDays, this.neighbours);
  }

  /** Everything due at `now` (the demo replays its past with earlier moments); counts what it did. */
  async run(now = new Date()): Promise<{ warned: number; escalated: number; closed: number }> {
    const result = { warned: await this.warn(now), escalated: await this.escalate(now), closed: await this.autoClose(now) };
    if (result.warned + result.escalated + result.closed > 0) this.log.info(result, 'report deadlines processed');
    return result;
  }

  /** When the job next has something to do: the earliest warning, escalation or automatic closure due (null: none). */
  async nextDue(): Promise<Date | null> {
    return repo.nextDeadline(this.db, this.autoCloseDays);
  }

  /** Repeats `step` on one claimed report at a time until none is left (or a safety limit). */
  private async each(claim: (tx: Queryable) => Promise<DueRow | undefined>, step: (tx: Queryable, row: DueRow) => Promise<void>): Promise<number> {
    let n = 0;
    for (; n < 10_000; n++) {
      const done = await this.db.transaction(async (tx) => {
        const row = await claim(tx);
        if (!row) return false;
        await step(tx, row);
        return true;
      });
      if (!done) break;
    }
    return n;
  }

  private async warn(now: Date): Promise<number> {
    return this.each(
      (tx) => repo.claimWarningDue(tx, now),
      async (tx, row) => {
        await repo.markWarned(tx, row.id, now);
        await repo.insertEvent(tx, { report_id: row.id, kind: 'warning', actor_role: 'system', visibility: 'officers', data: { stage: stageOf(row.status) }, at: now });
        await publish(tx, 'report.deadline_near', { reportId: row.id });
      },
    );
  }

  private async escalate(now: Date): Promise<number> {
    const calendar = await this.holidays.calendar();
    return this.each(
      (tx) => repo.claimEscalationDue(tx, now),
      async (tx, row) => {
        const step = climb(escalationChain({ kind: row.handler_kind, code: row.handler_code }), row.escalation_level, now, paceOf(row.emergency), calendar);
        const targetUserId = (await this.neighbours.headId(step.rung.scope, tx)) ?? null;
        const stage = stageOf(row.status);
        const { level, rung } = step;
        await repo.insertEscalation(tx, row, { level, stage, targetUserId, targetLabel: rung.label, at: now });
        await repo.setEscalationLevel(tx, row.id, level, step.nextAt);
        await repo.insertEvent(tx, {
          report_id: row.id,
          kind: 'escalation',
          actor_role: 'system',
          visibility: 'officers',
          data: { level, stage, to: rung.label, targetUserId, noAccount: targetUserId === null },
          at: now,
        });
        await publish(tx, 'report.escalated', { reportId: row.id, level, targetUserId, targetLabel: rung.label });
      },
    );
  }

  private async autoClose(now: Date): Promise<number> {
    return this.each(
      (tx) => repo.claimUnconfirmedResolution(tx, now, this.autoCloseDays),
      async (tx, row) => {
        await repo.closeUnconfirmed(tx, row.id, now);
        await repo.insertEvent(tx, {
          report_id: row.id,
          kind: 'status',
          from_status: 'resolved',
          to_status: 'closed',
          actor_role: 'system',
          visibility: 'public',
          data: { action: 'close', automatic: true, afterDays: this.autoCloseDays },
          at: now,
        });
        await publish(tx, 'report.status_changed', { reportId: row.id, action: 'close', from: 'resolved', to: 'closed', automatic: true });
      },
    );
  }
}

/** The job as the job runner takes it: every minute on each worker node (claims keep them apart). */
export function deadlinesJob(keeper: DeadlineKeeper): { kind: string; everyMs: number; run: () => Promise<unknown> } {
  return { kind: DEADLINES_JOB, everyMs: DEADLINES_EVERY_MS, run: () => keeper.run() };
}

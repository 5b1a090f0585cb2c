import type { Database, Queryable } from '../../platform/db.js';
import { publish } from '../../platform/events.js';
import type { Logger } from '../../platform/logger.js';
import { dueAt, type Duration } from '../../platform/calendar/calendar.js';
import type { HolidaysService } from './holidays.js';
import type { HandlerKind } from './service.js';
import { OPEN_STATUSES } from './workflow.js';

/** One rung of a handler's chain: the head of a unit, or the pimpinan. */
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

interface DueRow {
  id: string;
  tracking_no: string;
  status: string;
  emergency: boolean;
  handler_kind: HandlerKind;
  handler_code: string;
  agency_code: string;
  kecamatan_code: string | null;
  kelurahan_code: string | null;
  escalation_level: number;
}

const stageOf = (status: string) => (status === 'submitted' ? 'verify' : status === 'verified' ? 'dispatch' : 'resolve');

/**
 * The deadline job: warns the handler before a deadline, escalates overdue reports one rung at a
 * time, and closes resolutions the citizen neither confirmed nor disputed. Each report is handled in
 * its own transaction with FOR UPDATE SKIP LOCKED, so several nodes may run it side by side. What it
 * does is recorded at the `now` it runs for (the demo city replays its past through it).
 */
export class DeadlineKeeper {
  constructor(
    private readonly db: Database,
    private readonly holidays: HolidaysService,
    private readonly log: Logger,
    private readonly autoCloseDays: number,
  ) {}

  async run(now = new Date()): Promise<{ warned: number; escalated: number; closed: number }> {
    const result = { warned: await this.warn(now), escalated: await this.escalate(now), closed: await this.autoClose(now) };
    if (result.warned + result.escalated + result.closed > 0) this.log.info(result, 'report deadlines processed');
    return result;
  }

  /** When the job next has something to do: the earliest warning, escalation or automatic closure due (null: none). */
  async nextDue(): Promise<Date | null> {
    const row = await this.db.one<{ at: Date | null }>(
      `select least(
         (select min(warn_at) from reports where warned_at is null and status = any($1)),
         (select min(next_escalation_at) from reports where status = any($1)),
         (select min(resolved_at) from reports where status = 'resolved') + make_interval(days => $2)
       ) as at`,
      [OPEN_STATUSES, this.autoCloseDays],
    );
    return row.at;
  }

  /** Repeats `step` on one claimed report at a time until none is left (or a safety limit). */
  private async each(claim: string, params: unknown[], step: (tx: Queryable, row: DueRow) => Promise<void>): Promise<number> {
    let n = 0;
    for (; n < 10_000; n++) {
      const done = await this.db.transaction(async (tx) => {
        const row = await tx.maybeOne<DueRow>(claim, params);
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
      `select * from reports where warn_at <= $1 and warned_at is null and status = any($2) order by warn_at limit 1 for update skip locked`,
      [now, OPEN_STATUSES],
      async (tx, row) => {
        await tx.query('update reports set warned_at = $2 where id = $1', [row.id, now]);
        await tx.query(
          `insert into report_events (report_id, kind, actor_role, visibility, data, created_at) values ($1, 'warning', 'system', 'officers', $2, $3)`,
          [row.id, JSON.stringify({ stage: stageOf(row.status) }), now],
        );
        await publish(tx, 'report.deadline_near', { reportId: row.id });
      },
    );
  }

  private async escalate(now: Date): Promise<number> {
    const calendar = await this.holidays.calendar();
    return this.each(
      `select * from reports where next_escalation_at <= $1 and status = any($2) order by next_escalation_at limit 1 for update skip locked`,
      [now, OPEN_STATUSES],
      async (tx, row) => {
        const chain = escalationChain({ kind: row.handler_kind, code: row.handler_code });
        const rung = chain[Math.min(row.escalation_level, chain.length - 1)]!;
        const target = rung.scope
          ? await tx.maybeOne<{ id: string }>(
              `select id from users where kind = 'officer' and status = 'active' and is_head and scope_kind = $1 and scope_code = $2 order by created_at limit 1`,
              [rung.scope.kind, rung.scope.code],
            )
          : await tx.maybeOne<{ id: string }>(`select id from users where role = 'pimpinan' and status = 'active' order by created_at limit 1`);
        const level = row.escalation_level + 1;
        const stage = stageOf(row.status);
        await tx.query(
          `insert into report_escalations (report_id, level, stage, target_user_id, target_label, agency_code, kecamatan_code, kelurahan_code, handler_kind, handler_code, created_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [row.id, level, stage, target?.id ?? null, rung.label, row.agency_code, row.kecamatan_code, row.kelurahan_code, row.handler_kind, row.handler_code, now],
        );
        // The next rung after another working day (an hour for emergencies); the pimpinan is the top.
        const interval: Duration = row.emergency ? { unit: 'hours', value: 1 } : { unit: 'working_days', value: 1 };
        const next = level < chain.length ? dueAt(now, interval, calendar) : null;
        await tx.query('update reports set escalation_level = $2, escalation_count = escalation_count + 1, next_escalation_at = $3 where id = $1', [row.id, level, next]);
        await tx.query(
          `insert into report_events (report_id, kind, actor_role, visibility, data, created_at) values ($1, 'escalation', 'system', 'officers', $2, $3)`,
          [row.id, JSON.stringify({ level, stage, to: rung.label, targetUserId: target?.id ?? null, noAccount: !target }), now],
        );
        await publish(tx, 'report.escalated', { reportId: row.id, level, targetUserId: target?.id ?? null, targetLabel: rung.label });
      },
    );
  }

  private async autoClose(now: Date): Promise<number> {
    return this.each(
      `select * from reports where status = 'resolved' and resolved_at <= $1::timestamptz - make_interval(days => $2) order by resolved_at limit 1 for update skip locked`,
      [now, this.autoCloseDays],
      async (tx, row) => {
        await tx.query(`update reports set status = 'closed', closed_at = $2, updated_at = $2 where id = $1`, [row.id, now]);
        await tx.query(
          `insert into report_events (report_id, kind, from_status, to_status, actor_role, visibility, data, created_at) values ($1, 'status', 'resolved', 'closed', 'system', 'public', $2, $3)`,
          [row.id, JSON.stringify({ action: 'close', automatic: true, afterDays: this.autoCloseDays }), now],
        );
        await publish(tx, 'report.status_changed', { reportId: row.id, action: 'close', from: 'resolved', to: 'closed', automatic: true });
      },
    );
  }
}

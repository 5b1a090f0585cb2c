import type { Queryable } from '../../platform/db.js';
import type { Principal } from '../identity/index.js';
import type { Names } from './names.js';
import { insertEvent, type EventRow } from './repository.js';
import type { ReportStatus } from './workflow.js';

/** A step on a report's timeline as the workflow records it (the deadline job writes its own, as the system). */
export interface Step {
  kind: string;
  from?: ReportStatus;
  to?: ReportStatus;
  /** Null: the system, or an Open311 client. */
  actor: Principal | null;
  visibility: EventRow['visibility'];
  note?: string | null;
  data?: Record<string, unknown>;
}

/**
 * Records who took a step, with their unit named as citizens read it ("Kelurahan Ramanuju", "DPUPR").
 * `names` is fetched before the transaction: with PGlite a query outside it would wait for itself.
 */
export async function recordStep(tx: Queryable, names: Names, reportId: string, step: Step): Promise<void> {
  const unit = step.actor?.scope ? names.unit(step.actor.scope.kind, step.actor.scope.code) : null;
  await insertEvent(tx, {
    report_id: reportId,
    kind: step.kind,
    from_status: step.from ?? null,
    to_status: step.to ?? null,
    actor_id: step.actor?.userId ?? null,
    actor_role: step.actor?.role ?? 'system',
    visibility: step.visibility,
    note: step.note ?? null,
    data: { ...step.data, ...(unit ? { unit } : {}) },
  });
}

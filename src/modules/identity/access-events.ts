import type { Queryable } from '../../platform/db.js';
import { publish } from '../../platform/events.js';
import type { Principal } from './roles.js';

/**
 * A session ended (logout), or an account lost or changed its access (suspension, a role, scope or
 * head change, a NIK taken back by its owner). Published in the transaction that makes the change,
 * so every node's live streams learn it in commit order: nothing committed after it reaches a
 * stream opened under the old access.
 */
export const ACCESS_CHANGED = 'identity.access_changed';

export interface AccessChanged {
  userId: string;
  /** Only this session (a logout); absent: every session of the account. */
  sessionId?: string | undefined;
  reason: 'logout' | 'suspended' | 'role_changed' | 'nik_claimed';
}

export async function publishAccessChanged(tx: Queryable, change: AccessChanged): Promise<void> {
  await publish(tx, ACCESS_CHANGED, { ...change });
}

/** Whether a stream opened by `principal` must close on this change. */
export function losesAccess(change: AccessChanged, principal: Principal): boolean {
  return principal.userId === change.userId && (change.sessionId === undefined || change.sessionId === principal.sessionId);
}

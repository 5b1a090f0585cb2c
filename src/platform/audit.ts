import type { Queryable } from './db.js';

/**
 * What every module needs of the audit trail: to append an entry, inside its own transaction where it
 * has one. The audit module implements it (the HMAC chain, verification, the admin's view); modules
 * depend on this interface only, so none of them imports the audit module and the audit module may
 * use any of them.
 */
export interface AuditActor {
  id: string | null;
  /** Role or origin, never personal data: 'admin', 'citizen', 'cli', 'system' … */
  label: string;
}

export interface AuditEntry {
  actor: AuditActor;
  action: string;
  subject?: { type: string; id: string } | undefined;
  ip?: string | undefined;
  details?: Record<string, unknown> | undefined;
}

export interface AuditRecorder {
  /** Appends inside the caller's transaction when given one, so the entry commits with the change. */
  append(entry: AuditEntry, tx?: Queryable): Promise<void>;
}

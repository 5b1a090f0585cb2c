import { createHmac } from 'node:crypto';
import type { Database, Queryable } from '../../platform/db.js';
import type { AuditEntry, AuditRecorder } from '../../platform/audit.js';
import { constantTimeEqual } from '../../platform/crypto.js';

/**
 * Append-only audit trail: logins, failed logins, role and scope changes, every reveal of personal
 * data. Each row's hash is an HMAC over the previous hash and the row's canonical form, keyed with
 * a key derived from the secret, which is not in the database: whoever can write the table cannot
 * re-chain it. The head (count and last hash) is kept signed in `audit_head`, so deleting the newest
 * rows is detected too. Appends lock the head row, so "previous" is well defined across nodes.
 */
interface AuditRow {
  seq: number;
  at: Date;
  actor_id: string | null;
  actor_label: string;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

const GENESIS = 'genesis';

/** JSON with object keys sorted at every depth: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The HMAC-chained audit trail: appends (for every module), verifies the chain, lists entries for the admin. */
export class AuditTrail implements AuditRecorder {
  constructor(
    private readonly db: Database,
    private readonly key: Buffer,
  ) {}

  private rowHash(prevHash: string, row: Omit<AuditRow, 'prev_hash' | 'hash'>): string {
    const canonical = canonicalJson([
      row.seq,
      row.at.toISOString(),
      row.actor_id,
      row.actor_label,
      row.action,
      row.subject_type,
      row.subject_id,
      row.ip,
      row.details,
    ]);
    return createHmac('sha256', this.key).update(`${prevHash}\n${canonical}`).digest('hex');
  }

  private headSignature(count: number, hash: string): string {
    return createHmac('sha256', this.key).update(`audit-head:${count}:${hash}`).digest('hex');
  }

  async append(entry: AuditEntry, tx?: Queryable): Promise<void> {
    if (!tx) return this.db.transaction((t) => this.append(entry, t));
    await tx.query(
      `insert into audit_head (id, count, hash, signature) values (true, 0, $1, $2) on conflict (id) do nothing`,
      [GENESIS, this.headSignature(0, GENESIS)],
    );
    const head = await tx.one<{ count: number; hash: string }>('select count, hash from audit_head where id for update');
    const row = {
      seq: head.count + 1,
      at: new Date(),
      actor_id: entry.actor.id,
      actor_label: entry.actor.label,
      action: entry.action,
      subject_type: entry.subject?.type ?? null,
      subject_id: entry.subject?.id ?? null,
      ip: entry.ip ?? null,
      details: entry.details ?? {},
    };
    const hash = this.rowHash(head.hash, row);
    await tx.query(
      `insert into audit_log (seq, at, actor_id, actor_label, action, subject_type, subject_id, ip, details, prev_hash, hash)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [row.seq, row.at, row.actor_id, row.actor_label, row.action, row.subject_type, row.subject_id, row.ip, JSON.stringify(row.details), head.hash, hash],
    );
    await tx.query('update audit_head set count = $1, hash = $2, signature = $3 where id', [row.seq, hash, this.headSignature(row.seq, hash)]);
  }

  /** Walks the whole chain in order. Returns the first problem found, or ok with the row count. */
  async verify(onProgress?: (checked: number, total: number) => void): Promise<AuditVerification> {
    const { n } = await this.db.one<{ n: number }>('select count(*)::bigint as n from audit_log');
    const head = await this.db.maybeOne<{ count: number; hash: string; signature: string }>('select count, hash, signature from audit_head');
    let prevHash = GENESIS;
    let expectedSeq = 1;
    const batch = 2000;
    for (;;) {
      const rows = await this.db.query<AuditRow>(
        'select * from audit_log where seq >= $1 order by seq limit $2',
        [expectedSeq, batch],
      );
      for (const row of rows) {
        if (row.seq !== expectedSeq) {
          return { ok: false, checked: expectedSeq - 1, firstBrokenSeq: expectedSeq, reason: `row ${expectedSeq} is missing (next row is ${row.seq})` };
        }
        if (row.prev_hash !== prevHash) {
          return { ok: false, checked: expectedSeq - 1, firstBrokenSeq: row.seq, reason: `row ${row.seq} does not follow row ${row.seq - 1}` };
        }
        if (!constantTimeEqual(this.rowHash(prevHash, row), row.hash)) {
          return { ok: false, checked: expectedSeq - 1, firstBrokenSeq: row.seq, reason: `row ${row.seq} was altered` };
        }
        prevHash = row.hash;
        expectedSeq += 1;
      }
      onProgress?.(expectedSeq - 1, n);
      if (rows.length < batch) break;
    }
    const count = expectedSeq - 1;
    if (!head) {
      if (count === 0) return { ok: true, checked: 0 };
      return { ok: false, checked: count, firstBrokenSeq: 1, reason: 'the signed head of the chain is missing' };
    }
    if (!constantTimeEqual(this.headSignature(head.count, head.hash), head.signature)) {
      return { ok: false, checked: count, firstBrokenSeq: count + 1, reason: 'the signed head of the chain was altered' };
    }
    if (head.count !== count || head.hash !== prevHash) {
      return {
        ok: false,
        checked: count,
        firstBrokenSeq: Math.min(count, head.count) + 1,
        reason: `the chain ends at row ${count} but its signed head says ${head.count} rows: the newest rows were deleted`,
      };
    }
    return { ok: true, checked: count };
  }

  /** Entries newest first, optionally about one subject, paged by `before` (a sequence number). */
  async list(options: { before?: number | undefined; limit: number; subject?: { type: string; id: string } | undefined }) {
    const params: unknown[] = [options.before ?? Number.MAX_SAFE_INTEGER, options.limit];
    let filter = '';
    if (options.subject) {
      params.push(options.subject.type, options.subject.id);
      filter = 'and subject_type = $3 and subject_id = $4';
    }
    return this.db.query<AuditRow>(`select * from audit_log where seq < $1 ${filter} order by seq desc limit $2`, params);
  }
}

export type AuditVerification =
  | { ok: true; checked: number }
  | { ok: false; checked: number; firstBrokenSeq: number; reason: string };

export type { AuditRow };

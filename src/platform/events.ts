import type { Database, Queryable } from './db.js';
import type { Logger } from './logger.js';

/**
 * The outbox: an event is a row written in the same transaction as the change it announces, so an
 * acknowledged change never loses its event. The dispatcher claims pending rows with
 * FOR UPDATE SKIP LOCKED (several nodes may run it), hands each to the subscribers, and marks it.
 * A subscriber that fails leaves the event pending for a retry, so subscribers must be idempotent.
 */
export interface OutboxEvent<T = Record<string, unknown>> {
  id: number;
  topic: string;
  payload: T;
  createdAt: Date;
}

export type Subscriber = (event: OutboxEvent) => Promise<void> | void;

/** The NOTIFY channel that carries every outbox event to the live streams of every node at once. */
export const LIVE_CHANNEL = 'satukota_live';

export async function publish(tx: Queryable, topic: string, payload: Record<string, unknown>): Promise<void> {
  const json = JSON.stringify(payload);
  // The NOTIFY reaches live views at commit, within milliseconds; the outbox row drives the reliable
  // work. NOTIFY payloads are limited to 8000 bytes: a large payload is announced by its topic alone.
  await tx.query('with o as (insert into outbox (topic, payload) values ($1, $2) returning id) select pg_notify($3, $4) from o', [
    topic,
    json,
    LIVE_CHANNEL,
    JSON.stringify(json.length < 7000 ? { topic, payload } : { topic }),
  ]);
}

/**
 * Marks the pending events whose topic starts with `prefix` as handled without handing them to any
 * subscriber: for changes that are history, not news (the demo city's past). Returns how many.
 */
export async function markHandled(q: Queryable, prefix: string): Promise<number> {
  const row = await q.one<{ n: number }>(
    'with marked as (update outbox set dispatched_at = now() where dispatched_at is null and starts_with(topic, $1) returning 1) select count(*)::int as n from marked',
    [prefix],
  );
  return row.n;
}

export class EventDispatcher {
  private readonly subscribers: { pattern: string; fn: Subscriber }[] = [];

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
  ) {}

  /** `pattern`: an exact topic, a prefix ending in `.*`, or `*`. */
  subscribe(pattern: string, fn: Subscriber): () => void {
    const entry = { pattern, fn };
    this.subscribers.push(entry);
    return () => {
      const i = this.subscribers.indexOf(entry);
      if (i >= 0) this.subscribers.splice(i, 1);
    };
  }

  private matches(pattern: string, topic: string): boolean {
    return pattern === '*' || pattern === topic || (pattern.endsWith('.*') && topic.startsWith(pattern.slice(0, -1)));
  }

  /**
   * Delivers one batch; returns how many events were handled. Rows are claimed with a short lease
   * and delivered outside the claiming transaction, so subscribers may use the database (PGlite has
   * one connection) and a node that dies mid-batch only delays its events until the lease ends.
   */
  async dispatchBatch(limit = 100): Promise<number> {
    const rows = await this.db.query<{ id: number; topic: string; payload: Record<string, unknown>; created_at: Date }>(
      `update outbox set claimed_until = now() + interval '60 seconds'
       where id in (
         select id from outbox
         where dispatched_at is null and attempts < 20 and (claimed_until is null or claimed_until < now())
         order by id limit $1 for update skip locked)
       returning id, topic, payload, created_at`,
      [limit],
    );
    rows.sort((a, b) => a.id - b.id);
    // Delivered events are marked together at the end: one statement per batch, not per event (a
    // node dying before that only redelivers them, which idempotent subscribers absorb).
    const delivered: number[] = [];
    for (const row of rows) {
      const event: OutboxEvent = { id: row.id, topic: row.topic, payload: row.payload, createdAt: row.created_at };
      try {
        for (const s of this.subscribers) if (this.matches(s.pattern, row.topic)) await s.fn(event);
        delivered.push(row.id);
      } catch (error) {
        this.log.warn({ err: error, eventId: row.id, topic: row.topic }, 'event subscriber failed; will retry');
        // The lease doubles as the retry back-off: 2 s, 4 s, 8 s … up to 5 minutes.
        await this.db.query(
          `update outbox set attempts = attempts + 1, last_error = $2,
             claimed_until = now() + make_interval(secs => least(300, power(2, attempts + 1)::int)) where id = $1`,
          [row.id, String(error)],
        );
      }
    }
    if (delivered.length > 0) {
      await this.db.query('update outbox set dispatched_at = now(), claimed_until = null, attempts = attempts + 1 where id = any($1)', [delivered]);
    }
    return rows.length;
  }
}

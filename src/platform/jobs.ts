import type { Database, Queryable } from './db.js';
import type { Logger } from './logger.js';
import type { EventDispatcher } from './events.js';

/**
 * Background jobs in the database. Workers claim due jobs with FOR UPDATE SKIP LOCKED and hold them
 * with a lease (`locked_until`), so several nodes can work side by side and a job of a node that died
 * is picked up again when its lease expires. Failures retry with exponential back-off.
 */
export type JobHandler = (payload: Record<string, unknown>, job: { id: number; attempts: number }) => Promise<void>;

export interface EnqueueOptions {
  runAt?: Date;
  /** At most one pending job per kind and key. */
  uniqueKey?: string;
  maxAttempts?: number;
}

export async function enqueue(tx: Queryable, kind: string, payload: Record<string, unknown> = {}, options: EnqueueOptions = {}): Promise<void> {
  await tx.query(
    `insert into jobs (kind, payload, run_at, unique_key, max_attempts) values ($1, $2, $3, $4, $5)
     on conflict (kind, unique_key) where unique_key is not null and status in ('pending', 'running') do nothing`,
    [kind, JSON.stringify(payload), options.runAt ?? new Date(), options.uniqueKey ?? null, options.maxAttempts ?? 8],
  );
}

const LEASE_SECONDS = 300;
/** Small: a batch is held while its jobs run one by one, and other nodes should share the work. */
const CLAIM_BATCH = 5;

export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly recurring = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
    private readonly events?: EventDispatcher,
  ) {}

  register(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  /** A job that re-enqueues itself every `everyMs` after it runs. */
  every(kind: string, everyMs: number, handler: JobHandler): void {
    this.register(kind, handler);
    this.recurring.set(kind, everyMs);
  }

  /**
   * Runs due jobs until none is left (or `limit`); returns how many ran. Jobs are claimed a batch at
   * a time in one statement: notifications make many small jobs, and a round trip per claim showed.
   */
  async runDue(limit = 50): Promise<number> {
    let ran = 0;
    while (ran < limit) {
      const batch = await this.db.query<{ id: number; kind: string; payload: Record<string, unknown>; attempts: number; max_attempts: number; run_at: Date }>(
        `update jobs set status = 'running', attempts = attempts + 1, locked_until = now() + make_interval(secs => $2)
         where id in (
           select id from jobs
           where (status = 'pending' and run_at <= now()) or (status = 'running' and locked_until < now())
           order by run_at limit $1 for update skip locked)
         returning id, kind, payload, attempts - 1 as attempts, max_attempts, run_at`,
        [Math.min(CLAIM_BATCH, limit - ran), LEASE_SECONDS],
      );
      if (batch.length === 0) break;
      batch.sort((a, b) => a.run_at.getTime() - b.run_at.getTime() || a.id - b.id);
      for (const job of batch) {
        await this.execute(job);
        ran++;
      }
    }
    return ran;
  }

  private async execute(job: { id: number; kind: string; payload: Record<string, unknown>; attempts: number; max_attempts: number }) {
    const handler = this.handlers.get(job.kind);
    const attempts = job.attempts + 1;
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      await handler(job.payload, { id: job.id, attempts });
      const every = this.recurring.get(job.kind);
      const done = `update jobs set status = 'done', finished_at = now(), locked_until = null where id = $1`;
      if (every === undefined) await this.db.query(done, [job.id]);
      else {
        await this.db.transaction(async (tx) => {
          await tx.query(done, [job.id]);
          await enqueue(tx, job.kind, job.payload, { runAt: new Date(Date.now() + every), uniqueKey: 'recurring' });
        });
      }
    } catch (error) {
      const giveUp = attempts >= job.max_attempts;
      const backoffSeconds = Math.min(3600, 2 ** attempts * 5);
      this.log.warn({ err: error, jobId: job.id, kind: job.kind, attempts }, giveUp ? 'job failed for good' : 'job failed; will retry');
      await this.db.query(
        `update jobs set status = $2, last_error = $3, locked_until = null,
           run_at = now() + make_interval(secs => $4), finished_at = case when $2 = 'failed' then now() end
         where id = $1`,
        [job.id, giveUp ? 'failed' : 'pending', String(error), backoffSeconds],
      );
    }
  }

  /** Starts polling: due jobs and pending outbox events, every `intervalMs`. */
  async start(intervalMs = 1000): Promise<void> {
    this.stopped = false;
    for (const kind of this.recurring.keys()) await enqueue(this.db, kind, {}, { uniqueKey: 'recurring' });
    const tick = async () => {
      try {
        if (this.events) while ((await this.events.dispatchBatch()) > 0 && !this.stopped);
        await this.runDue();
      } catch (error) {
        this.log.error({ err: error }, 'job runner tick failed');
      }
    };
    const loop = () => {
      if (this.stopped) return;
      this.running = tick().finally(() => {
        if (!this.stopped) this.timer = setTimeout(loop, intervalMs);
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}

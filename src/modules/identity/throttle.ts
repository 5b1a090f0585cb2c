import type { Database } from '../../platform/db.js';
import { errors, type AppError } from '../../platform/errors.js';

/**
 * Attempt counters for logins and registrations, shared by every node through the database.
 *
 * An attempt is counted *before* the slow work it guards (the password hash, the SMS), in one
 * statement per key that the database serialises: a burst of parallel requests gets distinct
 * counts, so no burst evaluates more attempts than the limit. A refused attempt is not counted on
 * the keys that still had room (see `take`), and a successful login gives its attempts back.
 */
export interface Limit {
  /** An HMAC of what is limited (an account, an address, a phone), never the value itself. */
  key: string;
  max: number;
  windowSeconds: number;
}

interface Counted {
  key: string;
  attempts: number;
  wait: number;
}

export class Throttle {
  constructor(private readonly db: Database) {}

  /**
   * Counts one attempt on every key; throws 429 (with the longest wait) when any key is over its
   * limit. A key over its limit stays refused until its window ends; attempts during that time are
   * not counted, so hammering does not extend the wait.
   */
  async take(limits: Limit[], refusal: (waitSeconds: number) => AppError = errors.tooManyRequests): Promise<void> {
    const counted: Counted[] = [];
    for (const limit of limits) counted.push(await this.count(limit));
    const over = counted.filter((c, i) => c.attempts > limits[i]!.max);
    if (over.length === 0) return;
    const overKeys = new Set(over.map((c) => c.key));
    await this.giveBack(counted.filter((c) => !overKeys.has(c.key)).map((c) => c.key));
    throw refusal(Math.max(1, ...over.map((c) => c.wait)));
  }

  /** Forgets the attempts on these keys (a successful login resets its account's counters). */
  async reset(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.db.query('delete from throttle_counters where key = any($1)', [keys]);
  }

  /** Takes back one attempt from each key: it succeeded, or it was refused elsewhere. */
  async giveBack(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.db.query('update throttle_counters set attempts = greatest(0, attempts - 1) where key = any($1) and attempts > 0', [keys]);
  }

  /** Forgets counters whose window ended long ago (every window is a day at most); returns how many. */
  async sweep(olderThanSeconds = 2 * 24 * 3600): Promise<number> {
    const rows = await this.db.query('delete from throttle_counters where window_started_at < now() - make_interval(secs => $1) returning key', [olderThanSeconds]);
    return rows.length;
  }

  private async count({ key, max, windowSeconds }: Limit): Promise<Counted> {
    // A row over its limit is left alone until its window ends; then the count starts again at 1.
    return this.db.one<Counted>(
      `insert into throttle_counters as t (key, attempts, window_started_at) values ($1, 1, now())
       on conflict (key) do update set
         attempts = case when t.window_started_at <= now() - make_interval(secs => $2) then 1
                         when t.attempts > $3 then t.attempts
                         else t.attempts + 1 end,
         window_started_at = case when t.window_started_at <= now() - make_interval(secs => $2) then now() else t.window_started_at end
       returning key, attempts,
         ceil(extract(epoch from (window_started_at + make_interval(secs => $2) - now())))::int as wait`,
      [key, windowSeconds, max],
    );
  }
}

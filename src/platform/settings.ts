import type { Queryable } from './db.js';

/**
 * Small facts about this installation (the `platform_settings` table), each a JSON value under a key.
 * The keys there are, with the type of their value: a typo is a compile error, not a missing setting.
 */
export interface Settings {
  /** When the demo city was seeded (ISO 8601); the web app shows its demo banner while it is set. */
  demo_seeded_at: string;
}

/** The setting's value, or undefined when it was never set. */
export async function getSetting<K extends keyof Settings>(q: Queryable, key: K): Promise<Settings[K] | undefined> {
  const row = await q.maybeOne<{ value: Settings[K] }>('select value from platform_settings where key = $1', [key]);
  return row?.value;
}

/** Sets (or replaces) a setting, inside the caller's transaction when given one. */
export async function setSetting<K extends keyof Settings>(q: Queryable, key: K, value: Settings[K]): Promise<void> {
  await q.query(
    `insert into platform_settings (key, value) values ($1, $2::jsonb)
     on conflict (key) do update set value = excluded.value, updated_at = now()`,
    [key, JSON.stringify(value)],
  );
}

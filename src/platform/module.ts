import type { EventDispatcher } from './events.js';
import type { HttpApp } from './http.js';

/**
 * What a feature module hands the platform: its routes, its recurring jobs and its reactions to
 * other modules' events. app.ts builds each module with what it needs and registers these; it knows
 * nothing else of a module. Jobs and subscribers run on nodes with the worker role, routes on nodes
 * with the web role.
 */
export interface FeatureModule {
  readonly name: string;
  /** Hooks every request passes (identity's authentication); registered before any module's routes. */
  hooks?(app: HttpApp): void;
  /** The module's routes on the one HTTP app (not encapsulated: they share its hooks and error handler). */
  routes?(app: HttpApp): void | Promise<void>;
  jobs?: readonly RecurringJob[];
  subscribe?(events: EventDispatcher): void;
}

export interface RecurringJob {
  /** Stable name, also the job's kind in the jobs table: `<module>.<what>`. */
  kind: string;
  everyMs: number;
  run(): Promise<unknown>;
}

/**
 * The command center's public face: the live stream hub. Other modules add their layers (what each
 * viewer may see of their events) and identity says which events end a viewer's access.
 */
import type { Database } from '../../platform/db.js';
import type { Logger } from '../../platform/logger.js';
import type { FeatureModule } from '../../platform/module.js';
import type { Principal } from '../identity/index.js';
import type { ReportStats } from '../reports/index.js';
import { statsRoutes } from './stats-routes.js';
import { LiveHub, type AccessEnd, type LiveLayer } from './live.js';

export type { LiveHub, LiveLayer } from './live.js';

export interface CommandModule extends FeatureModule {
  live: LiveHub;
}

export interface CommandDeps {
  db: Database;
  log: Logger;
  /** Per topic prefix (e.g. 'report.'), the layer that presents its events to each viewer. */
  layers: Record<string, LiveLayer>;
  /** Reports' statistics, served as the command center's figures. */
  stats: ReportStats;
  timezone: string;
  /** The event that ends a viewer's access, and the check of a stream's access once it listens. */
  accessEnd: { topic: string; ends: AccessEnd; stillGranted: (principal: Principal) => Promise<boolean> };
}

/** Builds the command module: the live hub with the other modules' layers and identity's access-end rule. */
export function commandModule(deps: CommandDeps): CommandModule {
  const live = new LiveHub(deps.db, deps.log);
  for (const [prefix, layer] of Object.entries(deps.layers)) live.layer(prefix, layer);
  live.endAccessOn(deps.accessEnd.topic, deps.accessEnd.ends, deps.accessEnd.stillGranted);
  return {
    name: 'command',
    live,
    // Listening starts with the HTTP app that serves the stream (CLI commands never need it).
    routes: async (app) => {
      statsRoutes(app, deps.stats, deps.timezone);
      live.routes(app);
      await live.start();
    },
  };
}

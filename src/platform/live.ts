import type { Language } from './errors.js';

/**
 * The contract between the live stream (the command module's hub) and the modules whose events it
 * carries: each module presents its own topics to each viewer with the same rules as its API (a layer),
 * so the hub needs no module and no module needs the hub.
 */
export interface LiveViewer<Principal> {
  readonly principal: Principal | undefined;
  readonly lang: Language;
  send(event: string, data: unknown): void;
}

export interface LiveEvent {
  topic: string;
  payload?: Record<string, unknown>;
}

/** Sends what each viewer may see of one event (or nothing). */
export type LiveLayer<Principal> = (event: LiveEvent, viewers: readonly LiveViewer<Principal>[]) => Promise<void>;

import type { ServerResponse } from 'node:http';
import type { Database } from '../../platform/db.js';
import { LIVE_CHANNEL } from '../../platform/events.js';
import type { HttpApp } from '../../platform/http.js';
import type { LiveEvent, LiveLayer as PlatformLiveLayer, LiveViewer as PlatformLiveViewer } from '../../platform/live.js';
import type { Logger } from '../../platform/logger.js';
import type { Principal } from '../identity/index.js';

/**
 * The live stream behind the command center, the officers' inbox and the public map: every outbox
 * event reaches every node at once through NOTIFY, and each node turns it into server-sent events for
 * its own connections. What a viewer receives is decided per viewer by the module that owns the
 * topic (reports today; agency feeds and sensors later register their own layers), with the same
 * rules as the API: a viewer never learns through the stream what the API would not show them.
 */
export type LiveViewer = PlatformLiveViewer<Principal>;
export type LiveLayer = PlatformLiveLayer<Principal>;

/** Whether an event ends the access a viewer's stream was opened with (a logout, a suspension …). */
export type AccessEnd = (payload: Record<string, unknown>, principal: Principal) => boolean;

/** A connection is closed after this long; the browser reconnects and is authenticated afresh. */
const MAX_CONNECTION_MS = 10 * 60_000;
const HEARTBEAT_MS = 20_000;
const SESSION_ENDED = 'session_ended';
/** A client that stops reading is dropped rather than buffered without end. */
const MAX_BUFFERED_BYTES = 1 << 20;

interface Connection extends LiveViewer {
  res: ServerResponse;
  openedAt: number;
}

/** One node's live stream: NOTIFY from the outbox in, server-sent events out, per viewer through the modules' layers. */
export class LiveHub {
  private readonly layers: { prefix: string; layer: LiveLayer }[] = [];
  private readonly accessEnds = new Map<string, AccessEnd>();
  private stillGranted: (principal: Principal) => Promise<boolean> = async () => true;
  private readonly connections = new Set<Connection>();
  private queue: Promise<void> = Promise.resolve();
  private stopListening: (() => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
  ) {}

  /** Registers the layer that presents events whose topic starts with `prefix` (e.g. 'report.'). */
  layer(prefix: string, layer: LiveLayer): void {
    this.layers.push({ prefix, layer });
  }

  /**
   * Streams whose viewer `ends` matches close when an event of `topic` arrives, in event order.
   * `stillGranted` checks a stream's access once it is listening: an end that was handled between
   * the request's authentication and that moment is caught there.
   */
  endAccessOn(topic: string, ends: AccessEnd, stillGranted: (principal: Principal) => Promise<boolean>): void {
    this.accessEnds.set(topic, ends);
    this.stillGranted = stillGranted;
  }

  get size(): number {
    return this.connections.size;
  }

  /** Starts listening for events (once per node, with the HTTP app). */
  async start(): Promise<void> {
    if (this.stopListening) return;
    this.stopListening = await this.db.listen(LIVE_CHANNEL, (payload) => {
      let event: LiveEvent;
      try {
        event = JSON.parse(payload) as LiveEvent;
      } catch {
        return;
      }
      // One at a time, in commit order: a viewer must not see "resolved" before "dispatched".
      this.queue = this.queue.then(() => this.fanOut(event)).catch((error) => this.log.warn({ err: error, topic: event.topic }, 'live event failed'));
    });
    this.timer = setInterval(() => this.heartbeat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Stops listening and ends every open stream. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.stopListening?.();
    this.stopListening = undefined;
    for (const c of this.connections) c.res.end();
    this.connections.clear();
    await this.queue;
  }

  private async fanOut(event: LiveEvent): Promise<void> {
    if (this.accessEnds.has(event.topic)) {
      this.endAccess(event.topic, event.payload ?? {});
      return;
    }
    if (this.connections.size === 0) return;
    const viewers = [...this.connections];
    for (const { prefix, layer } of this.layers) if (event.topic.startsWith(prefix)) await layer(event, viewers);
  }

  private endAccess(topic: string, payload: Record<string, unknown>): void {
    const ends = this.accessEnds.get(topic)!;
    for (const c of this.connections) if (c.principal && ends(payload, c.principal)) this.drop(c, SESSION_ENDED);
  }

  private heartbeat(): void {
    const now = Date.now();
    for (const c of this.connections) {
      if (now - c.openedAt > MAX_CONNECTION_MS) this.drop(c);
      else c.res.write(': ping\n\n');
    }
  }

  /** Ends a stream; a reason tells the browser not to carry on as before (it reconnects afresh). */
  private drop(c: Connection, reason?: string): void {
    this.connections.delete(c);
    if (reason) c.res.write(`event: closed\ndata: ${JSON.stringify({ reason })}\n\n`);
    c.res.end();
  }

  /** Registers GET /api/v1/live, the stream itself. */
  routes(app: HttpApp): void {
    // Open streams would keep the server from closing.
    app.addHook('preClose', async () => {
      for (const c of this.connections) c.res.end();
      this.connections.clear();
    });
    app.get(
      '/api/v1/live',
      {
        schema: {
          tags: ['command'],
          summary: 'Server-sent events: live changes, each as this viewer may see it (EventSource; cookie session, or none for the public view)',
        },
      },
      (request, reply) => {
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          // nginx must pass events through at once, not buffer them.
          'x-accel-buffering': 'no',
        });
        // Until its access is confirmed as listening, a viewer's events wait (see endAccessOn).
        let waiting: [string, unknown][] | null = request.principal ? [] : null;
        const connection: Connection = {
          principal: request.principal,
          lang: request.lang,
          res,
          openedAt: Date.now(),
          send: (event, data) => {
            if (waiting) {
              waiting.push([event, data]);
              return;
            }
            if (res.writableLength > MAX_BUFFERED_BYTES) {
              this.drop(connection);
              return;
            }
            res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
          },
        };
        this.connections.add(connection);
        if (request.principal) {
          this.stillGranted(request.principal)
            .catch(() => false)
            .then((granted) => {
              if (!this.connections.has(connection)) return;
              if (!granted) return this.drop(connection, SESSION_ENDED);
              const held = waiting ?? [];
              waiting = null;
              for (const [event, data] of held) connection.send(event, data);
            });
        }
        res.write(`retry: 3000\nevent: hello\ndata: ${JSON.stringify({ viewer: request.principal ? request.principal.role : 'public' })}\n\n`);
        request.raw.on('close', () => this.connections.delete(connection));
      },
    );
  }
}

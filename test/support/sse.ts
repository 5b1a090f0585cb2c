import http from 'node:http';

/** One server-sent event as the live stream sends it; `D` is the shape of its data as the test reads it. */
export interface SseEvent<D = Record<string, unknown>> {
  event: string;
  data: D;
}

/**
 * An open stream and every event it received. `next` waits for a matching event however long it takes
 * (the test's timeout is the limit; speed is bench/live-1000.ts's business). A stream delivers in order,
 * so once a later event has arrived, an earlier one that did not never will.
 */
export interface SseStream<D = Record<string, unknown>> {
  events: SseEvent<D>[];
  /** Resolves when the server has ended the stream. */
  ended: Promise<void>;
  /** The first event (already received or still to come) that matches; undefined if the stream ends first. */
  next(match: (e: SseEvent<D>) => boolean): Promise<SseEvent<D> | undefined>;
  close(): void;
}

/** Opens `url` (the live stream) with these headers; resolves once its `hello` event arrived. */
export function openSse<D = Record<string, unknown>>(url: string, headers: Record<string, string> = {}): Promise<SseStream<D>> {
  return new Promise((resolve, reject) => {
    const events: SseEvent<D>[] = [];
    const waiters: { match: (e: SseEvent<D>) => boolean; done: (e: SseEvent<D> | undefined) => void }[] = [];
    let markEnded: () => void = () => undefined;
    const ended = new Promise<void>((r) => (markEnded = r));
    const req = http.get(url, { headers }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('end', () => {
        markEnded();
        for (const w of waiters.splice(0)) w.done(undefined);
      });
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = block.match(/^event: (.+)$/m)?.[1];
          const data = block.match(/^data: (.+)$/m)?.[1];
          if (!event || !data) continue;
          const e: SseEvent<D> = { event, data: JSON.parse(data) as D };
          events.push(e);
          for (const w of [...waiters]) {
            if (!w.match(e)) continue;
            waiters.splice(waiters.indexOf(w), 1);
            w.done(e);
          }
          if (event === 'hello') {
            resolve({
              events,
              ended,
              next: (match) =>
                new Promise((done) => {
                  const found = events.find(match);
                  if (found || res.complete) return done(found);
                  waiters.push({ match, done });
                }),
              close: () => req.destroy(),
            });
          }
        }
      });
    });
    req.on('error', reject);
  });
}

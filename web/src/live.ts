// The one client of the live stream (GET /api/v1/live, server-sent events), for every area that listens:
// the officers' inbox and the command center.
//
// How the stream resumes:
//  - The server sends no event ids (so there is no Last-Event-ID to resume from): what happened while the
//    stream was down is not replayed. Instead each connection starts with `hello`, and every `hello` after
//    the first tells the page to catch up (reload its list and figures) — `onReconnect`.
//  - A dropped connection, and the server ending a stream (every ten minutes, on shutdown, or with
//    `event: closed` when the viewer's access ended or changed: logout, suspension, a new role or scope),
//    is reconnected by EventSource itself after the server's `retry:` (3 s). The new stream is
//    authenticated afresh — a logged-out viewer gets the public one — and its `hello` makes the page catch
//    up, where a request that needs the ended session fails and sends the page back to its login gate.
//  - An answer that is not a stream (a proxy's 502 while the server restarts) makes EventSource give up
//    for good; then a new one is opened here after a back-off (1 s, 2 s, 4 s … at most 30 s, reset by the
//    next `hello`).
import { useEffect, useRef, useState } from 'react';
import type { PublicReportView, ReportView } from '@api';

export type LiveReport = ReportView | PublicReportView;

export interface LiveHandlers {
  /** A report was submitted or changed; `report` is the view this viewer may see (officer or public). */
  onReport?: (report: LiveReport, topic: string) => void;
  /** The stream came back after a break: catch up on what was missed. */
  onReconnect?: () => void;
}

/** An officer's view carries the actions the viewer may take; the public view does not. */
export function isOfficerView(report: LiveReport): report is ReportView {
  return 'actions' in report;
}

const STREAM_URL = '/api/v1/live';
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

/** A `report` event's data, or null when it is not one (a malformed event is ignored). */
function reportOf(ev: Event): { report: LiveReport; topic: string } | null {
  let data: { topic?: unknown; report?: LiveReport };
  try {
    data = JSON.parse((ev as MessageEvent<string>).data) as typeof data;
  } catch {
    return null;
  }
  if (!data.report || typeof data.report.trackingNo !== 'string') return null;
  return { report: data.report, topic: typeof data.topic === 'string' ? data.topic : '' };
}

/** Listens to the live stream while mounted; returns whether it is connected now. */
export function useLiveEvents(handlers: LiveHandlers): boolean {
  const [connected, setConnected] = useState(false);
  // The handlers change on every render; the connection should not.
  const current = useRef(handlers);
  current.current = handlers;

  useEffect(() => {
    let source: EventSource | null = null;
    let retryTimer: number | undefined;
    let retryMs = FIRST_RETRY_MS;
    // Counted across the EventSources opened here: the first `hello` of a reopened one is a reconnection too.
    let hellos = 0;

    const open = () => {
      const es = new EventSource(STREAM_URL, { withCredentials: true });
      source = es;
      es.onopen = () => setConnected(true);
      es.onerror = () => {
        setConnected(false);
        // CONNECTING: EventSource retries by itself. CLOSED: it has given up; open a new one later.
        if (es.readyState !== EventSource.CLOSED) return;
        es.close();
        retryTimer = window.setTimeout(open, retryMs);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      };
      es.addEventListener('hello', () => {
        setConnected(true);
        retryMs = FIRST_RETRY_MS;
        if (hellos++ > 0) current.current.onReconnect?.();
      });
      es.addEventListener('report', (ev) => {
        const data = reportOf(ev);
        if (data) current.current.onReport?.(data.report, data.topic);
      });
    };

    open();
    return () => {
      window.clearTimeout(retryTimer);
      source?.close();
    };
  }, []);

  return connected;
}

// The live stream (GET /api/v1/live, server-sent events) for any page. EventSource reconnects by itself;
// after a reconnection the page is told to catch up on what it missed while the stream was down.
import { useEffect, useRef, useState } from 'react';
import type { PublicReportView, ReportView } from '@api';

export type LiveReport = ReportView | PublicReportView;

export interface LiveHandlers {
  /** A report was submitted or changed; `report` is the view this viewer may see (officer or public). */
  onReport: (report: LiveReport, topic: string) => void;
  /** The stream came back after a break. */
  onReconnect?: () => void;
}

/** An officer's view carries the actions the viewer may take; the public view does not. */
export function isOfficerView(report: LiveReport): report is ReportView {
  return 'actions' in report;
}

/** Subscribes while mounted; returns whether the stream is connected now. */
export function useLiveReports(handlers: LiveHandlers): boolean {
  const [connected, setConnected] = useState(false);
  // The handlers change on every render; the connection should not.
  const current = useRef(handlers);
  current.current = handlers;

  useEffect(() => {
    const es = new EventSource('/api/v1/live', { withCredentials: true });
    let hellos = 0;
    es.onopen = () => setConnected(true);
    es.onerror = () => setConnected(false);
    es.addEventListener('hello', () => {
      setConnected(true);
      if (hellos++ > 0) current.current.onReconnect?.();
    });
    es.addEventListener('report', (ev) => {
      let data: { topic?: unknown; report?: LiveReport };
      try {
        data = JSON.parse((ev as MessageEvent<string>).data) as typeof data;
      } catch {
        return;
      }
      if (data.report && typeof data.report.trackingNo === 'string') current.current.onReport(data.report, typeof data.topic === 'string' ? data.topic : '');
    });
    return () => es.close();
  }, []);

  return connected;
}

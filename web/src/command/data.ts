// The command center's data: the stats API's answers (typed by the server's schemas, @api) and small
// time-zone helpers.
import type { AgencyFigures, Figures, KecamatanFigures, ReportCluster, TrendDay } from '@api';
import { request } from '../api';

export interface Dashboard {
  today: Figures;
  month: Figures;
  agencies: AgencyFigures[];
  kecamatan: KecamatanFigures[];
}

/** "+07:00" for Asia/Jakarta at `at`. */
function offsetOf(timezone: string, at: Date): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-]\d{2}):?(\d{2})?/.exec(name);
  return m ? `${m[1]}:${m[2] ?? '00'}` : '+00:00';
}

/** Midnight of today in the city's time zone, as an ISO string with its offset. */
export function startOfToday(timezone: string, now = new Date()): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  return `${day}T00:00:00${offsetOf(timezone, now)}`;
}

export async function loadDashboard(timezone: string): Promise<Dashboard> {
  const from = encodeURIComponent(startOfToday(timezone));
  const [today, month, agencies, kecamatan] = await Promise.all([
    request<{ figures: Figures }>('GET', `/stats/summary?from=${from}`),
    request<{ figures: Figures }>('GET', '/stats/summary?days=30'),
    request<{ rows: AgencyFigures[] }>('GET', '/stats/agencies?days=30'),
    request<{ rows: KecamatanFigures[] }>('GET', '/stats/kecamatan?days=30'),
  ]);
  return { today: today.figures, month: month.figures, agencies: agencies.rows, kecamatan: kecamatan.rows };
}

/** Worst first: overdue, then escalated, then open, then the lowest on-time share. */
export function worstFirst(rows: AgencyFigures[]): AgencyFigures[] {
  return [...rows].sort(
    (a, b) => b.overdue - a.overdue || b.escalated - a.escalated || b.open - a.open || (a.resolvedWithinDeadline ?? 1) - (b.resolvedWithinDeadline ?? 1) || a.name.localeCompare(b.name),
  );
}

export const loadTrend = () => request<{ days: TrendDay[] }>('GET', '/stats/trend?days=30').then((r) => r.days);

export const loadClusters = (bbox: [number, number, number, number], zoom: number) =>
  request<{ clusters: ReportCluster[] }>('GET', `/stats/map?bbox=${bbox.map((n) => n.toFixed(5)).join(',')}&zoom=${zoom}&days=30`).then((r) => r.clusters);

// Status badges shared by the citizen pages.
import type { ReportView } from '@api';

const TONE: Record<ReportView['status'], string> = {
  submitted: 'new',
  verified: 'info',
  dispatched: 'info',
  in_progress: 'work',
  resolved: 'done',
  closed: 'done',
  rejected: 'bad',
  merged: 'muted',
};

export function StatusBadge({ status, name }: { status: ReportView['status']; name: string }) {
  return <span className={`ct-badge ct-badge--${TONE[status]}`}>{name}</span>;
}

export const STATUS_COLOR: Record<ReportView['status'], string> = {
  submitted: '#8a4b00',
  verified: '#1d4ed8',
  dispatched: '#1d4ed8',
  in_progress: '#6d28d9',
  resolved: '#146c43',
  closed: '#146c43',
  rejected: '#b42318',
  merged: '#4a5568',
};

export function formatDate(iso: string, lang: 'id' | 'en', withTime = true): string {
  return new Date(iso).toLocaleString(lang === 'id' ? 'id-ID' : 'en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    ...(withTime ? { hour: '2-digit', minute: '2-digit' } : {}),
  });
}

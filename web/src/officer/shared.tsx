// What the inbox and the detail page share: reference data (agencies, regions, categories), dates, badges.
import { useEffect, useState } from 'react';
import type { Agency, CategoryView, RegionNode, ReportView } from '@api';
import { request } from '../api';
import type { OfficerStrings } from './strings';

// Reference data changes rarely: one request per page load, shared by every component.
const cache = new Map<string, Promise<unknown>>();
function once<T>(key: string, load: () => Promise<T>): Promise<T> {
  let p = cache.get(key) as Promise<T> | undefined;
  if (!p) {
    p = load();
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}

function useOnce<T>(key: string, load: () => Promise<T>, fallback: T): T {
  const [value, setValue] = useState<T>(fallback);
  useEffect(() => {
    let alive = true;
    once(key, load).then(
      (v) => alive && setValue(v),
      () => undefined,
    );
    return () => {
      alive = false;
    };
  }, [key]);
  return value;
}

const NO_AGENCIES: Agency[] = [];
const NO_KECAMATAN: RegionNode[] = [];
const NO_CATEGORIES: CategoryView[] = [];

export const useAgencies = () =>
  useOnce('agencies', () => request<{ agencies: Agency[] }>('GET', '/agencies').then((r) => r.agencies), NO_AGENCIES);

/** The city's kecamatan, each with its kelurahan. */
export const useKecamatan = () =>
  useOnce(
    'regions',
    () =>
      request<{ region: RegionNode }>('GET', '/regions').then((r) => {
        const out: RegionNode[] = [];
        const walk = (n: RegionNode) => {
          if (n.level === 'district') out.push(n);
          else n.children?.forEach(walk);
        };
        walk(r.region);
        return out;
      }),
    NO_KECAMATAN,
  );

export const useCategories = () =>
  useOnce('categories', () => request<{ categories: CategoryView[] }>('GET', '/report-categories').then((r) => r.categories), NO_CATEGORIES);

export function formatDateTime(iso: string, lang: 'id' | 'en', timeZone?: string): string {
  try {
    return new Intl.DateTimeFormat(lang === 'id' ? 'id-ID' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso));
  } catch {
    return new Date(iso).toLocaleString();
  }
}

const DAY = 24 * 3600 * 1000;

/** Due within the next 24 hours, not yet overdue. */
export function dueSoon(r: ReportView, now = Date.now()): boolean {
  if (!r.due || r.due.overdue) return false;
  const at = new Date(r.due.at).getTime();
  return at - now <= DAY && at >= now;
}

export function Badges({ report, s }: { report: ReportView; s: OfficerStrings }) {
  return (
    <span className="of-badges">
      {report.emergency && <span className="of-badge of-badge--emergency">{s.emergency}</span>}
      {report.due?.overdue && <span className="of-badge of-badge--overdue">{s.overdue}</span>}
      {dueSoon(report) && <span className="of-badge of-badge--soon">{s.dueSoon}</span>}
      {report.escalated && <span className="of-badge of-badge--escalated">{s.escalated}</span>}
    </span>
  );
}

export function StatusPill({ status, name }: { status: string; name: string }) {
  return <span className={`of-status of-status--${status}`}>{name}</span>;
}

// Small pieces the admin sections share.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { ApiError, request } from '../api';
import { PageTitle } from '../ui';

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

/** GET once (and again on reload()): {data, error, reload}. */
export function useLoad<T>(path: string | null): { data: T | undefined; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path) return;
    let live = true;
    setError(null);
    request<T>('GET', path).then(
      (d) => live && setData(d),
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, reload };
}

export function Msg({ ok, err }: { ok: string | null; err: string | null }) {
  return (
    <>
      {err && (
        <div className="alert alert--error" role="alert">
          {err}
        </div>
      )}
      {ok && !err && (
        <div className="alert alert--success" role="status">
          {ok}
        </div>
      )}
    </>
  );
}

export function SectionHead({ title, lead, children }: { title: string; lead: string; children?: ReactNode }) {
  return (
    <div className="ad-section-head">
      <div>
        <PageTitle title={title}>{title}</PageTitle>
        <p className="muted ad-lead">{lead}</p>
      </div>
      {children}
    </div>
  );
}

export function fmtDateTime(iso: string | null, lang: 'id' | 'en'): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'id-ID', { dateStyle: 'medium', timeStyle: 'short' });
}

export function fmtDate(date: string, lang: 'id' | 'en'): string {
  return new Date(date + 'T00:00:00').toLocaleDateString(lang === 'en' ? 'en-GB' : 'id-ID', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}
